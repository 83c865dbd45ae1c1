//! [`Fit`]: the options of `fit`, set Keras's way (`Fit::epochs(5).batch_size(32)`).

use super::callbacks::Callback;
use super::report::Verbosity;
use crate::data::{Batches, Split};
use crate::error::Result;

/// Where validation data comes from.
#[derive(Debug, Clone, Default)]
pub enum Validation {
    /// No validation.
    #[default]
    None,
    /// Keras's `validation_split`: this fraction of the training data, from its end, before shuffling.
    Split(f64),
    /// Separate validation data (Keras's `validation_data`).
    Data(Split),
}

/// Options of [`Train::fit`](crate::train::Train::fit); `Fit::epochs(5)` and chained setters.
///
/// The setters never fail; `fit` checks the options before its first step and returns an
/// error for `epochs` or `batch_size` 0 and a `validation_split` fraction not strictly
/// between 0 and 1 (see [`Train::fit`](crate::train::Train::fit)'s `# Errors`).
///
/// ```
/// use mlpkit::prelude::*;
/// // Keras: model.fit(X, y, epochs=5, batch_size=64, validation_split=0.1, verbose=2)
/// let options = Fit::epochs(5).batch_size(64).validation_split(0.1).verbose(2).threads(1);
/// assert_eq!((options.epochs, options.batch_size, options.threads), (5, 64, Some(1)));
/// assert!(matches!(options.validation, mlpkit::train::Validation::Split(f) if f == 0.1));
/// ```
pub struct Fit {
    /// Passes over the training data.
    pub epochs: usize,
    /// Examples per optimizer step.
    pub batch_size: usize,
    /// Where validation data comes from.
    pub validation: Validation,
    /// Whether each epoch visits the examples in a new random order.
    pub shuffle: bool,
    /// Seed of that order.
    pub seed: u64,
    /// What to show while training (see [`Fit::verbose`]).
    pub verbose: Verbosity,
    /// Also print the batch loss and accuracy every this many batches.
    pub log_every: Option<usize>,
    /// Called during training (see [`Callback`]).
    pub callbacks: Vec<Box<dyn Callback>>,
    /// Use the fused CPU path when the model allows it (see [`Fit::fused`]).
    pub fused: bool,
    /// CPU threads to train on (see [`Fit::threads`]); `None` for the default.
    pub threads: Option<usize>,
}

impl Fit {
    /// `epochs` epochs, batch size 32, shuffled with seed 0, a line per epoch, no validation.
    pub fn epochs(epochs: usize) -> Self {
        Self {
            epochs,
            batch_size: 32,
            validation: Validation::None,
            shuffle: true,
            seed: 0,
            verbose: Verbosity::Auto,
            log_every: None,
            callbacks: Vec::new(),
            fused: true,
            threads: None,
        }
    }
    /// Sets the batch size.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }
    /// Holds out this fraction of the training data, from its end, for validation.
    pub fn validation_split(mut self, fraction: f64) -> Self {
        self.validation = Validation::Split(fraction);
        self
    }
    /// Validates on `data` after every epoch.
    pub fn validation_data(mut self, data: &Split) -> Self {
        self.validation = Validation::Data(data.clone());
        self
    }
    /// Whether to shuffle every epoch (the default).
    pub fn shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }
    /// Sets the seed of the order of examples.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// What to show while training, as Keras's `verbose`: `0` nothing, `1` one output that
    /// updates in place (the epoch, a bar through its batches, the learning curve; in a
    /// notebook), `2` a line per epoch; `false` is `0`. By default, `1` in a notebook whose
    /// kernel can update an output in place and `2` anywhere else ([`Verbosity::Auto`]).
    /// Every epoch's figures are in the returned [`History`](crate::history::History)
    /// whatever is shown.
    pub fn verbose(mut self, verbose: impl Into<Verbosity>) -> Self {
        self.verbose = verbose.into();
        self
    }
    /// Also prints the loss of every `batches`-th batch.
    pub fn log_every(mut self, batches: usize) -> Self {
        self.log_every = Some(batches.max(1));
        self
    }
    /// Adds a callback.
    pub fn callback(mut self, callback: impl Callback + 'static) -> Self {
        self.callbacks.push(Box::new(callback));
        self
    }
    /// Whether to train on the fused CPU engine (`engine/`, the default) when the
    /// model is a stack of Flatten / Dense / Dropout layers on the CPU with a cross-entropy
    /// loss. `false` runs every step through [`Train::train_step`](super::Train::train_step)
    /// (Candle's autograd) instead: the same batches, dropout masks and update rules, several
    /// times slower, and equal to the engine up to floating-point rounding. Other models
    /// always use the autograd path.
    pub fn fused(mut self, fused: bool) -> Self {
        self.fused = fused;
        self
    }
    /// Trains on `threads` CPU threads (at least 1). Without it, the fused engine uses
    /// [`crate::device::training_threads`] (every core unless you chose otherwise) and the
    /// autograd path [`crate::device::AUTOGRAD_THREADS`]. The training line says how many
    /// were used. The same seed on the same number of threads gives the same weights, bit
    /// for bit; another number of threads changes them only by rounding.
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads.max(1));
        self
    }
}

impl Fit {
    /// The batches of each epoch over `n` examples: this run's size, shuffled with its seed.
    pub(crate) fn batches(&self, n: usize) -> Result<Batches> {
        let batches = Batches::new(n, self.batch_size)?;
        Ok(if self.shuffle {
            batches.shuffle(self.seed)
        } else {
            batches
        })
    }
}
