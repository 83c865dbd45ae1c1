//! The one seam between `fit` and the ways of computing a training step.
//!
//! `fit` is a loop over epochs and batches; what happens in a step is behind [`Step`], which
//! has two implementations:
//!
//! - `AutogradStep`: [`Train::train_step`](super::Train::train_step) on the batch, through
//!   Candle's autograd. It covers every model, loss and device;
//! - `FusedStep`: the fused CPU engine ([`crate::engine`]), several times faster for a plain
//!   stack of dense layers on the CPU, equal to the autograd path up to rounding.
//!
//! Both change the model's weights and optimizer state in place, so after every step the
//! model is up to date: callbacks, a saved file and an interrupted cell see the same numbers.
//! `fit` picks one, in one place (`choose` in `fit.rs`).

use crate::device::threads_phrase;
use crate::error::Result;
use crate::math::{Evaluation, Score};
use crate::model::Sequential;

/// A way of running training steps for one `fit`; see the module's documentation.
pub(crate) trait Step {
    /// One optimizer step on the examples `ids` of the training data; returns its score.
    fn step(&mut self, model: &mut Sequential, ids: &[u32]) -> Result<Score>;
    /// Loss and accuracy on the validation data (`None` without validation data).
    fn validate(&mut self, model: &Sequential) -> Result<Option<Evaluation>>;
    /// Threads the steps run on (`None` on a GPU, where there is no count to speak of).
    fn threads(&self) -> Option<usize>;
    /// Whether this is the fused engine (recorded in the history).
    fn fused(&self) -> bool;
    /// For the training line, e.g. `fused CPU path, 2 threads`.
    fn describe(&self) -> String {
        let path = if self.fused() {
            "fused CPU path"
        } else {
            "Candle autograd"
        };
        match self.threads() {
            Some(n) => format!("{path}, {}", threads_phrase(n)),
            None => path.to_string(),
        }
    }
}
