//! The arithmetic of one dense layer on the team's threads: its forward pass and its
//! backward pass with the update, each split into blocks that the threads share out.

use rand::rngs::StdRng;

use super::layers::{DenseLayer, Input, LayerBuffers, LayerParams, Update};
use super::shared::{Blocks, FirstError, ReadOnly, State};
use super::workers::{Team, part_range};
use crate::error::Result;
use crate::math::Activation;
use crate::math::dropout::dropout_mask;

/// Column blocks start on multiples of this many floats (two AVX registers).
const ALIGN: usize = 16;

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

/// The forward pass of one layer on the `rows` rows of `input`: dropout on the input (masks
/// drawn from `rng`, in order), then `out = f(input · W + b)`. The team splits the output's
/// columns into blocks, one per thread; each block's product, bias and activation are done
/// in one pass while the block is in cache.
pub(super) fn forward_layer(
    team: &mut Team,
    rows: usize,
    layer: &DenseLayer,
    buf: &mut LayerBuffers,
    input: &[f32],
    params: &LayerParams<'_>,
    rng: &mut StdRng,
) {
    let (k, n) = (layer.inputs, layer.units);
    let input = if layer.dropout.is_empty() {
        input
    } else {
        let mask = &mut buf.mask[..rows * k];
        mask.fill(1.0);
        for &rate in &layer.dropout {
            dropout_mask(rate, rng, mask);
        }
        for ((o, &i), &m) in buf.masked[..rows * k]
            .iter_mut()
            .zip(input)
            .zip(mask.iter())
        {
            *o = i * m;
        }
        &buf.masked[..rows * k]
    };
    let parts = team.threads();
    let (x, w) = (ReadOnly::of(input), ReadOnly::of(params.w));
    let b = params.b.as_deref().map(ReadOnly::of);
    let out = Blocks::of(&mut buf.out[..rows * n]);
    let act = layer.activation;
    team.run(&|p| {
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
                let b = b.slice(cols.start, cols.len());
                z.iter_mut().zip(b).for_each(|(z, b)| *z += b);
            }
            // Hidden activations are elementwise (the engine takes no other), so a block of
            // a row is as good as the row.
            act.apply_row(z);
        }
    });
}

/// The backward pass of one layer, with its update, from its `∂L/∂z` (in `buf.delta`):
/// `∂L/∂W = hᵀ δ`, `∂L/∂b = Σ_rows δ`, and for the layer below
/// `δ_below = (δ Wᵀ) ⊙ mask ⊙ f'_below`. The team splits the rows of `W` into blocks: each
/// thread computes `δ Wᵀ` for its rows (the columns of `δ_below`) before it changes them, then
/// their gradient, then updates them while they are in cache, so no thread waits on another
/// within a layer. Part 0 also does the bias.
pub(super) fn backward_layer(
    team: &mut Team,
    rows: usize,
    layer: &DenseLayer,
    buf: &mut LayerBuffers,
    params: &mut LayerParams<'_>,
    input: Input<'_>,
    update: Update,
) -> Result<()> {
    let (input, below) = match input {
        Input::Batch(x) => (x, None),
        Input::Layer(below) => (below.out, Some(below)),
    };
    let (k, n) = (layer.inputs, layer.units);
    let dropout = !layer.dropout.is_empty();
    let h = if dropout {
        &buf.masked[..rows * k]
    } else {
        &input[..rows * k]
    };
    let job = Backward {
        rows,
        k,
        n,
        parts: team.threads(),
        h: ReadOnly::of(h),
        mask: dropout.then(|| ReadOnly::of(&buf.mask[..rows * k])),
        delta: ReadOnly::of(&buf.delta[..rows * n]),
        w: Blocks::of(params.w),
        gw: Blocks::of(&mut buf.gw),
        w_state: State::of(&mut params.w_state),
        bias: params.b.as_deref_mut().map(|b| {
            (
                Blocks::of(b),
                Blocks::of(&mut buf.gb),
                State::of(&mut params.b_state),
            )
        }),
        below: below.map(|b| {
            let out = ReadOnly::of(&b.out[..rows * k]);
            (Blocks::of(&mut b.delta[..rows * k]), out, b.activation)
        }),
        update,
    };
    let errors = FirstError::default();
    team.run(&|p| {
        let block = part_range(k, job.parts, p, ALIGN);
        if !block.is_empty() {
            job.pass_down(block.clone());
            errors.record(job.update_rows(block));
        }
        if p == 0 {
            errors.record(job.update_bias());
        }
    });
    errors.into_result()
}

/// One layer's backward pass, as the team's threads share it: every buffer it reads or
/// writes, and the sizes (`rows` × `k` inputs, `n` units, `parts` threads). Each thread
/// takes the rows `block` of `W` that [`part_range`] gives its part; part 0 also does the
/// bias. The buffers stay alive and unchanged by anyone else while the job runs (they are
/// borrowed by [`backward_layer`], which waits for it).
#[derive(Clone, Copy)]
struct Backward<'a> {
    rows: usize,
    k: usize,
    n: usize,
    parts: usize,
    h: ReadOnly<'a>,
    mask: Option<ReadOnly<'a>>,
    delta: ReadOnly<'a>,
    w: Blocks<'a>,
    gw: Blocks<'a>,
    w_state: State<'a>,
    bias: Option<(Blocks<'a>, Blocks<'a>, State<'a>)>,
    below: Option<(Blocks<'a>, ReadOnly<'a>, Activation)>,
    update: Update,
}

impl Backward<'_> {
    /// `δ_below[:, block] = (δ W[block, :]ᵀ) ⊙ mask ⊙ f'_below`, before `W` changes.
    fn pass_down(&self, block: std::ops::Range<usize>) {
        let Some((bd, ba, bact)) = self.below else {
            return;
        };
        let (rows, k, n) = (self.rows, self.k, self.n);
        // SAFETY: `delta`, the layer below's output and the mask are only read during this
        // job. This part reads only rows `block` of W (k × n), which it alone writes, later,
        // and writes only columns `block` of δ_below (rows × k); the parts' blocks do not
        // overlap (`part_range`).
        unsafe {
            matmul(
                (rows, block.len(), n),
                bd.at(block.start),
                k,
                self.delta.at(0),
                (n, 1),
                self.w.at(block.start * n),
                (1, n),
            );
        }
        for r in 0..rows {
            let at = r * k + block.start;
            // SAFETY: as above: this part's columns of row `r`.
            let d = unsafe { bd.slice_mut(at, block.len()) };
            if let Some(m) = self.mask {
                let m = m.slice(at, block.len());
                d.iter_mut().zip(m).for_each(|(d, m)| *d *= m);
            }
            bact.backward_row(d, ba.slice(at, block.len()));
        }
    }

    /// `∂L/∂W[block, :] = h[:, block]ᵀ δ`, then the update of those rows of `W`.
    fn update_rows(&self, block: std::ops::Range<usize>) -> Result<()> {
        let (at, len) = (block.start * self.n, block.len() * self.n);
        // SAFETY: `h` and `delta` are only read during this job; this part writes only rows
        // `block` of the gradient, the weights and their state, which no other part touches.
        let (w, g, state) = unsafe {
            matmul(
                (block.len(), self.n, self.rows),
                self.gw.at(at),
                self.n,
                self.h.at(block.start),
                (1, self.k),
                self.delta.at(0),
                (self.n, 1),
            );
            (
                self.w.slice_mut(at, len),
                self.gw.slice_mut(at, len),
                self.w_state.block(at, len),
            )
        };
        let u = self.update;
        u.rule.update_slices(u.lr, u.t, w, g, state)
    }

    /// `∂L/∂b = Σ_rows δ`, then the update of the bias (part 0 only).
    fn update_bias(&self) -> Result<()> {
        let Some((b, gb, sb)) = self.bias else {
            return Ok(());
        };
        let n = self.n;
        // SAFETY: the bias, its gradient and its state are touched by part 0 alone, which
        // calls this; `delta` is only read.
        let (b, gb, state) = unsafe { (b.slice_mut(0, n), gb.slice_mut(0, n), sb.block(0, n)) };
        gb.fill(0.0);
        for r in 0..self.rows {
            let d = self.delta.slice(r * n, n);
            gb.iter_mut().zip(d).for_each(|(g, d)| *g += d);
        }
        let u = self.update;
        u.rule.update_slices(u.lr, u.t, b, gb, state)
    }
}

/// The network's logits for `rows` rows of `input`, computed on the calling thread into
/// `outs` (one buffer per layer, each at least `rows × units`), without dropout. Returns the
/// last layer's values.
pub(super) fn infer_rows<'o>(
    layers: &[DenseLayer],
    weights: &[(&[f32], Option<&[f32]>)],
    outs: &'o mut [Vec<f32>],
    input: &'o [f32],
    rows: usize,
) -> &'o [f32] {
    let mut input = input;
    for ((layer, &(w, b)), out) in layers.iter().zip(weights).zip(outs.iter_mut()) {
        let (k, n) = (layer.inputs, layer.units);
        assert!(
            out.len() >= rows * n && input.len() >= rows * k && w.len() == k * n,
            "buffers too small for a {rows} × {k} × {n} product"
        );
        // SAFETY: the sizes are checked above; `out` belongs to this call alone, and `input`
        // and the weights are only read while the team runs.
        unsafe {
            matmul(
                (rows, n, k),
                out.as_mut_ptr(),
                n,
                input.as_ptr(),
                (k, 1),
                w.as_ptr(),
                (n, 1),
            );
        }
        for z in out[..rows * n].chunks_exact_mut(n) {
            if let Some(b) = b {
                z.iter_mut().zip(b).for_each(|(z, b)| *z += b);
            }
            layer.activation.apply_row(z);
        }
        input = &out[..rows * n];
    }
    input
}
