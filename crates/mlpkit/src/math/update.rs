//! The optimizers' arithmetic: one step of each update rule, written once for both forms.
//!
//! Each rule is one generic function over [`Num`], the arithmetic of one number (`f32`, the
//! fused engine, element by element) or of one tensor (`Tensor`, Candle's autograd path, all
//! elements at once). [`Rule::update_slices`] and [`Rule::update_tensor`] each hold one `match`
//! that names every optimizer and computes the step's constants (Adam's bias-corrected step
//! size among them) with the same `f64` expressions before rounding them to `f32` once. So
//! the same operations run in the same order on the same `f32` constants, and the two forms
//! agree bit for bit on the same weights and gradients (the tests check it for every
//! optimizer).
//!
//! ## Subnormal numbers
//! The optimizers' state decays geometrically where the gradient is zero (the moments of
//! Adam by β₁ and β₂ each step, RMSprop's by ρ, momentum by μ): for a pixel that is almost
//! never inked, into the subnormal range below `f32::MIN_POSITIVE` (≈ 1.2 × 10⁻³⁸), where
//! every multiplication takes the processor a slow microcode path, many times slower than
//! usual. Each rule therefore flushes its new state to zero once it falls below
//! `f32::MIN_POSITIVE` ([`Num::flush`]). The weights change by less than rounding (a state that
//! small moves a weight by under 10⁻³⁰), and the processor's floating-point mode is never
//! touched.

use candle_core::Tensor;

#[cfg(test)]
use super::optimizer::Sgd;
use super::optimizer::{Adam, RmsProp, Rule};
use crate::error::{Error, Result};

/// The arithmetic an update rule is written in: one `f32`, or a whole [`Tensor`] at once.
///
/// Constants are `f32`, so that both kinds compute with exactly the same numbers (Candle
/// converts an `affine` factor to the tensor's type).
pub(crate) trait Num: Sized {
    /// What the operations can fail with (nothing, for `f32`).
    type Error;
    /// `a · x`
    fn scale(&self, a: f32) -> std::result::Result<Self, Self::Error>;
    /// `x + b`
    fn shift(&self, b: f32) -> std::result::Result<Self, Self::Error>;
    /// `x + y`
    fn plus(&self, y: &Self) -> std::result::Result<Self, Self::Error>;
    /// `x − y`
    fn minus(&self, y: &Self) -> std::result::Result<Self, Self::Error>;
    /// `x · y`
    fn times(&self, y: &Self) -> std::result::Result<Self, Self::Error>;
    /// `x / y`
    fn over(&self, y: &Self) -> std::result::Result<Self, Self::Error>;
    /// `√x`
    fn root(&self) -> std::result::Result<Self, Self::Error>;
    /// `x`, or 0 where `|x| < f32::MIN_POSITIVE` (a subnormal number; NaN is kept).
    fn flush(&self) -> std::result::Result<Self, Self::Error>;
}

impl Num for f32 {
    type Error = std::convert::Infallible;
    #[inline(always)]
    fn scale(&self, a: f32) -> std::result::Result<Self, Self::Error> {
        Ok(self * a)
    }
    #[inline(always)]
    fn shift(&self, b: f32) -> std::result::Result<Self, Self::Error> {
        Ok(self + b)
    }
    #[inline(always)]
    fn plus(&self, y: &Self) -> std::result::Result<Self, Self::Error> {
        Ok(self + y)
    }
    #[inline(always)]
    fn minus(&self, y: &Self) -> std::result::Result<Self, Self::Error> {
        Ok(self - y)
    }
    #[inline(always)]
    fn times(&self, y: &Self) -> std::result::Result<Self, Self::Error> {
        Ok(self * y)
    }
    #[inline(always)]
    fn over(&self, y: &Self) -> std::result::Result<Self, Self::Error> {
        Ok(self / y)
    }
    #[inline(always)]
    fn root(&self) -> std::result::Result<Self, Self::Error> {
        Ok(self.sqrt())
    }
    #[inline(always)]
    fn flush(&self) -> std::result::Result<Self, Self::Error> {
        Ok(if self.abs() < f32::MIN_POSITIVE {
            0.0
        } else {
            *self
        })
    }
}

impl Num for Tensor {
    type Error = candle_core::Error;
    fn scale(&self, a: f32) -> candle_core::Result<Self> {
        self.affine(f64::from(a), 0.0)
    }
    fn shift(&self, b: f32) -> candle_core::Result<Self> {
        self.affine(1.0, f64::from(b))
    }
    fn plus(&self, y: &Self) -> candle_core::Result<Self> {
        self + y
    }
    fn minus(&self, y: &Self) -> candle_core::Result<Self> {
        self - y
    }
    fn times(&self, y: &Self) -> candle_core::Result<Self> {
        self * y
    }
    fn over(&self, y: &Self) -> candle_core::Result<Self> {
        self / y
    }
    fn root(&self) -> candle_core::Result<Self> {
        self.sqrt()
    }
    fn flush(&self) -> candle_core::Result<Self> {
        // `lt` is false for NaN, so a NaN stays where it is (and is reported by `fit`).
        let tiny = self.abs()?.lt(f64::from(f32::MIN_POSITIVE))?;
        tiny.where_cond(&self.zeros_like()?, self)
    }
}

/// The value of an infallible `f32` operation.
#[inline(always)]
fn sure(r: std::result::Result<f32, std::convert::Infallible>) -> f32 {
    match r {
        Ok(v) => v,
        Err(never) => match never {},
    }
}

impl Rule {
    /// State vectors the rule keeps per weight: none for plain SGD, one for momentum and
    /// RMSprop, two (the moments) for Adam.
    pub fn slots(&self) -> usize {
        match self {
            Rule::Sgd(s) if s.momentum == 0.0 => 0,
            Rule::Sgd(_) | Rule::RmsProp(_) => 1,
            Rule::Adam(_) => 2,
        }
    }

    /// Step `t` (1-based) at learning rate `lr` (already decayed) on one weight's values, in
    /// place, element by element: the slice form of [`Rule::update_tensor`]. `state` holds as
    /// many slices as [`Rule::slots`], each as long as `w` (the others may be empty).
    pub(crate) fn update_slices(
        &self,
        lr: f64,
        t: usize,
        w: &mut [f32],
        g: &[f32],
        state: [&mut [f32]; 2],
    ) -> Result<()> {
        let n = w.len();
        let [s0, s1] = state;
        let need = self.slots();
        if g.len() != n || (need >= 1 && s0.len() != n) || (need >= 2 && s1.len() != n) {
            return Err(Error::Mismatch(format!(
                "an optimizer step got {n} weights, {} gradients and state of {} and {} values",
                g.len(),
                s0.len(),
                s1.len()
            )));
        }
        match *self {
            Rule::Sgd(s) if s.momentum == 0.0 => {
                let lr = lr as f32;
                w.iter_mut()
                    .zip(g)
                    .for_each(|(w, g)| *w = sure(sgd(lr, w, g)));
            }
            Rule::Sgd(s) => {
                let (lr, mu) = (lr as f32, s.momentum as f32);
                for ((w, g), m) in w.iter_mut().zip(g).zip(s0.iter_mut()) {
                    *w = sure(momentum(lr, mu, s.nesterov, w, g, m));
                }
            }
            Rule::Adam(a) => {
                let c = AdamConstants::new(&a, lr, t);
                for (((w, g), m), v) in w.iter_mut().zip(g).zip(s0.iter_mut()).zip(s1.iter_mut()) {
                    *w = sure(adam(c, w, g, m, v));
                }
            }
            Rule::RmsProp(r) => {
                let c = RmsPropConstants::new(&r, lr);
                for ((w, g), v) in w.iter_mut().zip(g).zip(s0.iter_mut()) {
                    *w = sure(rmsprop(c, w, g, v));
                }
            }
        }
        Ok(())
    }

    /// The new value of the weight tensor `w` given its gradient `g`, at step `t` and learning
    /// rate `lr`, updating `state` (as many tensors as [`Rule::slots`]) in its place: the same
    /// rule as [`Rule::update_slices`].
    pub(crate) fn update_tensor(
        &self,
        lr: f64,
        t: usize,
        w: &Tensor,
        g: &Tensor,
        state: &mut [Tensor],
    ) -> candle_core::Result<Tensor> {
        if state.len() < self.slots() {
            candle_core::bail!(
                "an optimizer step needs {} state tensors and got {}",
                self.slots(),
                state.len()
            );
        }
        match *self {
            Rule::Sgd(s) if s.momentum == 0.0 => sgd(lr as f32, w, g),
            Rule::Sgd(s) => momentum(
                lr as f32,
                s.momentum as f32,
                s.nesterov,
                w,
                g,
                &mut state[0],
            ),
            Rule::Adam(a) => {
                let (m, v) = state.split_at_mut(1);
                adam(AdamConstants::new(&a, lr, t), w, g, &mut m[0], &mut v[0])
            }
            Rule::RmsProp(r) => rmsprop(RmsPropConstants::new(&r, lr), w, g, &mut state[0]),
        }
    }
}

/// Plain SGD: `w − η g`.
#[inline(always)]
fn sgd<T: Num>(lr: f32, w: &T, g: &T) -> std::result::Result<T, T::Error> {
    w.minus(&g.scale(lr)?)
}

/// SGD with momentum `μ`: `m ← μ m − η g`, then `w + m` (Nesterov: `w + μ m − η g`).
#[inline(always)]
fn momentum<T: Num>(
    lr: f32,
    mu: f32,
    nesterov: bool,
    w: &T,
    g: &T,
    m: &mut T,
) -> std::result::Result<T, T::Error> {
    let step = g.scale(lr)?;
    *m = m.scale(mu)?.minus(&step)?.flush()?;
    if nesterov {
        w.plus(&m.scale(mu)?)?.minus(&step)
    } else {
        w.plus(m)
    }
}

/// Adam's constants for one step, in `f32`.
#[derive(Clone, Copy)]
struct AdamConstants {
    /// The bias-corrected step size `α = η √(1 − β₂ᵗ) / (1 − β₁ᵗ)`.
    alpha: f32,
    one_minus_b1: f32,
    one_minus_b2: f32,
    eps: f32,
}

impl AdamConstants {
    fn new(a: &Adam, lr: f64, t: usize) -> Self {
        let t = i32::try_from(t).unwrap_or(i32::MAX);
        let alpha = lr * (1.0 - a.beta_2.powi(t)).sqrt() / (1.0 - a.beta_1.powi(t));
        Self {
            alpha: alpha as f32,
            one_minus_b1: (1.0 - a.beta_1) as f32,
            one_minus_b2: (1.0 - a.beta_2) as f32,
            eps: a.epsilon as f32,
        }
    }
}

/// Adam: `m ← m + (1−β₁)(g − m)`, `v ← v + (1−β₂)(g² − v)`, `w − α m / (√v + ε)`.
#[inline(always)]
fn adam<T: Num>(
    c: AdamConstants,
    w: &T,
    g: &T,
    m: &mut T,
    v: &mut T,
) -> std::result::Result<T, T::Error> {
    *m = m.plus(&g.minus(m)?.scale(c.one_minus_b1)?)?.flush()?;
    *v = v
        .plus(&g.times(g)?.minus(v)?.scale(c.one_minus_b2)?)?
        .flush()?;
    w.minus(&m.scale(c.alpha)?.over(&v.root()?.shift(c.eps)?)?)
}

/// RMSprop's constants for one step, in `f32`.
#[derive(Clone, Copy)]
struct RmsPropConstants {
    lr: f32,
    rho: f32,
    one_minus_rho: f32,
    eps: f32,
}

impl RmsPropConstants {
    fn new(r: &RmsProp, lr: f64) -> Self {
        Self {
            lr: lr as f32,
            rho: r.rho as f32,
            one_minus_rho: (1.0 - r.rho) as f32,
            eps: r.epsilon as f32,
        }
    }
}

/// RMSprop: `v ← ρ v + (1−ρ) g²`, `w − η g / √(v + ε)`.
#[inline(always)]
fn rmsprop<T: Num>(
    c: RmsPropConstants,
    w: &T,
    g: &T,
    v: &mut T,
) -> std::result::Result<T, T::Error> {
    *v = v
        .scale(c.rho)?
        .plus(&g.times(g)?.scale(c.one_minus_rho)?)?
        .flush()?;
    w.minus(&g.scale(c.lr)?.over(&v.shift(c.eps)?.root()?)?)
}

/// A rule of each kind and setting, for tests.
#[cfg(test)]
pub(crate) fn every_rule() -> Vec<Rule> {
    vec![
        Sgd::new(0.1).into(),
        Sgd::new(0.1).momentum(0.9).into(),
        Sgd::new(0.1).momentum(0.8).nesterov(true).into(),
        Adam::new(0.01).into(),
        Adam::new(0.01).betas(0.5, 0.75).epsilon(1e-3).into(),
        RmsProp::new(0.01).into(),
        RmsProp::new(0.01).rho(0.5).into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    /// The same rule on slices and on tensors gives the same bits, step after step, including
    /// state that decays into the subnormal range.
    #[test]
    fn slices_and_tensors_agree_bit_for_bit() {
        let w0: Vec<f32> = vec![0.5, -0.25, 1e-3, 2.0, 0.0, -1.5, 3e-38, 7.0];
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for rule in every_rule() {
            let n = w0.len();
            let mut w = w0.clone();
            let mut s = [vec![0f32; n], vec![0f32; n]];
            let mut wt = Tensor::from_slice(&w0, n, &Device::Cpu).unwrap();
            let mut st = vec![Tensor::zeros(n, candle_core::DType::F32, &Device::Cpu).unwrap(); 2];
            for t in 1..=200 {
                // A gradient that stops after a few steps, so the state decays towards zero.
                let g: Vec<f32> = (0..n)
                    .map(|i| if t < 5 { (i as f32 - 3.5) * 0.1 } else { 0.0 })
                    .collect();
                let gt = Tensor::from_slice(&g, n, &Device::Cpu).unwrap();
                let [a, b] = &mut s;
                rule.update_slices(0.01, t, &mut w, &g, [a, b]).unwrap();
                wt = rule.update_tensor(0.01, t, &wt, &gt, &mut st).unwrap();
                assert_eq!(
                    bits(&w),
                    bits(&wt.to_vec1::<f32>().unwrap()),
                    "{rule:?} step {t}"
                );
                for k in 0..rule.slots() {
                    let from_tensor = st[k].to_vec1::<f32>().unwrap();
                    assert_eq!(
                        bits(&s[k]),
                        bits(&from_tensor),
                        "{rule:?} state {k} step {t}"
                    );
                }
            }
            // Nothing left in the state is subnormal.
            for v in s.iter().flatten() {
                assert!(
                    *v == 0.0 || v.abs() >= f32::MIN_POSITIVE || v.is_nan(),
                    "{rule:?}: {v:e}"
                );
            }
        }
    }

    #[test]
    fn flush_zeroes_only_subnormals_and_keeps_nan() {
        let xs = [
            1e-39f32,
            -1e-40,
            f32::MIN_POSITIVE,
            -2e-38,
            0.0,
            1.0,
            f32::NAN,
        ];
        let flushed: Vec<f32> = xs.iter().map(|x| sure(Num::flush(x))).collect();
        assert_eq!(
            flushed[..6],
            [0.0, 0.0, f32::MIN_POSITIVE, -2e-38, 0.0, 1.0]
        );
        assert!(flushed[6].is_nan());
        let t = Tensor::new(&xs, &Device::Cpu).unwrap().flush().unwrap();
        let t = t.to_vec1::<f32>().unwrap();
        assert_eq!(t[..6], flushed[..6]);
        assert!(t[6].is_nan());
    }

    #[test]
    fn mismatched_lengths_are_an_error() {
        let adam: Rule = Adam::default().into();
        let mut w = vec![0f32; 4];
        let (mut a, mut b) = (vec![0f32; 4], vec![0f32; 3]);
        assert!(
            adam.update_slices(0.001, 1, &mut w, &[0.0; 4], [&mut a, &mut b])
                .is_err()
        );
        let mut c = a.clone();
        assert!(
            adam.update_slices(0.001, 1, &mut w, &[0.0; 5], [&mut a, &mut c])
                .is_err()
        );
        let sgd: Rule = Sgd::default().into();
        assert!(
            sgd.update_slices(0.01, 1, &mut w, &[1.0; 4], [&mut [], &mut []])
                .is_ok()
        );
        assert_eq!(w, vec![-0.01; 4]);
    }
}
