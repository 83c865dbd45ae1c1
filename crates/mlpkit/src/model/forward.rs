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
    /// Checks and, if needed, reshapes a batch to `(n, input_shape...)`, as `f32`. Examples
    /// with the right number of values are reshaped (`(n, 784)` for a `[28, 28]` model).
    ///
    /// # Errors
    /// - [`Error::Shape`] when `x` is a single number, or its examples do not hold as many
    ///   values as the model's input shape;
    /// - [`Error::InvalidArgument`] when `x` holds integers (raw `u8` pixels): convert them
    ///   first, e.g. with [`scale`](crate::data::scale).
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let model = Architecture::new(&[28, 28])
    ///     .add(Flatten)
    ///     .add(Dense::new(10, Activation::Softmax))
    ///     .build(0)?;
    /// let rows = Tensor::zeros((2, 784), DType::F32, &Device::Cpu)?;
    /// assert_eq!(model.check_input(&rows)?.dims(), &[2, 28, 28]);
    /// let raw = Tensor::zeros((2, 28, 28), DType::U8, &Device::Cpu)?;
    /// assert!(model.check_input(&raw).unwrap_err().to_string().contains("scale"));
    /// assert!(model.check_input(&Tensor::zeros((2, 100), DType::F32, &Device::Cpu)?).is_err());
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
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
    ///
    /// # Errors
    /// Those of [`Sequential::check_input`]: inputs that are not floating-point, or not shaped
    /// for the model.
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let mut model = Architecture::new(&[3]).add(Dense::new(2, Activation::Softmax)).build(0)?;
    /// let x = Tensor::new(&[[1f32, 0.0, -1.0]], &Device::Cpu)?;
    /// let (z, act) = model.forward_logits(&x, false)?;
    /// assert_eq!(act, Activation::Softmax);                // left for the loss to apply
    /// let p = model.forward(&x)?;                          // softmax(z)
    /// let by_hand = act.apply(&z)?;
    /// assert_eq!(p.to_vec2::<f32>()?, by_hand.to_vec2::<f32>()?);
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn forward_logits(&mut self, x: &Tensor, train: bool) -> Result<(Tensor, Activation)> {
        let x = self.check_input(x)?;
        let (layers, params, rng) = self.parts_for_pass();
        pass(layers, params, x, if train { Some(rng) } else { None })
    }

    /// [`Sequential::forward_logits`] in inference mode (no dropout).
    ///
    /// # Errors
    /// Those of [`Sequential::check_input`].
    pub fn logits(&self, x: &Tensor) -> Result<(Tensor, Activation)> {
        pass(self.layers(), self.params(), self.check_input(x)?, None)
    }

    /// Outputs in training mode (dropout active), as the layers define them.
    ///
    /// # Errors
    /// Those of [`Sequential::check_input`].
    pub fn forward_train(&mut self, x: &Tensor) -> Result<Tensor> {
        let (z, act) = self.forward_logits(x, true)?;
        act.apply(&z)
    }

    /// Outputs in inference mode (no dropout): class probabilities for a softmax output.
    /// One batch in one pass; for a whole dataset use [`Sequential::predict`].
    ///
    /// # Errors
    /// Those of [`Sequential::check_input`].
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (z, act) = self.logits(x)?;
        act.apply(&z)
    }

    /// Outputs for every example of `x` (class probabilities for a softmax model), in batches.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `x` holds no example (or is a single number), and
    /// those of [`Sequential::check_input`]: integer pixels not yet scaled, examples not
    /// shaped for the model.
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let model = Architecture::new(&[4]).add(Dense::new(3, Activation::Softmax)).build(0)?;
    /// let x = Tensor::new(&[[0f32, 1.0, 2.0, 3.0], [1.0, 0.0, 0.0, 0.0]], &Device::Cpu)?;
    /// let p = model.predict(&x)?;
    /// assert_eq!(p.dims(), &[2, 3]);
    /// for row in p.to_vec2::<f32>()? {
    ///     assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6); // probabilities
    /// }
    /// assert!(model.predict(&Tensor::zeros((0, 4), DType::F32, &Device::Cpu)?).is_err());
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
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

    /// The most likely class of every example of `x` (the largest output; the first of
    /// equal ones).
    ///
    /// # Errors
    /// Those of [`Sequential::predict`].
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// // A 2-output layer that copies its input: the larger input wins.
    /// let model = Architecture::new(&[2]).add(Dense::new(2, Activation::Softmax)).build(0)?;
    /// let eye = Tensor::new(&[[1f32, 0.0], [0.0, 1.0]], &Device::Cpu)?;
    /// let zero = Tensor::zeros(2, DType::F32, &Device::Cpu)?;
    /// model.set_weights(&[("dense.kernel".into(), eye), ("dense.bias".into(), zero)])?;
    /// let x = Tensor::new(&[[0.2f32, 0.9], [3.0, -1.0]], &Device::Cpu)?;
    /// assert_eq!(model.predict_classes(&x)?, [1, 0]);
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
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
