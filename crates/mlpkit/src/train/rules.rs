//! The arithmetic of training, written once for both training paths.
//!
//! `fit` trains on one of two paths (see [`super::step`]): Candle's autograd, which works on
//! whole tensors on any device, and the fused CPU path, which works on slices of `f32`. Every
//! rule they share is defined here, once:
//!
//! - the optimizers' updates ([`Update`]): the constants of a step are computed by
//!   [`Update::new`], which names every field of every optimizer, and the per-weight rule is one
//!   generic function per optimizer over [`Num`], the arithmetic of one number (`f32`, the
//!   fused path, element by element) or of one tensor (`Tensor`, the autograd path, all elements
//!   at once). The same operations run in the same order on the same `f32` constants, so the two
//!   paths agree bit for bit on the same weights and gradients;
//! - Keras's time-based learning-rate decay ([`decayed_learning_rate`]);
//! - the dropout masks and their random stream ([`dropout_mask`]).
//!
//! Adding an optimizer, or a field to one, does not compile until [`Update::new`] and both
//! `apply_*` functions handle it.
//!
//! ## Subnormal numbers
//! The optimizers' state decays geometrically where the gradient is zero (the moments of
//! Adam by β₁ and β₂ each step, RMSprop's by ρ, momentum by μ): for a pixel that is almost never
//! inked, into the subnormal range below `f32::MIN_POSITIVE` (≈ 1.2 × 10⁻³⁸), where every
//! multiplication takes the processor a slow microcode path, many times slower than usual.
//! Each rule therefore flushes its new state to zero once it falls below `f32::MIN_POSITIVE`
//! ([`Num::flush`]). The weights change by less than rounding (a state that small moves a
//! weight by under 10⁻³⁰), and the processor's floating-point mode is never touched.

use candle_core::Tensor;
use rand::rngs::StdRng;
use rand::Rng;

use super::optim::{Adam, RmsProp, Rule, Sgd};
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

/// One optimizer step with its constants for this step folded in (see [`Update::new`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Update {
    /// `w ← w − η g`
    Sgd { lr: f32 },
    /// `m ← μ m − η g`; `w ← w + m`, or with Nesterov `w ← w + μ m − η g`.
    Momentum { lr: f32, mu: f32, nesterov: bool },
    /// `m ← m + (1−β₁)(g − m)`; `v ← v + (1−β₂)(g² − v)`; `w ← w − α m / (√v + ε)`.
    Adam {
        alpha: f32,
        one_minus_b1: f32,
        one_minus_b2: f32,
        eps: f32,
    },
    /// `v ← ρ v + (1−ρ) g²`; `w ← w − η g / √(v + ε)`.
    RmsProp {
        lr: f32,
        rho: f32,
        one_minus_rho: f32,
        eps: f32,
    },
}

/// Keras's time-based decay: the learning rate of the step after `iterations` steps,
/// `η / (1 + decay · iterations)`.
pub(crate) fn decayed_learning_rate(learning_rate: f64, decay: f64, iterations: usize) -> f64 {
    learning_rate / (1.0 + decay * iterations as f64)
}

impl Update {
    /// The update of step `t` (1-based) at learning rate `lr` (already decayed). Every field
    /// of every optimizer is named here: a new one does not compile until it is used or
    /// explicitly ignored (`learning_rate` and `decay` are used through `lr`).
    pub(crate) fn new(rule: &Rule, lr: f64, t: usize) -> Self {
        match *rule {
            Rule::Sgd(Sgd {
                learning_rate: _,
                momentum,
                nesterov,
                decay: _,
            }) => {
                if momentum == 0.0 {
                    Update::Sgd { lr: lr as f32 }
                } else {
                    Update::Momentum {
                        lr: lr as f32,
                        mu: momentum as f32,
                        nesterov,
                    }
                }
            }
            Rule::Adam(Adam {
                learning_rate: _,
                beta_1,
                beta_2,
                epsilon,
                decay: _,
            }) => {
                let t = i32::try_from(t).unwrap_or(i32::MAX);
                let alpha = lr * (1.0 - beta_2.powi(t)).sqrt() / (1.0 - beta_1.powi(t));
                Update::Adam {
                    alpha: alpha as f32,
                    one_minus_b1: (1.0 - beta_1) as f32,
                    one_minus_b2: (1.0 - beta_2) as f32,
                    eps: epsilon as f32,
                }
            }
            Rule::RmsProp(RmsProp {
                learning_rate: _,
                rho,
                epsilon,
                decay: _,
            }) => Update::RmsProp {
                lr: lr as f32,
                rho: rho as f32,
                one_minus_rho: (1.0 - rho) as f32,
                eps: epsilon as f32,
            },
        }
    }

    /// State vectors the rule keeps per weight.
    pub(crate) fn slots(self) -> usize {
        match self {
            Update::Sgd { .. } => 0,
            Update::Momentum { .. } | Update::RmsProp { .. } => 1,
            Update::Adam { .. } => 2,
        }
    }

    /// Updates the weights `w` in place from their gradient `g` and the rule's state `state`
    /// (as many slices as [`Update::slots`], each as long as `w`), element by element.
    pub(crate) fn apply_slices(
        self,
        w: &mut [f32],
        g: &[f32],
        state: [&mut [f32]; 2],
    ) -> Result<()> {
        let n = w.len();
        let [s0, s1] = state;
        let need = self.slots();
        let lengths_ok = g.len() == n && (need < 1 || s0.len() == n) && (need < 2 || s1.len() == n);
        if !lengths_ok {
            return Err(Error::Mismatch(format!(
                "an optimizer step got {n} weights, {} gradients and state of {} and {} values",
                g.len(),
                s0.len(),
                s1.len()
            )));
        }
        let ok = |r: std::result::Result<f32, std::convert::Infallible>| match r {
            Ok(v) => v,
            Err(never) => match never {},
        };
        match self {
            Update::Sgd { lr } => {
                for (w, g) in w.iter_mut().zip(g) {
                    *w = ok(sgd(lr, w, g));
                }
            }
            Update::Momentum { lr, mu, nesterov } => {
                for ((w, g), m) in w.iter_mut().zip(g).zip(s0.iter_mut()) {
                    *w = ok(momentum(lr, mu, nesterov, w, g, m));
                }
            }
            Update::Adam {
                alpha,
                one_minus_b1,
                one_minus_b2,
                eps,
            } => {
                for (((w, g), m), v) in w.iter_mut().zip(g).zip(s0.iter_mut()).zip(s1.iter_mut()) {
                    *w = ok(adam(alpha, one_minus_b1, one_minus_b2, eps, w, g, m, v));
                }
            }
            Update::RmsProp {
                lr,
                rho,
                one_minus_rho,
                eps,
            } => {
                for ((w, g), v) in w.iter_mut().zip(g).zip(s0.iter_mut()) {
                    *w = ok(rmsprop(lr, rho, one_minus_rho, eps, w, g, v));
                }
            }
        }
        Ok(())
    }

    /// The new value of the weight tensor `w` given its gradient `g`, updating `state` (as
    /// many tensors as [`Update::slots`]) in place: the same rule as [`Update::apply_slices`].
    pub(crate) fn apply_tensors(
        self,
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
        match self {
            Update::Sgd { lr } => sgd(lr, w, g),
            Update::Momentum { lr, mu, nesterov } => {
                momentum(lr, mu, nesterov, w, g, &mut state[0])
            }
            Update::Adam {
                alpha,
                one_minus_b1,
                one_minus_b2,
                eps,
            } => {
                let (m, v) = state.split_at_mut(1);
                adam(
                    alpha,
                    one_minus_b1,
                    one_minus_b2,
                    eps,
                    w,
                    g,
                    &mut m[0],
                    &mut v[0],
                )
            }
            Update::RmsProp {
                lr,
                rho,
                one_minus_rho,
                eps,
            } => rmsprop(lr, rho, one_minus_rho, eps, w, g, &mut state[0]),
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

/// Adam: `m ← m + (1−β₁)(g − m)`, `v ← v + (1−β₂)(g² − v)`, `w − α m / (√v + ε)`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn adam<T: Num>(
    alpha: f32,
    one_minus_b1: f32,
    one_minus_b2: f32,
    eps: f32,
    w: &T,
    g: &T,
    m: &mut T,
    v: &mut T,
) -> std::result::Result<T, T::Error> {
    *m = m.plus(&g.minus(m)?.scale(one_minus_b1)?)?.flush()?;
    *v = v
        .plus(&g.times(g)?.minus(v)?.scale(one_minus_b2)?)?
        .flush()?;
    w.minus(&m.scale(alpha)?.over(&v.root()?.shift(eps)?)?)
}

/// RMSprop: `v ← ρ v + (1−ρ) g²`, `w − η g / √(v + ε)`.
#[inline(always)]
fn rmsprop<T: Num>(
    lr: f32,
    rho: f32,
    one_minus_rho: f32,
    eps: f32,
    w: &T,
    g: &T,
    v: &mut T,
) -> std::result::Result<T, T::Error> {
    *v = v
        .scale(rho)?
        .plus(&g.times(g)?.scale(one_minus_rho)?)?
        .flush()?;
    w.minus(&g.scale(lr)?.over(&v.shift(eps)?.root()?)?)
}

/// Multiplies `mask` by an inverted-dropout mask of rate `rate` drawn from `rng`: each
/// element is kept with probability `1 − rate` and scaled by `1 / (1 − rate)`, or set to 0.
/// One uniform number is drawn per element, in order; both training paths draw their masks
/// here, so the same seed drops the same units on both.
pub(crate) fn dropout_mask(rate: f64, rng: &mut StdRng, mask: &mut [f32]) {
    let keep = 1.0 - rate;
    let scale = (1.0 / keep) as f32;
    for m in mask.iter_mut() {
        if rng.random::<f64>() < keep {
            *m *= scale;
        } else {
            *m = 0.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    fn rules() -> Vec<Rule> {
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

    /// The same rule on slices and on tensors gives the same bits, step after step, including
    /// state that decays into the subnormal range.
    #[test]
    fn slices_and_tensors_agree_bit_for_bit() {
        let w0: Vec<f32> = vec![0.5, -0.25, 1e-3, 2.0, 0.0, -1.5, 3e-38, 7.0];
        for rule in rules() {
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
                let u = Update::new(&rule, 0.01, t);
                let [a, b] = &mut s;
                u.apply_slices(&mut w, &g, [a, b]).unwrap();
                wt = u.apply_tensors(&wt, &gt, &mut st).unwrap();
                let from_tensor = wt.to_vec1::<f32>().unwrap();
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&w), bits(&from_tensor), "{rule:?} step {t}");
                for k in 0..u.slots() {
                    assert_eq!(
                        bits(&s[k]),
                        bits(&st[k].to_vec1::<f32>().unwrap()),
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
        let flushed: Vec<f32> = xs.iter().map(|x| Num::flush(x).unwrap()).collect();
        assert_eq!(
            flushed[..6],
            [0.0, 0.0, f32::MIN_POSITIVE, -2e-38, 0.0, 1.0]
        );
        assert!(flushed[6].is_nan());
        let t = Tensor::new(&xs, &Device::Cpu)
            .unwrap()
            .flush()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        assert_eq!(t[..6], flushed[..6]);
        assert!(t[6].is_nan());
    }

    #[test]
    fn mismatched_lengths_are_an_error() {
        let u = Update::new(&Adam::default().into(), 0.001, 1);
        let mut w = vec![0f32; 4];
        let (mut a, mut b) = (vec![0f32; 4], vec![0f32; 3]);
        assert!(u.apply_slices(&mut w, &[0.0; 4], [&mut a, &mut b]).is_err());
        let mut c = a.clone();
        assert!(u.apply_slices(&mut w, &[0.0; 5], [&mut a, &mut c]).is_err());
        let u = Update::new(&Sgd::default().into(), 0.01, 1);
        assert!(u
            .apply_slices(&mut w, &[1.0; 4], [&mut [], &mut []])
            .is_ok());
        assert_eq!(w, vec![-0.01; 4]);
    }

    #[test]
    fn dropout_masks_keep_the_expected_share_and_scale() {
        use rand::SeedableRng;
        let mut rng = StdRng::seed_from_u64(7);
        let mut mask = vec![1f32; 100_000];
        dropout_mask(0.25, &mut rng, &mut mask);
        let kept = mask.iter().filter(|&&m| m != 0.0).count();
        assert!((74_000..76_000).contains(&kept), "{kept}");
        assert!(mask
            .iter()
            .all(|&m| m == 0.0 || (m - 1.0 / 0.75).abs() < 1e-6));
        // The same seed draws the same mask.
        let mut again = vec![1f32; 100_000];
        dropout_mask(0.25, &mut StdRng::seed_from_u64(7), &mut again);
        assert_eq!(mask, again);
    }
}
