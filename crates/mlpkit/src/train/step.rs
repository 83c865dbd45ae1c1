//! The one seam between `fit` and the two ways of computing a training step.
//!
//! [`Sequential::fit`] is a loop over epochs and batches; what happens in a step is behind
//! [`TrainingStep`], which has two implementations:
//!
//! - [`Autograd`]: [`Sequential::train_step`] on the batch, through Candle's autograd. It
//!   covers every model, loss and device;
//! - [`Fused`]: the fused CPU path of [`super::fused`], several times faster for a plain
//!   stack of dense layers on the CPU, equal to the autograd path up to rounding.
//!
//! [`choose`] picks one, in one place.

use candle_core::Device;

use super::fit::{Evaluation, Fit, StepResult};
use super::fused::{FusedData, FusedTrainer};
use crate::data::Split;
use crate::error::{Error, Result};
use crate::model::Sequential;

/// A way of running training steps for one `fit`; see the module documentation.
pub(crate) trait TrainingStep {
    /// One optimizer step on the examples `ids` of the training data.
    fn step(&mut self, model: &mut Sequential, ids: &[u32]) -> Result<StepResult>;
    /// Loss and accuracy on the validation data (`None` without validation data).
    fn validate(&mut self, model: &Sequential) -> Result<Option<Evaluation>>;
    /// Brings the model's weights and optimizer state up to date with the steps taken, so
    /// that callbacks, a saved file or the user see them.
    fn sync_model(&mut self, model: &mut Sequential) -> Result<()>;
    /// Takes the model's weights again, after a callback may have changed them.
    fn reload(&mut self, model: &Sequential) -> Result<()>;
    /// Threads the steps run on.
    fn threads(&self) -> usize;
    /// Whether this is the fused path (recorded in the history).
    fn fused(&self) -> bool;
    /// For the training line, e.g. `fused CPU path, 2 threads`.
    fn describe(&self) -> String {
        let path = if self.fused() {
            "fused CPU path"
        } else {
            "Candle autograd"
        };
        format!("{path}, {}", crate::device::threads_phrase(self.threads()))
    }
}

/// Steps through Candle's autograd ([`Sequential::train_step`]), inside a thread pool of
/// the chosen size on the CPU.
pub(crate) struct Autograd {
    train: Split,
    validation: Option<Split>,
    /// Candle's CPU kernels run inside this pool (none on a GPU).
    pool: Option<rayon::ThreadPool>,
}

impl Autograd {
    fn in_pool<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        match &self.pool {
            Some(p) => p.install(f),
            None => f(),
        }
    }
}

impl TrainingStep for Autograd {
    fn step(&mut self, model: &mut Sequential, ids: &[u32]) -> Result<StepResult> {
        let batch = self.train.select(ids)?;
        // The step runs on a thread of the pool, so that Candle's kernels split their work
        // across the pool's threads and no others.
        self.in_pool(|| model.train_step(&batch))
    }

    fn validate(&mut self, model: &Sequential) -> Result<Option<Evaluation>> {
        match &self.validation {
            Some(v) => Ok(Some(self.in_pool(|| model.evaluate_checked(v))?)),
            None => Ok(None),
        }
    }

    fn sync_model(&mut self, _model: &mut Sequential) -> Result<()> {
        Ok(())
    }

    fn reload(&mut self, _model: &Sequential) -> Result<()> {
        Ok(())
    }

    fn threads(&self) -> usize {
        self.pool.as_ref().map_or(1, |p| p.current_num_threads())
    }

    fn fused(&self) -> bool {
        false
    }

    fn describe(&self) -> String {
        match &self.pool {
            Some(_) => format!(
                "Candle autograd, {}",
                crate::device::threads_phrase(self.threads())
            ),
            // On a GPU there is no thread count to speak of.
            None => "Candle autograd".to_string(),
        }
    }
}

/// Steps on the fused CPU path, with the training (and validation) data prepared for it.
pub(crate) struct Fused {
    trainer: FusedTrainer,
    train: FusedData,
    validation: Option<FusedData>,
}

impl TrainingStep for Fused {
    fn step(&mut self, model: &mut Sequential, ids: &[u32]) -> Result<StepResult> {
        self.trainer.step(&self.train, ids, model.dropout_rng())
    }

    fn validate(&mut self, _model: &Sequential) -> Result<Option<Evaluation>> {
        match &self.validation {
            Some(v) => Ok(Some(self.trainer.evaluate(v)?)),
            None => Ok(None),
        }
    }

    fn sync_model(&mut self, model: &mut Sequential) -> Result<()> {
        self.trainer.write_back(model)
    }

    fn reload(&mut self, model: &Sequential) -> Result<()> {
        self.trainer.reload_weights(model)
    }

    fn threads(&self) -> usize {
        self.trainer.threads()
    }

    fn fused(&self) -> bool {
        true
    }
}

/// The step for this `fit`: the fused path when it is allowed (`Fit::fused`) and covers the
/// model, its loss and both datasets; Candle's autograd otherwise.
pub(crate) fn choose(
    model: &Sequential,
    train: &Split,
    validation: Option<&Split>,
    options: &Fit,
) -> Result<Box<dyn TrainingStep>> {
    let cpu = matches!(model.device(), Device::Cpu);
    if options.fused && cpu {
        if let Some(fused) = fused(model, train, validation, options)? {
            return Ok(Box::new(fused));
        }
    }
    let pool = if cpu {
        let threads = options.threads.unwrap_or(crate::device::AUTOGRAD_THREADS);
        Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads.max(1))
                .thread_name(|i| format!("mlpkit-candle-{i}"))
                .build()
                .map_err(|e| {
                    Error::InvalidArgument(format!("cannot start {threads} training threads: {e}"))
                })?,
        )
    } else {
        None
    };
    Ok(Box::new(Autograd {
        train: train.clone(),
        validation: validation.cloned(),
        pool,
    }))
}

/// The fused path for this model and data, if it covers them.
fn fused(
    model: &Sequential,
    train: &Split,
    validation: Option<&Split>,
    options: &Fit,
) -> Result<Option<Fused>> {
    let loss = model.loss()?;
    let threads = options
        .threads
        .unwrap_or_else(crate::device::training_threads);
    let Some(trainer) = FusedTrainer::for_model(model, loss, threads, options.pool)? else {
        return Ok(None);
    };
    let Some(train) = trainer.prepare(train)? else {
        return Ok(None);
    };
    let validation = match validation {
        Some(v) => match trainer.prepare(v)? {
            Some(v) => Some(v),
            None => return Ok(None),
        },
        None => None,
    };
    Ok(Some(Fused {
        trainer,
        train,
        validation,
    }))
}
