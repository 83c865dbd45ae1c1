//! Training steps through Candle's autograd: the forward pass builds a graph of tensor
//! operations, `backward` differentiates it, the optimizer updates every weight. It covers
//! every model, loss and device; the pieces are public for a hand-written loop.

use super::evaluate::evaluate_checked;
use super::step::Step;
use crate::data::Split;
use crate::error::{Error, Result};
use crate::math::answers::count_correct_tensors;
use crate::math::{Evaluation, Score};
use crate::model::Sequential;

/// One training step on a batch: forward pass (dropout on), loss, gradients, optimizer
/// update (skipped when the loss is not a finite number). Returns the batch's score.
pub(crate) fn train_step(model: &mut Sequential, batch: &Split) -> Result<Score> {
    let loss_fn = model.loss()?;
    if !model.vars_made_here() {
        // Made in another notebook cell: fresh variables keep this cell's gradients apart
        // (see `crate::copies`).
        let vars = model.renew_vars()?;
        model.training_parts()?.0.optimizer.set_vars(vars)?;
    }
    let (logits, act) = model.forward_logits(batch.images(), true)?;
    let loss = loss_fn.compute_for(&logits, act, batch.labels())?;
    let (right, answers) = count_correct_tensors(&logits, act, batch.labels())?;
    let grads = loss.backward()?;
    let value = loss.to_scalar::<f32>()? as f64;
    if value.is_finite() {
        model.training_parts()?.0.optimizer.update(&grads)?;
    }
    let outputs = logits.dims().last().copied().unwrap_or(1);
    let terms = loss_fn.terms(batch.len(), outputs) as f64;
    Ok(Score {
        loss_sum: value * terms,
        loss_terms: terms,
        right,
        answers,
    })
}

/// Steps through [`train_step`], inside a thread pool of the chosen size on the CPU.
pub(crate) struct AutogradStep {
    train: Split,
    validation: Option<Split>,
    /// Candle's CPU kernels run inside this pool (none on a GPU).
    pool: Option<rayon::ThreadPool>,
}

impl AutogradStep {
    /// Steps on `train`, validating on `validation`, on `threads` CPU threads (`None` on a GPU).
    pub(crate) fn new(
        train: &Split,
        validation: Option<&Split>,
        threads: Option<usize>,
    ) -> Result<Self> {
        let pool = match threads {
            Some(n) => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n.max(1))
                    .thread_name(|i| format!("mlpkit-candle-{i}"))
                    .build()
                    .map_err(|e| {
                        Error::InvalidArgument(format!("cannot start {n} training threads: {e}"))
                    })?,
            ),
            None => None,
        };
        Ok(Self {
            train: train.clone(),
            validation: validation.cloned(),
            pool,
        })
    }

    fn in_pool<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        match &self.pool {
            Some(p) => p.install(f),
            None => f(),
        }
    }
}

impl Step for AutogradStep {
    fn step(&mut self, model: &mut Sequential, ids: &[u32]) -> Result<Score> {
        let batch = self.train.select(ids)?;
        // The step runs on a thread of the pool, so that Candle's kernels split their work
        // across the pool's threads and no others.
        self.in_pool(|| train_step(model, &batch))
    }

    fn validate(&mut self, model: &Sequential) -> Result<Option<Evaluation>> {
        match &self.validation {
            Some(v) => Ok(Some(self.in_pool(|| evaluate_checked(model, v))?)),
            None => Ok(None),
        }
    }

    fn threads(&self) -> Option<usize> {
        self.pool.as_ref().map(|p| p.current_num_threads())
    }

    fn fused(&self) -> bool {
        false
    }
}
