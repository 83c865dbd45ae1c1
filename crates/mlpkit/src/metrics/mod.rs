//! Measuring a classifier: accuracy and the confusion matrix with per-class precision,
//! recall and F1.
//!
//! For class `c`, with `TP` the examples of class `c` predicted as `c`, `FP` the other
//! examples predicted as `c` and `FN` the examples of `c` predicted as something else:
//! precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2 P R / (P + R); the support
//! of a class is how many examples of it there are.
//!
//! `compare.rs` holds [`Spread`] (a measure over several seeds) and [`McNemar`] (two
//! classifiers on the same examples).

use std::fmt;

use crate::data::Split;
use crate::error::{Error, Result};
use crate::model::Sequential;
use crate::table::{Align, Table};

mod compare;

pub use crate::math::answers::accuracy;
pub use compare::{McNemar, Spread};

/// Counts of (true class, predicted class) pairs: `counts()[t][p]`.
///
/// The fields are private so that the matrix is always square with one name per class, as
/// [`ConfusionMatrix::new`] makes it; everything that reads it (scores, figures) relies on
/// that.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfusionMatrix {
    counts: Vec<Vec<usize>>,
    class_names: Vec<String>,
}

impl ConfusionMatrix {
    /// `counts()[t][p]`: examples of true class `t` predicted as class `p`.
    pub fn counts(&self) -> &[Vec<usize>] {
        &self.counts
    }

    /// Examples of true class `t` predicted as class `p` (0 outside the matrix).
    pub fn count(&self, t: usize, p: usize) -> usize {
        self.counts
            .get(t)
            .and_then(|row| row.get(p))
            .copied()
            .unwrap_or(0)
    }

    /// The classes' names, in class order.
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// From true labels and predictions; `class_names` fixes the number of classes.
    ///
    /// # Errors
    /// - [`Error::Mismatch`] when there are not as many predictions as labels;
    /// - [`Error::InvalidArgument`] when a label or a prediction is not below the number of
    ///   class names.
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let truth = [0, 0, 0, 1, 1, 2];
    /// let predicted = [0, 0, 1, 1, 1, 1];
    /// let cm = ConfusionMatrix::new(&truth, &predicted, &["a", "b", "c"])?;
    /// assert_eq!(cm.count(0, 1), 1);                       // one true `a` called `b`
    /// assert_eq!(cm.support(0)?, 3);                       // three true `a`s
    /// assert_eq!(cm.recall(0)?, 2.0 / 3.0);                // TP / (TP + FN) = 2 / 3
    /// assert_eq!(cm.precision(1)?, 2.0 / 4.0);             // TP / (TP + FP) = 2 / 4
    /// assert_eq!(cm.precision(2)?, 0.0);                   // never predicted: 0, not NaN
    /// assert_eq!(cm.most_confused(), Some((0, 1, 1)));     // ties: row, then column order
    /// assert!(ConfusionMatrix::new(&truth, &predicted, &["a", "b"]).is_err()); // class 2?
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn new<S: ToString>(truth: &[u32], predicted: &[u32], class_names: &[S]) -> Result<Self> {
        let k = class_names.len();
        if truth.len() != predicted.len() {
            return Err(Error::Mismatch(format!(
                "{} labels but {} predictions: they must pair up one to one",
                truth.len(),
                predicted.len()
            )));
        }
        let mut counts = vec![vec![0; k]; k];
        for (&t, &p) in truth.iter().zip(predicted) {
            if t as usize >= k || p as usize >= k {
                return Err(Error::InvalidArgument(format!(
                    "class {} is out of range for {k} class names",
                    t.max(p)
                )));
            }
            counts[t as usize][p as usize] += 1;
        }
        Ok(Self {
            counts,
            class_names: class_names.iter().map(|s| s.to_string()).collect(),
        })
    }

    /// The matrix of `model`'s predictions on `data` (the most likely class of each example
    /// against its label; one-hot labels are read by their largest entry).
    ///
    /// # Errors
    /// Those of [`Sequential::predict`] (no example, raw integer pixels, examples not shaped
    /// for the model), [`Error::Shape`] for labels that are neither `(n,)` nor
    /// `(n, classes)`, and those of [`ConfusionMatrix::new`] (fewer class names than the
    /// model has outputs or the data has classes).
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let model = Architecture::new(&[2]).add(Dense::new(3, Activation::Softmax)).build(0)?;
    /// let data = Split::new(
    ///     Tensor::new(&[[1f32, 0.0], [0.0, 1.0], [1.0, 1.0]], &Device::Cpu)?,
    ///     Tensor::new(&[0u32, 1, 2], &Device::Cpu)?,
    /// )?;
    /// let cm = ConfusionMatrix::of_model(&model, &data, &["x", "y", "z"])?;
    /// assert_eq!((cm.total(), cm.num_classes()), (3, 3));
    /// let predicted = model.predict_classes(data.images())?;
    /// assert_eq!(cm.accuracy(), accuracy(&data.label_vec()?, &predicted)?);
    /// assert!(ConfusionMatrix::of_model(&model, &data, &["x", "y"]).is_err()); // class 2?
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn of_model<S: ToString>(
        model: &Sequential,
        data: &Split,
        class_names: &[S],
    ) -> Result<Self> {
        let predicted = model.predict_classes(&data.images)?;
        Self::new(&data.label_vec()?, &predicted, class_names)
    }

    /// Number of classes (rows and columns).
    pub fn num_classes(&self) -> usize {
        self.counts.len()
    }

    /// Number of examples counted.
    pub fn total(&self) -> usize {
        self.counts.iter().flatten().sum()
    }

    /// The largest count in any cell.
    pub fn max_count(&self) -> usize {
        self.counts.iter().flatten().copied().max().unwrap_or(0)
    }

    /// Share of examples on the diagonal.
    pub fn accuracy(&self) -> f64 {
        let right: usize = (0..self.num_classes()).map(|i| self.counts[i][i]).sum();
        right as f64 / self.total().max(1) as f64
    }

    /// Examples of class `c` (row sum).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when there is no class `c` (`c` ≥ [`Self::num_classes`]).
    /// Example: [`ConfusionMatrix::new`].
    pub fn support(&self, c: usize) -> Result<usize> {
        Ok(self.scores(self.class(c)?).support)
    }

    /// Of the examples predicted as `c`, the share that are `c`: `TP / (TP + FP)`, 0 when
    /// none is predicted as `c`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when there is no class `c`. Example:
    /// [`ConfusionMatrix::new`].
    pub fn precision(&self, c: usize) -> Result<f64> {
        Ok(self.scores(self.class(c)?).precision)
    }

    /// Of the examples of class `c`, the share predicted as `c`: `TP / (TP + FN)`, 0 when
    /// there is none.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when there is no class `c`. Example:
    /// [`ConfusionMatrix::new`].
    pub fn recall(&self, c: usize) -> Result<f64> {
        Ok(self.scores(self.class(c)?).recall)
    }

    /// The harmonic mean of precision and recall of class `c`: `2 P R / (P + R)`, 0 when
    /// both are 0.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when there is no class `c`.
    pub fn f1(&self, c: usize) -> Result<f64> {
        Ok(self.scores(self.class(c)?).f1)
    }

    /// `c`, or an error when the matrix has no such class.
    fn class(&self, c: usize) -> Result<usize> {
        if c < self.num_classes() {
            Ok(c)
        } else {
            Err(Error::InvalidArgument(format!(
                "there is no class {c}: the matrix has classes 0..{}",
                self.num_classes()
            )))
        }
    }

    /// Precision, recall, F1 and support of a class that exists.
    fn scores(&self, c: usize) -> ClassScores {
        let support: usize = self.counts[c].iter().sum();
        let predicted: usize = self.counts.iter().map(|row| row[c]).sum();
        let precision = ratio(self.counts[c][c], predicted);
        let recall = ratio(self.counts[c][c], support);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        ClassScores {
            precision,
            recall,
            f1,
            support,
        }
    }

    /// Each row divided by its total: `shares[t][p]` = share of class `t` predicted as `p`.
    pub fn row_shares(&self) -> Vec<Vec<f64>> {
        self.counts
            .iter()
            .map(|row| {
                let n = row.iter().sum::<usize>().max(1) as f64;
                row.iter().map(|&c| c as f64 / n).collect()
            })
            .collect()
    }

    /// The largest off-diagonal cell: `(true, predicted, count)`, the most frequent confusion.
    pub fn most_confused(&self) -> Option<(usize, usize, usize)> {
        self.confusions().first().copied()
    }

    /// Every non-empty off-diagonal cell as `(true, predicted, count)`, the most frequent
    /// confusion first (ties in row, then column order).
    pub fn confusions(&self) -> Vec<(usize, usize, usize)> {
        let k = self.num_classes();
        let mut cells: Vec<(usize, usize, usize)> = (0..k)
            .flat_map(|t| (0..k).map(move |p| (t, p)))
            .filter(|(t, p)| t != p)
            .map(|(t, p)| (t, p, self.counts[t][p]))
            .filter(|c| c.2 > 0)
            .collect();
        cells.sort_by(|a, b| b.2.cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
        cells
    }

    /// The most confused pairs of classes, counting both directions (a shirt called a
    /// T-shirt and a T-shirt called a shirt): `(a, b, count)` with `a < b`, the largest
    /// first.
    pub fn confused_pairs(&self) -> Vec<(usize, usize, usize)> {
        let k = self.num_classes();
        let mut pairs: Vec<(usize, usize, usize)> = (0..k)
            .flat_map(|a| (a + 1..k).map(move |b| (a, b)))
            .map(|(a, b)| (a, b, self.counts[a][b] + self.counts[b][a]))
            .filter(|c| c.2 > 0)
            .collect();
        pairs.sort_by(|a, b| b.2.cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
        pairs
    }

    /// Per-class precision, recall, F1 and support, like scikit-learn's
    /// `classification_report`, with the accuracy under it.
    pub fn report(&self) -> Table {
        let mut table = Table::new(&["class", "precision", "recall", "f1", "support"])
            .align(&[Align::Right; 5]);
        for c in 0..self.num_classes() {
            let s = self.scores(c);
            table.push(&[
                self.class_names[c].clone(),
                format!("{:.3}", s.precision),
                format!("{:.3}", s.recall),
                format!("{:.3}", s.f1),
                s.support.to_string(),
            ]);
        }
        table.note(format!(
            "accuracy {:.4} on {} examples",
            self.accuracy(),
            self.total()
        ))
    }

    /// [`ConfusionMatrix::report`] as HTML.
    pub fn report_html(&self) -> String {
        self.report().to_html()
    }
}

/// One class's row of the report.
struct ClassScores {
    precision: f64,
    recall: f64,
    f1: f64,
    support: usize,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// The per-class report ([`ConfusionMatrix::report`]) as text.
impl fmt::Display for ConfusionMatrix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.report().fmt(f)
    }
}
