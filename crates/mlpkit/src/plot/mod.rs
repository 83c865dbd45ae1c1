//! Figures drawn with plotters that show inline in a notebook and save to PNG or SVG.
//!
//! | figure | made by |
//! |---|---|
//! | grid of images with titles | [`ImageGrid::new`] |
//! | first-layer weights as pictures | [`ImageGrid::weights`] |
//! | loss and accuracy per epoch | [`LearningCurves::new`] |
//! | confusion matrix heatmap | [`Heatmap::new`] |
//! | one prediction's probabilities | [`ProbabilityBars::new`] |
//! | examples beside their probabilities | [`PredictionGrid::new`] |
//! | named values side by side, with error bars | [`BarChart::new`] |
//! | named lines, on a plain or logarithmic axis | [`LineChart::new`] |
//! | the network's layers and units | [`NetworkDiagram::of`] |
//!
//! Each ends with `.figure()`, a [`Figure`] that renders itself. Text uses a font compiled
//! into the library, so figures draw the same on a machine without any system font.

mod axes;
mod bar_chart;
mod canvas;
mod colormap;
pub mod colour_bar;
mod curves;
mod figure;
pub mod fonts;
mod heatmap;
mod image_grid;
mod line_chart;
mod network;
mod prediction_grid;
mod probability_bars;
pub mod style;
pub mod ticks;
pub mod typeset;

pub use bar_chart::{BAR as BAR_COLOR, BarChart};
pub use probability_bars::ProbabilityBars;
/// The colours of [`ProbabilityBars`].
pub mod bars_colors {
    pub use super::probability_bars::{OTHER, PREDICTED_RIGHT, PREDICTED_WRONG, TRUE_CLASS};
}
pub use colormap::{Colormap, luminance};
pub use curves::{LearningCurves, Metric, TRAIN_COLOR, VALIDATION_COLOR};
pub use figure::{Figure, Plot};
pub use heatmap::{Heatmap, HeatmapView};
pub use image_grid::ImageGrid;
pub use line_chart::{LineChart, SERIES_COLORS, Series};
pub use network::NetworkDiagram;
pub use prediction_grid::PredictionGrid;
