//! Networks: layers, the [`Sequential`] model, its forward pass, its Keras-style summary,
//! and saving and loading. Nothing here trains: [`crate::train`] does, on these models.
//!
//! | file | what it holds |
//! |---|---|
//! | `layer.rs` | [`Dense`], [`Flatten`], [`Dropout`] and the [`Architecture`] they make |
//! | `sequential.rs` | [`Sequential`]: an architecture with weights, and `compile` |
//! | `forward.rs` | the forward pass, `predict` |
//! | `summary.rs` | `model.summary()` |
//! | `io.rs` | `model.save(path)`, `Sequential::load(path)` |

mod forward;
mod io;
mod layer;
mod sequential;
mod summary;

pub use crate::math::{Activation, Init};
pub use io::{SavedModel, model_path};
pub use layer::{Architecture, Dense, Dropout, Flatten, LayerSpec, ResolvedLayer};
pub use sequential::{Compiled, DenseParams, Sequential};
pub use summary::{Summary, SummaryRow, thousands};
