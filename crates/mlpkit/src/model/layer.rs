//! Layer specifications and the [`Architecture`] they make: what a network *is*,
//! before it has weights. An architecture is plain data, saved as JSON beside the weights.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::math::{Activation, Init};

/// Reshapes each example to one row: `(n, 28, 28)` → `(n, 784)`. No parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flatten;

/// A fully connected layer: `y = activation(x W + b)` with `W` of shape `(inputs, units)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dense {
    /// Number of outputs.
    pub units: usize,
    /// Applied to `x W + b`.
    pub activation: Activation,
    /// How the weight matrix `W` starts (Glorot uniform by default).
    pub kernel_init: Init,
    /// How the bias `b` starts (zeros by default).
    pub bias_init: Init,
    /// Whether the layer adds a bias.
    pub use_bias: bool,
}

impl Dense {
    /// `units` outputs with `activation`, Glorot-uniform weights and zero biases (Keras's defaults).
    pub fn new(units: usize, activation: Activation) -> Self {
        Self {
            units,
            activation,
            kernel_init: Init::GlorotUniform,
            bias_init: Init::Zeros,
            use_bias: true,
        }
    }

    /// Chooses how the weight matrix starts.
    pub fn kernel_init(mut self, init: Init) -> Self {
        self.kernel_init = init;
        self
    }

    /// Chooses how the bias starts.
    pub fn bias_init(mut self, init: Init) -> Self {
        self.bias_init = init;
        self
    }

    /// Leave out the bias vector.
    pub fn no_bias(mut self) -> Self {
        self.use_bias = false;
        self
    }
}

/// Sets a fraction `rate` of its inputs to zero while training (and scales the rest by
/// `1 / (1 − rate)`, so the expected sum is unchanged); passes inputs through otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Dropout {
    /// Fraction of inputs set to zero while training, in `[0, 1)`.
    pub rate: f64,
}

impl Dropout {
    /// Dropout of `rate` (in `[0, 1)`; checked when the architecture is built).
    pub fn new(rate: f64) -> Self {
        Self { rate }
    }
}

/// Any one layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LayerSpec {
    /// Reshapes each example to one row (no parameters).
    Flatten,
    /// A fully connected layer.
    Dense(Dense),
    /// Dropout (active only in training).
    Dropout(Dropout),
}

impl From<Flatten> for LayerSpec {
    fn from(_: Flatten) -> Self {
        LayerSpec::Flatten
    }
}
impl From<Dense> for LayerSpec {
    fn from(d: Dense) -> Self {
        LayerSpec::Dense(d)
    }
}
impl From<Dropout> for LayerSpec {
    fn from(d: Dropout) -> Self {
        LayerSpec::Dropout(d)
    }
}

impl LayerSpec {
    /// Keras's class name: `Flatten`, `Dense`, `Dropout`.
    pub fn type_name(&self) -> &'static str {
        match self {
            LayerSpec::Flatten => "Flatten",
            LayerSpec::Dense(_) => "Dense",
            LayerSpec::Dropout(_) => "Dropout",
        }
    }

    /// The shape of one example coming out of this layer and its number of parameters, for
    /// examples shaped `shape` coming in; `what` names the layer in errors.
    fn output_of(&self, shape: &[usize], what: &str) -> Result<(Vec<usize>, usize)> {
        let too_large = || {
            Error::InvalidArgument(format!(
                "{what} is too large: its sizes overflow a machine word; the architecture is \
                 damaged or its numbers are mistyped"
            ))
        };
        match self {
            LayerSpec::Flatten => {
                let n = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
                Ok((vec![n.ok_or_else(too_large)?], 0))
            }
            LayerSpec::Dropout(d) => {
                if !(0.0..1.0).contains(&d.rate) {
                    return Err(Error::InvalidArgument(format!(
                        "{what}: dropout rate must be in [0, 1), got {}",
                        d.rate
                    )));
                }
                Ok((shape.to_vec(), 0))
            }
            LayerSpec::Dense(d) => {
                if shape.len() != 1 {
                    return Err(Error::InvalidArgument(format!(
                        "{what} is Dense but receives examples shaped {shape:?}; put a Flatten \
                         layer before it"
                    )));
                }
                if d.units == 0 {
                    return Err(Error::InvalidArgument(format!("{what} has 0 units")));
                }
                let params = shape[0]
                    .checked_mul(d.units)
                    .and_then(|w| w.checked_add(if d.use_bias { d.units } else { 0 }))
                    .ok_or_else(too_large)?;
                Ok((vec![d.units], params))
            }
        }
    }

    /// Keras's base name for automatic layer names (`dense`, `dense_1`, …).
    fn base_name(&self) -> &'static str {
        match self {
            LayerSpec::Flatten => "flatten",
            LayerSpec::Dense(_) => "dense",
            LayerSpec::Dropout(_) => "dropout",
        }
    }
}

/// A sequence of layers applied to inputs of a given shape.
///
/// ```
/// use mlpkit::model::{Activation::*, Architecture, Dense, Flatten};
/// let arch = Architecture::new(&[28, 28])
///     .add(Flatten)
///     .add(Dense::new(300, Relu))
///     .add(Dense::new(100, Relu))
///     .add(Dense::new(10, Softmax));
/// assert_eq!(arch.param_count().unwrap(), 266_610);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Architecture {
    /// Shape of one example, without the batch dimension (`[28, 28]` or `[784]`).
    pub input_shape: Vec<usize>,
    /// The layers, in order.
    pub layers: Vec<LayerSpec>,
}

/// The most parameters a network may have (2^31, 8 GiB of `f32` weights): far beyond any
/// multilayer perceptron worth training here, and low enough that a mistyped or damaged
/// size is reported instead of exhausting memory.
pub const MAX_PARAMS: usize = 1 << 31;

/// One layer with everything derived from its position: its name, output shape and size.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedLayer {
    /// The layer's name, e.g. `dense_1`.
    pub name: String,
    /// What the layer is.
    pub spec: LayerSpec,
    /// Shape of one example coming in.
    pub input_shape: Vec<usize>,
    /// Shape of one example going out.
    pub output_shape: Vec<usize>,
    /// Number of trainable parameters.
    pub params: usize,
}

impl Architecture {
    /// An empty network taking examples of shape `input_shape` (e.g. `&[28, 28]`).
    pub fn new(input_shape: &[usize]) -> Self {
        Self {
            input_shape: input_shape.to_vec(),
            layers: Vec::new(),
        }
    }

    /// Appends a layer (Keras's `model.add`).
    #[allow(clippy::should_implement_trait)]
    pub fn add(mut self, layer: impl Into<LayerSpec>) -> Self {
        self.layers.push(layer.into());
        self
    }

    /// Names, shapes and parameter counts of every layer, checking that they fit together.
    /// A dense layer of `u` units on `i` inputs has `i·u + u` parameters (`i·u` without bias).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`], naming the layer, when:
    /// - the input shape is empty or has a 0 in it;
    /// - a `Dense` layer receives examples that are not rows (`[28, 28]`): put a `Flatten`
    ///   before it;
    /// - a `Dense` layer has 0 units, or a `Dropout` rate is not in `[0, 1)`;
    /// - the network would have more than 2³¹ parameters (8 GiB of weights: a mistyped size).
    ///
    /// ```
    /// use mlpkit::model::{Activation::*, Architecture, Dense, Dropout, Flatten};
    /// let arch = Architecture::new(&[28, 28]).add(Flatten).add(Dense::new(10, Softmax));
    /// let layers = arch.resolve()?;
    /// assert_eq!((layers[1].name.as_str(), layers[1].params), ("dense", 784 * 10 + 10));
    /// let no_flatten = Architecture::new(&[28, 28]).add(Dense::new(10, Softmax));
    /// assert!(no_flatten.resolve().unwrap_err().to_string().contains("Flatten"));
    /// assert!(arch.clone().add(Dropout::new(1.0)).resolve().is_err());
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn resolve(&self) -> Result<Vec<ResolvedLayer>> {
        if self.input_shape.is_empty() || self.input_shape.contains(&0) {
            return Err(Error::InvalidArgument(format!(
                "invalid input shape {:?}",
                self.input_shape
            )));
        }
        let mut counters = std::collections::HashMap::new();
        let mut shape = self.input_shape.clone();
        let mut out = Vec::with_capacity(self.layers.len());
        for (i, spec) in self.layers.iter().enumerate() {
            let count = counters.entry(spec.base_name()).or_insert(0usize);
            let name = if *count == 0 {
                spec.base_name().to_string()
            } else {
                format!("{}_{}", spec.base_name(), count)
            };
            *count += 1;
            let (output_shape, params) =
                spec.output_of(&shape, &format!("layer {} ({name})", i + 1))?;
            out.push(ResolvedLayer {
                name,
                spec: spec.clone(),
                input_shape: shape,
                output_shape: output_shape.clone(),
                params,
            });
            shape = output_shape;
        }
        let total = out
            .iter()
            .try_fold(0usize, |a, l| a.checked_add(l.params))
            .unwrap_or(usize::MAX);
        if total > MAX_PARAMS {
            return Err(Error::InvalidArgument(format!(
                "the network would have {total} parameters ({:.1} GiB of weights); this library \
                 stops at {MAX_PARAMS} (8 GiB). Check the layer sizes",
                total as f64 * 4.0 / (1u64 << 30) as f64
            )));
        }
        Ok(out)
    }

    /// The name and shape of every weight tensor, in the order of [`crate::model::Sequential::vars`]:
    /// `dense.kernel` `(inputs, units)`, `dense.bias` `(units,)`, `dense_1.kernel`, …
    ///
    /// # Errors
    /// Those of [`Architecture::resolve`].
    ///
    /// ```
    /// use mlpkit::model::{Activation::*, Architecture, Dense};
    /// let arch = Architecture::new(&[4])
    ///     .add(Dense::new(3, Relu))
    ///     .add(Dense::new(2, Softmax).no_bias());
    /// let names: Vec<String> = arch.weight_shapes()?.into_iter().map(|(n, _)| n).collect();
    /// assert_eq!(names, ["dense.kernel", "dense.bias", "dense_1.kernel"]);
    /// assert_eq!(arch.weight_shapes()?[2].1, [3, 2]);
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn weight_shapes(&self) -> Result<Vec<(String, Vec<usize>)>> {
        let mut out = Vec::new();
        for layer in self.resolve()? {
            if let LayerSpec::Dense(d) = &layer.spec {
                out.push((
                    format!("{}.kernel", layer.name),
                    vec![layer.input_shape[0], d.units],
                ));
                if d.use_bias {
                    out.push((format!("{}.bias", layer.name), vec![d.units]));
                }
            }
        }
        Ok(out)
    }

    /// Total number of trainable parameters (Keras's `model.count_params()`).
    ///
    /// # Errors
    /// Those of [`Architecture::resolve`]: layers that do not fit together. Example:
    /// [`Architecture`].
    pub fn param_count(&self) -> Result<usize> {
        Ok(self.resolve()?.iter().map(|l| l.params).sum())
    }

    /// Shape of one output example (the input shape when there is no layer).
    ///
    /// # Errors
    /// Those of [`Architecture::resolve`].
    pub fn output_shape(&self) -> Result<Vec<usize>> {
        Ok(self
            .resolve()?
            .last()
            .map(|l| l.output_shape.clone())
            .unwrap_or_else(|| self.input_shape.clone()))
    }
}
