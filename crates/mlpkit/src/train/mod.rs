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
    ///
    /// Each epoch draws a new order of the examples (seeded by [`Fit::seed`]), cuts it into
    /// batches of [`Fit::batch_size`], and takes one optimizer step per batch; the epoch's
    /// `loss` is the mean of its batches' losses, taken while the weights change.
    ///
    /// # Errors
    /// Before the first step, nothing changed:
    /// - [`Error::InvalidArgument`] when the model is not compiled, `epochs` or `batch_size`
    ///   is 0, the `validation_split` fraction is not strictly between 0 and 1, a callback
    ///   watches `val_loss` or `val_accuracy` without validation data, a dataset is empty, its
    ///   images are integers (raw pixels: [`scale`](crate::data::scale) them), or a label is
    ///   not a class of the model's outputs;
    /// - [`Error::Mismatch`] when a dataset's images and labels are not as many, its
    ///   examples are not shaped for the model, or its labels do not suit the loss (integer
    ///   labels with categorical cross-entropy: [`one_hot`](crate::data::one_hot) them);
    /// - [`Error::NotFinite`] when the images or labels hold NaN or infinite values.
    ///
    /// During training, keeping the epochs done in `model.history()`:
    /// - [`Error::Diverged`] when a batch's loss is not a finite number (lower the learning
    ///   rate, scale the inputs), [`Error::NotFinite`] when the weights are no longer numbers;
    /// - [`Error::Interrupted`] when the stop button (Ctrl-C) was pressed: the weights are
    ///   those of that moment;
    /// - a callback's own error, e.g. [`Error::Io`] when a [`Checkpoint`] cannot save.
    ///
    /// [`Error::InvalidArgument`]: crate::Error::InvalidArgument
    /// [`Error::Mismatch`]: crate::Error::Mismatch
    /// [`Error::NotFinite`]: crate::Error::NotFinite
    /// [`Error::Diverged`]: crate::Error::Diverged
    /// [`Error::Interrupted`]: crate::Error::Interrupted
    /// [`Error::Io`]: crate::Error::Io
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// // 64 points on a grid in the unit square; class 1 above the diagonal.
    /// let xy: Vec<f32> = (0..64)
    ///     .flat_map(|i| [(i % 8) as f32 / 7.0, (i / 8) as f32 / 7.0])
    ///     .collect();
    /// let labels: Vec<u32> = xy.chunks(2).map(|p| u32::from(p[1] > p[0])).collect();
    /// let data = Split::new(
    ///     Tensor::from_vec(xy, (64, 2), &Device::Cpu)?,
    ///     Tensor::from_vec(labels, 64, &Device::Cpu)?,
    /// )?;
    /// let mut model = Architecture::new(&[2])
    ///     .add(Dense::new(8, Activation::Relu))
    ///     .add(Dense::new(2, Activation::Softmax))
    ///     .build(0)?;
    /// model.compile(Adam::new(0.05), Loss::SparseCategoricalCrossentropy)?;
    /// let options = Fit::epochs(20).batch_size(16).validation_split(0.25).verbose(0);
    /// let history = model.fit(&data, options)?;
    /// assert_eq!((history.len(), history.val_loss().len()), (20, 20));
    /// assert!(history.loss()[19] < history.loss()[0]);     // it learned something
    /// assert_eq!(model.history().len(), 20);               // kept with the model too
    /// // No step is taken on data that cannot train:
    /// assert!(model.fit(&data, Fit::epochs(0).verbose(0)).is_err());
    /// let one_hot_labels = data.map_labels(|y| one_hot(y, 2))?;
    /// assert!(model.fit(&one_hot_labels, Fit::epochs(1).verbose(0)).is_err()); // sparse loss
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    fn fit(&mut self, train: &Split, options: Fit) -> Result<History>;

    /// Loss and accuracy on `data`, in inference (no dropout), with the compiled loss
    /// (Keras's `model.evaluate`). The weights do not change.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when the model is not
    /// compiled; otherwise the checks of [`Train::fit`] made before its first step (an
    /// empty dataset, raw integer pixels, labels that do not suit the loss or the outputs,
    /// NaN values).
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let mut model = Architecture::new(&[2]).add(Dense::new(3, Activation::Softmax)).build(0)?;
    /// let data = Split::new(
    ///     Tensor::new(&[[1f32, 0.0], [0.0, 1.0]], &Device::Cpu)?,
    ///     Tensor::new(&[0u32, 2], &Device::Cpu)?,
    /// )?;
    /// assert!(model.evaluate(&data).is_err());             // compile first
    /// model.compile(Sgd::new(0.1), Loss::SparseCategoricalCrossentropy)?;
    /// let e = model.evaluate(&data)?;
    /// assert!(e.loss > 0.0 && (0.0..=1.0).contains(&e.accuracy));
    /// let three = Tensor::new(&[0u32, 3], &Device::Cpu)?;   // no class 3 among 3 outputs
    /// assert!(model.evaluate(&Split::new(data.images().clone(), three)?).is_err());
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    fn evaluate(&self, data: &Split) -> Result<Evaluation>;

    /// One training step on a batch, through Candle's autograd: forward pass (dropout on),
    /// loss, gradients, one update of the compiled optimizer. The piece `fit` repeats, for a
    /// hand-written loop.
    ///
    /// For plain SGD the update is `w ← w − η ∂L/∂w` for every weight `w`, with `L` the
    /// batch's mean loss; momentum, Adam and RMSprop follow Keras's rules
    /// ([`crate::math::Rule`]). A loss that is not a finite number is returned without an
    /// update (and without an error): check `score.loss().is_finite()` in your loop.
    ///
    /// # Errors
    /// - [`Error::InvalidArgument`](crate::Error::InvalidArgument) when the model is not
    ///   compiled, its images are integers (raw pixels), or a label is not a class;
    /// - [`Error::Shape`](crate::Error::Shape) when the examples are not shaped for the
    ///   model, [`Error::Mismatch`](crate::Error::Mismatch) when the labels do not suit the
    ///   loss.
    ///
    /// Unlike `fit`, it does not look for NaN values in the batch first.
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let mut model = Architecture::new(&[2]).add(Dense::new(2, Activation::Softmax)).build(1)?;
    /// model.compile(Sgd::new(0.5), Loss::SparseCategoricalCrossentropy)?;
    /// let batch = Split::new(
    ///     Tensor::new(&[[1f32, 0.0], [0.0, 1.0]], &Device::Cpu)?,
    ///     Tensor::new(&[0u32, 1], &Device::Cpu)?,
    /// )?;
    /// let first = model.train_step(&batch)?.loss();
    /// for _ in 0..10 {
    ///     model.train_step(&batch)?;
    /// }
    /// assert!(model.evaluate(&batch)?.loss < first);       // downhill
    /// let raw = batch.map_images(|x| Ok(x.to_dtype(DType::U8)?))?;
    /// assert!(model.train_step(&raw).is_err());            // integer pixels
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
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
