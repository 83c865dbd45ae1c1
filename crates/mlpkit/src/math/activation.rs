//! Activation functions: what a dense layer applies to `z = x W + b`, and how a gradient
//! passes back through it.
//!
//! | activation | `a = f(z)` | `∂L/∂z` from `g = ∂L/∂a`, written with the output `a` |
//! |---|---|---|
//! | ReLU | `max(0, z)` | `g` where `a > 0`, else 0 |
//! | tanh | `tanh z` | `g (1 − a²)` |
//! | sigmoid | `1 / (1 + e^{−z})` | `g a (1 − a)` |
//! | softmax | `e^{z_i} / Σ_j e^{z_j}` (per row) | `a_i (g_i − Σ_j g_j a_j)` |
//! | linear | `z` | `g` |
//!
//! Each derivative is written in terms of the output `a`, so a backward pass needs only the
//! values the forward pass kept. [`Activation::apply`] works on tensors (Candle's autograd
//! differentiates it by itself); [`Activation::apply_row`] and [`Activation::backward_row`]
//! work on one row of `f32`s for the fused engine. The tests check that the two agree.

use candle_core::{D, Tensor};
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// What a [`Dense`](crate::model::Dense) layer applies to `x W + b`.
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
    /// Every activation, in declaration order.
    pub const ALL: [Activation; 5] = [
        Activation::Relu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Softmax,
        Activation::Linear,
    ];

    /// Applies the activation to a batch `(n, units)` (softmax along the last dimension).
    ///
    /// # Errors
    /// Only [`Error::Candle`](crate::Error::Candle), for a tensor Candle cannot compute it on
    /// (a softmax needs at least one dimension).
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let z = Tensor::new(&[[-1f32, 0.0, 1.0]], &Device::Cpu)?;
    /// assert_eq!(Activation::Relu.apply(&z)?.to_vec2::<f32>()?, [[0.0, 0.0, 1.0]]);
    /// let p = Activation::Softmax.apply(&z)?.to_vec2::<f32>()?;
    /// assert!((p[0].iter().sum::<f32>() - 1.0).abs() < 1e-6 && p[0][2] > p[0][1]);
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn apply(self, z: &Tensor) -> Result<Tensor> {
        Ok(match self {
            Activation::Relu => z.relu()?,
            Activation::Tanh => z.tanh()?,
            Activation::Sigmoid => candle_nn::ops::sigmoid(z)?,
            // Candle's fused `softmax_last_dim` has no backward pass: gradients would stop
            // there without an error. This one is made of differentiable operations.
            Activation::Softmax => candle_nn::ops::softmax(z, D::Minus1)?,
            Activation::Linear => z.clone(),
        })
    }

    /// Whether each output depends on its own input only (all but softmax). For these,
    /// [`Activation::apply_row`] may be given any part of a row.
    pub fn is_elementwise(self) -> bool {
        match self {
            Activation::Relu | Activation::Tanh | Activation::Sigmoid | Activation::Linear => true,
            Activation::Softmax => false,
        }
    }

    /// `row ← f(row)` for one row of `z` (the slice form of [`Activation::apply`]).
    pub fn apply_row(self, row: &mut [f32]) {
        match self {
            Activation::Relu => row.iter_mut().for_each(|x| *x = x.max(0.0)),
            Activation::Tanh => row.iter_mut().for_each(|x| *x = x.tanh()),
            Activation::Sigmoid => row.iter_mut().for_each(|x| *x = sigmoid(*x)),
            Activation::Softmax => {
                let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                row.iter_mut().for_each(|x| *x = (*x - max).exp());
                let sum: f32 = row.iter().sum();
                row.iter_mut().for_each(|x| *x /= sum);
            }
            Activation::Linear => {}
        }
    }

    /// `grad ← ∂L/∂z` from `grad = ∂L/∂a` and the row's output `a = f(z)` (see the table in
    /// the module's documentation). For an elementwise activation, any part of a row will do.
    pub fn backward_row(self, grad: &mut [f32], out: &[f32]) {
        match self {
            Activation::Relu => grad
                .iter_mut()
                .zip(out)
                .for_each(|(g, &a)| *g = if a > 0.0 { *g } else { 0.0 }),
            Activation::Tanh => grad
                .iter_mut()
                .zip(out)
                .for_each(|(g, &a)| *g *= 1.0 - a * a),
            Activation::Sigmoid => grad
                .iter_mut()
                .zip(out)
                .for_each(|(g, &a)| *g *= a * (1.0 - a)),
            Activation::Softmax => {
                let dot: f32 = grad.iter().zip(out).map(|(g, a)| g * a).sum();
                grad.iter_mut()
                    .zip(out)
                    .for_each(|(g, &a)| *g = a * (*g - dot));
            }
            Activation::Linear => {}
        }
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

/// `1 / (1 + e^{−z})`.
pub(crate) fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

impl std::fmt::Display for Activation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Var};

    /// Its place in [`Activation::ALL`]; a new variant does not compile until it is listed.
    fn position(a: Activation) -> usize {
        match a {
            Activation::Relu => 0,
            Activation::Tanh => 1,
            Activation::Sigmoid => 2,
            Activation::Softmax => 3,
            Activation::Linear => 4,
        }
    }

    /// Rows without a 0, where ReLU has no derivative (Candle takes ½ there, the engine 0).
    fn rows() -> Vec<Vec<f32>> {
        vec![
            vec![-2.0, -0.5, 0.05, 0.25, 1.5, 3.0],
            vec![0.1, -0.2, 0.3, -0.4, 0.5, -0.6],
        ]
    }

    #[test]
    fn all_lists_every_activation_once() {
        for (i, a) in Activation::ALL.iter().enumerate() {
            assert_eq!(position(*a), i);
        }
    }

    #[test]
    fn rows_and_tensors_agree_forward_and_backward() {
        let upstream: Vec<f32> = vec![0.3, -1.0, 0.5, 2.0, -0.7, 0.9];
        for act in Activation::ALL {
            for row in rows() {
                let z = Var::from_slice(&row, (1, row.len()), &Device::Cpu).unwrap();
                let a = act.apply(z.as_tensor()).unwrap();
                let g = Tensor::from_slice(&upstream, (1, row.len()), &Device::Cpu).unwrap();
                let grads = (&a * &g).unwrap().sum_all().unwrap().backward().unwrap();
                let want_a = a.flatten_all().unwrap().to_vec1::<f32>().unwrap();
                let want_dz = grads
                    .get(&z)
                    .unwrap()
                    .flatten_all()
                    .unwrap()
                    .to_vec1::<f32>()
                    .unwrap();
                let mut out = row.clone();
                act.apply_row(&mut out);
                let mut dz = upstream.clone();
                act.backward_row(&mut dz, &out);
                for (x, y) in out.iter().zip(&want_a).chain(dz.iter().zip(&want_dz)) {
                    assert!((x - y).abs() < 1e-5, "{act}: {x} against {y}");
                }
            }
        }
    }

    #[test]
    fn elementwise_activations_work_on_any_part_of_a_row() {
        for act in Activation::ALL.into_iter().filter(|a| a.is_elementwise()) {
            let row = rows().remove(0);
            let mut whole = row.clone();
            act.apply_row(&mut whole);
            let (mut left, mut right) = (row[..2].to_vec(), row[2..].to_vec());
            act.apply_row(&mut left);
            act.apply_row(&mut right);
            left.extend(right);
            assert_eq!(left, whole, "{act}");
        }
    }
}
