//! A bar chart of named values: results of several experiments side by side, each with its
//! spread when it was measured more than once.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{TickedChart, category_axes, value_range};
use super::figure::{Figure, Plot, plot_err};
use super::style::{self, INK, TICK_SIZE};
use crate::error::{Error, Result};

/// One bar per label, its value written above it, and (optionally) an error bar.
#[derive(Debug, Clone)]
pub struct BarChart {
    /// One label per bar.
    pub labels: Vec<String>,
    /// The bars' heights.
    pub values: Vec<f64>,
    /// Each bar's spread: an error bar from `value − e` to `value + e` (for instance one
    /// standard deviation over seeds).
    pub errors: Option<Vec<f64>>,
    /// What an error bar shows, for the note under the chart (e.g. "± one standard
    /// deviation over 5 seeds").
    pub errors_note: Option<String>,
    /// Title above the chart.
    pub title: Option<String>,
    /// The vertical axis's label.
    pub y_label: String,
    /// Range of the vertical axis (`None`: from zero to above the highest bar).
    pub ylim: Option<(f64, f64)>,
}

/// Bar colour.
pub const BAR: RGBColor = RGBColor(31, 119, 180);

/// Space between the top of a bar (or of its error bar) and its value, in pixels.
const LABEL_GAP: i32 = 4;

impl BarChart {
    /// A bar per label; the lengths must agree and the values be finite.
    pub fn new<S: ToString>(labels: &[S], values: &[f64]) -> Result<Self> {
        if labels.len() != values.len() || labels.is_empty() {
            return Err(Error::Mismatch(format!(
                "{} labels but {} values",
                labels.len(),
                values.len()
            )));
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(Error::InvalidArgument(format!(
                "BarChart: the value of `{}` is {}; a bar needs a finite number",
                labels[i].to_string(),
                values[i]
            )));
        }
        Ok(Self {
            labels: labels.iter().map(|l| l.to_string()).collect(),
            values: values.to_vec(),
            errors: None,
            errors_note: None,
            title: None,
            y_label: String::new(),
            ylim: None,
        })
    }

    /// Adds an error bar to each bar, `± errors[i]`, and says under the chart what it shows.
    pub fn errors(mut self, errors: &[f64], what: impl Into<String>) -> Result<Self> {
        if errors.len() != self.values.len() {
            return Err(Error::Mismatch(format!(
                "BarChart: {} bars but {} error bars",
                self.values.len(),
                errors.len()
            )));
        }
        if let Some(e) = errors.iter().find(|e| !(e.is_finite() && **e >= 0.0)) {
            return Err(Error::InvalidArgument(format!(
                "BarChart: an error bar of {e}; each must be a finite number ≥ 0"
            )));
        }
        self.errors = Some(errors.to_vec());
        self.errors_note = Some(what.into());
        Ok(self)
    }

    /// Sets the title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets the vertical axis's label.
    pub fn y_label(mut self, label: impl Into<String>) -> Self {
        self.y_label = label.into();
        self
    }

    /// Fixes the y-axis range (for instance to zoom in on accuracies between 0.9 and 1).
    pub fn ylim(mut self, low: f64, high: f64) -> Self {
        self.ylim = Some((low, high));
        self
    }

    /// The chart as a figure (shown inline, or saved with `save`).
    pub fn figure(self) -> Figure<Self> {
        Figure::new(self)
    }

    /// The top of bar `i` with its error bar.
    fn top(&self, i: usize) -> f64 {
        self.values[i] + self.errors.as_ref().map_or(0.0, |e| e[i])
    }

    /// The value axis: from zero (or the lowest bar) to a little above the highest top, so
    /// that every value's label fits.
    fn y_range(&self) -> (f64, f64) {
        self.ylim.unwrap_or_else(|| {
            let max = (0..self.values.len())
                .map(|i| self.top(i))
                .fold(f64::NEG_INFINITY, f64::max);
            let min = self.values.iter().copied().fold(f64::INFINITY, f64::min);
            (min.min(0.0), if max > 0.0 { max * 1.12 } else { 1.0 })
        })
    }

    /// The bars, from the axis's foot (or zero) to each value.
    fn draw_bars<DB: DrawingBackend>(
        &self,
        chart: &mut TickedChart<'_, DB>,
        base: f64,
    ) -> Result<()> {
        let bars = self.values.iter().enumerate().map(|(i, &v)| {
            let x = i as f64;
            Rectangle::new([(x - 0.36, base), (x + 0.36, v)], BAR.filled())
        });
        chart.draw_series(bars).map_err(plot_err)?;
        if let Some(errors) = &self.errors {
            let whiskers = errors.iter().enumerate().flat_map(|(i, &e)| {
                let (x, v) = (i as f64, self.values[i]);
                let line = |a: (f64, f64), b: (f64, f64)| {
                    PathElement::new(vec![a, b], INK.stroke_width(1))
                };
                [
                    line((x, v - e), (x, v + e)),
                    line((x - 0.1, v - e), (x + 0.1, v - e)),
                    line((x - 0.1, v + e), (x + 0.1, v + e)),
                ]
            });
            chart.draw_series(whiskers).map_err(plot_err)?;
        }
        let above = style::text(TICK_SIZE).pos(Pos::new(HPos::Center, VPos::Bottom));
        let labels = self.values.iter().enumerate().map(|(i, &v)| {
            // Four significant digits for shares (0.9618), two decimals for percentages and
            // other values from 1 up (3.82).
            let text = if v.abs() >= 1.0 {
                format!("{v:.2}")
            } else {
                format!("{v:.4}")
            };
            EmptyElement::at((i as f64, self.top(i)))
                + Text::new(text, (0, -LABEL_GAP), above.clone())
        });
        chart.draw_series(labels).map_err(plot_err)?;
        Ok(())
    }
}

impl Plot for BarChart {
    super::figure::compiled_here!();

    fn default_size(&self) -> (u32, u32) {
        // Each bar gets room for its name written across, up to a point.
        let font = super::fonts::font_for(&FontFamily::SansSerif);
        let widest = self
            .labels
            .iter()
            .map(|l| {
                super::typeset::layout(font, TICK_SIZE as f32, l)
                    .width
                    .ceil() as u32
            })
            .max()
            .unwrap_or(0);
        let per_bar = (widest + 20).clamp(100, 170);
        let n = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        let note = if self.errors_note.is_some() { 22 } else { 0 };
        // At most a notebook column wide: names that no longer fit are turned.
        (
            n.saturating_mul(per_bar)
                .saturating_add(100)
                .clamp(480, super::image_grid::MAX_WIDTH),
            400 + note,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (lo, hi) = self.y_range();
        let area = match &self.errors_note {
            Some(note) => {
                let (w, h) = root.dim_in_pixel();
                let at = ((w / 2) as i32, h as i32 - 10);
                let style = style::text(TICK_SIZE)
                    .color(&style::MUTED)
                    .pos(Pos::new(HPos::Center, VPos::Center));
                root.draw_text(&format!("error bars: {note}"), &style, at)
                    .map_err(plot_err)?;
                root.margin(0, 22, 0, 0)
            }
            None => root.clone(),
        };
        let mut chart = category_axes(
            &area,
            self.title.as_deref(),
            &self.labels,
            value_range(lo, hi, "BarChart")?,
            &self.y_label,
            false,
        )?;
        self.draw_bars(&mut chart, lo.max(0.0).min(hi))
    }
}
