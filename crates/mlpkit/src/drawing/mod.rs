//! The grammar of the crate's figures, and the figures that need nothing but numbers: a
//! figure and its canvas, fonts, styles, axes and ticks, colour maps and colour bars, and the
//! charts built from plain values (image grids, learning curves, line and bar charts).
//!
//! It sits below [`crate::train`], so that `fit` can draw its learning curve while it trains;
//! the figures of a trained model's results (confusion heatmaps, prediction grids,
//! probability bars, network diagrams) are in [`crate::plot`], which also shows everything
//! here under its own name: notebooks use `mlpkit::plot::…` (or the prelude) for all of them.

pub(crate) mod axes;
mod bar_chart;
pub(crate) mod canvas;
pub(crate) mod colormap;
pub mod colour_bar;
mod curves;
pub(crate) mod figure;
pub mod fonts;
pub(crate) mod image_grid;
mod line_chart;
pub mod style;
pub mod ticks;
pub mod typeset;

pub use bar_chart::{BAR as BAR_COLOR, BarChart};
pub use colormap::{Colormap, luminance};
pub use curves::{LearningCurves, Metric, TRAIN_COLOR, VALIDATION_COLOR};
pub use figure::{Figure, Plot};
pub use image_grid::ImageGrid;
pub use line_chart::{LineChart, SERIES_COLORS, Series};
