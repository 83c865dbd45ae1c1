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
//!
//! Their gradients with respect to the logits are what a backward pass starts from (`B` rows
//! in the batch, `p = softmax(z)`, `q = σ(z)`):
//!
//! - cross-entropy with a one-hot (or soft) row `y`: `∂L/∂z = (p · Σ_i y_i − y) / B`, which
//!   is `(p − y) / B` for a one-hot row;
//! - sparse cross-entropy: the same with `y` the one-hot row of the label;
//! - binary cross-entropy over `K` outputs: `∂L/∂z = (q − t) / (B K)`.
//!
//! [`Loss::compute`] works on tensors (Candle's autograd differentiates it);
//! [`Loss::score_logits`] is the slice form the fused engine uses, with the gradient above
//! written out. The tests check that the two agree for every loss.

use candle_core::{D, DType, Tensor};
use serde::{Deserialize, Serialize};

use super::activation::{Activation, sigmoid};
use super::answers::{Targets, count_correct};
use super::score::Score;
use crate::error::{Error, Result};

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
    /// Every loss, in declaration order.
    pub const ALL: [Loss; 3] = [
        Loss::CategoricalCrossentropy,
        Loss::SparseCategoricalCrossentropy,
        Loss::BinaryCrossentropy,
    ];

    /// Keras's name.
    pub fn name(self) -> &'static str {
        match self {
            Loss::CategoricalCrossentropy => "categorical_crossentropy",
            Loss::SparseCategoricalCrossentropy => "sparse_categorical_crossentropy",
            Loss::BinaryCrossentropy => "binary_crossentropy",
        }
    }

    /// Mean loss of a batch. `outputs` says whether `y_pred` holds logits or probabilities.
    ///
    /// # Errors
    /// [`Error::Mismatch`] when the targets do not match the predictions: for the sparse
    /// loss, `n` labels for `(n, classes)` predictions; for the others, the same shape.
    /// [`Error::InvalidArgument`] when a sparse label is not a class `0..classes`.
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// use mlpkit::math::Outputs;
    /// let p = Tensor::new(&[[0.5f32, 0.25, 0.25]], &Device::Cpu)?;
    /// let sparse = Loss::SparseCategoricalCrossentropy;
    /// let label = Tensor::new(&[0u32], &Device::Cpu)?;
    /// let loss = sparse.compute(&p, &label, Outputs::Probabilities)?;
    /// assert!((loss.to_scalar::<f32>()? - 2f32.ln()).abs() < 1e-6);     // −log 0.5
    /// let cat = Loss::CategoricalCrossentropy;
    /// let y = Tensor::new(&[[0f32, 1.0, 0.0]], &Device::Cpu)?;
    /// let loss = cat.compute(&p, &y, Outputs::Probabilities)?;
    /// assert!((loss.to_scalar::<f32>()? - 4f32.ln()).abs() < 1e-6);     // −log 0.25
    /// assert!(cat.compute(&p, &label, Outputs::Logits).is_err()); // a label, not a row
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
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
    ///
    /// # Errors
    /// Those of [`Loss::compute`].
    pub fn compute_for(
        self,
        logits: &Tensor,
        activation: Activation,
        y_true: &Tensor,
    ) -> Result<Tensor> {
        if self.from_logits(activation) {
            self.compute(logits, y_true, Outputs::Logits)
        } else {
            self.compute(&activation.apply(logits)?, y_true, Outputs::Probabilities)
        }
    }

    /// Whether the loss of a network whose last layer has `activation` is computed from
    /// that layer's logits, with its softmax or sigmoid folded into the loss (the stable
    /// form), rather than from its outputs.
    pub fn from_logits(self, activation: Activation) -> bool {
        use Activation::*;
        match (self, activation) {
            (Loss::CategoricalCrossentropy | Loss::SparseCategoricalCrossentropy, Softmax)
            | (Loss::BinaryCrossentropy, Sigmoid)
            | (_, Linear) => true,
            (
                Loss::CategoricalCrossentropy | Loss::SparseCategoricalCrossentropy,
                Relu | Tanh | Sigmoid,
            )
            | (Loss::BinaryCrossentropy, Relu | Tanh | Softmax) => false,
        }
    }

    /// The slice form of [`Loss::compute`] on logits: the summed loss of the rows of `z`
    /// (`ids.len()` rows of `classes` logits, row `r` being example `ids[r]` of `targets`) and
    /// the number of terms that sum averages over (rows, or rows × outputs for binary
    /// cross-entropy). With `delta`, also writes `∂(mean loss)/∂z` there (see the module's
    /// documentation). The targets must have the loss's form: labels for the sparse loss,
    /// rows for the others.
    ///
    /// # Errors
    /// [`Error::Mismatch`] when the targets have the other form (labels for a loss that
    /// needs rows, or rows for the sparse loss). Lengths are not checked: `z` must hold
    /// `ids.len() × classes` values and every id must be an example of `targets`.
    pub fn score_logits(
        self,
        z: &[f32],
        classes: usize,
        targets: Targets<'_>,
        ids: &[u32],
        mut delta: Option<&mut [f32]>,
    ) -> Result<(f64, f64)> {
        let mut sum = 0.0f64;
        let terms = self.terms(ids.len(), classes);
        let scale = 1.0 / terms.max(1) as f32;
        for (r, &id) in ids.iter().enumerate() {
            let (zr, id) = (&z[r * classes..(r + 1) * classes], id as usize);
            let dr = delta
                .as_deref_mut()
                .map(|d| &mut d[r * classes..(r + 1) * classes]);
            sum += match (self, targets) {
                (Loss::SparseCategoricalCrossentropy, Targets::Labels(l)) => {
                    sparse_cross_entropy(zr, l[id] as usize, scale, dr)
                }
                (Loss::CategoricalCrossentropy, Targets::Rows(t)) => {
                    softmax_cross_entropy(zr, &t[id * classes..(id + 1) * classes], scale, dr)
                }
                (Loss::BinaryCrossentropy, Targets::Rows(t)) => {
                    binary_cross_entropy(zr, &t[id * classes..(id + 1) * classes], scale, dr)
                }
                (Loss::SparseCategoricalCrossentropy, Targets::Rows(_))
                | (Loss::CategoricalCrossentropy | Loss::BinaryCrossentropy, Targets::Labels(_)) => {
                    return Err(Error::Mismatch(format!(
                        "{} cannot read these targets: it needs {}",
                        self.name(),
                        if self == Loss::SparseCategoricalCrossentropy {
                            "one integer label per example"
                        } else {
                            "one row of values per example"
                        }
                    )));
                }
            };
        }
        Ok((sum, terms as f64))
    }

    /// How many terms the mean loss of `rows` examples with `outputs` outputs averages over:
    /// one per example for the cross-entropies, one per output for binary cross-entropy.
    pub fn terms(self, rows: usize, outputs: usize) -> usize {
        match self {
            Loss::BinaryCrossentropy => rows * outputs,
            Loss::CategoricalCrossentropy | Loss::SparseCategoricalCrossentropy => rows,
        }
    }

    /// The [`Score`] of rows of logits: [`Loss::score_logits`] and the right answers
    /// ([`count_correct`]) of a last layer with activation `output`.
    ///
    /// # Errors
    /// Those of [`Loss::score_logits`].
    pub fn score(
        self,
        z: &[f32],
        classes: usize,
        targets: Targets<'_>,
        ids: &[u32],
        output: Activation,
        delta: Option<&mut [f32]>,
    ) -> Result<Score> {
        let (loss_sum, loss_terms) = self.score_logits(z, classes, targets, ids, delta)?;
        let (right, answers) = count_correct(z, classes, targets, ids, output);
        Ok(Score {
            loss_sum,
            loss_terms,
            right,
            answers,
        })
    }

    /// Checks targets against a model with `outputs` outputs: integer class labels in
    /// `0..outputs` for the sparse loss, rows of `outputs` values for the others.
    ///
    /// `fit`, `evaluate` and every loss computation call this, so a label that does not name
    /// a class (like `u32::MAX`, which Candle's `gather` would skip) is an error everywhere.
    ///
    /// # Errors
    /// [`Error::Mismatch`] when the targets have the wrong shape for the loss (with a hint
    /// when they look like the other kind of label); [`Error::InvalidArgument`] when a sparse
    /// label is not a whole number in `0..outputs`.
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
                    .find(|&(_, &l)| !(l >= 0.0 && l.fract() == 0.0 && l < outputs as f64))
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

/// `−log softmax(z)_c` of one row, and `(p − onehot(c)) · scale` into `delta`.
fn sparse_cross_entropy(z: &[f32], c: usize, scale: f32, delta: Option<&mut [f32]>) -> f64 {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = z.iter().map(|&v| (v - max).exp()).sum();
    if let Some(d) = delta {
        for (j, (d, &z)) in d.iter_mut().zip(z).enumerate() {
            *d = ((z - max).exp() / sum - f32::from(u8::from(j == c))) * scale;
        }
    }
    -(z[c] - max - sum.ln()) as f64
}

/// `−Σ_i y_i log softmax(z)_i` of one row, and `(p Σy − y) · scale` into `delta`.
fn softmax_cross_entropy(z: &[f32], y: &[f32], scale: f32, delta: Option<&mut [f32]>) -> f64 {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = z.iter().map(|&v| (v - max).exp()).sum();
    let log_sum = sum.ln();
    let loss: f64 = z
        .iter()
        .zip(y)
        .map(|(&z, &y)| -(y * (z - max - log_sum)) as f64)
        .sum();
    if let Some(d) = delta {
        let mass: f32 = y.iter().sum();
        for ((d, &z), &y) in d.iter_mut().zip(z).zip(y) {
            *d = ((z - max).exp() / sum * mass - y) * scale;
        }
    }
    loss
}

/// `Σ_k max(z,0) − z t + log(1 + e^{−|z|})` over one row, and `(σ(z) − t) · scale` into `delta`.
fn binary_cross_entropy(z: &[f32], t: &[f32], scale: f32, delta: Option<&mut [f32]>) -> f64 {
    let loss: f64 = z
        .iter()
        .zip(t)
        .map(|(&z, &t)| (z.max(0.0) - z * t + (-z.abs()).exp().ln_1p()) as f64)
        .sum();
    if let Some(d) = delta {
        for ((d, &z), &t) in d.iter_mut().zip(z).zip(t) {
            *d = (sigmoid(z) - t) * scale;
        }
    }
    loss
}

/// `x[i, labels[i]]` for each row `i`.
fn pick(x: &Tensor, labels: &Tensor) -> Result<Tensor> {
    let idx = labels.to_dtype(DType::U32)?.unsqueeze(1)?;
    Ok(x.gather(&idx, 1)?.squeeze(1)?)
}

fn clip(p: &Tensor) -> Result<Tensor> {
    Ok(p.clamp(EPSILON as f32, (1.0 - EPSILON) as f32)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Var};

    /// Its place in [`Loss::ALL`]; a new loss does not compile until it is listed.
    fn position(l: Loss) -> usize {
        match l {
            Loss::CategoricalCrossentropy => 0,
            Loss::SparseCategoricalCrossentropy => 1,
            Loss::BinaryCrossentropy => 2,
        }
    }

    #[test]
    fn all_lists_every_loss_once() {
        for (i, l) in Loss::ALL.iter().enumerate() {
            assert_eq!(position(*l), i);
        }
    }

    /// Loss and gradient from the slices equal Candle's loss and autograd gradient.
    #[test]
    fn slices_and_tensors_agree_for_every_loss() {
        let z: Vec<f32> = vec![0.5, -1.0, 2.0, 0.0, 1.5, -0.5, 3.0, -2.0, 0.25];
        let (rows, classes) = (3, 3);
        let labels = [2u32, 0, 1];
        let onehot: Vec<f32> = labels
            .iter()
            .flat_map(|&l| (0..3).map(move |c| f32::from(u8::from(c == l))))
            .collect();
        let multi: Vec<f32> = vec![1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0];
        let dev = &Device::Cpu;
        for loss in Loss::ALL {
            let (targets, tensor) = match loss {
                Loss::SparseCategoricalCrossentropy => {
                    (Targets::Labels(&labels), Tensor::new(&labels, dev).unwrap())
                }
                Loss::CategoricalCrossentropy => (
                    Targets::Rows(&onehot),
                    Tensor::from_slice(&onehot, (rows, classes), dev).unwrap(),
                ),
                Loss::BinaryCrossentropy => (
                    Targets::Rows(&multi),
                    Tensor::from_slice(&multi, (rows, classes), dev).unwrap(),
                ),
            };
            let logits = Var::from_slice(&z, (rows, classes), dev).unwrap();
            let value = loss
                .compute(logits.as_tensor(), &tensor, Outputs::Logits)
                .unwrap();
            let grad = value.backward().unwrap();
            let want = grad
                .get(&logits)
                .unwrap()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap();
            let mut delta = vec![0f32; z.len()];
            let (sum, terms) = loss
                .score_logits(&z, classes, targets, &[0, 1, 2], Some(&mut delta))
                .unwrap();
            let expected = value.to_scalar::<f32>().unwrap() as f64;
            assert!(
                (sum / terms - expected).abs() < 1e-5,
                "{loss:?}: {} against {expected}",
                sum / terms
            );
            for (d, w) in delta.iter().zip(&want) {
                assert!((d - w).abs() < 1e-6, "{loss:?}: gradient {d} against {w}");
            }
        }
    }

    #[test]
    fn targets_of_the_wrong_form_are_refused() {
        let err = Loss::CategoricalCrossentropy
            .score_logits(&[0.0, 1.0], 2, Targets::Labels(&[1]), &[0], None)
            .unwrap_err();
        assert!(err.to_string().contains("one row of values"), "{err}");
    }
}
