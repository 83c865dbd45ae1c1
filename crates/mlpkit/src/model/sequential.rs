//! [`Sequential`]: an [`Architecture`] with weights, and what `compile` chose to train it
//! with. Its forward pass is in `forward.rs`, saving and loading in `io.rs`; training it is
//! [`crate::train`]'s work.

use candle_core::{DType, Device, Tensor, Var};
use rand::rngs::StdRng;

use super::layer::{Architecture, LayerSpec, ResolvedLayer};
use super::summary::Summary;
use crate::error::{Error, Result};
use crate::history::History;
use crate::math::{Activation, Loss, Rule};
use crate::optimizer::Optimizer;

/// The trainable tensors of one dense layer.
#[derive(Debug, Clone)]
pub struct DenseParams {
    /// `W`, shape `(inputs, units)` (Keras's layout).
    pub kernel: Var,
    /// `b`, shape `(units,)`.
    pub bias: Option<Var>,
}

/// A model's optimizer (with its state) and loss, chosen by [`Sequential::compile`].
#[derive(Debug)]
pub struct Compiled {
    /// The optimizer, with its state.
    pub optimizer: Optimizer,
    /// The loss minimised.
    pub loss: Loss,
}

/// A feed-forward network: layers applied one after the other.
///
/// Training it (`fit`, `evaluate`, `train_step`) comes with the [`Train`](crate::train::Train)
/// trait, in the prelude; `compile` is here because it only records the optimizer and loss.
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
    compiled: Option<Compiled>,
    /// Every epoch this model has been trained for, across `fit` calls.
    history: History,
    /// Which copy of the library made the variables ([`crate::cells::this_copy`]).
    vars_made_in: usize,
}

impl Architecture {
    /// Creates the weights on the default device ([`crate::device::default_device`]), drawn
    /// from each layer's initialiser with a generator seeded by `seed`: the same seed gives
    /// the same weights.
    ///
    /// # Errors
    /// Those of [`Architecture::resolve`] ([`Error::InvalidArgument`]: layers that do not
    /// fit together, such as a `Dense` layer on `[28, 28]` examples without a `Flatten`);
    /// [`Error::Candle`] if the device cannot hold the weights.
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let arch = Architecture::new(&[4]).add(Dense::new(3, Activation::Relu));
    /// let (a, b) = (arch.build(7)?, arch.build(7)?);
    /// assert_eq!(a.weights()?[0].1.to_vec2::<f32>()?, b.weights()?[0].1.to_vec2::<f32>()?);
    /// assert_eq!(a.param_count(), 4 * 3 + 3);
    /// let images = Architecture::new(&[28, 28]).add(Dense::new(10, Activation::Softmax));
    /// assert!(images.build(7).is_err());                   // no Flatten before Dense
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn build(&self, seed: u64) -> Result<Sequential> {
        Sequential::new(self, seed, &crate::device::default_device()?)
    }

    /// Creates the weights on `device`.
    ///
    /// # Errors
    /// As [`Architecture::build`].
    pub fn build_on(&self, seed: u64, device: &Device) -> Result<Sequential> {
        Sequential::new(self, seed, device)
    }
}

impl Sequential {
    /// Builds `arch` with weights drawn from its initialisers, seeded by `seed`.
    ///
    /// # Errors
    /// As [`Architecture::build`].
    pub fn new(arch: &Architecture, seed: u64, device: &Device) -> Result<Self> {
        let layers = arch.resolve()?;
        let mut rng = crate::random::stream(seed);
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
        let rng = crate::random::stream(seed ^ 0x9e37_79b9_7f4a_7c15);
        Ok(Self {
            arch: arch.clone(),
            layers,
            params,
            device: device.clone(),
            rng,
            compiled: None,
            history: History::default(),
            vars_made_in: crate::cells::this_copy(),
        })
    }

    /// Each layer's weights (`None` for layers without any), in layer order.
    pub(crate) fn params(&self) -> &[Option<DenseParams>] {
        &self.params
    }

    /// The layers, their weights and the dropout generator, for a forward pass in training.
    pub(crate) fn parts_for_pass(
        &mut self,
    ) -> (&[ResolvedLayer], &[Option<DenseParams>], &mut StdRng) {
        (&self.layers, &self.params, &mut self.rng)
    }

    /// Chooses the optimizer and the loss (Keras's `compile`). Compiling again starts the
    /// optimizer afresh (its momentum or moments at zero); the weights are kept.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when a setting of the optimizer is out of range (a negative
    /// or infinite learning rate, a momentum or β not in `[0, 1)`: [`Rule::validate`]). The
    /// loss is checked against the labels later, by `fit` and `evaluate`.
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let mut model = Architecture::new(&[2]).add(Dense::new(2, Activation::Softmax)).build(0)?;
    /// assert!(model.loss().is_err());                      // not compiled yet
    /// model.compile(Sgd::new(0.1).momentum(0.9), Loss::SparseCategoricalCrossentropy)?;
    /// assert_eq!(model.loss()?, Loss::SparseCategoricalCrossentropy);
    /// let too_much = Sgd::new(0.1).momentum(1.0);            // momentum must be below 1
    /// assert!(model.compile(too_much, Loss::SparseCategoricalCrossentropy).is_err());
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn compile(&mut self, optimizer: impl Into<Rule>, loss: Loss) -> Result<()> {
        // Variables renewed here belong to this cell's copy of the libraries, whichever cell
        // built the model (see `crate::copies`).
        let vars = self.renew_vars()?;
        let optimizer = Optimizer::new(vars, optimizer)?;
        self.compiled = Some(Compiled { optimizer, loss });
        Ok(())
    }

    /// The optimizer and loss chosen by [`Sequential::compile`], or an error that says to
    /// call it.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when [`Sequential::compile`] has not been called.
    pub fn compiled(&self) -> Result<&Compiled> {
        self.compiled.as_ref().ok_or_else(not_compiled)
    }

    /// The loss chosen in `compile`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when [`Sequential::compile`] has not been called. Example:
    /// [`Sequential::compile`].
    pub fn loss(&self) -> Result<Loss> {
        Ok(self.compiled()?.loss)
    }

    /// The optimizer and the dropout generator, both changed by a training step.
    pub(crate) fn training_parts(&mut self) -> Result<(&mut Compiled, &mut StdRng)> {
        let compiled = self.compiled.as_mut().ok_or_else(not_compiled)?;
        Ok((compiled, &mut self.rng))
    }

    /// Whether this copy of the library made the model's variables (it did not when they were
    /// made in another notebook cell; see `cells.rs`).
    pub fn vars_made_here(&self) -> bool {
        self.vars_made_in == crate::cells::this_copy()
    }

    /// The history, for training to add epochs to.
    pub(crate) fn history_mut(&mut self) -> &mut History {
        &mut self.history
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
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when no layer has that name (the message lists the names,
    /// as [`Sequential::summary`] shows them) or the layer has no weights (`flatten`,
    /// `dropout`).
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let model = Architecture::new(&[28, 28])
    ///     .add(Flatten)
    ///     .add(Dense::new(10, Activation::Softmax))
    ///     .build(0)?;
    /// let dense = model.dense_params("dense")?;
    /// assert_eq!(dense.kernel.dims(), &[784, 10]);        // W: (inputs, units)
    /// assert!(model.dense_params("flatten").is_err());     // no weights
    /// assert!(model.dense_params("dense_1").is_err());     // no such layer
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
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

    /// Replaces every trainable variable by a new one holding the same values, and returns
    /// them in the order of [`Sequential::vars`].
    ///
    /// Why: Candle tells tensors apart, when it computes gradients, by an id drawn from a
    /// counter. Where a program holds several copies of Candle (a notebook kernel that links
    /// each cell with its own copy of the libraries), a variable made by one copy can share
    /// its id with a tensor made by another, and the gradients get mixed up. Variables
    /// renewed by the copy that trains cannot collide. `fit` does this itself.
    ///
    /// # Errors
    /// [`Error::Candle`] only, if a weight cannot be copied (out of memory on a GPU).
    pub fn renew_vars(&mut self) -> Result<Vec<Var>> {
        self.vars_made_in = crate::cells::this_copy();
        for p in self.params.iter_mut().flatten() {
            p.kernel = Var::from_tensor(&p.kernel.as_tensor().detach())?;
            if let Some(b) = &mut p.bias {
                *b = Var::from_tensor(&b.as_tensor().detach())?;
            }
        }
        Ok(self.vars())
    }

    /// Copies of every weight tensor, to restore later with [`Sequential::set_weights`].
    ///
    /// # Errors
    /// [`Error::Candle`] only, if a weight cannot be copied (out of memory).
    pub fn weights(&self) -> Result<Vec<(String, Tensor)>> {
        self.named_vars()
            .into_iter()
            .map(|(n, v)| Ok((n, v.as_tensor().copy()?)))
            .collect()
    }

    /// Overwrites the weights with `weights` (same names and shapes, as from
    /// [`Sequential::weights`], in any order). Each tensor goes to the variable of its name;
    /// nothing changes unless every one fits.
    ///
    /// # Errors
    /// [`Error::Mismatch`] when a name is missing, a shape differs, or there are extra
    /// tensors: weights of another architecture. Nothing is changed then.
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let arch = Architecture::new(&[3]).add(Dense::new(2, Activation::Linear));
    /// let (a, b) = (arch.build(1)?, arch.build(2)?);
    /// let x = Tensor::new(&[[1f32, 2.0, 3.0]], &Device::Cpu)?;
    /// b.set_weights(&a.weights()?)?;                        // b is now a copy of a
    /// assert_eq!(a.forward(&x)?.to_vec2::<f32>()?, b.forward(&x)?.to_vec2::<f32>()?);
    /// let other = Architecture::new(&[3]).add(Dense::new(5, Activation::Linear)).build(0)?;
    /// assert!(b.set_weights(&other.weights()?).is_err());  // (3, 5), not (3, 2)
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
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

fn not_compiled() -> Error {
    Error::InvalidArgument(
        "the model has no optimizer and loss yet: call `model.compile(optimizer, loss)` first"
            .into(),
    )
}

/// The names and shapes of variables, for [`check_same_tensors`].
pub(crate) fn shapes_of(vars: &[(String, Var)]) -> Vec<(String, Vec<usize>)> {
    vars.iter()
        .map(|(n, v)| (n.clone(), v.dims().to_vec()))
        .collect()
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
                )));
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
