//! Comparing results: the spread of a measure over repeated runs, and a paired test of two
//! classifiers on the same examples.
//!
//! Two networks trained with different seeds score differently on the same test images, by
//! chance alone. Before saying one setting is better than another, look at the spread of each
//! over several seeds ([`Spread`]), and compare the final two on the same images with
//! McNemar's test ([`McNemar`]): only the images one gets right and the other wrong tell them
//! apart.

use std::fmt;

use crate::error::{Error, Result};

/// Mean, standard deviation and range of repeated measurements.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// The mean.
    pub mean: f64,
    /// The sample standard deviation (divided by `n − 1`; 0 for one value).
    pub std: f64,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
    /// How many values.
    pub n: usize,
}

impl Spread {
    /// The spread of `values` (at least one, all finite): mean `x̄ = Σ x / n`, sample standard
    /// deviation `s = √(Σ (x − x̄)² / (n − 1))` (NumPy's `std(ddof=1)`), min and max.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `values` is empty or holds a NaN or infinite value (a
    /// run that diverged: leave it out, or look at why).
    ///
    /// ```
    /// use mlpkit::metrics::Spread;
    /// // Test accuracies (in %) of the same network trained with four seeds.
    /// let s = Spread::of(&[97.0, 98.0, 98.0, 99.0])?;
    /// assert_eq!((s.mean, s.min, s.max, s.n), (98.0, 97.0, 99.0, 4));
    /// assert!((s.std - (2.0f64 / 3.0).sqrt()).abs() < 1e-12);    // Σ(x − 98)² = 2, n − 1 = 3
    /// assert!((s.standard_error() - s.std / 2.0).abs() < 1e-12); // s / √4
    /// assert!(Spread::of(&[]).is_err() && Spread::of(&[98.0, f64::NAN]).is_err());
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn of(values: &[f64]) -> Result<Self> {
        if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
            return Err(Error::InvalidArgument(format!(
                "Spread: needs at least one finite value, got {values:?}"
            )));
        }
        let n = values.len();
        let mean = values.iter().sum::<f64>() / n as f64;
        let squares: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
        let std = if n > 1 {
            (squares / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Ok(Self {
            mean,
            std,
            min,
            max,
            n,
        })
    }
}

impl Spread {
    /// The standard error of the mean, `std / √n`: how far the mean of `n` runs is likely to
    /// be from the mean of many (about one in three means lies further than one standard
    /// error away). For one value it is 0, which says nothing: one run has no spread to judge.
    pub fn standard_error(&self) -> f64 {
        self.std / (self.n as f64).sqrt()
    }
}

/// `mean ± std (n)`, with two decimals.
impl fmt::Display for Spread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2} ± {:.2} (n = {})", self.mean, self.std, self.n)
    }
}

/// McNemar's test of two classifiers on the same examples.
///
/// Of the examples, `only_a` are right for classifier A and wrong for B, `only_b` the other
/// way round; the examples both get right or both get wrong say nothing about which is
/// better. If the two were equally good, each of the `only_a + only_b` disagreements would be
/// a coin toss. The test's p-value is the chance of a split at least as lopsided as the one
/// seen under that coin toss (the exact two-sided binomial test). The difference of the two
/// accuracies, `(only_a − only_b) / n`, comes with a 95 % confidence interval for paired
/// proportions (held within −1 to 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct McNemar {
    /// Examples classifier A gets right and B wrong.
    pub only_a: usize,
    /// Examples B gets right and A wrong.
    pub only_b: usize,
    /// Examples compared.
    pub n: usize,
    /// Accuracy of A minus accuracy of B.
    pub difference: f64,
    /// The 95 % confidence interval of `difference`.
    pub interval: (f64, f64),
    /// The two-sided p-value: how often chance alone gives a split this uneven.
    pub p_value: f64,
}

impl McNemar {
    /// Compares predictions `a` and `b` of the same examples with their `truth`.
    ///
    /// # Errors
    /// [`Error::Mismatch`] when the three lists are not equally long, or are empty.
    ///
    /// ```
    /// use mlpkit::metrics::McNemar;
    /// // Ten examples of class 1: A is right on all but the last, B only on the first two.
    /// let truth = [1u32; 10];
    /// let a = [1, 1, 1, 1, 1, 1, 1, 1, 1, 0];
    /// let b = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0];
    /// let m = McNemar::new(&truth, &a, &b)?;
    /// assert_eq!((m.only_a, m.only_b, m.n), (7, 0, 10));
    /// assert!((m.difference - 0.7).abs() < 1e-12);
    /// // Seven coin tosses all the same way: p = 2 · (1/2)⁷.
    /// assert!((m.p_value - 2.0 / 128.0).abs() < 1e-12);
    /// assert!(McNemar::new(&truth, &a, &b[..9]).is_err());
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn new(truth: &[u32], a: &[u32], b: &[u32]) -> Result<Self> {
        if truth.len() != a.len() || truth.len() != b.len() || truth.is_empty() {
            return Err(Error::Mismatch(format!(
                "McNemar: {} labels, {} and {} predictions; they must pair up one to one",
                truth.len(),
                a.len(),
                b.len()
            )));
        }
        let (mut only_a, mut only_b) = (0usize, 0usize);
        for ((t, x), y) in truth.iter().zip(a).zip(b) {
            match (x == t, y == t) {
                (true, false) => only_a += 1,
                (false, true) => only_b += 1,
                _ => {}
            }
        }
        let n = truth.len();
        let nf = n as f64;
        let difference = (only_a as f64 - only_b as f64) / nf;
        let disagree = (only_a + only_b) as f64;
        let se = (disagree - (only_a as f64 - only_b as f64).powi(2) / nf)
            .max(0.0)
            .sqrt()
            / nf;
        Ok(Self {
            only_a,
            only_b,
            n,
            difference,
            interval: (
                (difference - 1.96 * se).max(-1.0),
                (difference + 1.96 * se).min(1.0),
            ),
            p_value: binomial_two_sided(only_a.min(only_b), only_a + only_b),
        })
    }
}

/// `2 · P(X ≤ k)` for `X ~ Binomial(n, ½)`, at most 1 (1 when `n` is 0).
fn binomial_two_sided(k: usize, n: usize) -> f64 {
    if n == 0 {
        return 1.0;
    }
    // ln C(n, j) built up term by term, every term scaled by 2^−n in logs.
    let (mut ln_choose, half) = (0.0f64, n as f64 * std::f64::consts::LN_2);
    let mut tail = 0.0;
    for j in 0..=k {
        if j > 0 {
            ln_choose += ((n - j + 1) as f64).ln() - (j as f64).ln();
        }
        tail += (ln_choose - half).exp();
    }
    (2.0 * tail).min(1.0)
}

/// `A − B = +0.31 points (95 % CI +0.10 to +0.52), p = 0.004: 58 images only A gets right,
/// 27 only B`.
impl fmt::Display for McNemar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pts = |v: f64| format!("{:+.2}", 100.0 * v);
        write!(
            f,
            "accuracy A − B = {} points (95 % CI {} to {}), McNemar p = {:.3}: {} of {} examples \
             only A gets right, {} only B",
            pts(self.difference),
            pts(self.interval.0),
            pts(self.interval.1),
            self.p_value,
            self.only_a,
            self.n,
            self.only_b
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_is_the_sample_standard_deviation() {
        let s = Spread::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        assert_eq!((s.mean, s.min, s.max, s.n), (5.0, 2.0, 9.0, 8));
        // Σ(x − 5)² = 32, over n − 1 = 7.
        assert!((s.std - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        assert_eq!(Spread::of(&[3.0]).unwrap().std, 0.0);
        assert!(Spread::of(&[]).is_err() && Spread::of(&[f64::NAN]).is_err());
    }

    #[test]
    fn binomial_tails_match_hand_computed_values() {
        // P(X ≤ 1) for Bin(5, ½) = (1 + 5) / 32, doubled.
        assert!((binomial_two_sided(1, 5) - 12.0 / 32.0).abs() < 1e-12);
        // Bin(10, ½): P(X ≤ 2) = (1 + 10 + 45) / 1024.
        assert!((binomial_two_sided(2, 10) - 2.0 * 56.0 / 1024.0).abs() < 1e-12);
        assert_eq!(binomial_two_sided(5, 10), 1.0);
        assert_eq!(binomial_two_sided(0, 0), 1.0);
        // Large n stays finite: 450 against 550 of 1000.
        let p = binomial_two_sided(450, 1000);
        assert!(p > 0.001 && p < 0.002, "{p}");
    }

    #[test]
    fn mcnemar_counts_only_the_disagreements() {
        // 10 examples: A right on 0..8, B right on 2..10 → only A: 0, 1; only B: 8, 9.
        let truth = [1u32; 10];
        let a: Vec<u32> = (0..10).map(|i| if i < 8 { 1 } else { 0 }).collect();
        let b: Vec<u32> = (0..10).map(|i| if i >= 2 { 1 } else { 0 }).collect();
        let m = McNemar::new(&truth, &a, &b).unwrap();
        assert_eq!((m.only_a, m.only_b, m.n), (2, 2, 10));
        assert_eq!((m.difference, m.p_value), (0.0, 1.0));
        // 9 against 1: p = 2 · (1 + 9 + … ) — P(X ≤ 1) for Bin(10, ½) = 11/1024.
        let a: Vec<u32> = (0..10).map(|i| if i == 9 { 0 } else { 1 }).collect();
        let b = [1u32, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        let truth = [1u32; 10];
        let m = McNemar::new(&truth, &a, &b).unwrap();
        assert_eq!((m.only_a, m.only_b), (8, 0));
        assert!((m.p_value - 2.0 / 256.0).abs() < 1e-12, "{}", m.p_value);
        assert!((m.difference - 0.8).abs() < 1e-12);
        // 0.8 ± 1.96 · √(8 − 8²/10) / 10, the upper end held at 1.
        assert!((m.interval.0 - (0.8 - 1.96 * 1.6f64.sqrt() / 10.0)).abs() < 1e-12);
        assert_eq!(m.interval.1, 1.0);
        assert!(McNemar::new(&truth, &a, &b[..3]).is_err());
    }
}
