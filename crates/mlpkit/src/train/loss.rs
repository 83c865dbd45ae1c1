//! Loss functions: how far the network's outputs are from the targets, averaged over a batch.
//!
//! With `p = softmax(z)` the class probabilities for logits `z`, one-hot target `y`,
//! and integer label `c`:
//!
//! - categorical cross-entropy: `−Σ_i y_i log p_i`
//! - sparse categorical cross-entropy: `−log p_c` (the same, with the label as an index)
//! - binary cross-entropy, per output `q = σ(z)` and target `t ∈ {0,1}`:
//!   `−[t log q + (1−t) log(1−q)]`, averaged over the outputs
//!
//! From logits these are computed as `log p = z − logsumexp(z)` and
//! `BCE = max(z,0) − z t + log(1 + e^{−|z|})`, which never take the log of zero.
//! From probabilities (a model whose last layer already applied softmax or sigmoid),
//! probabilities are clipped to `[1e−7, 1 − 1e−7]` first, as Keras does.

use candle_core::{DType, Tensor, D};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::Activation;

/// Keras's clipping constant for losses computed from probabilities.
pub const EPSILON: f64 = 1e-7;

/// The training objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// Targets are one-hot rows `(n, classes)`.
    CategoricalCrossentropy,
    /// Targets are integer labels `(n,)`.
    SparseCategoricalCrossentropy,
    /// Targets are 0/1 per output `(n, outputs)` (binary or multi-label problems).
    BinaryCrossentropy,
}

/// What a network's outputs are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outputs {
    /// Raw scores before softmax / sigmoid.
    Logits,
    /// Probabilities (after softmax / sigmoid).
    Probabilities,
}

impl Loss {
    /// Keras's name.
    pub fn name(self) -> &'static str {
        match self {
            Loss::CategoricalCrossentropy => "categorical_crossentropy",
            Loss::SparseCategoricalCrossentropy => "sparse_categorical_crossentropy",
            Loss::BinaryCrossentropy => "binary_crossentropy",
        }
    }

    /// Mean loss of a batch. `outputs` says whether `y_pred` holds logits or probabilities.
    pub fn compute(self, y_pred: &Tensor, y_true: &Tensor, outputs: Outputs) -> Result<Tensor> {
        self.check_targets(y_pred, y_true)?;
        match (self, outputs) {
            (Loss::CategoricalCrossentropy, Outputs::Logits) => {
                let logp = candle_nn::ops::log_softmax(y_pred, D::Minus1)?;
                Ok((logp * y_true.to_dtype(DType::F32)?)?
                    .sum(1)?
                    .mean(0)?
                    .neg()?)
            }
            (Loss::SparseCategoricalCrossentropy, Outputs::Logits) => {
                let logp = candle_nn::ops::log_softmax(y_pred, D::Minus1)?;
                Ok(pick(&logp, y_true)?.mean(0)?.neg()?)
            }
            (Loss::CategoricalCrossentropy, Outputs::Probabilities) => {
                let logp = clip(y_pred)?.log()?;
                Ok((logp * y_true.to_dtype(DType::F32)?)?
                    .sum(1)?
                    .mean(0)?
                    .neg()?)
            }
            (Loss::SparseCategoricalCrossentropy, Outputs::Probabilities) => {
                Ok(pick(&clip(y_pred)?.log()?, y_true)?.mean(0)?.neg()?)
            }
            (Loss::BinaryCrossentropy, Outputs::Logits) => {
                let t = y_true.to_dtype(DType::F32)?;
                // max(z,0) − z t + log(1 + e^{−|z|})
                let per = ((y_pred.relu()? - (y_pred * &t)?)?
                    + y_pred.abs()?.neg()?.exp()?.affine(1.0, 1.0)?.log()?)?;
                Ok(per.mean_all()?)
            }
            (Loss::BinaryCrossentropy, Outputs::Probabilities) => {
                let t = y_true.to_dtype(DType::F32)?;
                let q = clip(y_pred)?;
                let one_minus_t = t.affine(-1.0, 1.0)?;
                let per = ((&t * q.log()?)? + (one_minus_t * q.affine(-1.0, 1.0)?.log()?)?)?;
                Ok(per.mean_all()?.neg()?)
            }
        }
    }

    /// The loss of a model whose last layer has `activation`, given that layer's *logits*:
    /// softmax and sigmoid outputs are folded into the stable from-logits form.
    pub fn compute_for(
        self,
        logits: &Tensor,
        activation: Activation,
        y_true: &Tensor,
    ) -> Result<Tensor> {
        match (self, activation) {
            (
                Loss::CategoricalCrossentropy | Loss::SparseCategoricalCrossentropy,
                Activation::Softmax,
            )
            | (Loss::BinaryCrossentropy, Activation::Sigmoid)
            | (_, Activation::Linear) => self.compute(logits, y_true, Outputs::Logits),
            (_, other) => self.compute(&other.apply(logits)?, y_true, Outputs::Probabilities),
        }
    }

    /// Checks targets against a model with `outputs` outputs: integer class labels in
    /// `0..outputs` for the sparse loss, rows of `outputs` values for the others.
    ///
    /// `fit`, `evaluate` and every loss computation call this, so a label that does not name
    /// a class (like `u32::MAX`, which Candle's `gather` would skip) is an error everywhere.
    pub fn check_labels(self, y_true: &Tensor, outputs: usize) -> Result<()> {
        let t = y_true.dims();
        match self {
            Loss::SparseCategoricalCrossentropy => {
                if t.len() != 1 {
                    return Err(Error::Mismatch(format!(
                        "{} needs one integer label per example, got targets shaped {t:?}{}",
                        self.name(),
                        if t.len() == 2 {
                            " (they look one-hot: use Loss::CategoricalCrossentropy)"
                        } else {
                            ""
                        }
                    )));
                }
                let labels = y_true.to_dtype(DType::F64)?.to_vec1::<f64>()?;
                if let Some((i, bad)) = labels
                    .iter()
                    .enumerate()
                    .find(|(_, &l)| !(l >= 0.0 && l.fract() == 0.0 && l < outputs as f64))
                {
                    return Err(Error::InvalidArgument(format!(
                        "label {bad} (example {i}) is not a class: the model has {outputs} outputs, \
                         so labels must be whole numbers in 0..{outputs}"
                    )));
                }
            }
            Loss::CategoricalCrossentropy | Loss::BinaryCrossentropy => {
                if t.len() != 2 || t[1] != outputs {
                    return Err(Error::Mismatch(format!(
                        "{} needs targets shaped (n, {outputs}), one value per output, got {t:?}{}",
                        self.name(),
                        if t.len() == 1 && self == Loss::CategoricalCrossentropy {
                            " (they look like integer labels: use Loss::SparseCategoricalCrossentropy, or one_hot() them)"
                        } else {
                            ""
                        }
                    )));
                }
            }
        }
        Ok(())
    }

    fn check_targets(self, y_pred: &Tensor, y_true: &Tensor) -> Result<()> {
        let (p, t) = (y_pred.dims(), y_true.dims());
        let ok = match self {
            Loss::SparseCategoricalCrossentropy => p.len() == 2 && t.len() == 1 && t[0] == p[0],
            _ => p == t,
        };
        if ok {
            if self == Loss::SparseCategoricalCrossentropy {
                return self.check_labels(y_true, p[1]);
            }
            return Ok(());
        }
        let hint = match (self, t.len()) {
            (Loss::CategoricalCrossentropy, 1) => {
                " (the targets look like integer labels: use Loss::SparseCategoricalCrossentropy, or one_hot() them)"
            }
            (Loss::SparseCategoricalCrossentropy, 2) => {
                " (the targets look one-hot: use Loss::CategoricalCrossentropy)"
            }
            _ => "",
        };
        Err(Error::Mismatch(format!(
            "{}: predictions have shape {p:?} but targets {t:?}; they do not match{hint}",
            self.name()
        )))
    }
}

/// `x[i, labels[i]]` for each row `i`.
fn pick(x: &Tensor, labels: &Tensor) -> Result<Tensor> {
    let idx = labels.to_dtype(DType::U32)?.unsqueeze(1)?;
    Ok(x.gather(&idx, 1)?.squeeze(1)?)
}

fn clip(p: &Tensor) -> Result<Tensor> {
    Ok(p.clamp(EPSILON as f32, (1.0 - EPSILON) as f32)?)
}
