//! Everything a notebook needs, in one glob import: `use mlpkit::prelude::*;`.

pub use crate::check::{self, Answer};
pub use crate::data::{
    Batches, Dataset, DatasetKind, IMAGE_PIXELS, IMAGE_SIDE, Loader, NUM_CLASSES, PixelRange,
    Split, Standardizer, flatten, mean_std, one_hot, scale,
};
pub use crate::device::default_device;
pub use crate::error::{Error, Result};
pub use crate::history::{History, Monitor};
pub use crate::math::{Activation, Adam, Evaluation, Init, Loss, RmsProp, Sgd};
pub use crate::metrics::{ConfusionMatrix, accuracy};
pub use crate::model::{Architecture, Dense, Dropout, Flatten, Sequential};
pub use crate::optimizer::Optimizer;
#[cfg(not(target_arch = "wasm32"))]
pub use crate::plot::{
    BarChart, Colormap, Heatmap, HeatmapView, ImageGrid, LearningCurves, LineChart, Metric,
    NetworkDiagram, PredictionGrid, ProbabilityBars,
};
pub use crate::predictions::Predictions;
pub use crate::table::Table;
pub use crate::train::{Checkpoint, EarlyStopping, Fit, TimeBudget, Train};
pub use candle_core::{DType, Device, Tensor};
pub use candle_nn::Optimizer as _;
