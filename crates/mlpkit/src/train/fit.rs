//! `compile`, `fit`, `evaluate`, `predict`: Keras's training API on a [`Sequential`] model.
//!
//! `fit` is a loop over public pieces: [`Batches`] for the order,
//! [`Sequential::train_step`] for forward pass, loss, gradients and one optimizer
//! step, [`Sequential::evaluate`] for validation. A notebook can write the same loop
//! itself. On the CPU, `fit` runs the step of a plain dense network on the fused path
//! instead (`train/fused.rs`): the same computation written out by hand, several times
//! faster at the tutorials' batch sizes, equal to `train_step` up to rounding
//! ([`Fit::fused`] turns it off).

use std::time::Instant;

use candle_core::{DType, Tensor, D};
use candle_nn::Optimizer as _;

use super::callbacks::{Callback, Control};
use super::checks::{check_data, check_weights};
use super::history::{EpochLog, History, Monitor};
use super::loss::Loss;
use super::optim::{Optim, Rule, UpdateRule};
use super::step::choose;
use super::team::Pool;
use crate::data::{Batches, Split};
use crate::error::{Error, Result};
use crate::model::{Activation, Sequential};

/// A model's optimizer and loss, set by [`Sequential::compile`].
#[derive(Debug)]
pub struct Compiled {
    /// The optimizer, with its state.
    pub optimizer: Optim<Rule>,
    /// The loss minimised.
    pub loss: Loss,
}

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

/// Options of [`Sequential::fit`]; `Fit::epochs(5)` and chained setters.
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
    /// Print a line per epoch.
    pub verbose: bool,
    /// Also print the batch loss and accuracy every this many batches.
    pub log_every: Option<usize>,
    /// Called during training (see [`Callback`]).
    pub callbacks: Vec<Box<dyn Callback>>,
    /// Use the fused CPU path when the model allows it (see [`Fit::fused`]).
    pub fused: bool,
    /// CPU threads to train on (see [`Fit::threads`]); `None` for the default.
    pub threads: Option<usize>,
    /// Which threads run the fused path's work (for `examples/bench_train`).
    #[doc(hidden)]
    pub pool: Pool,
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
            verbose: true,
            log_every: None,
            callbacks: Vec::new(),
            fused: true,
            threads: None,
            pool: Pool::default(),
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
    /// Whether to print a line per epoch (the default).
    pub fn verbose(mut self, verbose: bool) -> Self {
        self.verbose = verbose;
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
    /// Whether to train on the fused CPU path (the default) when the model is a stack of
    /// Flatten / Dense / Dropout layers on the CPU with a cross-entropy loss. `false` runs
    /// every step through [`Sequential::train_step`] (Candle's autograd) instead: the same
    /// batches, dropout masks and update rules, several times slower, and equal to the fused
    /// path up to floating-point rounding. Other models always use the autograd path.
    pub fn fused(mut self, fused: bool) -> Self {
        self.fused = fused;
        self
    }
    /// Trains on `threads` CPU threads (at least 1). Without it, the fused path uses
    /// [`crate::device::training_threads`] (every core unless you chose otherwise) and the
    /// autograd path [`crate::device::AUTOGRAD_THREADS`]. The training line says how many
    /// were used. The same seed on the same number of threads gives the same weights, bit
    /// for bit; another number of threads changes them only by rounding.
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads.max(1));
        self
    }
    #[doc(hidden)]
    pub fn pool(mut self, pool: Pool) -> Self {
        self.pool = pool;
        self
    }
}

/// Loss and accuracy on a dataset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    /// Mean loss.
    pub loss: f64,
    /// Share of correct predictions.
    pub accuracy: f64,
}

impl std::fmt::Display for Evaluation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "loss: {:.4} - accuracy: {:.4}", self.loss, self.accuracy)
    }
}

/// Result of one [`Sequential::train_step`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepResult {
    /// Mean loss of the batch, before the update.
    pub loss: f64,
    /// Number of correct predictions in the batch (for binary outputs: correct output values).
    pub correct: f64,
    /// Number of predictions counted in `correct`.
    pub total: f64,
}

/// Batch size of `evaluate` and `predict` (memory, not results, depends on it).
const EVAL_BATCH: usize = 2048;

impl Sequential {
    /// Chooses the optimizer and the loss (Keras's `compile`). Accuracy is always tracked.
    pub fn compile(&mut self, optimizer: impl Into<Rule>, loss: Loss) -> Result<()> {
        let rule = optimizer.into();
        rule.validate()?;
        let optimizer = Optim::new(self.vars(), rule)?;
        self.compiled = Some(Compiled { optimizer, loss });
        Ok(())
    }

    fn compiled(&self) -> Result<&Compiled> {
        self.compiled.as_ref().ok_or_else(|| {
            Error::InvalidArgument(
                "the model has no optimizer and loss yet: call `model.compile(optimizer, loss)` first".into(),
            )
        })
    }

    /// The loss chosen in `compile`.
    pub fn loss(&self) -> Result<Loss> {
        Ok(self.compiled()?.loss)
    }

    /// One training step on a batch: forward pass (dropout on), loss, gradients, optimizer update.
    pub fn train_step(&mut self, batch: &Split) -> Result<StepResult> {
        let loss_fn = self.compiled()?.loss;
        let (logits, act) = self.forward_logits(&batch.images, true)?;
        let loss = loss_fn.compute_for(&logits, act, &batch.labels)?;
        let (correct, total) = count_correct(&logits, act, &batch.labels)?;
        let grads = loss.backward()?;
        let value = loss.to_scalar::<f32>()? as f64;
        if value.is_finite() {
            self.compiled
                .as_mut()
                .expect("checked above")
                .optimizer
                .step(&grads)?;
        }
        Ok(StepResult {
            loss: value,
            correct,
            total,
        })
    }

    /// Trains the model (Keras's `fit`) and returns the history of this run.
    pub fn fit(&mut self, train: &Split, mut options: Fit) -> Result<History> {
        self.compiled()?;
        // Fresh variables made here cannot share a tensor id with anything this call creates
        // (see `renew_vars`: in notebooks each cell counts tensor ids on its own).
        let vars = self.renew_vars()?;
        self.compiled
            .as_mut()
            .expect("checked above")
            .optimizer
            .set_vars(vars)?;
        if options.epochs == 0 {
            return Err(Error::InvalidArgument(
                "fit needs at least one epoch".into(),
            ));
        }
        let (train, validation) = match &options.validation {
            Validation::None => (train.clone(), None),
            Validation::Split(f) => {
                let (t, v) = train.validation_split(*f)?;
                (t, Some(v))
            }
            Validation::Data(v) => (train.clone(), Some(v.clone())),
        };
        // Everything that can be checked before the first step is checked here, once, for
        // both paths: the optimizer's settings, both datasets, and what callbacks watch.
        self.compiled()?.optimizer.rule().validate()?;
        let loss = self.compiled()?.loss;
        check_data(self, loss, &train, "the training data")?;
        if let Some(v) = &validation {
            check_data(self, loss, v, "the validation data")?;
        }
        for cb in &options.callbacks {
            if let Some(m) = cb.monitor() {
                if validation.is_none() && matches!(m, Monitor::ValLoss | Monitor::ValAccuracy) {
                    return Err(Error::InvalidArgument(format!(
                        "a callback watches `{}`, which needs validation data: add \
                         `.validation_split(0.1)` or `.validation_data(&valid)` to the Fit options, \
                         or watch `{}`",
                        m.name(),
                        if m == Monitor::ValLoss { "loss" } else { "accuracy" }
                    )));
                }
            }
        }
        let mut batches = Batches::new(train.len(), options.batch_size)?;
        if options.shuffle {
            batches = batches.shuffle(options.seed);
        }
        let mut step = choose(self, &train, validation.as_ref(), &options)?;
        if options.verbose {
            let val = validation
                .as_ref()
                .map(|v| format!(", validate on {}", v.len()))
                .unwrap_or_default();
            println!(
                "Train on {} samples{val}; {} batches of {} per epoch; {}; {}",
                train.len(),
                batches.len(),
                options.batch_size,
                self.compiled()?.optimizer.rule().describe(),
                step.describe()
            );
        }
        for cb in options.callbacks.iter_mut() {
            cb.on_train_begin(self)?;
        }
        // From here on, an interrupt stops training at the next batch boundary.
        let _interrupt = crate::interrupt::InterruptGuard::install();
        let first_epoch = self.history.len() + 1;
        // Each epoch's log goes into the model's history as soon as the epoch ends (so that a
        // callback that saves the model saves it), and into this run's history.
        self.history.stopped_early = None;
        let mut run = History::default();
        let n_batches = batches.len();
        'epochs: for e in 0..options.epochs {
            let epoch = first_epoch + e;
            let start = Instant::now();
            let (mut loss_sum, mut seen, mut correct, mut total) = (0.0, 0usize, 0.0, 0.0);
            let mut stop: Option<String> = None;
            for (b, ids) in batches.next_epoch_indices().iter().enumerate() {
                if crate::interrupt::take_request() {
                    step.sync_model(self)?;
                    return Err(self.interrupted(first_epoch, epoch, b + 1, n_batches));
                }
                let result = step.step(self, ids)?;
                if !result.loss.is_finite() {
                    step.sync_model(self)?;
                    return Err(Error::Diverged {
                        epoch,
                        batch: b + 1,
                        batches: n_batches,
                        loss: result.loss,
                    });
                }
                loss_sum += result.loss * ids.len() as f64;
                seen += ids.len();
                correct += result.correct;
                total += result.total;
                if options.verbose && options.log_every.is_some_and(|k| (b + 1) % k == 0) {
                    println!(
                        "  epoch {epoch} batch {:>5}/{n_batches} - loss: {:.4} - accuracy: {:.4}",
                        b + 1,
                        result.loss,
                        result.correct / result.total.max(1.0)
                    );
                }
                for cb in options.callbacks.iter_mut() {
                    if let Control::Stop(why) = cb.on_batch_end(epoch, b + 1, result.loss) {
                        stop = Some(why);
                    }
                }
                if stop.is_some() {
                    break;
                }
            }
            let val = step.validate(self)?;
            step.sync_model(self)?;
            check_weights(self, epoch)?;
            let log = EpochLog {
                epoch,
                loss: loss_sum / seen.max(1) as f64,
                accuracy: correct / total.max(1.0),
                val_loss: val.map(|v| v.loss),
                val_accuracy: val.map(|v| v.accuracy),
                seconds: start.elapsed().as_secs_f64(),
                learning_rate: self.compiled()?.optimizer.current_learning_rate(),
                fused: step.fused(),
            };
            if options.verbose {
                println!("Epoch {epoch}/{} - {log}", first_epoch + options.epochs - 1);
            }
            self.history.epochs.push(log.clone());
            run.epochs.push(log.clone());
            for cb in options.callbacks.iter_mut() {
                if let Control::Stop(why) = cb.on_epoch_end(&log, self)? {
                    stop.get_or_insert(why);
                }
            }
            if !options.callbacks.is_empty() {
                // A callback may have changed the weights (EarlyStopping restores the best).
                step.reload(self)?;
            }
            if let Some(why) = stop {
                if options.verbose {
                    println!("Stopped: {why}");
                }
                run.stopped_early = Some(why.clone());
                self.history.stopped_early = Some(why);
                break 'epochs;
            }
        }
        for cb in options.callbacks.iter_mut() {
            cb.on_train_end(self)?;
        }
        Ok(run)
    }

    /// The error `fit` returns when interrupted before batch `batch` of epoch `epoch`; the
    /// history records where.
    fn interrupted(
        &mut self,
        first_epoch: usize,
        epoch: usize,
        batch: usize,
        batches: usize,
    ) -> Error {
        let done = self.history.len() + 1 - first_epoch;
        let during = format!("in epoch {epoch}, before batch {batch} of {batches}");
        self.history.stopped_early = Some(format!("interrupted {during}"));
        Error::Interrupted {
            during,
            kept: format!(
                " (model.history() has the {done} epoch{} this run completed)",
                if done == 1 { "" } else { "s" }
            ),
        }
    }

    /// Loss and accuracy on `data`, in inference mode (no dropout), with the compiled loss.
    pub fn evaluate(&self, data: &Split) -> Result<Evaluation> {
        let loss_fn = self.compiled()?.loss;
        check_data(self, loss_fn, data, "the data to evaluate")?;
        self.evaluate_checked(data)
    }

    /// [`Sequential::evaluate`] on data that [`check_data`] has accepted.
    pub(crate) fn evaluate_checked(&self, data: &Split) -> Result<Evaluation> {
        let loss_fn = self.compiled()?.loss;
        let (mut loss_sum, mut correct, mut total) = (0.0, 0.0, 0.0);
        let mut batches = Batches::new(data.len(), EVAL_BATCH)?;
        for batch in batches.epoch(data) {
            let batch = batch?;
            let (logits, act) = self.logits(&batch.images)?;
            let loss = loss_fn
                .compute_for(&logits, act, &batch.labels)?
                .to_scalar::<f32>()? as f64;
            loss_sum += loss * batch.len() as f64;
            let (c, t) = count_correct(&logits, act, &batch.labels)?;
            correct += c;
            total += t;
        }
        Ok(Evaluation {
            loss: loss_sum / data.len() as f64,
            accuracy: correct / total.max(1.0),
        })
    }

    /// Outputs for every example of `x` (class probabilities for a softmax model), in batches.
    pub fn predict(&self, x: &Tensor) -> Result<Tensor> {
        let n = x.dims().first().copied().unwrap_or(0);
        let mut outs = Vec::new();
        let mut start = 0;
        while start < n {
            let len = EVAL_BATCH.min(n - start);
            outs.push(self.forward(&x.narrow(0, start, len)?)?);
            start += len;
        }
        if outs.is_empty() {
            return Err(Error::InvalidArgument(
                "cannot predict on an empty batch".into(),
            ));
        }
        Ok(Tensor::cat(&outs, 0)?)
    }

    /// The most likely class of every example of `x`.
    pub fn predict_classes(&self, x: &Tensor) -> Result<Vec<u32>> {
        Ok(self.predict(x)?.argmax(D::Minus1)?.to_vec1::<u32>()?)
    }
}

/// Correct predictions in a batch, from the last layer's logits.
///
/// Several classes (softmax or linear outputs): the arg-max must equal the label (or the
/// one-hot target's arg-max). Sigmoid outputs: each output counts, correct when
/// `σ(z) > 0.5` (that is `z > 0`) matches the 0/1 target (Keras's `binary_accuracy`).
pub(crate) fn count_correct(
    logits: &Tensor,
    act: Activation,
    targets: &Tensor,
) -> Result<(f64, f64)> {
    if act == Activation::Sigmoid {
        let pred = logits.gt(0.0)?.to_dtype(DType::F32)?;
        let truth = targets
            .to_dtype(DType::F32)?
            .ge(0.5)?
            .to_dtype(DType::F32)?;
        let correct = pred
            .eq(&truth)?
            .to_dtype(DType::F32)?
            .sum_all()?
            .to_scalar::<f32>()? as f64;
        return Ok((correct, logits.elem_count() as f64));
    }
    let pred = logits.argmax(D::Minus1)?;
    let truth = if targets.rank() == 2 {
        targets.argmax(D::Minus1)?
    } else {
        targets.to_dtype(DType::U32)?
    };
    let correct = pred
        .eq(&truth)?
        .to_dtype(DType::F32)?
        .sum_all()?
        .to_scalar::<f32>()? as f64;
    Ok((correct, pred.elem_count() as f64))
}
