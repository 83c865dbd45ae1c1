//! Training: losses, optimizers, the `fit` loop, its history and callbacks.

mod callbacks;
mod checks;
mod fit;
mod fused;
mod history;
pub mod loss;
pub mod optim;
pub(crate) mod rules;
mod step;
mod team;

pub use callbacks::{Callback, Checkpoint, Control, EarlyStopping, TimeBudget};
pub use fit::{Compiled, Evaluation, Fit, StepResult, Validation};
pub use history::{EpochLog, History, Monitor};
pub use loss::{Loss, Outputs};
pub use optim::{Adam, Optim, RmsProp, Rule, Sgd, UpdateRule};
#[doc(hidden)]
pub use team::Pool;
