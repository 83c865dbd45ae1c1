//! Datasets and preprocessing: from IDX files (or the hub) to tensors ready for a network.
//!
//! | file | what it holds |
//! |---|---|
//! | `catalogue.rs` | what MNIST and Fashion-MNIST are: classes, files, digests, where to look |
//! | `dataset.rs` | [`Dataset`] as loaded, and the [`Loader`] that finds it |
//! | [`idx`] | the IDX file format, read and written |
//! | [`hub`] | the Hugging Face hub's Parquet copies |
//! | `split.rs` | [`Split`]: images with their labels, and ways to cut them |
//! | `transform.rs` | scaling, standardising, flattening, one-hot labels |
//! | `batches.rs` | [`Batches`]: the examples of each epoch, shuffled and cut |
//! | [`picture`] | any picture of a digit made into an MNIST image |
//! | [`uci_digits`] | the UCI handwritten digits (notebook 06) |

mod batches;
mod catalogue;
mod dataset;
pub mod hub;
pub mod idx;
pub mod picture;
mod split;
mod transform;
pub mod uci_digits;

pub use crate::files::shown_path;
pub use batches::{Batches, EpochBatches};
pub use catalogue::{
    DatasetKind, IMAGE_PIXELS, IMAGE_SIDE, IdxPart, NUM_CLASSES, workspace_data_dir,
};
pub use dataset::{Dataset, Loader, Source};
pub use split::Split;
pub use transform::{PixelRange, Standardizer, flatten, mean_std, one_hot, scale};
