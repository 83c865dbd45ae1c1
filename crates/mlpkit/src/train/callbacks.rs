//! Callbacks: code that `fit` runs after every batch and epoch, and that may stop training.

use std::path::PathBuf;
use std::time::Duration;

use candle_core::Tensor;

use crate::device::Instant;
use crate::error::Result;
use crate::history::{EpochLog, Monitor};
use crate::model::Sequential;

/// Whether training goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// Go on training.
    Continue,
    /// Stop, for this reason (printed and kept in the [`History`](super::History)).
    Stop(String),
}

/// Hooks into [`Train::fit`](super::Train::fit). Every method has a default that does nothing.
pub trait Callback {
    /// The quantity the callback watches, if any: `fit` refuses to start when it watches a
    /// validation metric and there is no validation data.
    fn monitor(&self) -> Option<Monitor> {
        None
    }
    /// Called once before the first epoch.
    fn on_train_begin(&mut self, _model: &Sequential) -> Result<()> {
        Ok(())
    }
    /// After each batch, with its 1-based epoch and batch numbers and its loss.
    fn on_batch_end(&mut self, _epoch: usize, _batch: usize, _loss: f64) -> Control {
        Control::Continue
    }
    /// Called after every epoch with its log; may stop training.
    fn on_epoch_end(&mut self, _log: &EpochLog, _model: &Sequential) -> Result<Control> {
        Ok(Control::Continue)
    }
    /// Called once after the last epoch.
    fn on_train_end(&mut self, _model: &Sequential) -> Result<()> {
        Ok(())
    }
}

/// Stops when `monitor` has not improved for `patience` epochs; optionally puts back the
/// weights of the best epoch when it stops (Keras's `EarlyStopping`).
///
/// An epoch improves when its value beats the best so far by more than `min_delta` (lower
/// for losses, higher for accuracies). The weights are put back only when it stops training,
/// not when the planned epochs run out first.
///
/// # Errors
/// `fit` refuses to start ([`Error::InvalidArgument`](crate::Error::InvalidArgument)) when
/// it watches [`Monitor::ValLoss`] or [`Monitor::ValAccuracy`] and there is no validation
/// data.
///
/// ```
/// use mlpkit::prelude::*;
/// let data = Split::new(
///     Tensor::new(&[[0f32, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]], &Device::Cpu)?,
///     Tensor::new(&[1u32, 1, 0, 0], &Device::Cpu)?,
/// )?;
/// let mut model = Architecture::new(&[2]).add(Dense::new(2, Activation::Softmax)).build(0)?;
/// // A learning rate of 0 never improves anything: it stops after `patience` more epochs.
/// model.compile(Sgd::new(0.0), Loss::SparseCategoricalCrossentropy)?;
/// let stop = EarlyStopping::new(Monitor::Loss, 2);
/// let options = Fit::epochs(10).shuffle(false).callback(stop).verbose(0);
/// let history = model.fit(&data, options)?;
/// assert_eq!(history.len(), 3);
/// assert!(history.stopped_early.is_some());
/// let watches_val = EarlyStopping::new(Monitor::ValLoss, 2);
/// assert!(model.fit(&data, Fit::epochs(1).callback(watches_val).verbose(0)).is_err());
/// # Ok::<(), mlpkit::Error>(())
/// ```
#[derive(Debug)]
pub struct EarlyStopping {
    /// The quantity watched.
    pub monitor: Monitor,
    /// Epochs without improvement before stopping.
    pub patience: usize,
    /// Smallest change that counts as an improvement.
    pub min_delta: f64,
    /// Put back the best epoch's weights when stopping.
    pub restore_best_weights: bool,
    best: Option<f64>,
    best_epoch: usize,
    best_weights: Option<Vec<(String, Tensor)>>,
    wait: usize,
}

impl EarlyStopping {
    /// Stops after `patience` epochs in which `monitor` did not improve.
    pub fn new(monitor: Monitor, patience: usize) -> Self {
        Self {
            monitor,
            patience,
            min_delta: 0.0,
            restore_best_weights: false,
            best: None,
            best_epoch: 0,
            best_weights: None,
            wait: 0,
        }
    }

    /// Smallest change that counts as an improvement.
    pub fn min_delta(mut self, min_delta: f64) -> Self {
        self.min_delta = min_delta;
        self
    }

    /// When stopping, restore the weights of the best epoch seen.
    pub fn restore_best_weights(mut self, restore: bool) -> Self {
        self.restore_best_weights = restore;
        self
    }

    /// The best epoch so far and its value.
    pub fn best(&self) -> Option<(usize, f64)> {
        self.best.map(|b| (self.best_epoch, b))
    }
}

impl Callback for EarlyStopping {
    fn monitor(&self) -> Option<Monitor> {
        Some(self.monitor)
    }

    fn on_train_begin(&mut self, _model: &Sequential) -> Result<()> {
        self.best = None;
        self.best_weights = None;
        self.wait = 0;
        Ok(())
    }

    fn on_epoch_end(&mut self, log: &EpochLog, model: &Sequential) -> Result<Control> {
        let Some(value) = self.monitor.value(log) else {
            return Err(crate::Error::InvalidArgument(format!(
                "EarlyStopping watches `{}`, which this training run does not compute (no validation data?)",
                self.monitor.name()
            )));
        };
        if self
            .best
            .is_none_or(|b| self.monitor.improves(value, b, self.min_delta))
        {
            self.best = Some(value);
            self.best_epoch = log.epoch;
            self.wait = 0;
            if self.restore_best_weights {
                self.best_weights = Some(model.weights()?);
            }
            return Ok(Control::Continue);
        }
        self.wait += 1;
        if self.wait < self.patience {
            return Ok(Control::Continue);
        }
        let mut why = format!(
            "early stopping: {} has not improved for {} epochs (best {:.4} at epoch {})",
            self.monitor.name(),
            self.patience,
            self.best.unwrap_or(value),
            self.best_epoch
        );
        if let Some(w) = &self.best_weights {
            model.set_weights(w)?;
            why.push_str(&format!("; weights of epoch {} restored", self.best_epoch));
        }
        Ok(Control::Stop(why))
    }
}

/// Saves the model (weights, architecture, history) whenever `monitor` reaches a new best
/// (Keras's `ModelCheckpoint(save_best_only=True)`). Each save replaces the file atomically.
///
/// # Errors
/// `fit` refuses to start when it watches a validation metric without validation data, and
/// stops with [`Error::Io`](crate::Error::Io) (the epochs so far kept) when a save fails.
///
/// ```
/// use mlpkit::prelude::*;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("best.safetensors");
/// let data = Split::new(
///     Tensor::new(&[[0f32, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]], &Device::Cpu)?,
///     Tensor::new(&[1u32, 1, 0, 0], &Device::Cpu)?,
/// )?;
/// let mut model = Architecture::new(&[2]).add(Dense::new(2, Activation::Softmax)).build(0)?;
/// model.compile(Sgd::new(0.1), Loss::SparseCategoricalCrossentropy)?;
/// let options = Fit::epochs(3).callback(Checkpoint::new(&path, Monitor::Loss)).verbose(0);
/// model.fit(&data, options)?;
/// let best = Sequential::load(&path, &Device::Cpu)?;   // with its history up to that epoch
/// assert!((1..=3).contains(&best.history().len()));
/// # Ok::<(), mlpkit::Error>(())
/// ```
#[derive(Debug)]
pub struct Checkpoint {
    /// Where the model is saved.
    pub path: PathBuf,
    /// The quantity watched; the model is saved when it improves.
    pub monitor: Monitor,
    best: Option<f64>,
    saved_epochs: Vec<usize>,
}

impl Checkpoint {
    /// Saves the model to `path` whenever `monitor` improves.
    pub fn new(path: impl Into<PathBuf>, monitor: Monitor) -> Self {
        Self {
            path: path.into(),
            monitor,
            best: None,
            saved_epochs: Vec::new(),
        }
    }

    /// Epochs at which the checkpoint was written.
    pub fn saved_epochs(&self) -> &[usize] {
        &self.saved_epochs
    }
}

impl Callback for Checkpoint {
    fn monitor(&self) -> Option<Monitor> {
        Some(self.monitor)
    }

    fn on_epoch_end(&mut self, log: &EpochLog, model: &Sequential) -> Result<Control> {
        if let Some(value) = self.monitor.value(log)
            && self
                .best
                .is_none_or(|b| self.monitor.improves(value, b, 0.0))
        {
            self.best = Some(value);
            model.save(&self.path)?;
            self.saved_epochs.push(log.epoch);
        }
        Ok(Control::Continue)
    }
}

/// Stops training once it has run for a given time, even in the middle of an epoch.
/// A notebook cell cannot be interrupted, so this is the brake for long runs.
#[derive(Debug)]
pub struct TimeBudget {
    /// How long training may take.
    pub budget: Duration,
    start: Option<Instant>,
}

impl TimeBudget {
    /// Stops training at the end of the epoch in which `budget` runs out.
    pub fn new(budget: Duration) -> Self {
        Self {
            budget,
            start: None,
        }
    }

    /// A budget of `seconds` (a finite number ≥ 0; anything else is an error).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when `seconds` is negative,
    /// NaN or infinite.
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// assert_eq!(TimeBudget::seconds(90.0)?.budget.as_secs(), 90);
    /// assert!(TimeBudget::seconds(-1.0).is_err() && TimeBudget::seconds(f64::NAN).is_err());
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn seconds(seconds: f64) -> Result<Self> {
        Duration::try_from_secs_f64(seconds)
            .map(Self::new)
            .map_err(|_| {
                crate::Error::InvalidArgument(format!(
                    "a time budget must be a finite number of seconds ≥ 0, got {seconds}"
                ))
            })
    }
}

impl Callback for TimeBudget {
    fn on_train_begin(&mut self, _model: &Sequential) -> Result<()> {
        self.start = Some(Instant::now());
        Ok(())
    }

    fn on_batch_end(&mut self, epoch: usize, batch: usize, _loss: f64) -> Control {
        match self.start {
            Some(s) if s.elapsed() >= self.budget => Control::Stop(format!(
                "time budget of {:.1} s used up (epoch {epoch}, batch {batch})",
                self.budget.as_secs_f64()
            )),
            _ => Control::Continue,
        }
    }
}
