//! The book's WebAssembly module: what the pages "Read my digit" and "Train it here" run in
//! the reader's browser. Every step is mlpkit's own code, compiled for the browser; the
//! pages' JavaScript only hands it pixels and file bytes, and draws what it returns.
//!
//! - [`Reader`] loads a model saved by a notebook (`model.save`), prepares a drawing the way
//!   notebook 06 prepares a photo of a digit (`mlpkit::data::picture::mnist_digit`: ink
//!   bright, cropped, scaled to 20 pixels, centred by mass in 28×28) and runs the model's
//!   forward pass on it.
//! - [`Trainer`] trains a small network on the UCI digits with `fit`, one epoch per call, on
//!   one thread, and scores it on a held-out test part at the end.
//!
//! The same functions run natively (the crate is also an `rlib`), which is how the tests
//! check the browser's answers against Rust's.

mod reader;
mod trainer;

pub use reader::{Reader, Reading, prepare_drawing};
pub use trainer::{EpochReport, TestReport, Trainer, TrainerSettings};

use wasm_bindgen::prelude::*;

/// An mlpkit error as a JavaScript `Error` with the same message.
pub(crate) fn js(error: mlpkit::Error) -> JsError {
    JsError::new(&error.to_string())
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console)]
    fn error(message: &str);
}

/// Runs when the page loads the module: a panic (a bug: every expected failure is an `Error`)
/// is written to the browser's console with its message and place, before the module stops.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        error(&format!("mlpkit-web panicked: {info}"))
    }));
}
