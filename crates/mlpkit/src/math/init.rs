//! Weight initialisers, with Keras's definitions.
//!
//! For a kernel of shape `(fan_in, fan_out)`:
//!
//! | initialiser | distribution |
//! |---|---|
//! | Glorot uniform (Keras's default) | `U(−l, l)`, `l = √(6 / (fan_in + fan_out))` |
//! | Glorot normal | truncated `N(0, s)`, `s = √(2 / (fan_in + fan_out)) / 0.8796…` |
//! | He uniform | `U(−l, l)`, `l = √(6 / fan_in)` |
//! | He normal | truncated `N(0, s)`, `s = √(2 / fan_in) / 0.8796…` |
//! | truncated normal(σ) | `N(0, σ)`, redrawn beyond 2σ (`tf.truncated_normal`) |
//!
//! 0.8796… is the standard deviation of a unit normal truncated at ±2, so the
//! truncated draws end with the intended spread. Draws come from a seeded
//! generator: the same seed gives the same weights on every machine.

use candle_core::{Device, Tensor};
use rand::Rng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Standard deviation of a unit normal truncated to [−2, 2].
const TRUNCATED_STD: f64 = 0.879_625_661_034_239_8;

/// How to fill a weight tensor before training.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Init {
    /// Keras's default for kernels: uniform in ±√(6 / (fan_in + fan_out)).
    GlorotUniform,
    /// Normal with standard deviation √(2 / (fan_in + fan_out)), truncated to two deviations.
    GlorotNormal,
    /// Uniform in ±√(6 / fan_in), for ReLU layers.
    HeUniform,
    /// Normal with standard deviation √(2 / fan_in), truncated to two deviations, for ReLU layers.
    HeNormal,
    /// Truncated normal with this standard deviation (before truncation), mean 0.
    TruncatedNormal {
        /// Standard deviation before truncation.
        std: f64,
    },
    /// All zeros (Keras's default for biases).
    Zeros,
    /// Every value the same.
    Constant {
        /// The value.
        value: f64,
    },
}

impl Init {
    /// `count` values for a tensor with the given fans (`fan_in` inputs, `fan_out` outputs).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `fan_in` or `fan_out` is 0. The values of
    /// `TruncatedNormal` and `Constant` are not checked: a NaN there gives NaN weights.
    ///
    /// ```
    /// use mlpkit::math::Init;
    /// let mut rng = mlpkit::random::stream(0);
    /// let w = Init::GlorotUniform.sample(784 * 10, 784, 10, &mut rng)?;
    /// let limit = (6.0f32 / (784.0 + 10.0)).sqrt();              // √(6 / (fan_in + fan_out))
    /// assert!(w.iter().all(|v| v.abs() <= limit));
    /// assert!(Init::Zeros.sample(3, 0, 3, &mut rng).is_err());
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn sample(
        self,
        count: usize,
        fan_in: usize,
        fan_out: usize,
        rng: &mut StdRng,
    ) -> Result<Vec<f32>> {
        if fan_in == 0 || fan_out == 0 {
            return Err(Error::InvalidArgument(
                "cannot initialise a layer with zero inputs or outputs".into(),
            ));
        }
        let (fi, fo) = (fan_in as f64, fan_out as f64);
        let uniform = |limit: f64, rng: &mut StdRng| -> Vec<f32> {
            (0..count)
                .map(|_| rng.random_range(-limit..limit) as f32)
                .collect()
        };
        Ok(match self {
            Init::GlorotUniform => uniform((6.0 / (fi + fo)).sqrt(), rng),
            Init::HeUniform => uniform((6.0 / fi).sqrt(), rng),
            Init::GlorotNormal => {
                truncated_normal(count, (2.0 / (fi + fo)).sqrt() / TRUNCATED_STD, rng)
            }
            Init::HeNormal => truncated_normal(count, (2.0 / fi).sqrt() / TRUNCATED_STD, rng),
            Init::TruncatedNormal { std } => truncated_normal(count, std, rng),
            Init::Zeros => vec![0.0; count],
            Init::Constant { value } => vec![value as f32; count],
        })
    }

    /// A `(fan_in, fan_out)` kernel tensor on `device`.
    ///
    /// # Errors
    /// As [`Init::sample`]; [`Error::Candle`] if `device` cannot hold it.
    pub fn kernel(
        self,
        fan_in: usize,
        fan_out: usize,
        rng: &mut StdRng,
        device: &Device,
    ) -> Result<Tensor> {
        let values = self.sample(fan_in * fan_out, fan_in, fan_out, rng)?;
        Ok(Tensor::from_vec(values, (fan_in, fan_out), device)?)
    }
}

/// `N(0, std)` draws, each redrawn until it lies within two standard deviations.
fn truncated_normal(count: usize, std: f64, rng: &mut StdRng) -> Vec<f32> {
    (0..count)
        .map(|_| {
            loop {
                let z: f64 = StandardNormal.sample(rng);
                if z.abs() <= 2.0 {
                    break (z * std) as f32;
                }
            }
        })
        .collect()
}
