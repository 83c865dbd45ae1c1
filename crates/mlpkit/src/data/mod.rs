//! Datasets and preprocessing: from IDX files (or the hub) to tensors ready for a network.

mod batches;
mod dataset;
pub mod hub;
pub mod idx;
pub mod picture;
mod split;
mod transform;
pub mod uci_digits;

pub use batches::{Batches, EpochBatches};
pub use dataset::{
    shown_path, workspace_data_dir, Dataset, DatasetKind, IdxPart, Loader, Source, IMAGE_PIXELS,
    IMAGE_SIDE, NUM_CLASSES,
};
pub use split::Split;
pub(crate) use transform::with_cpu_slice;
pub use transform::{flatten, mean_std, one_hot, scale, PixelRange, Standardizer};
