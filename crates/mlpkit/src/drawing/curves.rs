//! Learning curves: loss and accuracy per epoch, training against validation.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axes::{X_LABEL_AREA, value_mesh, value_range, y_label_area};
use super::figure::{Figure, Plot, plot_err};
use super::style::{self, GRID, LINE_WIDTH, MAX_MARKERS, TICK_SIZE, TITLE_SIZE, with_margins};
use super::ticks::TickedAxis;
use crate::error::{Error, Result};
use crate::history::{EpochLog, History};

/// Which quantity a panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// The loss.
    Loss,
    /// The accuracy.
    Accuracy,
}

impl Metric {
    fn label(self) -> &'static str {
        match self {
            Metric::Loss => "loss",
            Metric::Accuracy => "accuracy",
        }
    }
}

/// Training and validation curves, one panel per metric, side by side.
#[derive(Debug, Clone)]
pub struct LearningCurves {
    /// Epoch numbers, the horizontal axis.
    pub epochs: Vec<f64>,
    /// Training and validation loss.
    pub loss: (Vec<f64>, Vec<f64>),
    /// Training and validation accuracy.
    pub accuracy: (Vec<f64>, Vec<f64>),
    /// Which panels to draw, left to right.
    pub panels: Vec<Metric>,
    /// Range of the loss axis (`None`: from the data).
    pub loss_ylim: Option<(f64, f64)>,
    /// Range of the accuracy axis (`None`: from the data).
    pub accuracy_ylim: Option<(f64, f64)>,
    /// Title above the panels.
    pub title: Option<String>,
}

/// Training series colour (blue) and validation series colour (orange).
pub const TRAIN_COLOR: RGBColor = RGBColor(31, 119, 180);
/// Colour of the validation curves.
pub const VALIDATION_COLOR: RGBColor = RGBColor(255, 127, 14);

impl LearningCurves {
    /// Loss and accuracy of every epoch in `history`.
    pub fn new(history: &History) -> Result<Self> {
        if history.is_empty() {
            return Err(Error::InvalidArgument(
                "the history is empty: train the model with fit() first".into(),
            ));
        }
        // `History::val_loss` leaves out epochs without validation; keep the series aligned
        // with the epochs by writing NaN there (NaN points are not drawn).
        let val = |f: fn(&EpochLog) -> Option<f64>| -> Vec<f64> {
            if history.epochs.iter().all(|e| f(e).is_none()) {
                Vec::new()
            } else {
                history
                    .epochs
                    .iter()
                    .map(|e| f(e).unwrap_or(f64::NAN))
                    .collect()
            }
        };
        Ok(Self {
            epochs: history.epochs.iter().map(|e| e.epoch as f64).collect(),
            loss: (history.loss(), val(|e| e.val_loss)),
            accuracy: (history.accuracy(), val(|e| e.val_accuracy)),
            panels: vec![Metric::Loss, Metric::Accuracy],
            loss_ylim: None,
            accuracy_ylim: None,
            title: None,
        })
    }

    /// Show only one metric.
    pub fn only(mut self, metric: Metric) -> Self {
        self.panels = vec![metric];
        self
    }

    /// Fixes the y-axis range of a metric's panel.
    pub fn ylim(mut self, metric: Metric, low: f64, high: f64) -> Self {
        match metric {
            Metric::Loss => self.loss_ylim = Some((low, high)),
            Metric::Accuracy => self.accuracy_ylim = Some((low, high)),
        }
        self
    }

    /// Sets the title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// The curves as a figure.
    pub fn figure(self) -> Figure<Self> {
        Figure::new(self)
    }

    /// The epoch axis: the first to the last epoch, with a margin on each side so that the
    /// curves' ends do not sit on the axes.
    fn epoch_axis(&self) -> (f64, f64) {
        let first = self.epochs[0];
        with_margins(first, *self.epochs.last().unwrap_or(&first))
    }

    /// Whether each epoch gets a marker: only when there are few, or they would crowd.
    fn markers(&self) -> bool {
        self.epochs.len() <= MAX_MARKERS
    }

    /// The training and validation lines (with a marker per epoch when there are few), and
    /// their legend entries.
    fn draw_lines<'a, DB: DrawingBackend + 'a>(
        &self,
        chart: &mut ChartContext<'a, DB, Cartesian2d<TickedAxis, TickedAxis>>,
        train: &[f64],
        val: &[f64],
    ) -> Result<()> {
        let markers = self.markers();
        for (values, name, color) in [
            (train, "training", TRAIN_COLOR),
            (val, "validation", VALIDATION_COLOR),
        ] {
            let points: Vec<(f64, f64)> = self
                .epochs
                .iter()
                .copied()
                .zip(values.iter().copied())
                .filter(|(_, v)| v.is_finite())
                .collect();
            if points.is_empty() {
                continue;
            }
            chart
                .draw_series(LineSeries::new(
                    points.clone(),
                    color.stroke_width(LINE_WIDTH),
                ))
                .map_err(plot_err)?
                .label(name)
                .legend(move |(x, y)| {
                    // The key's line carries the line's marker when the line has markers.
                    let dot = if markers {
                        color.filled()
                    } else {
                        TRANSPARENT.filled()
                    };
                    EmptyElement::at((x, y))
                        + PathElement::new(vec![(0, 0), (20, 0)], color.stroke_width(LINE_WIDTH))
                        + Circle::new((10, 0), 3, dot)
                });
            if markers {
                chart
                    .draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))
                    .map_err(plot_err)?;
            }
        }
        Ok(())
    }

    /// One panel: the metric's training and validation curves on nice axes, the epochs with
    /// a margin on each side.
    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        metric: Metric,
    ) -> Result<()> {
        let ((train, val), ylim) = match metric {
            Metric::Loss => (&self.loss, self.loss_ylim),
            Metric::Accuracy => (&self.accuracy, self.accuracy_ylim),
        };
        // NaN or infinite values (a diverged run) are left out of the lines; a panel with no
        // finite value at all says so in its caption.
        let finite = train.iter().chain(val).any(|v| v.is_finite());
        let caption = if finite {
            metric.label().to_string()
        } else {
            format!("{} (no finite values to draw)", metric.label())
        };
        let (lo, hi) = ylim.unwrap_or_else(|| data_range(train, val, metric));
        let y = value_range(lo, hi, "LearningCurves")?;
        let (x_lo, x_hi) = self.epoch_axis();
        value_range(x_lo, x_hi, "LearningCurves (epochs)")?;
        let y_axis = TickedAxis::new(y.start, y.end, 7);
        let mut chart = ChartBuilder::on(area)
            .caption(caption, style::text(TITLE_SIZE))
            .margin(10)
            .x_label_area_size(X_LABEL_AREA)
            .y_label_area_size(y_label_area(&y_axis))
            .build_cartesian_2d(TickedAxis::whole(x_lo, x_hi, 10), y_axis)
            .map_err(plot_err)?;
        value_mesh(&mut chart, "epoch", metric.label())?;
        self.draw_lines(&mut chart, train, val)?;
        chart
            .configure_series_labels()
            .label_font(style::text(TICK_SIZE))
            .background_style(WHITE.mix(0.9))
            .border_style(GRID)
            .position(if metric == Metric::Loss {
                SeriesLabelPosition::UpperRight
            } else {
                SeriesLabelPosition::LowerRight
            })
            .draw()
            .map_err(plot_err)?;
        Ok(())
    }
}

/// The value axis's range from the data: its finite values with a margin (never below 0
/// for a loss); 0 to 1 when there is no finite value.
fn data_range(train: &[f64], val: &[f64], metric: Metric) -> (f64, f64) {
    let all = train.iter().chain(val).copied().filter(|v| v.is_finite());
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.08).max(1e-3);
    let lo = if metric == Metric::Accuracy {
        lo - pad
    } else {
        (lo - pad).max(0.0)
    };
    (lo, hi + pad)
}

impl Plot for LearningCurves {
    super::figure::compiled_here!();

    fn default_size(&self) -> (u32, u32) {
        (
            480 * self.panels.len().min(8) as u32,
            360 + if self.title.is_some() { 30 } else { 0 },
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let area = match &self.title {
            Some(t) => root
                .titled(t, style::text(TITLE_SIZE + 2.0))
                .map_err(plot_err)?,
            None => root.clone(),
        };
        let panels = area.split_evenly((1, self.panels.len()));
        for (panel, metric) in panels.iter().zip(&self.panels) {
            self.panel(panel, *metric)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::EpochLog;

    fn curves(epochs: usize) -> LearningCurves {
        let log = |epoch| EpochLog {
            epoch,
            loss: 1.0,
            accuracy: 0.5,
            val_loss: None,
            val_accuracy: None,
            seconds: 1.0,
            learning_rate: 0.1,
            fused: true,
        };
        let history = History {
            epochs: (1..=epochs).map(log).collect(),
            stopped_early: None,
        };
        LearningCurves::new(&history).unwrap()
    }

    #[test]
    fn the_ends_of_a_curve_sit_inside_the_axes() {
        let (lo, hi) = curves(30).epoch_axis();
        assert!(lo < 1.0 - 1.0 && hi > 30.0 + 1.0, "{lo}..{hi}");
        let (lo, hi) = curves(1).epoch_axis();
        assert!(lo < 1.0 && hi > 1.0);
    }

    #[test]
    fn markers_only_when_there_are_few_points() {
        assert!(curves(5).markers() && curves(15).markers());
        assert!(!curves(30).markers() && !curves(50).markers());
    }
}
