//! Training: Keras's `fit` and `evaluate` on a [`Sequential`] model, and the pieces they are
//! made of.
//!
//! | file | what it holds |
//! |---|---|
//! | `options.rs` | [`Fit`]: epochs, batch size, validation, callbacks, … |
//! | `fit.rs` | the training loop: epochs, batches, callbacks, history |
//! | `step.rs` | `Step`: the one seam between the loop and how a step is computed |
//! | `autograd.rs` | steps through Candle's autograd (any model, any device) |
//! | `fused.rs` | steps on the fused CPU engine (`engine/`) |
//! | `evaluate.rs` | loss and accuracy on a dataset |
//! | `checks.rs` | what is checked before training starts |
//! | `callbacks.rs` | [`EarlyStopping`], [`Checkpoint`], [`TimeBudget`] |
//! | `report.rs` | what `fit` shows while it trains ([`Verbosity`]): nothing, or a line per epoch |
//! | `live.rs` | or the live view: one notebook output that updates in place |
//!
//! The model itself ([`crate::model`]) knows nothing of training: `compile` records an
//! optimizer and a loss, and this module's [`Train`] trait (in the prelude) gives every
//! model `fit`, `evaluate` and `train_step`.

mod autograd;
mod callbacks;
mod checks;
mod evaluate;
mod fit;
mod fused;
#[cfg(not(target_arch = "wasm32"))]
mod live;
mod options;
mod report;
mod step;

pub use crate::history::{EpochLog, History, Monitor};
pub use crate::math::{Adam, Evaluation, Loss, Outputs, RmsProp, Rule, Score, Sgd};
pub use crate::optimizer::Optimizer;
pub use callbacks::{Callback, Checkpoint, Control, EarlyStopping, TimeBudget};
pub use options::{Fit, Validation};
pub use report::Verbosity;

use crate::data::Split;
use crate::error::Result;
use crate::model::Sequential;

/// Training a compiled model, the Keras way. In the prelude, so that `model.fit(...)` works
/// on any [`Sequential`].
pub trait Train {
    /// Trains the model (Keras's `fit`) and returns the history of this run; each epoch also
    /// goes into `model.history()`. Checks everything it can before the first step (data,
    /// labels, what callbacks watch) and stops, keeping what was learned, on an interrupt,
    /// when the loss stops being a number, or when a callback says so.
    fn fit(&mut self, train: &Split, options: Fit) -> Result<History>;

    /// Loss and accuracy on `data`, in inference (no dropout), with the compiled loss.
    fn evaluate(&self, data: &Split) -> Result<Evaluation>;

    /// One training step on a batch, through Candle's autograd: forward pass (dropout on),
    /// loss, gradients, one update of the compiled optimizer. The piece `fit` repeats, for a
    /// hand-written loop.
    fn train_step(&mut self, batch: &Split) -> Result<Score>;
}

impl Train for Sequential {
    fn fit(&mut self, train: &Split, options: Fit) -> Result<History> {
        fit::fit(self, train, options)
    }

    fn evaluate(&self, data: &Split) -> Result<Evaluation> {
        evaluate::evaluate(self, data)
    }

    fn train_step(&mut self, batch: &Split) -> Result<Score> {
        autograd::train_step(self, batch)
    }
}
