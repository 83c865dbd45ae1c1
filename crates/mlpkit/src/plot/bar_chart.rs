//! A bar chart of named values: results of several experiments side by side.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{category_axes, value_range};
use super::figure::{plot_err, Figure, Plot};
use super::fonts::SANS;
use crate::error::{Error, Result};

/// One bar per label, its value written above it.
#[derive(Debug, Clone)]
pub struct BarChart {
    /// One label per bar.
    pub labels: Vec<String>,
    /// The bars' heights.
    pub values: Vec<f64>,
    /// Title above the chart.
    pub title: Option<String>,
    /// The vertical axis's label.
    pub y_label: String,
    /// Range of the vertical axis (`None`: from the values).
    pub ylim: Option<(f64, f64)>,
}

/// Bar colour.
pub const BAR: RGBColor = RGBColor(31, 119, 180);

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
            title: None,
            y_label: String::new(),
            ylim: None,
        })
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
}

impl Plot for BarChart {
    super::figure::compiled_here!();

    fn default_size(&self) -> (u32, u32) {
        let n = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        (n.saturating_mul(110).saturating_add(100).max(480), 400)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (lo, hi) = self.ylim.unwrap_or_else(|| {
            // Finite values only (see `new`); the margin above the highest bar leaves room
            // for its label.
            let max = self
                .values
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max);
            let min = self.values.iter().copied().fold(f64::INFINITY, f64::min);
            (min.min(0.0), if max > 0.0 { max * 1.12 } else { 1.0 })
        });
        let mut chart = category_axes(
            root,
            Some(self.title.as_deref().unwrap_or("")),
            &self.labels,
            value_range(lo, hi, "BarChart")?,
            &self.y_label,
        )?;
        chart
            .draw_series(
                Histogram::vertical(&chart)
                    .margin(14)
                    .baseline(lo)
                    .style(BAR.filled())
                    .data(self.values.iter().enumerate().map(|(i, &v)| (i, v))),
            )
            .map_err(plot_err)?;
        let above =
            TextStyle::from((SANS, 13).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
        chart
            .draw_series(self.values.iter().enumerate().map(|(i, &v)| {
                Text::new(
                    // Four significant digits for shares (0.9618), two decimals for
                    // percentages and other values from 1 up (3.82).
                    if v.abs() >= 1.0 {
                        format!("{v:.2}")
                    } else {
                        format!("{v:.4}")
                    },
                    (SegmentValue::CenterOf(i), v),
                    above.clone(),
                )
            }))
            .map_err(plot_err)?;
        Ok(())
    }
}
