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
