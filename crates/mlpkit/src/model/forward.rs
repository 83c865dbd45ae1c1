//! The forward pass of a [`Sequential`] network: inputs checked and shaped, then each
//! layer in turn; and predictions, batch by batch.

use candle_core::{D, DType, Module, Tensor};
use rand::rngs::StdRng;

use super::layer::{LayerSpec, ResolvedLayer};
use super::sequential::{DenseParams, Sequential};
use crate::error::{Error, Result};
use crate::math::Activation;
use crate::math::dropout::dropout_mask;
use crate::storage::CHUNK_ROWS;

impl Sequential {
    /// Checks and, if needed, reshapes a batch to `(n, input_shape...)`.
    pub fn check_input(&self, x: &Tensor) -> Result<Tensor> {
        let expected = &self.architecture().input_shape;
        if x.rank() == 0 {
            return Err(Error::shape(
                "model input",
                format!("a batch (n, {expected:?})"),
                x.dims(),
            ));
        }
        if !x.dtype().is_float() {
            return Err(Error::InvalidArgument(format!(
                "the model needs floating-point inputs, got {:?} pixels; convert them first, e.g. with \
                 `scale(&images, PixelRange::ZeroOne)`",
                x.dtype()
            )));
        }
        let x = if x.dtype() == DType::F32 {
            x.clone()
        } else {
            x.to_dtype(DType::F32)?
        };
        let (n, example) = (x.dims()[0], &x.dims()[1..]);
        if example == expected.as_slice() {
            return Ok(x);
        }
        if example.iter().product::<usize>() == expected.iter().product::<usize>() {
            let mut shape = vec![n];
            shape.extend_from_slice(expected);
            return Ok(x.reshape(shape)?);
        }
        Err(Error::shape(
            "model input",
            format!(
                "examples shaped {expected:?} (a batch of shape (n, {}))",
                expected
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            x.dims(),
        ))
    }

    /// Runs the network and returns the last layer's input to its activation (the logits, for
    /// a softmax or sigmoid output) together with that activation. `train` turns dropout on,
    /// with masks from the model's own seeded generator.
    ///
    /// Losses use this to compute cross-entropy from logits, which stays finite where
    /// `log(softmax(z))` would underflow.
    pub fn forward_logits(&mut self, x: &Tensor, train: bool) -> Result<(Tensor, Activation)> {
        let x = self.check_input(x)?;
        let (layers, params, rng) = self.parts_for_pass();
        pass(layers, params, x, if train { Some(rng) } else { None })
    }

    /// [`Sequential::forward_logits`] in inference mode (no dropout).
    pub fn logits(&self, x: &Tensor) -> Result<(Tensor, Activation)> {
        pass(self.layers(), self.params(), self.check_input(x)?, None)
    }

    /// Outputs in training mode (dropout active), as the layers define them.
    pub fn forward_train(&mut self, x: &Tensor) -> Result<Tensor> {
        let (z, act) = self.forward_logits(x, true)?;
        act.apply(&z)
    }

    /// Outputs in inference mode (no dropout): class probabilities for a softmax output.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (z, act) = self.logits(x)?;
        act.apply(&z)
    }

    /// Outputs for every example of `x` (class probabilities for a softmax model), in batches.
    pub fn predict(&self, x: &Tensor) -> Result<Tensor> {
        let n = x.dims().first().copied().unwrap_or(0);
        if n == 0 {
            return Err(Error::InvalidArgument(
                "cannot predict on an empty batch".into(),
            ));
        }
        let mut outs = Vec::with_capacity(n.div_ceil(CHUNK_ROWS));
        for start in (0..n).step_by(CHUNK_ROWS) {
            outs.push(self.forward(&x.narrow(0, start, CHUNK_ROWS.min(n - start))?)?);
        }
        Ok(Tensor::cat(&outs, 0)?)
    }

    /// The most likely class of every example of `x`.
    pub fn predict_classes(&self, x: &Tensor) -> Result<Vec<u32>> {
        Ok(self.predict(x)?.argmax(D::Minus1)?.to_vec1::<u32>()?)
    }
}

impl Module for Sequential {
    fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
        Sequential::forward(self, xs).map_err(|e| match e {
            Error::Candle(c) => c,
            other => candle_core::Error::Msg(other.to_string()),
        })
    }
}

/// Applies the layers in order. The last dense layer's activation is left for the caller
/// (and returned), unless other layers follow it. Dropout is active when `rng` is given.
fn pass(
    layers: &[ResolvedLayer],
    params: &[Option<DenseParams>],
    mut h: Tensor,
    mut rng: Option<&mut StdRng>,
) -> Result<(Tensor, Activation)> {
    let last_dense = layers
        .iter()
        .rposition(|l| matches!(l.spec, LayerSpec::Dense(_)));
    let mut pending = Activation::Linear;
    for (i, (layer, p)) in layers.iter().zip(params).enumerate() {
        if pending != Activation::Linear {
            h = pending.apply(&h)?;
            pending = Activation::Linear;
        }
        h = match (&layer.spec, p) {
            (LayerSpec::Flatten, _) => h.flatten_from(1)?,
            (LayerSpec::Dropout(d), _) => match rng.as_deref_mut() {
                Some(rng) if d.rate > 0.0 => dropout(&h, d.rate, rng)?,
                _ => h,
            },
            (LayerSpec::Dense(d), Some(p)) => {
                let z = dense_linear(&h, p)?;
                if Some(i) == last_dense {
                    pending = d.activation;
                    z
                } else {
                    d.activation.apply(&z)?
                }
            }
            (LayerSpec::Dense(_), None) => unreachable!("dense layers always have parameters"),
        };
    }
    Ok((h, pending))
}

/// `x W + b`.
fn dense_linear(x: &Tensor, p: &DenseParams) -> Result<Tensor> {
    let z = x.matmul(p.kernel.as_tensor())?;
    Ok(match &p.bias {
        Some(b) => z.broadcast_add(b.as_tensor())?,
        None => z,
    })
}

/// Inverted dropout with a mask drawn from `rng` (the fused path draws the same one).
fn dropout(x: &Tensor, rate: f64, rng: &mut StdRng) -> Result<Tensor> {
    let mut mask = vec![1f32; x.elem_count()];
    dropout_mask(rate, rng, &mut mask);
    let mask = Tensor::from_vec(mask, x.dims(), x.device())?;
    Ok(x.mul(&mask)?)
}
