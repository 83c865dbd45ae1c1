//! How a network's outputs become answers, and how many answers are right.
//!
//! - A network with several classes (softmax or linear outputs) answers the class with the
//!   largest output: the **arg-max** of its row (the first one, if several are equal).
//! - A network with sigmoid outputs answers yes or no **per output**: yes when `σ(z) > 0.5`,
//!   that is when the logit `z > 0` (Keras's `binary_accuracy` counts each output).
//!
//! **Accuracy** is the share of right answers. Everything in the crate that counts right
//! answers (training, evaluation, predictions, the confusion matrix) goes through this file.

use candle_core::{DType, Tensor};

use super::activation::Activation;
use crate::error::{Error, Result};

/// The targets of some examples, in the form the losses and answers read them.
#[derive(Debug, Clone, Copy)]
pub enum Targets<'a> {
    /// One class index per example.
    Labels(&'a [u32]),
    /// One row of `classes` values per example (one-hot, soft, or 0/1 per output), flat.
    Rows(&'a [f32]),
}

/// [`Targets`] that own their values (read out of a tensor).
#[derive(Debug, Clone, PartialEq)]
pub enum OwnedTargets {
    /// One class index per example.
    Labels(Vec<u32>),
    /// Rows of values, flat.
    Rows(Vec<f32>),
}

impl OwnedTargets {
    /// Integer labels `(n,)` (any integer or float dtype holding whole numbers) or rows
    /// `(n, classes)`.
    ///
    /// # Errors
    /// [`Error::Shape`] when `targets` is neither `(n,)` nor `(n, classes)`.
    pub fn from_tensor(targets: &Tensor) -> Result<Self> {
        match targets.rank() {
            1 => Ok(Self::Labels(
                targets.to_dtype(DType::U32)?.to_vec1::<u32>()?,
            )),
            2 => Ok(Self::Rows(
                targets
                    .to_dtype(DType::F32)?
                    .flatten_all()?
                    .to_vec1::<f32>()?,
            )),
            _ => Err(Error::shape(
                "targets",
                "(n,) class labels or (n, classes) rows",
                targets.dims(),
            )),
        }
    }

    /// Borrowed.
    pub fn view(&self) -> Targets<'_> {
        match self {
            Self::Labels(l) => Targets::Labels(l),
            Self::Rows(r) => Targets::Rows(r),
        }
    }
}

impl Targets<'_> {
    /// The class of example `id`: its label, or the arg-max of its row.
    pub fn class(&self, id: usize, classes: usize) -> usize {
        match self {
            Targets::Labels(l) => l[id] as usize,
            Targets::Rows(r) => argmax(&r[id * classes..(id + 1) * classes]),
        }
    }
}

/// The index of the largest value, the first of equal ones (NaN never wins).
pub fn argmax(values: &[f32]) -> usize {
    let mut best = (0, f32::NEG_INFINITY);
    for (i, &v) in values.iter().enumerate() {
        if v > best.1 {
            best = (i, v);
        }
    }
    best.0
}

/// Right answers `(right, answers)` among rows of logits `z` (`ids.len()` rows of `classes`
/// values), row `r` being example `ids[r]` of `targets`, for a last layer with activation
/// `output` (see the module's documentation for how each kind answers).
pub fn count_correct(
    z: &[f32],
    classes: usize,
    targets: Targets<'_>,
    ids: &[u32],
    output: Activation,
) -> (f64, f64) {
    let mut right = 0usize;
    let per_output = output == Activation::Sigmoid;
    for (r, &id) in ids.iter().enumerate() {
        let row = &z[r * classes..(r + 1) * classes];
        let id = id as usize;
        match (per_output, targets) {
            (true, Targets::Rows(t)) => {
                let t = &t[id * classes..(id + 1) * classes];
                right += row
                    .iter()
                    .zip(t)
                    .filter(|&(&z, &t)| (z > 0.0) == (t >= 0.5))
                    .count();
            }
            _ => right += usize::from(argmax(row) == targets.class(id, classes)),
        }
    }
    let answers = if per_output && matches!(targets, Targets::Rows(_)) {
        ids.len() * classes
    } else {
        ids.len()
    };
    (right as f64, answers as f64)
}

/// [`count_correct`] for a batch of logits `(n, classes)` and its targets, as tensors.
pub fn count_correct_tensors(
    logits: &Tensor,
    output: Activation,
    targets: &Tensor,
) -> Result<(f64, f64)> {
    let (n, classes) = logits.dims2()?;
    let z = logits
        .to_dtype(DType::F32)?
        .flatten_all()?
        .to_vec1::<f32>()?;
    let targets = OwnedTargets::from_tensor(targets)?;
    let ids: Vec<u32> = (0..n as u32).collect();
    Ok(count_correct(&z, classes, targets.view(), &ids, output))
}

/// The share of `predicted` equal to `truth` (which must be as long, and not empty).
///
/// # Errors
/// [`Error::Mismatch`] when the two lists are not equally long, or are empty.
///
/// ```
/// use mlpkit::prelude::*;
/// assert_eq!(accuracy(&[7, 2, 1, 0], &[7, 2, 1, 6])?, 0.75);
/// assert!(accuracy(&[7, 2, 1], &[7, 2]).is_err());
/// # Ok::<(), mlpkit::Error>(())
/// ```
pub fn accuracy(truth: &[u32], predicted: &[u32]) -> Result<f64> {
    if truth.len() != predicted.len() || truth.is_empty() {
        return Err(Error::Mismatch(format!(
            "accuracy needs as many predictions as labels (and at least one): got {} labels, {} predictions",
            truth.len(),
            predicted.len()
        )));
    }
    let right = truth.iter().zip(predicted).filter(|(a, b)| a == b).count();
    Ok(right as f64 / truth.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn argmax_takes_the_first_of_equals_and_ignores_nan() {
        assert_eq!(argmax(&[1.0, 3.0, 3.0, 2.0]), 1);
        assert_eq!(argmax(&[f32::NAN, 1.0, 0.5]), 1);
        assert_eq!(argmax(&[2.0]), 0);
    }

    #[test]
    fn classes_are_counted_by_argmax_and_sigmoids_per_output() {
        let z = [0.1, 0.9, 0.0, 2.0, -1.0, 0.5];
        let labels = [1u32, 2];
        let (right, total) = count_correct(
            &z,
            3,
            Targets::Labels(&labels),
            &[0, 1],
            Activation::Softmax,
        );
        assert_eq!((right, total), (1.0, 2.0));
        let rows = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0];
        let (right, total) =
            count_correct(&z, 3, Targets::Rows(&rows), &[0, 1], Activation::Sigmoid);
        // Row 0: z > 0 is [yes, yes, no] against [no, yes, no]; row 1: [yes, no, yes] against [yes, no, yes].
        assert_eq!((right, total), (5.0, 6.0));
    }

    #[test]
    fn the_tensor_form_is_the_slice_form() {
        let logits = Tensor::new(&[[0.1f32, 0.9, 0.0], [2.0, -1.0, 0.5]], &Device::Cpu).unwrap();
        let labels = Tensor::new(&[1u32, 0], &Device::Cpu).unwrap();
        let counted = count_correct_tensors(&logits, Activation::Linear, &labels).unwrap();
        assert_eq!(counted, (2.0, 2.0));
    }

    #[test]
    fn accuracy_needs_pairs() {
        assert_eq!(accuracy(&[1, 2, 3, 4], &[1, 2, 0, 4]).unwrap(), 0.75);
        assert!(accuracy(&[1], &[]).is_err());
    }
}
