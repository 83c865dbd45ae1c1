//! One prediction's class probabilities as a bar chart.

use plotters::coord::Shift;
use plotters::prelude::*;

use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::drawing::axes::{TickedChart, category_axes};
use crate::drawing::figure::{Figure, Plot, plot_err};
use crate::drawing::style::{self, TICK_SIZE, TITLE_SIZE, probability};
use crate::error::{Error, Result};
use crate::predictions::Predictions;

/// Bar colours: other classes, the predicted class, the true class (when it differs), and
/// the true class when it is also the prediction. Right and wrong are blue and vermilion
/// from Okabe and Ito's palette, which readers with any common colour blindness tell apart
/// (red and green, the usual pair, turn into one olive for one reader in twelve).
pub const OTHER: RGBColor = RGBColor(170, 170, 170);
/// Colour of the predicted class when it is wrong: vermilion.
pub const PREDICTED_WRONG: RGBColor = RGBColor(213, 94, 0);
/// Colour of the true class: blue.
pub const TRUE_CLASS: RGBColor = RGBColor(0, 114, 178);
/// Colour of the predicted class when it is right: the true class's blue, since it is both.
pub const PREDICTED_RIGHT: RGBColor = TRUE_CLASS;

/// What a legend entry's key looks like: the shape drawn in the chart for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A bar of that colour.
    Bar,
    /// The triangle that marks the true class under a wrong prediction's bars.
    Triangle,
}

/// Probabilities of each class, the predicted (largest) one and the true one marked.
#[derive(Debug, Clone)]
pub struct ProbabilityBars {
    /// One probability per class.
    pub probabilities: Vec<f32>,
    /// The classes' names.
    pub class_names: Vec<String>,
    /// The true class, if known.
    pub truth: Option<usize>,
    /// Title above the bars.
    pub title: Option<String>,
    /// Class numbers under the bars instead of names (for small panels).
    pub numbered: bool,
    /// Whether the chart draws its own legend (a grid of charts draws one for all).
    pub show_legend: bool,
}

impl ProbabilityBars {
    /// Bars for `probabilities`, one per class name.
    pub fn new<S: ToString>(probabilities: &[f32], class_names: &[S]) -> Result<Self> {
        if probabilities.len() != class_names.len() || probabilities.is_empty() {
            return Err(Error::Mismatch(format!(
                "{} probabilities but {} class names",
                probabilities.len(),
                class_names.len()
            )));
        }
        if let Some(p) = probabilities.iter().find(|p| !p.is_finite()) {
            return Err(Error::InvalidArgument(format!(
                "ProbabilityBars: a probability is {p}; the model's outputs hold NaN or infinite values"
            )));
        }
        Ok(Self {
            probabilities: probabilities.to_vec(),
            class_names: class_names.iter().map(|s| s.to_string()).collect(),
            truth: None,
            title: None,
            numbered: false,
            show_legend: true,
        })
    }

    /// Example `i` of `predictions`: its probabilities, with its true class marked.
    pub fn of<S: ToString>(predictions: &Predictions, i: usize, class_names: &[S]) -> Result<Self> {
        Ok(Self::new(predictions.probabilities(i)?, class_names)?.truth(predictions.truth(i)?))
    }

    /// Marks the true class (drawing fails with an error if there is no such class).
    pub fn truth(mut self, class: u32) -> Self {
        self.truth = Some(class as usize);
        self
    }

    /// Sets the title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Class numbers (0, 1, …) under the bars instead of the names, for small panels; the
    /// caption still names the predicted and the true class.
    pub fn numbered(mut self, numbered: bool) -> Self {
        self.numbered = numbered;
        self
    }

    /// Index of the largest probability (the first of equal ones).
    pub fn predicted(&self) -> usize {
        crate::math::argmax(&self.probabilities)
    }

    /// What the colours mean, for this chart: the entries its legend shows, each with the
    /// shape it is drawn as.
    pub fn legend(&self) -> Vec<(RGBColor, Key, &'static str)> {
        match self.truth {
            Some(t) if t == self.predicted() => {
                vec![(PREDICTED_RIGHT, Key::Bar, "predicted, right")]
            }
            Some(_) => vec![
                (PREDICTED_WRONG, Key::Bar, "predicted, wrong"),
                (TRUE_CLASS, Key::Triangle, "true class"),
            ],
            None => vec![(PREDICTED_RIGHT, Key::Bar, "predicted")],
        }
    }

    /// The colour of bar `i`.
    pub fn bar_color(&self, i: usize) -> RGBColor {
        let predicted = self.predicted();
        match (i == predicted, Some(i) == self.truth) {
            (true, true) => PREDICTED_RIGHT,
            (true, false) if self.truth.is_some() => PREDICTED_WRONG,
            (true, false) => PREDICTED_RIGHT,
            (false, true) => TRUE_CLASS,
            (false, false) => OTHER,
        }
    }

    /// The bars as a figure.
    pub fn figure(self) -> Figure<Self> {
        Figure::new(self)
    }
}

impl ProbabilityBars {
    /// The caption: the prediction and its probability, and the truth when it differs.
    pub fn caption(&self) -> String {
        if let Some(title) = &self.title {
            return title.clone();
        }
        let predicted = self.predicted();
        let (name, p) = (&self.class_names[predicted], self.probabilities[predicted]);
        match self.truth {
            Some(t) if t != predicted => {
                format!(
                    "true {} → {name}, {}",
                    self.class_names[t],
                    probability(f64::from(p))
                )
            }
            _ => format!("{name}, {}", probability(f64::from(p))),
        }
    }

    fn check(&self) -> Result<()> {
        let classes = self.class_names.len();
        if self.probabilities.len() != classes || classes == 0 {
            return Err(Error::Mismatch(format!(
                "ProbabilityBars: {} probabilities but {classes} class names",
                self.probabilities.len()
            )));
        }
        if let Some(t) = self.truth.filter(|&t| t >= classes) {
            return Err(Error::InvalidArgument(format!(
                "ProbabilityBars: the true class is {t}, but there are only classes 0..{classes}"
            )));
        }
        Ok(())
    }

    /// The bars from the axis up, coloured, and the true class's mark just above the axis
    /// when the prediction is wrong (its bar may be too small to see).
    fn draw_bars<DB: DrawingBackend>(&self, chart: &mut TickedChart<'_, DB>) -> Result<()> {
        let bars = self.probabilities.iter().enumerate().map(|(i, &p)| {
            let x = i as f64;
            Rectangle::new(
                [(x - 0.36, 0.0), (x + 0.36, f64::from(p))],
                self.bar_color(i).filled(),
            )
        });
        chart.draw_series(bars).map_err(plot_err)?;
        if let Some(t) = self.truth.filter(|&t| t != self.predicted()) {
            let mark = EmptyElement::at((t as f64, 0.0))
                + TriangleMarker::new((0, -8), 5, TRUE_CLASS.filled());
            chart.draw_series(std::iter::once(mark)).map_err(plot_err)?;
        }
        Ok(())
    }
}

impl Plot for ProbabilityBars {
    crate::drawing::figure::compiled_here!();

    fn default_size(&self) -> (u32, u32) {
        let n = u32::try_from(self.probabilities.len()).unwrap_or(u32::MAX);
        (n.saturating_mul(70).max(420), 400)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        self.check()?;
        let (width, _) = root.dim_in_pixel();
        let centre = Pos::new(HPos::Center, VPos::Center);
        root.draw_text(
            &self.caption(),
            &style::text(TITLE_SIZE).pos(centre),
            ((width / 2) as i32, CAPTION / 2),
        )
        .map_err(plot_err)?;
        let area = if self.show_legend {
            draw_legend(root, &self.legend(), CAPTION + LEGEND / 2)?;
            root.margin(CAPTION + LEGEND, 0, 0, 0)
        } else {
            root.margin(CAPTION, 0, 0, 0)
        };
        let numbers: Vec<String>;
        let names = if self.numbered {
            numbers = (0..self.class_names.len()).map(|i| i.to_string()).collect();
            &numbers
        } else {
            &self.class_names
        };
        let mut chart = category_axes(&area, None, names, 0.0..1.0, "probability", false)?;
        self.draw_bars(&mut chart)
    }
}

/// Height of the caption's row, in pixels.
pub(crate) const CAPTION: i32 = 30;
/// Height of a legend's row, in pixels.
pub(crate) const LEGEND: i32 = 24;

/// A one-line legend centred at height `y`: each entry's key (a square for a bar, a
/// triangle for the true class's mark) and its meaning.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    entries: &[(RGBColor, Key, &str)],
    y: i32,
) -> Result<()> {
    let font = crate::drawing::fonts::font_for(&plotters::style::FontFamily::SansSerif);
    const SIZE: f32 = TICK_SIZE as f32;
    let (square, gap, between) = (11, 6, 22);
    let widths: Vec<i32> = entries
        .iter()
        .map(|(_, _, text)| {
            crate::drawing::typeset::layout(font, SIZE, text)
                .width
                .ceil() as i32
        })
        .collect();
    let total: i32 = widths.iter().map(|w| square + gap + w).sum::<i32>()
        + between * (entries.len() as i32 - 1).max(0);
    let (width, _) = root.dim_in_pixel();
    let mut x = (width as i32 - total) / 2;
    let style = style::text(TICK_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
    for ((color, key, text), w) in entries.iter().zip(widths) {
        match key {
            Key::Bar => root.draw(&Rectangle::new(
                [(x, y - square / 2), (x + square, y + square / 2 + 1)],
                color.filled(),
            )),
            Key::Triangle => root.draw(&TriangleMarker::new(
                (x + square / 2, y + 1),
                5,
                color.filled(),
            )),
        }
        .map_err(plot_err)?;
        root.draw_text(text, &style, (x + square + gap, y))
            .map_err(plot_err)?;
        x += square + gap + w + between;
    }
    Ok(())
}
