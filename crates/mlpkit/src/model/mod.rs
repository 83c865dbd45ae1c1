//! Networks: layers, their initialisers and activations, the [`Sequential`] model, its
//! summary, and saving and loading.

mod activation;
mod init;
mod io;
mod layer;
mod sequential;
mod summary;

pub use activation::Activation;
pub use init::Init;
pub use io::{model_path, SavedModel};
pub use layer::{Architecture, Dense, Dropout, Flatten, LayerSpec, ResolvedLayer};
pub use sequential::{DenseParams, Sequential};
pub use summary::{thousands, Summary, SummaryRow};
