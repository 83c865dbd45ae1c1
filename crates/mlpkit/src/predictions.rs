//! [`Predictions`]: a model's class probabilities for every example of a split, with the true
//! labels beside them, and the ways to pick the examples worth looking at.
//!
//! Accuracy says how often the network is right. What it does when it is *not* sure, and
//! what the images it gets wrong look like, teach more; these are the questions this type
//! answers:
//!
//! - [`Predictions::misclassified`]: the wrong answers, the most confident ones first;
//! - [`Predictions::hesitant`]: the examples where the network's top probability is lowest,
//!   right or wrong (it hesitates between two or three classes);
//! - [`Predictions::reliability`]: whether its confidence means anything: of the answers given
//!   with at least some probability, how many are right;
//! - [`crate::plot::ProbabilityBars::of`] and [`crate::plot::PredictionGrid`]: what to draw
//!   for them.

use candle_core::{DType, Tensor};

use crate::data::Split;
use crate::error::{Error, Result};
use crate::math::answers::{accuracy, argmax};
use crate::model::Sequential;

/// Class probabilities for each example and its true class.
#[derive(Debug, Clone)]
pub struct Predictions {
    probabilities: Vec<Vec<f32>>,
    truth: Vec<u32>,
}

impl Predictions {
    /// `model`'s probabilities for every example of `data` (its outputs: softmax
    /// probabilities for the tutorials' classifiers), with `data`'s labels as the truth.
    ///
    /// # Errors
    /// Those of [`Sequential::predict`] (no example, raw integer pixels, examples not shaped
    /// for the model), [`Error::Shape`] for labels that are neither `(n,)` nor `(n, classes)`,
    /// and those of [`Predictions::new`] (a label with no output, a diverged model).
    pub fn of_model(model: &Sequential, data: &Split) -> Result<Self> {
        let probabilities = model.predict(data.images())?;
        Self::new(&probabilities, &data.label_vec()?)
    }

    /// Probabilities `(n, classes)` and the true class of each of the `n` examples.
    ///
    /// # Errors
    /// - [`Error::Shape`] when `probabilities` is not `(n, classes)`;
    /// - [`Error::Mismatch`] when there are not `n` labels;
    /// - [`Error::InvalidArgument`] when a label is not below `classes`, or a probability is
    ///   NaN or infinite (the model diverged).
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let p = Tensor::new(&[[0.9f32, 0.1], [0.4, 0.6], [0.2, 0.8]], &Device::Cpu)?;
    /// let preds = Predictions::new(&p, &[0, 0, 1])?;
    /// assert_eq!(preds.predicted(), [0, 1, 1]);
    /// assert_eq!(preds.misclassified(), [1]);             // example 1: 0.6 for the wrong class
    /// assert_eq!(preds.hesitant(1), [1]);                 // its top probability is the lowest
    /// assert_eq!(preds.reliability(0.8).answered, 2);     // two answers given with ≥ 80 %
    /// assert!(Predictions::new(&p, &[0, 2, 1]).is_err()); // no class 2 among 2 columns
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn new(probabilities: &Tensor, truth: &[u32]) -> Result<Self> {
        let &[n, classes] = probabilities.dims() else {
            return Err(Error::shape(
                "Predictions",
                "probabilities (examples, classes)",
                probabilities.dims(),
            ));
        };
        if n != truth.len() {
            return Err(Error::Mismatch(format!(
                "Predictions: {n} rows of probabilities but {} labels",
                truth.len()
            )));
        }
        if let Some(&t) = truth.iter().find(|&&t| t as usize >= classes) {
            return Err(Error::InvalidArgument(format!(
                "Predictions: a label is {t}, but the probabilities have only classes 0..{classes}"
            )));
        }
        let probabilities = probabilities.to_dtype(DType::F32)?.to_vec2::<f32>()?;
        if probabilities.iter().flatten().any(|p| !p.is_finite()) {
            return Err(Error::InvalidArgument(
                "Predictions: some probabilities are NaN or infinite; the model has diverged"
                    .into(),
            ));
        }
        Ok(Self {
            probabilities,
            truth: truth.to_vec(),
        })
    }

    /// Number of examples.
    pub fn len(&self) -> usize {
        self.truth.len()
    }

    /// `true` when there is no example.
    pub fn is_empty(&self) -> bool {
        self.truth.is_empty()
    }

    /// Example `i`'s probabilities, one per class.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when there is no example `i` (`i` ≥ [`Predictions::len`]).
    pub fn probabilities(&self, i: usize) -> Result<&[f32]> {
        self.probabilities
            .get(i)
            .map(Vec::as_slice)
            .ok_or_else(|| self.out_of_range(i))
    }

    /// Example `i`'s true class.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when there is no example `i`.
    pub fn truth(&self, i: usize) -> Result<u32> {
        self.truth
            .get(i)
            .copied()
            .ok_or_else(|| self.out_of_range(i))
    }

    /// The predicted class of every example: the one with the largest probability (the first
    /// of equal ones).
    pub fn predicted(&self) -> Vec<u32> {
        self.probabilities.iter().map(|p| top(p).0 as u32).collect()
    }

    /// Each example's largest probability: how sure the network is of its answer.
    pub fn confidences(&self) -> Vec<f32> {
        self.probabilities.iter().map(|p| top(p).1).collect()
    }

    /// The share of examples predicted right (0 when there is none).
    pub fn accuracy(&self) -> f64 {
        accuracy(&self.truth, &self.predicted()).unwrap_or(0.0)
    }

    /// The examples predicted wrong, the most confident mistakes first (ties by index).
    pub fn misclassified(&self) -> Vec<usize> {
        let mut wrong: Vec<usize> = (0..self.len())
            .filter(|&i| top(&self.probabilities[i]).0 as u32 != self.truth[i])
            .collect();
        wrong.sort_by(|&a, &b| {
            let (pa, pb) = (top(&self.probabilities[a]).1, top(&self.probabilities[b]).1);
            pb.total_cmp(&pa).then(a.cmp(&b))
        });
        wrong
    }

    /// The `n` examples whose largest probability is smallest, right or wrong: where the
    /// network hesitates most (ties by index).
    pub fn hesitant(&self, n: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.sort_by(|&a, &b| {
            let (pa, pb) = (top(&self.probabilities[a]).1, top(&self.probabilities[b]).1);
            pa.total_cmp(&pb).then(a.cmp(&b))
        });
        order.truncate(n);
        order
    }

    /// Of the answers given with a probability of at least `threshold`, how many there are
    /// and how many are right: a network whose 99 % answers are right 99 % of the time has
    /// honest confidence. (Looking only at its most confident *mistakes* cannot tell: they are
    /// chosen for being confident.)
    pub fn reliability(&self, threshold: f32) -> Reliability {
        let mut r = Reliability {
            threshold,
            answered: 0,
            right: 0,
            total: self.len(),
        };
        for (p, &t) in self.probabilities.iter().zip(&self.truth) {
            let (class, confidence) = top(p);
            if confidence >= threshold {
                r.answered += 1;
                r.right += usize::from(class as u32 == t);
            }
        }
        r
    }

    fn out_of_range(&self, i: usize) -> Error {
        Error::InvalidArgument(format!(
            "example {i} does not exist: there are {} predictions",
            self.len()
        ))
    }
}

/// How right a model's confident answers are: see [`Predictions::reliability`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reliability {
    /// The least probability an answer had to have.
    pub threshold: f32,
    /// Examples answered with at least that probability.
    pub answered: usize,
    /// Of those, the ones answered right.
    pub right: usize,
    /// All the examples.
    pub total: usize,
}

impl Reliability {
    /// The share of the answers given with at least [`Self::threshold`] that are right
    /// (`None` when there is none).
    pub fn accuracy(&self) -> Option<f64> {
        (self.answered > 0).then(|| self.right as f64 / self.answered as f64)
    }

    /// The share of all examples answered with at least [`Self::threshold`].
    pub fn share_answered(&self) -> f64 {
        self.answered as f64 / self.total.max(1) as f64
    }
}

/// `at ≥ 90 %: 812 of 898 answered (90.4 %), 97.5 % of them right`.
impl std::fmt::Display for Reliability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "at ≥ {} %: {} of {} answered ({:.1} %), ",
            100.0 * self.threshold,
            self.answered,
            self.total,
            100.0 * self.share_answered()
        )?;
        match self.accuracy() {
            Some(a) => write!(f, "{:.1} % of them right", 100.0 * a),
            None => write!(f, "none to judge"),
        }
    }
}

/// The index and value of the largest entry (the first of equal ones).
fn top(p: &[f32]) -> (usize, f32) {
    let i = argmax(p);
    (i, p.get(i).copied().unwrap_or(f32::NEG_INFINITY))
}
