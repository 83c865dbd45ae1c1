//! The mathematics of the networks, each piece written once.
//!
//! | file | what it defines |
//! |---|---|
//! | [`activation`] | ReLU, tanh, sigmoid, softmax, linear: forward and backward |
//! | [`loss`] | the cross-entropy losses and their gradient with respect to the logits |
//! | [`answers`] | how outputs become answers (arg-max, or a threshold per output) and how many are right |
//! | [`optimizer`] | SGD, Adam and RMSprop: their settings and update rules (the state lives in [`crate::optimizer::Optimizer`]) |
//! | [`init`] | how weights start (Glorot, He, truncated normal, …) |
//! | `score.rs` | [`Score`] and [`Evaluation`]: losses and right answers, added up |
//! | [`dropout`] | the dropout masks and their random stream |
//!
//! Candle's autograd works on whole tensors; the fused engine (`engine/`) works on
//! slices of `f32`. Where both need a piece, its file has both forms side by side, chosen by
//! one `match` per form that names every variant (so a new activation, loss or optimizer does
//! not compile until both forms handle it), and a test checks that the two forms agree for
//! every variant.

pub mod activation;
pub mod answers;
pub mod dropout;
pub mod init;
pub mod loss;
pub mod optimizer;
mod score;
mod update;

pub use activation::Activation;
pub use answers::{Targets, argmax};
pub use init::Init;
pub use loss::{Loss, Outputs};
pub use optimizer::{Adam, RmsProp, Rule, Sgd};
pub use score::{Evaluation, Score};
