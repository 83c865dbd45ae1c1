//! The fused CPU engine ([`crate::engine`]) behind the [`Step`] interface: which models it
//! covers, and its steps on the model's own weights and optimizer.

use candle_core::Device;

use super::step::Step;
use crate::data::Split;
use crate::engine::{DenseLayer, Engine, Prepared};
use crate::error::Result;
use crate::math::{Activation, Evaluation, Score};
use crate::model::{LayerSpec, Sequential};

/// Steps on the fused engine, with the training (and validation) data prepared for it.
pub(crate) struct FusedStep {
    engine: Engine,
    train: Prepared,
    validation: Option<Prepared>,
}

impl FusedStep {
    /// The engine for `model` and this data, or `None` when it does not cover them (then
    /// `fit` uses Candle's autograd, which covers everything).
    pub(crate) fn for_model(
        model: &Sequential,
        train: &Split,
        validation: Option<&Split>,
        threads: usize,
    ) -> Result<Option<Self>> {
        let (loss, output) = (model.loss()?, model.output_activation());
        if !matches!(model.device(), Device::Cpu) || !loss.from_logits(output) {
            return Ok(None);
        }
        let Some(layers) = dense_layers(model) else {
            return Ok(None);
        };
        let engine = Engine::new(layers, loss, output, threads)?;
        let Some(train) = engine.prepare(train)? else {
            return Ok(None);
        };
        let validation = match validation.map(|v| engine.prepare(v)).transpose()? {
            Some(None) => return Ok(None),
            prepared => prepared.flatten(),
        };
        Ok(Some(Self {
            engine,
            train,
            validation,
        }))
    }
}

/// The model as the engine runs it: its dense layers with the dropout in front of each, or
/// `None` unless it is a stack of Flatten / Dense / Dropout layers ending in a dense layer,
/// with elementwise hidden activations (not softmax).
fn dense_layers(model: &Sequential) -> Option<Vec<DenseLayer>> {
    let specs = model.layers();
    if !matches!(specs.last().map(|l| &l.spec), Some(LayerSpec::Dense(_))) {
        return None;
    }
    let mut layers = Vec::new();
    let mut dropout = Vec::new();
    for (i, layer) in specs.iter().enumerate() {
        match &layer.spec {
            LayerSpec::Flatten => {}
            LayerSpec::Dropout(d) if d.rate > 0.0 => dropout.push(d.rate),
            LayerSpec::Dropout(_) => {}
            LayerSpec::Dense(d) => {
                let last = i + 1 == specs.len();
                if !last && !d.activation.is_elementwise() {
                    return None;
                }
                layers.push(DenseLayer {
                    inputs: layer.input_shape.iter().product(),
                    units: d.units,
                    activation: if last {
                        Activation::Linear
                    } else {
                        d.activation
                    },
                    dropout: std::mem::take(&mut dropout),
                    bias: d.use_bias,
                });
            }
        }
    }
    Some(layers)
}

impl Step for FusedStep {
    fn step(&mut self, model: &mut Sequential, ids: &[u32]) -> Result<Score> {
        let (compiled, rng) = model.training_parts()?;
        self.engine
            .step(&mut compiled.optimizer, rng, &self.train, ids)
    }

    fn validate(&mut self, model: &Sequential) -> Result<Option<Evaluation>> {
        match &self.validation {
            Some(v) => Ok(Some(self.engine.evaluate(&model.vars(), v)?)),
            None => Ok(None),
        }
    }

    fn threads(&self) -> Option<usize> {
        Some(self.engine.threads())
    }

    fn fused(&self) -> bool {
        true
    }
}
