//! # mlpkit
//!
//! The helper library of the MNIST / Fashion-MNIST multilayer-perceptron
//! tutorials. It wraps [Candle](https://github.com/huggingface/candle) so that a
//! notebook can say in a few lines what a Keras tutorial says, while every piece
//! stays small enough to open and read:
//!
//! Its modules are layers, each using only the ones below it (`crates/mlpkit/README.md` draws
//! them, and `./lab test` checks it):
//!
//! - [`math`]: activations, losses, how outputs become answers, the optimizers (SGD, Adam,
//!   RMSprop with Keras's rules), initialisers and dropout, each written once;
//! - [`data`]: the IDX file format, MNIST and Fashion-MNIST found wherever they
//!   are (a folder, `data/`, Debian's package, the Hugging Face hub), splits,
//!   scaling, standardisation, one-hot labels and mini-batches;
//! - [`history`]: the record of training, kept with the model;
//! - [`optimizer`]: an update rule at work on a model's weights, and the checks for weights
//!   made in another notebook cell (`cells.rs`);
//! - [`model`]: layers, the [`model::Sequential`] network, its forward pass, its
//!   Keras-style summary, and weights on disk;
//! - `engine`: the fused CPU engine that runs a training step several times faster;
//! - [`train`]: `fit` / `evaluate`, the step seam, callbacks;
//! - [`metrics`] and [`predictions`]: the confusion matrix with precision, recall, F1, and a
//!   model's probabilities with the examples worth looking at;
//! - [`plot`]: image grids, learning curves, confusion heatmaps, probability bars
//!   and weight pictures, shown inline in notebooks and saved as PNG or SVG;
//! - [`tutorials`]: the five source tutorials' set-ups as ready recipes.
//!
//! Below them all are small services: [`files`] (atomic saves, digests), `storage` (a
//! tensor's values in place), [`table`],
//! `interrupt` and [`device`].
//!
//! Start with `use mlpkit::prelude::*;`.
//!
//! `unsafe` code lives in two places, each block with the invariant it relies on: the fused
//! engine's buffers shared by its threads (`engine/`) and the interrupt handler
//! (`interrupt.rs`). The lints below make a block without its `SAFETY:` comment, or a public
//! item without documentation, a compile error.

#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks, clippy::as_ptr_cast_mut)]

mod cells;
pub mod check;
pub mod data;
pub mod device;
mod engine;
mod error;
pub mod files;
pub mod history;
mod interrupt;
pub mod math;
pub mod metrics;
pub mod model;
pub mod optimizer;
// Figures are drawn on the machine that runs the notebook; the book's WebAssembly module
// (crates/mlpkit-web) draws in the page instead and leaves plotters and its fonts out.
#[cfg(not(target_arch = "wasm32"))]
pub mod drawing;
#[cfg(not(target_arch = "wasm32"))]
pub mod plot;
pub mod predictions;
pub mod prelude;
pub mod random;
mod storage;
pub mod table;
pub mod train;
pub mod tutorials;

pub use error::{Error, Result};

// The Candle crates this library is built on, so notebooks need only one `:dep`.
pub use candle_core;
pub use candle_nn;
pub use rand;
