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
//!
//! The figures' grammar and the charts of plain numbers live in `drawing/` (below the training
//! loop, which draws its learning curve while it trains); this module adds the figures of a
//! trained model's results and shows both under one name.

mod heatmap;
mod network;
mod prediction_grid;
mod probability_bars;

pub use crate::drawing::{
    BAR_COLOR, BarChart, Colormap, Figure, ImageGrid, LearningCurves, LineChart, Metric, Plot,
    SERIES_COLORS, Series, TRAIN_COLOR, VALIDATION_COLOR, colour_bar, fonts, luminance, style,
    ticks, typeset,
};
pub use heatmap::{Heatmap, HeatmapView};
pub use network::NetworkDiagram;
pub use prediction_grid::PredictionGrid;
pub use probability_bars::ProbabilityBars;
/// The colours of [`ProbabilityBars`].
pub mod bars_colors {
    pub use super::probability_bars::{Key, OTHER, PREDICTED_RIGHT, PREDICTED_WRONG, TRUE_CLASS};
}
