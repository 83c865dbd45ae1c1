//! Activation functions, applied element-wise (or row-wise for softmax).

use candle_core::{Tensor, D};
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// What a [`Dense`](super::Dense) layer applies to `x W + b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// `max(0, z)`.
    Relu,
    /// `tanh z`.
    Tanh,
    /// `σ(z) = 1 / (1 + e^{−z})`: a probability per output (binary and multi-label outputs).
    Sigmoid,
    /// `softmax(z)_i = e^{z_i} / Σ_j e^{z_j}`: a probability distribution over classes.
    Softmax,
    /// The identity: the layer outputs logits.
    Linear,
}

impl Activation {
    /// Applies the activation to a batch `(n, units)`.
    pub fn apply(self, z: &Tensor) -> Result<Tensor> {
        Ok(match self {
            Activation::Relu => z.relu()?,
            Activation::Tanh => z.tanh()?,
            Activation::Sigmoid => candle_nn::ops::sigmoid(z)?,
            Activation::Softmax => candle_nn::ops::softmax_last_dim(z)
                .or_else(|_| candle_nn::ops::softmax(z, D::Minus1))?,
            Activation::Linear => z.clone(),
        })
    }

    /// Keras's name for it (`relu`, `tanh`, `sigmoid`, `softmax`, `linear`).
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Softmax => "softmax",
            Activation::Linear => "linear",
        }
    }
}

impl std::fmt::Display for Activation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
