//! The fused CPU training path: one training step of a dense network, written out by hand.
//!
//! [`Sequential::train_step`](crate::model::Sequential::train_step) runs a step through
//! Candle's autograd: every operation allocates a tensor and records itself for the
//! backward pass. At the tutorials' batch sizes (32–100 rows) that bookkeeping, and matrix
//! products too small to share between threads, cost more than the arithmetic. `fit` runs
//! the same step here instead, on the CPU, whenever the network is a stack of
//! Flatten / Dense / Dropout layers. For a dense layer with input `h` (batch × in),
//! weights `W` (in × out), bias `b` and activation `f`:
//!
//! - forward: `z = h W + b`, `a = f(z)`, in place, in one pass over each output block;
//! - output: softmax cross-entropy `δ = (softmax(z) · Σy − y) / B`, or binary cross-entropy
//!   from logits `δ = (σ(z) − t) / (B · outputs)`;
//! - backward: `∂L/∂W = hᵀ δ`, `∂L/∂b = Σ_rows δ`, and for the layer below
//!   `δ_prev = (δ Wᵀ) ⊙ mask ⊙ f'_prev(a_prev)`, where `f'` is read from the activation's
//!   output (`1 − a²` for tanh, `a(1 − a)` for sigmoid, `[a > 0]` for ReLU);
//! - the optimizer update of each block of `W` right after its gradient, while it is in cache.
//!
//! Every product calls the `gemm` kernel (the one Candle's CPU matmul uses) directly on
//! buffers allocated once, and is split across a team of threads ([`super::team`]): the forward pass by
//! blocks of output units, the backward pass by blocks of input rows of `W` (each thread
//! computes `δ Wᵀ` for its rows, then their gradient, then updates them, so no thread waits
//! on another within a layer). The update rules, the learning-rate decay and the dropout masks
//! are the very functions the autograd path calls ([`super::rules`]), and the batch order and
//! masks come from the same seeded generators; only the order of floating-point sums in the
//! matrix products differs, so the two paths agree to rounding (the tests check it).

use candle_core::{DType, Device, Tensor};
use rand::rngs::StdRng;

use super::fit::{Evaluation, StepResult};
use super::loss::Loss;
use super::optim::{Optim, Rule};
use super::rules::{decayed_learning_rate, dropout_mask, Update};
use super::team::{part_range, Pool, Workers};
use crate::data::{with_cpu_slice, Split};
use crate::error::{Error, Result};
use crate::model::{Activation, LayerSpec, Sequential};

/// Column blocks start on multiples of this many floats (two AVX registers).
const ALIGN: usize = 16;
/// Rows per piece of work when evaluating.
const EVAL_ROWS: usize = 256;

/// How the last layer's logits meet the targets.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Objective {
    /// Softmax cross-entropy with integer labels.
    SparseSoftmax,
    /// Softmax cross-entropy with target rows (one-hot or soft).
    Softmax,
    /// Sigmoid binary cross-entropy per output.
    Sigmoid,
}

/// The targets of a dataset, in the form the loss reads.
pub(crate) enum Targets {
    Labels(Vec<u32>),
    Rows(Vec<f32>),
}

/// A dataset prepared for the fused path: the images as one contiguous f32 matrix
/// (borrowed from the tensor when it already is one) and the targets.
pub(crate) struct FusedData {
    images: Tensor,
    features: usize,
    len: usize,
    targets: Targets,
}

impl FusedData {
    /// `f(images)`, the images as one row-major `f32` slice.
    fn with_images<R>(&self, f: impl FnOnce(&[f32]) -> R) -> Result<R> {
        with_cpu_slice(&self.images, f).ok_or_else(|| {
            Error::InvalidArgument("the fused path needs contiguous f32 images on the CPU".into())
        })
    }
}

/// One dense layer: its weights, its optimizer state and its buffers for one batch.
struct Layer {
    inputs: usize,
    units: usize,
    /// Applied in the forward pass (the last layer's is applied by the loss instead).
    activation: Activation,
    /// Rates of the dropout layers in front of this one, in order.
    dropout: Vec<f64>,
    w: Vec<f32>,
    b: Option<Vec<f32>>,
    gw: Vec<f32>,
    gb: Vec<f32>,
    slots_w: Vec<Vec<f32>>,
    slots_b: Vec<Vec<f32>>,
    /// Combined dropout mask on the input, and the masked input (when there is dropout).
    mask: Vec<f32>,
    masked: Vec<f32>,
    /// `f(z)` of this layer (the logits `z` for the last one).
    out: Vec<f32>,
    /// `∂L/∂z` of this layer.
    delta: Vec<f32>,
}

/// Panics unless elements `start..start + len` lie inside a buffer of `total`: the one bounds
/// check in front of every slice `ReadOnly` and `Blocks` hand out.
fn check_range(start: usize, len: usize, total: usize) {
    assert!(
        start.checked_add(len).is_some_and(|end| end <= total),
        "elements {start}..+{len} of a buffer of {total}"
    );
}

/// A buffer that the team's threads only read, all at once: it hands out `&[f32]` and
/// nothing else. It holds a raw pointer only so that it can cross into the helper threads.
#[derive(Clone, Copy)]
struct ReadOnly {
    ptr: *const f32,
    len: usize,
}

// SAFETY: a `ReadOnly` is made from a shared borrow that outlives the `Team::run` call it is
// used in, and only ever reads through it; reading `f32`s from several threads is sound as
// long as no one writes them meanwhile, which the functions that make one promise.
unsafe impl Send for ReadOnly {}
// SAFETY: as for `Send`: every use is a read.
unsafe impl Sync for ReadOnly {}

impl ReadOnly {
    fn of(v: &[f32]) -> Self {
        Self {
            ptr: v.as_ptr(),
            len: v.len(),
        }
    }

    /// The address of element `i` (at most one past the end).
    fn at(self, i: usize) -> *const f32 {
        assert!(i <= self.len, "element {i} of a buffer of {}", self.len);
        self.ptr.wrapping_add(i)
    }

    /// Elements `start..start + len`.
    ///
    /// # Safety
    /// The buffer this was made from must still be alive and not be written while the slice
    /// is in use.
    unsafe fn slice<'a>(self, start: usize, len: usize) -> &'a [f32] {
        check_range(start, len, self.len);
        // SAFETY: the range is inside the buffer (checked above); liveness and the absence of
        // writers are the caller's promise.
        unsafe { std::slice::from_raw_parts(self.ptr.add(start), len) }
    }
}

/// A buffer that the team's threads write in disjoint blocks (each part its own rows or
/// columns). It holds a raw pointer so that it can cross into the helper threads; it is made
/// only from an exclusive borrow.
#[derive(Clone, Copy)]
struct Blocks {
    ptr: *mut f32,
    len: usize,
}

// SAFETY: a `Blocks` is made from an exclusive borrow that outlives the `Team::run` call it is
// used in, and the parts of that call touch disjoint elements of it (see `Blocks::slice_mut`).
unsafe impl Send for Blocks {}
// SAFETY: as for `Send`.
unsafe impl Sync for Blocks {}

impl Blocks {
    fn of(v: &mut [f32]) -> Self {
        Self {
            ptr: v.as_mut_ptr(),
            len: v.len(),
        }
    }

    /// The address of element `i` (at most one past the end).
    fn at(self, i: usize) -> *mut f32 {
        assert!(i <= self.len, "element {i} of a buffer of {}", self.len);
        self.ptr.wrapping_add(i)
    }

    /// Elements `start..start + len`, to read and write.
    ///
    /// # Safety
    /// The buffer this was made from must still be alive, and while the slice is in use no
    /// other slice or pointer (on any thread) may touch these elements.
    #[allow(clippy::mut_from_ref)]
    unsafe fn slice_mut<'a>(self, start: usize, len: usize) -> &'a mut [f32] {
        check_range(start, len, self.len);
        // SAFETY: the range is inside the buffer (checked above); liveness and exclusive
        // access are the caller's promise.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(start), len) }
    }
}

/// The optimizer's state vectors of one weight (none, one or two), to update in blocks.
#[derive(Clone, Copy)]
struct State([Option<Blocks>; 2]);

impl State {
    fn of(slots: &mut [Vec<f32>]) -> Self {
        let mut out = [None; 2];
        for (o, s) in out.iter_mut().zip(slots.iter_mut()) {
            *o = Some(Blocks::of(s));
        }
        State(out)
    }

    /// Elements `at..at + len` of each state vector (empty slices for the ones the rule
    /// does not keep).
    ///
    /// # Safety
    /// As [`Blocks::slice_mut`], for every state vector.
    unsafe fn block<'a>(self, at: usize, len: usize) -> [&'a mut [f32]; 2] {
        self.0.map(|s| match s {
            // SAFETY: the caller's promise, passed on.
            Some(b) => unsafe { b.slice_mut(at, len) },
            None => &mut [],
        })
    }
}

/// The first error a part of a team's job met (parts cannot return one).
#[derive(Default)]
struct FirstError(std::sync::Mutex<Option<Error>>);

impl FirstError {
    fn record(&self, r: Result<()>) {
        if let Err(e) = r {
            self.0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get_or_insert(e);
        }
    }

    fn into_result(self) -> Result<()> {
        match self.0.into_inner().unwrap_or_else(|p| p.into_inner()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// `dst (m × n, row stride dst_rs) = lhs (m × k) · rhs (k × n)`, each operand given by its
/// row and column strides, on the calling thread.
///
/// # Safety
/// The pointers must address matrices of these sizes and strides, inside live buffers. No
/// other thread may write any element of `lhs` or `rhs`, or touch any element of `dst` this
/// call writes (its `m` rows of `n` columns), while it runs, and `dst`'s elements must not be
/// elements of `lhs` or `rhs`.
#[allow(clippy::too_many_arguments)]
unsafe fn matmul(
    (m, n, k): (usize, usize, usize),
    dst: *mut f32,
    dst_rs: usize,
    lhs: *const f32,
    (lhs_rs, lhs_cs): (usize, usize),
    rhs: *const f32,
    (rhs_rs, rhs_cs): (usize, usize),
) {
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        for r in 0..m {
            // SAFETY: row `r` of `dst` is `n` elements from `dst + r · dst_rs`, inside the
            // buffer and not touched by anyone else (the caller's promise).
            unsafe { std::slice::from_raw_parts_mut(dst.add(r * dst_rs), n).fill(0.0) };
        }
        return;
    }
    // SAFETY: the sizes and strides describe matrices inside live buffers, `dst` is written by
    // this call alone and does not alias the operands (the caller's promise); the last
    // argument keeps gemm on this thread.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst,
            1,
            dst_rs as isize,
            false,
            lhs,
            lhs_cs as isize,
            lhs_rs as isize,
            rhs,
            rhs_cs as isize,
            rhs_rs as isize,
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

fn activate(act: Activation, v: &mut [f32]) {
    match act {
        Activation::Relu => v.iter_mut().for_each(|x| *x = x.max(0.0)),
        Activation::Tanh => v.iter_mut().for_each(|x| *x = x.tanh()),
        Activation::Sigmoid => v.iter_mut().for_each(|x| *x = 1.0 / (1.0 + (-*x).exp())),
        Activation::Linear | Activation::Softmax => {}
    }
}

/// `d ← d ⊙ f'(a)`, with `f'` written in terms of the activation's output `a`.
fn activation_grad(act: Activation, d: &mut [f32], a: &[f32]) {
    match act {
        Activation::Relu => d
            .iter_mut()
            .zip(a)
            .for_each(|(d, &a)| *d = if a > 0.0 { *d } else { 0.0 }),
        Activation::Tanh => d.iter_mut().zip(a).for_each(|(d, &a)| *d *= 1.0 - a * a),
        Activation::Sigmoid => d.iter_mut().zip(a).for_each(|(d, &a)| *d *= a * (1.0 - a)),
        Activation::Linear | Activation::Softmax => {}
    }
}

/// The fused training path for one model during one `fit`; see the module documentation.
pub(crate) struct FusedTrainer {
    team: Workers,
    layers: Vec<Layer>,
    objective: Objective,
    /// The last layer's activation (what `count_correct` looks at).
    output: Activation,
    rule: Rule,
    iterations: usize,
    /// Rows the buffers hold.
    capacity: usize,
    x: Vec<f32>,
}

impl FusedTrainer {
    /// The fused path for `model`, or `None` when the model or its loss is outside what it
    /// covers (then `fit` uses Candle's autograd path, which covers everything).
    pub(crate) fn for_model(
        model: &Sequential,
        loss: Loss,
        threads: usize,
        pool: Pool,
    ) -> Result<Option<Self>> {
        if !matches!(model.device(), Device::Cpu) {
            return Ok(None);
        }
        let Some(compiled) = model.compiled.as_ref() else {
            return Ok(None);
        };
        let output = model.output_activation();
        // Every loss is named: a new one does not compile until this path handles it (or
        // leaves it to the autograd path here).
        let softmax = matches!(output, Activation::Softmax | Activation::Linear);
        let sigmoid = matches!(output, Activation::Sigmoid | Activation::Linear);
        let objective = match loss {
            Loss::SparseCategoricalCrossentropy if softmax => Objective::SparseSoftmax,
            Loss::CategoricalCrossentropy if softmax => Objective::Softmax,
            Loss::BinaryCrossentropy if sigmoid => Objective::Sigmoid,
            Loss::SparseCategoricalCrossentropy
            | Loss::CategoricalCrossentropy
            | Loss::BinaryCrossentropy => return Ok(None),
        };
        let specs = model.layers();
        if !matches!(specs.last().map(|l| &l.spec), Some(LayerSpec::Dense(_))) {
            return Ok(None);
        }
        let mut layers = Vec::new();
        let mut pending_dropout = Vec::new();
        for spec in specs {
            match &spec.spec {
                LayerSpec::Flatten => {}
                LayerSpec::Dropout(d) => {
                    if d.rate > 0.0 {
                        pending_dropout.push(d.rate);
                    }
                }
                LayerSpec::Dense(d) => {
                    if spec.input_shape.len() != 1 {
                        return Ok(None);
                    }
                    let p = model.dense_params(&spec.name)?;
                    let last = std::ptr::eq(spec, specs.last().expect("checked above"));
                    if !last && d.activation == Activation::Softmax {
                        return Ok(None);
                    }
                    let (inputs, units) = (spec.input_shape[0], d.units);
                    // Filled in by `reload_weights` below.
                    let b = p.bias.as_ref().map(|_| Vec::new());
                    layers.push(Layer {
                        inputs,
                        units,
                        activation: if last {
                            Activation::Linear
                        } else {
                            d.activation
                        },
                        dropout: std::mem::take(&mut pending_dropout),
                        gb: vec![0.0; if b.is_some() { units } else { 0 }],
                        gw: vec![0.0; inputs * units],
                        w: Vec::new(),
                        b,
                        slots_w: Vec::new(),
                        slots_b: Vec::new(),
                        mask: Vec::new(),
                        masked: Vec::new(),
                        out: Vec::new(),
                        delta: Vec::new(),
                    });
                }
            }
        }
        let mut trainer = Self {
            team: Workers::new(pool, threads)?,
            layers,
            objective,
            output,
            rule: *compiled.optimizer.rule(),
            iterations: compiled.optimizer.iterations(),
            capacity: 0,
            x: Vec::new(),
        };
        trainer.reload_weights(model)?;
        trainer.load_slots(&compiled.optimizer)?;
        Ok(Some(trainer))
    }

    /// Threads the steps are split across.
    pub(crate) fn threads(&self) -> usize {
        self.team.threads()
    }

    fn load_slots(&mut self, optim: &Optim<Rule>) -> Result<()> {
        let mut slots = optim.slots_f32()?.into_iter();
        for layer in &mut self.layers {
            layer.slots_w = slots.next().unwrap_or_default();
            if layer.b.is_some() {
                layer.slots_b = slots.next().unwrap_or_default();
            }
        }
        Ok(())
    }

    /// Copies the weights, the optimizer's state and its step count back into `model`.
    pub(crate) fn write_back(&self, model: &mut Sequential) -> Result<()> {
        let vars = model.vars();
        let mut vars = vars.iter();
        let mut slots = Vec::new();
        for layer in &self.layers {
            let kernel = vars.next().expect("one variable per kernel");
            kernel.set(&Tensor::from_slice(
                &layer.w,
                (layer.inputs, layer.units),
                &Device::Cpu,
            )?)?;
            slots.push(layer.slots_w.clone());
            if let Some(b) = &layer.b {
                let bias = vars.next().expect("one variable per bias");
                bias.set(&Tensor::from_slice(b, layer.units, &Device::Cpu)?)?;
                slots.push(layer.slots_b.clone());
            }
        }
        let optim = &mut model
            .compiled
            .as_mut()
            .expect("the fused path runs on compiled models")
            .optimizer;
        optim.set_slots_f32(slots, self.iterations)?;
        Ok(())
    }

    /// Reads the weights from `model` (at the start, and after a callback may have changed them).
    pub(crate) fn reload_weights(&mut self, model: &Sequential) -> Result<()> {
        let vars = model.vars();
        let mut vars = vars.iter();
        for layer in &mut self.layers {
            let kernel = vars.next().expect("one variable per kernel");
            layer.w = kernel.as_tensor().flatten_all()?.to_vec1::<f32>()?;
            if let Some(b) = &mut layer.b {
                *b = vars
                    .next()
                    .expect("one variable per bias")
                    .as_tensor()
                    .to_vec1::<f32>()?;
            }
        }
        Ok(())
    }

    /// Checks `data` against the network and prepares it, or `None` if its targets do not
    /// have the shape the loss needs (the autograd path then reports the mismatch).
    pub(crate) fn prepare(&self, data: &Split) -> Result<Option<FusedData>> {
        let features = self.layers[0].inputs;
        let classes = self.layers.last().expect("at least one dense layer").units;
        let len = data.len();
        let dims = data.images.dims();
        if dims.is_empty() || dims[0] != len || dims[1..].iter().product::<usize>() != features {
            return Ok(None);
        }
        let mut images = data.images.clone();
        if images.dtype() != DType::F32 {
            images = images.to_dtype(DType::F32)?;
        }
        if !images.is_contiguous() {
            images = images.contiguous()?;
        }
        let labels = &data.labels;
        let targets = match self.objective {
            Objective::SparseSoftmax => {
                if labels.rank() != 1 {
                    return Ok(None);
                }
                let labels = labels.to_dtype(DType::U32)?.to_vec1::<u32>()?;
                if let Some(bad) = labels.iter().find(|&&l| l as usize >= classes) {
                    return Err(Error::InvalidArgument(format!(
                        "label {bad} is out of range: the model has {classes} outputs, so labels must lie in 0..{classes}"
                    )));
                }
                Targets::Labels(labels)
            }
            Objective::Softmax | Objective::Sigmoid => {
                if labels.dims() != [len, classes] {
                    return Ok(None);
                }
                Targets::Rows(
                    labels
                        .to_dtype(DType::F32)?
                        .flatten_all()?
                        .to_vec1::<f32>()?,
                )
            }
        };
        Ok(Some(FusedData {
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
        for l in &mut self.layers {
            l.out.resize(rows * l.units, 0.0);
            l.delta.resize(rows * l.units, 0.0);
            if !l.dropout.is_empty() {
                l.mask.resize(rows * l.inputs, 0.0);
                l.masked.resize(rows * l.inputs, 0.0);
            }
        }
    }

    /// One training step on the examples `ids` of `data`: forward pass with dropout drawn
    /// from `rng`, loss, backward pass and optimizer update (skipped if the loss is not finite).
    pub(crate) fn step(
        &mut self,
        data: &FusedData,
        ids: &[u32],
        rng: &mut StdRng,
    ) -> Result<StepResult> {
        let rows = ids.len();
        self.reserve(rows);
        let (x, d) = (&mut self.x, data.features);
        data.with_images(|src| {
            for (r, &i) in ids.iter().enumerate() {
                let i = i as usize;
                x[r * d..(r + 1) * d].copy_from_slice(&src[i * d..(i + 1) * d]);
            }
        })?;
        self.forward_train(rows, rng);
        let last = self.layers.last_mut().expect("at least one dense layer");
        let score = score(
            self.objective,
            self.output,
            &last.out[..rows * last.units],
            last.units,
            ids,
            &data.targets,
            Some(&mut last.delta[..rows * last.units]),
        );
        let loss = score.loss / score.per_example_divisor(rows, last.units);
        if loss.is_finite() {
            let lr = self.rule_lr();
            self.iterations += 1;
            let update = Update::new(&self.rule, lr, self.iterations);
            self.backward(rows, update)?;
        }
        Ok(StepResult {
            loss,
            correct: score.correct,
            total: score.total,
        })
    }

    /// The learning rate of the next step, after Keras's time-based decay.
    fn rule_lr(&self) -> f64 {
        use super::optim::UpdateRule;
        decayed_learning_rate(
            self.rule.learning_rate(),
            self.rule.decay(),
            self.iterations,
        )
    }

    fn forward_train(&mut self, rows: usize, rng: &mut StdRng) {
        let parts = self.team.threads();
        for l in 0..self.layers.len() {
            let (below, rest) = self.layers.split_at_mut(l);
            let layer = &mut rest[0];
            let input: &[f32] = match below.last() {
                Some(prev) => &prev.out[..rows * prev.units],
                None => &self.x[..rows * layer.inputs],
            };
            let input = if layer.dropout.is_empty() {
                input
            } else {
                let n = rows * layer.inputs;
                let mask = &mut layer.mask[..n];
                mask.fill(1.0);
                for &rate in &layer.dropout {
                    dropout_mask(rate, rng, mask);
                }
                for ((o, &i), &m) in layer.masked[..n].iter_mut().zip(input).zip(mask.iter()) {
                    *o = i * m;
                }
                &layer.masked[..n]
            };
            let (k, n) = (layer.inputs, layer.units);
            let x = ReadOnly::of(input);
            let w = ReadOnly::of(&layer.w);
            let b = layer.b.as_deref().map(ReadOnly::of);
            let out = Blocks::of(&mut layer.out[..rows * n]);
            let act = layer.activation;
            self.team.run(&|p| {
                let cols = part_range(n, parts, p, ALIGN);
                if cols.is_empty() {
                    return;
                }
                // SAFETY: `x`, `w` and `b` are only read during this job. Part `p` writes only
                // columns `cols` of `out`, and the parts' column ranges do not overlap
                // (`part_range`); `out` is rows × n, `x` rows × k and `w` k × n.
                unsafe {
                    matmul(
                        (rows, cols.len(), k),
                        out.at(cols.start),
                        n,
                        x.at(0),
                        (k, 1),
                        w.at(cols.start),
                        (n, 1),
                    );
                }
                for r in 0..rows {
                    // SAFETY: as above: this part's columns of row `r`.
                    let z = unsafe { out.slice_mut(r * n + cols.start, cols.len()) };
                    if let Some(b) = b {
                        // SAFETY: the bias is only read during this job.
                        let b = unsafe { b.slice(cols.start, cols.len()) };
                        z.iter_mut().zip(b).for_each(|(z, b)| *z += b);
                    }
                    activate(act, z);
                }
            });
        }
    }

    fn backward(&mut self, rows: usize, update: Update) -> Result<()> {
        let parts = self.team.threads();
        for l in (0..self.layers.len()).rev() {
            let (below, rest) = self.layers.split_at_mut(l);
            let layer = &mut rest[0];
            let (k, n) = (layer.inputs, layer.units);
            let h: &[f32] = if !layer.dropout.is_empty() {
                &layer.masked[..rows * k]
            } else {
                match below.last() {
                    Some(prev) => &prev.out[..rows * k],
                    None => &self.x[..rows * k],
                }
            };
            let h = ReadOnly::of(h);
            let delta = ReadOnly::of(&layer.delta[..rows * n]);
            let w = Blocks::of(&mut layer.w);
            let gw = Blocks::of(&mut layer.gw);
            let sw = State::of(&mut layer.slots_w);
            let mask = (!layer.dropout.is_empty()).then(|| ReadOnly::of(&layer.mask[..rows * k]));
            let bias = layer.b.as_mut().map(|b| {
                let sb = State::of(&mut layer.slots_b);
                (Blocks::of(b), Blocks::of(&mut layer.gb), sb)
            });
            let prev = below.last_mut().map(|p| {
                (
                    Blocks::of(&mut p.delta[..rows * k]),
                    ReadOnly::of(&p.out[..rows * k]),
                    p.activation,
                )
            });
            let errors = FirstError::default();
            self.team.run(&|p| {
                let block = part_range(k, parts, p, ALIGN);
                if let (Some((pd, pa, pact)), false) = (prev, block.is_empty()) {
                    // δ_prev[:, block] = δ W[block, :]ᵀ
                    // SAFETY: `delta`, the layer below's output and the mask are only read
                    // during this job. Part `p` reads and writes only rows `block` of W (k × n)
                    // and columns `block` of δ_prev (rows × k); the parts' blocks do not
                    // overlap (`part_range`).
                    unsafe {
                        matmul(
                            (rows, block.len(), n),
                            pd.at(block.start),
                            k,
                            delta.at(0),
                            (n, 1),
                            w.at(block.start * n),
                            (1, n),
                        );
                    }
                    for r in 0..rows {
                        let at = r * k + block.start;
                        // SAFETY: as above: this part's columns of row `r`.
                        let d = unsafe { pd.slice_mut(at, block.len()) };
                        if let Some(m) = mask {
                            // SAFETY: read-only during this job.
                            let m = unsafe { m.slice(at, block.len()) };
                            d.iter_mut().zip(m).for_each(|(d, m)| *d *= m);
                        }
                        // SAFETY: read-only during this job.
                        activation_grad(pact, d, unsafe { pa.slice(at, block.len()) });
                    }
                }
                if !block.is_empty() {
                    // ∂L/∂W[block, :] = h[:, block]ᵀ δ, then the update of those rows.
                    let (at, len) = (block.start * n, block.len() * n);
                    // SAFETY: `h` and `delta` are only read during this job; part `p` writes
                    // only rows `block` of the gradient, the weights and their state.
                    let (w, g, state) = unsafe {
                        matmul(
                            (block.len(), n, rows),
                            gw.at(at),
                            n,
                            h.at(block.start),
                            (1, k),
                            delta.at(0),
                            (n, 1),
                        );
                        (
                            w.slice_mut(at, len),
                            gw.slice_mut(at, len),
                            sw.block(at, len),
                        )
                    };
                    errors.record(update.apply_slices(w, g, state));
                }
                if let (0, Some((b, gb, sb))) = (p, bias) {
                    // SAFETY: the bias, its gradient and its state are touched by part 0
                    // alone; `delta` is only read.
                    let (b, gb, state) =
                        unsafe { (b.slice_mut(0, n), gb.slice_mut(0, n), sb.block(0, n)) };
                    gb.fill(0.0);
                    for r in 0..rows {
                        // SAFETY: read-only during this job.
                        let d = unsafe { delta.slice(r * n, n) };
                        gb.iter_mut().zip(d).for_each(|(g, d)| *g += d);
                    }
                    errors.record(update.apply_slices(b, gb, state));
                }
            });
            errors.into_result()?;
        }
        Ok(())
    }

    /// Loss and accuracy on `data` in inference mode (no dropout), as `evaluate` computes them.
    pub(crate) fn evaluate(&mut self, data: &FusedData) -> Result<Evaluation> {
        if data.len == 0 {
            return Err(Error::InvalidArgument(
                "cannot evaluate on an empty dataset".into(),
            ));
        }
        let parts = self.team.threads();
        let totals: Vec<std::sync::Mutex<Score>> = (0..parts)
            .map(|_| std::sync::Mutex::new(Score::default()))
            .collect();
        let layers = &self.layers;
        let (objective, output) = (self.objective, self.output);
        let chunks = data.len.div_ceil(EVAL_ROWS);
        let team = &mut self.team;
        data.with_images(|src| {
            team.run(&|p| {
                let mut outs: Vec<Vec<f32>> = layers
                    .iter()
                    .map(|l| vec![0.0; EVAL_ROWS * l.units])
                    .collect();
                let mut ids = Vec::with_capacity(EVAL_ROWS);
                let mut mine = Score::default();
                for c in (p..chunks).step_by(parts) {
                    let start = c * EVAL_ROWS;
                    let rows = EVAL_ROWS.min(data.len - start);
                    let mut input = &src[start * data.features..(start + rows) * data.features];
                    for (layer, out) in layers.iter().zip(outs.iter_mut()) {
                        let (k, n) = (layer.inputs, layer.units);
                        // SAFETY: `out` (rows × n) belongs to this part alone; `input` (rows × k)
                        // and the weights (k × n) are only read while the team runs.
                        unsafe {
                            matmul(
                                (rows, n, k),
                                out.as_mut_ptr(),
                                n,
                                input.as_ptr(),
                                (k, 1),
                                layer.w.as_ptr(),
                                (n, 1),
                            );
                        }
                        for z in out[..rows * n].chunks_exact_mut(n) {
                            if let Some(b) = &layer.b {
                                z.iter_mut().zip(b).for_each(|(z, b)| *z += b);
                            }
                            activate(layer.activation, z);
                        }
                        input = &out[..rows * n];
                    }
                    let classes = layers.last().map(|l| l.units).unwrap_or(0);
                    ids.clear();
                    ids.extend((start..start + rows).map(|i| i as u32));
                    mine.add(score(
                        objective,
                        output,
                        input,
                        classes,
                        &ids,
                        &data.targets,
                        None,
                    ));
                }
                *totals[p].lock().unwrap_or_else(|e| e.into_inner()) = mine;
            })
        })?;
        let mut total = Score::default();
        for t in totals {
            total.add(t.into_inner().unwrap_or_else(|e| e.into_inner()));
        }
        let classes = self.layers.last().map(|l| l.units).unwrap_or(0);
        Ok(Evaluation {
            loss: total.loss / total.per_example_divisor(data.len, classes),
            accuracy: total.correct / total.total.max(1.0),
        })
    }
}

/// Summed loss and correct predictions of some rows.
#[derive(Debug, Default, Clone, Copy)]
struct Score {
    loss: f64,
    correct: f64,
    total: f64,
    /// Sigmoid outputs: the loss is averaged over every output, not only over rows.
    per_output: bool,
}

impl Score {
    fn add(&mut self, other: Score) {
        self.loss += other.loss;
        self.correct += other.correct;
        self.total += other.total;
        self.per_output |= other.per_output;
    }

    fn per_example_divisor(&self, rows: usize, outputs: usize) -> f64 {
        if self.per_output {
            (rows * outputs) as f64
        } else {
            rows as f64
        }
    }
}

/// Loss, correct predictions and (when `delta` is given) `∂(mean loss)/∂z` of logits `z`
/// (rows × classes) for the examples `ids`.
fn score(
    objective: Objective,
    output: Activation,
    z: &[f32],
    classes: usize,
    ids: &[u32],
    targets: &Targets,
    mut delta: Option<&mut [f32]>,
) -> Score {
    let rows = ids.len();
    let mut s = Score {
        per_output: objective == Objective::Sigmoid,
        ..Score::default()
    };
    let scale = match objective {
        Objective::Sigmoid => 1.0 / (rows * classes) as f32,
        _ => 1.0 / rows as f32,
    };
    for (r, &id) in ids.iter().enumerate() {
        let id = id as usize;
        let zr = &z[r * classes..(r + 1) * classes];
        let dr = delta
            .as_deref_mut()
            .map(|d| &mut d[r * classes..(r + 1) * classes]);
        match (objective, targets) {
            (Objective::Sigmoid, Targets::Rows(t)) => {
                let t = &t[id * classes..(id + 1) * classes];
                for (&z, &t) in zr.iter().zip(t) {
                    s.loss += (z.max(0.0) - z * t + (-z.abs()).exp().ln_1p()) as f64;
                    if output == Activation::Sigmoid {
                        s.correct += f64::from(u8::from((z > 0.0) == (t >= 0.5)));
                    }
                }
                if let Some(d) = dr {
                    for ((d, &z), &t) in d.iter_mut().zip(zr).zip(t) {
                        *d = (1.0 / (1.0 + (-z).exp()) - t) * scale;
                    }
                }
                if output == Activation::Sigmoid {
                    s.total += classes as f64;
                } else {
                    s.correct += f64::from(u8::from(argmax(zr) == argmax(t)));
                    s.total += 1.0;
                }
            }
            (_, targets) => {
                let max = zr.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let sum: f32 = zr.iter().map(|&z| (z - max).exp()).sum();
                let log_sum = sum.ln();
                let truth = match targets {
                    Targets::Labels(l) => {
                        let c = l[id] as usize;
                        s.loss -= (zr[c] - max - log_sum) as f64;
                        if let Some(d) = dr {
                            for (j, (d, &z)) in d.iter_mut().zip(zr).enumerate() {
                                let p = (z - max).exp() / sum;
                                *d = (p - f32::from(u8::from(j == c))) * scale;
                            }
                        }
                        c
                    }
                    Targets::Rows(t) => {
                        let t = &t[id * classes..(id + 1) * classes];
                        let mass: f32 = t.iter().sum();
                        for (&z, &t) in zr.iter().zip(t) {
                            s.loss -= (t * (z - max - log_sum)) as f64;
                        }
                        if let Some(d) = dr {
                            for ((d, &z), &t) in d.iter_mut().zip(zr).zip(t) {
                                let p = (z - max).exp() / sum;
                                *d = (p * mass - t) * scale;
                            }
                        }
                        argmax(t)
                    }
                };
                s.correct += f64::from(u8::from(argmax(zr) == truth));
                s.total += 1.0;
            }
        }
    }
    s
}

/// Index of the first largest value.
fn argmax(v: &[f32]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}
