#![doc = include_str!("README.md")]

mod kernels;
mod layers;
mod shared;
mod workers;

#[doc(hidden)]
use candle_core::{DType, Tensor, Var};
use rand::rngs::StdRng;

pub(crate) use layers::DenseLayer;

use layers::{Below, Input, LayerBuffers, LayerParams, Update};
use workers::Team;

use crate::data::Split;
use crate::error::{Error, Result};
use crate::math::answers::OwnedTargets;
use crate::math::{Activation, Evaluation, Loss, Score};
use crate::optimizer::Optimizer;
use crate::storage::{CHUNK_ROWS, with_cpu_slice, with_values_mut};

/// A dataset prepared for the engine: its images as one contiguous `f32` matrix (the same
/// tensor when it already is one) and its targets.
pub(crate) struct Prepared {
    images: Tensor,
    features: usize,
    len: usize,
    targets: OwnedTargets,
}

/// The fused engine for one network during one `fit`; see the module's documentation.
pub(crate) struct Engine {
    team: Team,
    layers: Vec<DenseLayer>,
    buffers: Vec<LayerBuffers>,
    loss: Loss,
    /// The last layer's own activation (how its outputs answer).
    output: Activation,
    /// Rows the buffers hold.
    capacity: usize,
    /// The batch's inputs.
    x: Vec<f32>,
}

impl Engine {
    /// An engine for `layers` (at least one; hidden activations elementwise) trained with
    /// `loss` computed from the logits of a last layer whose activation is `output`.
    pub(crate) fn new(
        layers: Vec<DenseLayer>,
        loss: Loss,
        output: Activation,
        threads: usize,
    ) -> Result<Self> {
        let unsupported = layers.is_empty()
            || !loss.from_logits(output)
            || layers.iter().any(|l| !l.activation.is_elementwise());
        if unsupported {
            return Err(Error::InvalidArgument(
                "the fused engine runs stacks of dense layers with elementwise hidden activations \
                 and a loss computed from the logits"
                    .into(),
            ));
        }
        let buffers = layers
            .iter()
            .map(|l| LayerBuffers {
                gw: vec![0.0; l.inputs * l.units],
                gb: vec![0.0; if l.bias { l.units } else { 0 }],
                ..LayerBuffers::default()
            })
            .collect();
        Ok(Self {
            team: Team::new(threads),
            layers,
            buffers,
            loss,
            output,
            capacity: 0,
            x: Vec::new(),
        })
    }

    /// Threads the steps are split across.
    pub(crate) fn threads(&self) -> usize {
        self.team.threads()
    }

    fn classes(&self) -> usize {
        self.layers.last().map_or(0, |l| l.units)
    }

    /// `data` in the engine's form, or `None` when its shapes are not the network's (the
    /// autograd path then reports the mismatch); an error for a label that names no class.
    pub(crate) fn prepare(&self, data: &Split) -> Result<Option<Prepared>> {
        let (features, classes, len) = (self.layers[0].inputs, self.classes(), data.len());
        let dims = data.images().dims();
        if dims.is_empty() || dims[0] != len || dims[1..].iter().product::<usize>() != features {
            return Ok(None);
        }
        let labels = data.labels();
        let targets = match self.loss {
            Loss::SparseCategoricalCrossentropy => {
                if labels.rank() != 1 {
                    return Ok(None);
                }
                let labels = labels.to_dtype(DType::U32)?.to_vec1::<u32>()?;
                if let Some(bad) = labels.iter().find(|&&l| l as usize >= classes) {
                    return Err(Error::InvalidArgument(format!(
                        "label {bad} is out of range: the model has {classes} outputs, so labels must lie in 0..{classes}"
                    )));
                }
                OwnedTargets::Labels(labels)
            }
            Loss::CategoricalCrossentropy | Loss::BinaryCrossentropy => {
                if labels.dims() != [len, classes] {
                    return Ok(None);
                }
                OwnedTargets::from_tensor(labels)?
            }
        };
        let images = data.images().to_dtype(DType::F32)?.contiguous()?;
        Ok(Some(Prepared {
            images,
            features,
            len,
            targets,
        }))
    }

    fn reserve(&mut self, rows: usize) {
        if rows <= self.capacity {
            return;
        }
        self.capacity = rows;
        self.x.resize(rows * self.layers[0].inputs, 0.0);
        for (l, b) in self.layers.iter().zip(&mut self.buffers) {
            b.out.resize(rows * l.units, 0.0);
            b.delta.resize(rows * l.units, 0.0);
            if !l.dropout.is_empty() {
                b.mask.resize(rows * l.inputs, 0.0);
                b.masked.resize(rows * l.inputs, 0.0);
            }
        }
    }

    /// One training step on the examples `ids` of `data`: forward pass with dropout drawn
    /// from `rng`, loss, and (when the loss is finite) the backward pass with the update of
    /// `optimizer`'s variables and state, in place.
    pub(crate) fn step(
        &mut self,
        optimizer: &mut Optimizer,
        rng: &mut StdRng,
        data: &Prepared,
        ids: &[u32],
    ) -> Result<Score> {
        let rows = ids.len();
        self.reserve(rows);
        let (x, d) = (&mut self.x, data.features);
        with_cpu_slice(&data.images, |src: &[f32]| {
            for (r, &i) in ids.iter().enumerate() {
                let i = i as usize;
                x[r * d..(r + 1) * d].copy_from_slice(&src[i * d..(i + 1) * d]);
            }
        })
        .ok_or_else(|| Error::InvalidArgument("the engine needs its images on the CPU".into()))?;
        let rule = *optimizer.rule();
        let (vars, state) = optimizer.tensors();
        // Handles to the optimizer's tensors (they share its storage), in the order
        // `layer_params` reads them: each variable followed by its state.
        let handles: Vec<Tensor> = vars
            .iter()
            .zip(state)
            .flat_map(|(v, s)| std::iter::once(v.as_tensor().clone()).chain(s.iter().cloned()))
            .collect();
        let tensors: Vec<&Tensor> = handles.iter().collect();
        with_values_mut(&tensors, |values| {
            let mut params = layer_params(&self.layers, values, rule.slots())?;
            self.forward(rows, &params, rng);
            let last = self.buffers.last_mut().expect("at least one layer");
            let n = rows * self.layers.last().map_or(0, |l| l.units);
            let score = self.loss.score(
                &last.out[..n],
                n / rows.max(1),
                data.targets.view(),
                ids,
                self.output,
                Some(&mut last.delta[..n]),
            )?;
            if score.loss().is_finite() {
                let (lr, t) = optimizer.next_step();
                self.backward(rows, &mut params, Update { rule, lr, t })?;
            }
            Ok(score)
        })?
    }

    fn forward(&mut self, rows: usize, params: &[LayerParams<'_>], rng: &mut StdRng) {
        for (l, p) in params.iter().enumerate() {
            let (below, rest) = self.buffers.split_at_mut(l);
            let input: &[f32] = match below.last() {
                Some(prev) => &prev.out,
                None => &self.x,
            };
            let layer = &self.layers[l];
            kernels::forward_layer(&mut self.team, rows, layer, &mut rest[0], input, p, rng);
        }
    }

    fn backward(
        &mut self,
        rows: usize,
        params: &mut [LayerParams<'_>],
        update: Update,
    ) -> Result<()> {
        for l in (0..self.layers.len()).rev() {
            let (below, rest) = self.buffers.split_at_mut(l);
            let input = match below.last_mut() {
                Some(prev) => Input::Layer(Below {
                    delta: &mut prev.delta,
                    out: &prev.out,
                    activation: self.layers[l - 1].activation,
                }),
                None => Input::Batch(&self.x),
            };
            let (layer, buffers) = (&self.layers[l], &mut rest[0]);
            kernels::backward_layer(
                &mut self.team,
                rows,
                layer,
                buffers,
                &mut params[l],
                input,
                update,
            )?;
        }
        Ok(())
    }

    /// Loss and accuracy on `data` with the weights `vars` (in inference: no dropout), as
    /// `evaluate` computes them, the rows shared out over the team in chunks.
    pub(crate) fn evaluate(&mut self, vars: &[Var], data: &Prepared) -> Result<Evaluation> {
        if data.len == 0 {
            return Err(Error::InvalidArgument(
                "cannot evaluate on an empty dataset".into(),
            ));
        }
        let tensors: Vec<&Tensor> = vars.iter().map(|v| v.as_tensor()).collect();
        let parts = self.team.threads();
        let totals: Vec<std::sync::Mutex<Result<Score>>> = (0..parts)
            .map(|_| std::sync::Mutex::new(Ok(Score::default())))
            .collect();
        let (layers, team, loss, output) = (&self.layers, &mut self.team, self.loss, self.output);
        with_values_mut(&tensors, |values| -> Result<()> {
            let params = layer_params(layers, values, 0)?;
            let weights: Vec<(&[f32], Option<&[f32]>)> =
                params.iter().map(|p| (&*p.w, p.b.as_deref())).collect();
            let chunks = data.len.div_ceil(CHUNK_ROWS);
            with_cpu_slice(&data.images, |src: &[f32]| {
                team.run(&|p| {
                    let mut outs: Vec<Vec<f32>> = layers
                        .iter()
                        .map(|l| vec![0.0; CHUNK_ROWS * l.units])
                        .collect();
                    let mut mine = Score::default();
                    for c in (p..chunks).step_by(parts) {
                        let (start, classes) =
                            (c * CHUNK_ROWS, layers.last().map_or(0, |l| l.units));
                        let rows = CHUNK_ROWS.min(data.len - start);
                        let input = &src[start * data.features..(start + rows) * data.features];
                        let z = kernels::infer_rows(layers, &weights, &mut outs, input, rows);
                        let ids: Vec<u32> = (start as u32..(start + rows) as u32).collect();
                        match loss.score(z, classes, data.targets.view(), &ids, output, None) {
                            Ok(s) => mine.add(s),
                            Err(e) => {
                                *totals[p].lock().unwrap_or_else(|e| e.into_inner()) = Err(e);
                                return;
                            }
                        }
                    }
                    *totals[p].lock().unwrap_or_else(|e| e.into_inner()) = Ok(mine);
                })
            })
            .ok_or_else(|| Error::InvalidArgument("the engine needs its images on the CPU".into()))
        })??;
        let mut total = Score::default();
        for t in totals {
            total.add(t.into_inner().unwrap_or_else(|e| e.into_inner())?);
        }
        Ok(total.evaluation())
    }
}

/// Each layer's weights and (with `slots` > 0) optimizer state, taken in order from
/// `values`: the kernel, its `slots` state vectors, then the bias and its state. An error
/// unless every size is the one the layers need (the products read exactly that many).
fn layer_params<'a>(
    layers: &[DenseLayer],
    values: &'a mut [&mut [f32]],
    slots: usize,
) -> Result<Vec<LayerParams<'a>>> {
    let mut next = values.iter_mut().map(|v| &mut **v);
    let mut take = |len: usize, what: &str| -> Result<&'a mut [f32]> {
        match next.next() {
            Some(v) if v.len() == len => Ok(v),
            other => Err(Error::Mismatch(format!(
                "the fused engine expected {what} of {len} values and found {}",
                other.map_or("nothing".to_string(), |v| format!("{} values", v.len()))
            ))),
        }
    };
    let mut out = Vec::with_capacity(layers.len());
    for layer in layers {
        let len = layer.inputs * layer.units;
        let w = take(len, "a kernel")?;
        let w_state = (0..slots)
            .map(|_| take(len, "optimizer state"))
            .collect::<Result<_>>()?;
        let (b, b_state) = if layer.bias {
            let b = take(layer.units, "a bias")?;
            let s = (0..slots)
                .map(|_| take(layer.units, "optimizer state"))
                .collect::<Result<_>>()?;
            (Some(b), s)
        } else {
            (None, Vec::new())
        };
        out.push(LayerParams {
            w,
            b,
            w_state,
            b_state,
        });
    }
    Ok(out)
}
