//! # mlpkit
//!
//! The helper library of the MNIST / Fashion-MNIST multilayer-perceptron
//! tutorials. It wraps [Candle](https://github.com/huggingface/candle) so that a
//! notebook can say in a few lines what a Keras tutorial says, while every piece
//! stays small enough to open and read:
//!
//! - [`data`]: the IDX file format, MNIST and Fashion-MNIST found wherever they
//!   are (a folder, `data/`, Debian's package, the Hugging Face hub), splits,
//!   scaling, standardisation, one-hot labels and mini-batches;
//! - [`model`]: layers, initialisers, the [`model::Sequential`] network, its
//!   Keras-style summary, and weights on disk;
//! - [`train`]: losses, optimizers (SGD, Adam, RMSprop with Keras's rules),
//!   `fit` / `evaluate` / `predict`, history and callbacks;
//! - [`metrics`]: accuracy and the confusion matrix with precision, recall, F1;
//! - [`plot`]: image grids, learning curves, confusion heatmaps, probability bars
//!   and weight pictures, shown inline in notebooks and saved as PNG or SVG;
//! - [`tutorials`]: the five source tutorials' set-ups as ready recipes.
//!
//! Start with `use mlpkit::prelude::*;`.

mod atomic;
pub mod data;
pub mod device;
mod error;
pub mod interrupt;
pub mod metrics;
pub mod model;
pub mod plot;
pub mod prelude;
pub mod table;
pub mod train;
pub mod tutorials;

pub use error::{Error, Result};

// The Candle crates this library is built on, so notebooks need only one `:dep`.
pub use candle_core;
pub use candle_nn;
pub use rand;
