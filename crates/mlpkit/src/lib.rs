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
//!
//! `unsafe` code lives in two places, each block with the invariant it relies on: the fused
//! training path's buffers shared by its threads (`train/fused.rs`, `train/team.rs`) and the
//! interrupt handler (`interrupt.rs`). The lints below make a block without its `SAFETY:`
//! comment, or a public item without documentation, a compile error.

#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks, clippy::as_ptr_cast_mut)]

mod atomic;
pub mod data;
pub mod device;
mod error;
pub mod interrupt;
pub mod metrics;
pub mod model;
pub mod plot;
pub mod predictions;
pub mod prelude;
pub mod table;
pub mod train;
pub mod tutorials;

pub use error::{Error, Result};

// The Candle crates this library is built on, so notebooks need only one `:dep`.
pub use candle_core;
pub use candle_nn;
pub use rand;
