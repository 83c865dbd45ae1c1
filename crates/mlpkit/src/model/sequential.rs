//! [`Sequential`]: an [`Architecture`] with weights, ready to run and to train.

use candle_core::{DType, Device, Module, Tensor, Var};
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::activation::Activation;
use super::layer::{Architecture, LayerSpec, ResolvedLayer};
use super::summary::Summary;
use crate::error::{Error, Result};
use crate::train::{Compiled, History};

/// The trainable tensors of one dense layer.
#[derive(Debug, Clone)]
pub struct DenseParams {
    /// `W`, shape `(inputs, units)` (Keras's layout).
    pub kernel: Var,
    /// `b`, shape `(units,)`.
    pub bias: Option<Var>,
}

/// A feed-forward network: layers applied one after the other.
///
/// ```
/// use mlpkit::prelude::*;
/// let model = Architecture::new(&[28, 28])
///     .add(Flatten)
///     .add(Dense::new(128, Activation::Relu))
///     .add(Dense::new(10, Activation::Softmax))
///     .build(42)?;
/// println!("{}", model.summary());
/// # Ok::<(), mlpkit::Error>(())
/// ```
#[derive(Debug)]
pub struct Sequential {
    arch: Architecture,
    layers: Vec<ResolvedLayer>,
    params: Vec<Option<DenseParams>>,
    device: Device,
    /// Draws dropout masks; seeded, so training runs repeat exactly.
    rng: StdRng,
    pub(crate) compiled: Option<Compiled>,
    /// Every epoch this model has been trained for, across `fit` calls.
    pub(crate) history: History,
}

impl Architecture {
    /// Creates the weights on the default device ([`crate::device::default_device`]).
    pub fn build(&self, seed: u64) -> Result<Sequential> {
        Sequential::new(self, seed, &crate::device::default_device()?)
    }

    /// Creates the weights on `device`.
    pub fn build_on(&self, seed: u64, device: &Device) -> Result<Sequential> {
        Sequential::new(self, seed, device)
    }
}

impl Sequential {
    /// Builds `arch` with weights drawn from its initialisers, seeded by `seed`.
    pub fn new(arch: &Architecture, seed: u64, device: &Device) -> Result<Self> {
        let layers = arch.resolve()?;
        let mut rng = StdRng::seed_from_u64(seed);
        let mut params = Vec::with_capacity(layers.len());
        for layer in &layers {
            params.push(match &layer.spec {
                LayerSpec::Dense(d) => {
                    let fan_in = layer.input_shape[0];
                    let kernel = Var::from_tensor(
                        &d.kernel_init.kernel(fan_in, d.units, &mut rng, device)?,
                    )?;
                    let bias = if d.use_bias {
                        let b = d.bias_init.sample(d.units, fan_in, d.units, &mut rng)?;
                        Some(Var::from_tensor(&Tensor::from_vec(b, d.units, device)?)?)
                    } else {
                        None
                    };
                    Some(DenseParams { kernel, bias })
                }
                _ => None,
            });
        }
        // A separate stream for dropout, so adding dropout does not change the initial weights.
        let rng = StdRng::seed_from_u64(seed ^ 0x9e37_79b9_7f4a_7c15);
        Ok(Self {
            arch: arch.clone(),
            layers,
            params,
            device: device.clone(),
            rng,
            compiled: None,
            history: History::default(),
        })
    }

    /// The generator that draws dropout masks during training.
    pub(crate) fn dropout_rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }

    /// The layers this model was built from.
    pub fn architecture(&self) -> &Architecture {
        &self.arch
    }

    /// Where its weights live.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Layers with their names and shapes.
    pub fn layers(&self) -> &[ResolvedLayer] {
        &self.layers
    }

    /// The history of every epoch trained so far (all `fit` calls together).
    pub fn history(&self) -> &History {
        &self.history
    }

    /// Keras-style table of layers, output shapes and parameter counts.
    pub fn summary(&self) -> Summary {
        Summary::new(&self.layers)
    }

    /// Total number of parameters.
    pub fn param_count(&self) -> usize {
        self.layers.iter().map(|l| l.params).sum()
    }

    /// The weights of the dense layer called `name` (e.g. `"dense_1"`): kernel and bias.
    pub fn dense_params(&self, name: &str) -> Result<&DenseParams> {
        let i = self
            .layers
            .iter()
            .position(|l| l.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = self.layers.iter().map(|l| l.name.as_str()).collect();
                Error::InvalidArgument(format!(
                    "there is no layer called `{name}`; the layers are {names:?}"
                ))
            })?;
        self.params[i]
            .as_ref()
            .ok_or_else(|| Error::InvalidArgument(format!("layer `{name}` has no weights")))
    }

    /// All trainable variables, in layer order (kernel then bias), for an optimizer.
    pub fn vars(&self) -> Vec<Var> {
        self.named_vars().into_iter().map(|(_, v)| v).collect()
    }

    /// Trainable variables with their names, `dense.kernel`, `dense.bias`, `dense_1.kernel`, …
    /// (the names of [`Architecture::weight_shapes`], in its order).
    pub fn named_vars(&self) -> Vec<(String, Var)> {
        let mut out = Vec::new();
        for (layer, p) in self.layers.iter().zip(&self.params) {
            if let Some(p) = p {
                out.push((format!("{}.kernel", layer.name), p.kernel.clone()));
                if let Some(b) = &p.bias {
                    out.push((format!("{}.bias", layer.name), b.clone()));
                }
            }
        }
        out
    }

    /// The activation of the last layer (what the outputs mean).
    pub fn output_activation(&self) -> Activation {
        match self.layers.iter().rev().find_map(|l| match &l.spec {
            LayerSpec::Dense(d) => Some(d.activation),
            _ => None,
        }) {
            Some(a) => a,
            None => Activation::Linear,
        }
    }

    /// Checks and, if needed, reshapes a batch to `(n, input_shape...)`.
    pub fn check_input(&self, x: &Tensor) -> Result<Tensor> {
        let expected = &self.arch.input_shape;
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
    /// a softmax or sigmoid output) together with that activation. `train` turns dropout on.
    ///
    /// Losses use this to compute cross-entropy from logits, which stays finite where
    /// `log(softmax(z))` would underflow.
    pub fn forward_logits(&mut self, x: &Tensor, train: bool) -> Result<(Tensor, Activation)> {
        let x = self.check_input(x)?;
        pass(
            &self.layers,
            &self.params,
            x,
            if train { Some(&mut self.rng) } else { None },
        )
    }

    /// [`Sequential::forward_logits`] in inference mode (no dropout).
    pub fn logits(&self, x: &Tensor) -> Result<(Tensor, Activation)> {
        pass(&self.layers, &self.params, self.check_input(x)?, None)
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

    /// Replaces every trainable variable by a new one holding the same values, and returns
    /// them in the order of [`Sequential::vars`].
    ///
    /// Why: Candle tells tensors apart, when it computes gradients, by an id drawn from a
    /// counter. In a notebook every cell is compiled separately with its own copy of that
    /// counter, so a variable made in one cell can share its id with a tensor made while
    /// training in another, and the gradients get mixed up. Variables renewed in the cell
    /// that trains cannot collide. [`Sequential::fit`] does this itself; call it before a
    /// hand-written training loop in a notebook (and give the optimizer the returned vars).
    pub fn renew_vars(&mut self) -> Result<Vec<Var>> {
        for p in self.params.iter_mut().flatten() {
            p.kernel = Var::from_tensor(&p.kernel.as_tensor().detach())?;
            if let Some(b) = &mut p.bias {
                *b = Var::from_tensor(&b.as_tensor().detach())?;
            }
        }
        Ok(self.vars())
    }

    /// Copies of every weight tensor, to restore later with [`Sequential::set_weights`].
    pub fn weights(&self) -> Result<Vec<(String, Tensor)>> {
        self.named_vars()
            .into_iter()
            .map(|(n, v)| Ok((n, v.as_tensor().copy()?)))
            .collect()
    }

    /// Overwrites the weights with `weights` (same names and shapes, as from
    /// [`Sequential::weights`], in any order). Each tensor goes to the variable of its name;
    /// nothing changes unless every one fits.
    pub fn set_weights(&self, weights: &[(String, Tensor)]) -> Result<()> {
        let vars = self.named_vars();
        check_same_tensors(
            &shapes_of(&vars),
            weights.iter().map(|(n, t)| (n.as_str(), t.dims().to_vec())),
        )?;
        let mut converted = Vec::with_capacity(vars.len());
        for (name, var) in &vars {
            let (_, t) = weights
                .iter()
                .find(|(n, _)| n == name)
                .expect("check_same_tensors found every name");
            converted.push((var, t.to_device(&self.device)?.to_dtype(DType::F32)?));
        }
        for (var, t) in converted {
            var.set(&t)?;
        }
        Ok(())
    }
}

/// The names and shapes of variables, for [`check_same_tensors`].
pub(crate) fn shapes_of(vars: &[(String, Var)]) -> Vec<(String, Vec<usize>)> {
    vars.iter()
        .map(|(n, v)| (n.clone(), v.dims().to_vec()))
        .collect()
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
    crate::train::rules::dropout_mask(rate, rng, &mut mask);
    let mask = Tensor::from_vec(mask, x.dims(), x.device())?;
    Ok(x.mul(&mask)?)
}

/// Checks that `found` has the same tensor names and shapes, in order, as `expected`; the
/// error names the first difference.
pub(crate) fn check_same_tensors<'a>(
    expected: &[(String, Vec<usize>)],
    found: impl IntoIterator<Item = (&'a str, Vec<usize>)>,
) -> Result<()> {
    let found: Vec<(&str, Vec<usize>)> = found.into_iter().collect();
    for (name, dims) in expected {
        match found.iter().find(|(n, _)| *n == name) {
            None => {
                let names: Vec<&str> = found.iter().map(|(n, _)| *n).collect();
                return Err(Error::Mismatch(format!(
                    "these weights do not fit this model: it needs a tensor `{name}` (shape {:?}), which they \
                     lack (they hold {names:?}); they were saved from a different architecture",
                    dims
                )));
            }
            Some((_, shape)) if shape != dims => {
                return Err(Error::Mismatch(format!(
                    "these weights do not fit this model: `{name}` has shape {shape:?} in the weights but {:?} in \
                     the model; they were saved from a different architecture",
                    dims
                )))
            }
            _ => {}
        }
    }
    if found.len() != expected.len() {
        let extra: Vec<&str> = found
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| !expected.iter().any(|(e, _)| e == n))
            .collect();
        return Err(Error::Mismatch(format!(
            "these weights do not fit this model: they hold {} tensors, the model {} (extra: {extra:?}); \
             they were saved from a different architecture",
            found.len(),
            expected.len()
        )));
    }
    Ok(())
}
