//! Optimizers with Keras's defaults and update rules, on Candle's [`candle_nn::Optimizer`] trait.
//!
//! For a weight `w` with gradient `g` at step `t = 1, 2, …`, with the learning rate
//! `η_t = η / (1 + decay · (t − 1))` (Keras's time-based decay; `decay = 0` keeps it fixed):
//!
//! - **SGD**: `w ← w − η_t g`; with momentum μ: `m ← μ m − η_t g`, then `w ← w + m`,
//!   or with Nesterov `w ← w + μ m − η_t g`.
//! - **Adam**: `m ← m + (1−β₁)(g − m)`, `v ← v + (1−β₂)(g² − v)`,
//!   `w ← w − α m / (√v + ε)` with `α = η_t √(1−β₂ᵗ) / (1−β₁ᵗ)`.
//! - **RMSprop**: `v ← ρ v + (1−ρ) g²`, `w ← w − η_t g / √(v + ε)`.
//!
//! Defaults: SGD η = 0.01; Adam η = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e−7;
//! RMSprop η = 0.001, ρ = 0.9, ε = 1e−7.
//!
//! ```
//! use mlpkit::prelude::*;
//! use candle_nn::Optimizer as _;
//!
//! let mut model = Architecture::new(&[2]).add(Dense::new(1, Activation::Linear)).build(0)?;
//! let x = Tensor::new(&[[1f32, 2.0]], &Device::Cpu)?;
//! let before = model.forward(&x)?.sum_all()?.to_scalar::<f32>()?;
//! let mut opt = Optim::new(model.vars(), Adam::default())?;
//! let loss = model.forward(&x)?.sum_all()?;  // any scalar built from the model's output
//! opt.backward_step(&loss)?;                  // its gradients, then one update of every weight
//! let after = model.forward(&x)?.sum_all()?.to_scalar::<f32>()?;
//! assert!(after < before);                    // the step went downhill
//! # Ok::<(), mlpkit::Error>(())
//! ```

use candle_core::backprop::GradStore;
use candle_core::{Tensor, Var};
use serde::{Deserialize, Serialize};

use super::rules::{decayed_learning_rate, Update};

/// One optimizer's update rule, for a single weight tensor.
pub trait UpdateRule: Clone + std::fmt::Debug {
    /// State tensors kept per weight (momentum, moments, …).
    fn slots(&self) -> usize;
    /// The learning rate before decay.
    fn learning_rate(&self) -> f64;
    /// Sets the learning rate.
    fn set_learning_rate(&mut self, lr: f64);
    /// Time-based decay factor (0 = none).
    fn decay(&self) -> f64;
    /// The new value of `w` given its gradient `g`, updating `slots` in place.
    /// `lr` is the decayed learning rate and `t` the 1-based step number.
    fn update(
        &self,
        w: &Tensor,
        g: &Tensor,
        slots: &mut [Tensor],
        lr: f64,
        t: usize,
    ) -> candle_core::Result<Tensor>;
    /// Short description for logs, e.g. `Adam(lr=0.001)`.
    fn describe(&self) -> String;
}

/// The accessors every rule writes the same way, from its `learning_rate` and `decay` fields.
macro_rules! rate_fields {
    () => {
        fn learning_rate(&self) -> f64 {
            self.learning_rate
        }
        fn set_learning_rate(&mut self, lr: f64) {
            self.learning_rate = lr;
        }
        fn decay(&self) -> f64 {
            self.decay
        }
    };
}

/// Stochastic gradient descent, with optional momentum, Nesterov momentum and time-based decay.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sgd {
    /// Step size η.
    pub learning_rate: f64,
    /// Momentum μ in `[0, 1)` (0: none).
    pub momentum: f64,
    /// Nesterov's form of momentum.
    pub nesterov: bool,
    /// Time-based decay of the learning rate (0: none).
    pub decay: f64,
}

impl Default for Sgd {
    fn default() -> Self {
        Self {
            learning_rate: 0.01,
            momentum: 0.0,
            nesterov: false,
            decay: 0.0,
        }
    }
}

impl Sgd {
    /// SGD with learning rate `learning_rate` and no momentum.
    pub fn new(learning_rate: f64) -> Self {
        Self {
            learning_rate,
            ..Self::default()
        }
    }
    /// Sets the momentum.
    pub fn momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }
    /// Uses Nesterov momentum.
    pub fn nesterov(mut self, nesterov: bool) -> Self {
        self.nesterov = nesterov;
        self
    }
    /// `η_t = η / (1 + decay · iterations)`.
    pub fn decay(mut self, decay: f64) -> Self {
        self.decay = decay;
        self
    }
}

impl UpdateRule for Sgd {
    fn slots(&self) -> usize {
        Update::new(&Rule::Sgd(*self), self.learning_rate, 1).slots()
    }
    rate_fields!();
    fn update(
        &self,
        w: &Tensor,
        g: &Tensor,
        slots: &mut [Tensor],
        lr: f64,
        t: usize,
    ) -> candle_core::Result<Tensor> {
        Update::new(&Rule::Sgd(*self), lr, t).apply_tensors(w, g, slots)
    }
    fn describe(&self) -> String {
        let mut s = format!("SGD(lr={}", self.learning_rate);
        if self.momentum != 0.0 {
            s += &format!(", momentum={}", self.momentum);
        }
        if self.nesterov {
            s += ", nesterov";
        }
        if self.decay != 0.0 {
            s += &format!(", decay={}", self.decay);
        }
        s + ")"
    }
}

/// Adam (Kingma & Ba), with Keras's ε placement and defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Adam {
    /// Step size η.
    pub learning_rate: f64,
    /// Decay rate β₁ of the first moment.
    pub beta_1: f64,
    /// Decay rate β₂ of the second moment.
    pub beta_2: f64,
    /// ε, added to √v.
    pub epsilon: f64,
    /// Time-based decay of the learning rate (0: none).
    pub decay: f64,
}

impl Default for Adam {
    fn default() -> Self {
        Self {
            learning_rate: 0.001,
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-7,
            decay: 0.0,
        }
    }
}

impl Adam {
    /// Adam with learning rate `learning_rate` and Keras's other defaults.
    pub fn new(learning_rate: f64) -> Self {
        Self {
            learning_rate,
            ..Self::default()
        }
    }
    /// Sets β₁ and β₂.
    pub fn betas(mut self, beta_1: f64, beta_2: f64) -> Self {
        self.beta_1 = beta_1;
        self.beta_2 = beta_2;
        self
    }
    /// Sets ε.
    pub fn epsilon(mut self, epsilon: f64) -> Self {
        self.epsilon = epsilon;
        self
    }
}

impl UpdateRule for Adam {
    fn slots(&self) -> usize {
        Update::new(&Rule::Adam(*self), self.learning_rate, 1).slots()
    }
    rate_fields!();
    fn update(
        &self,
        w: &Tensor,
        g: &Tensor,
        slots: &mut [Tensor],
        lr: f64,
        t: usize,
    ) -> candle_core::Result<Tensor> {
        Update::new(&Rule::Adam(*self), lr, t).apply_tensors(w, g, slots)
    }
    fn describe(&self) -> String {
        format!("Adam(lr={})", self.learning_rate)
    }
}

/// RMSprop (Hinton), Keras's form: `w ← w − η g / √(v + ε)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RmsProp {
    /// Step size η.
    pub learning_rate: f64,
    /// Decay rate ρ of the squared gradients' average.
    pub rho: f64,
    /// ε, added to v under the root.
    pub epsilon: f64,
    /// Time-based decay of the learning rate (0: none).
    pub decay: f64,
}

impl Default for RmsProp {
    fn default() -> Self {
        Self {
            learning_rate: 0.001,
            rho: 0.9,
            epsilon: 1e-7,
            decay: 0.0,
        }
    }
}

impl RmsProp {
    /// RMSprop with learning rate `learning_rate` and Keras's other defaults.
    pub fn new(learning_rate: f64) -> Self {
        Self {
            learning_rate,
            ..Self::default()
        }
    }
    /// Sets ρ.
    pub fn rho(mut self, rho: f64) -> Self {
        self.rho = rho;
        self
    }
}

impl UpdateRule for RmsProp {
    fn slots(&self) -> usize {
        Update::new(&Rule::RmsProp(*self), self.learning_rate, 1).slots()
    }
    rate_fields!();
    fn update(
        &self,
        w: &Tensor,
        g: &Tensor,
        slots: &mut [Tensor],
        lr: f64,
        t: usize,
    ) -> candle_core::Result<Tensor> {
        Update::new(&Rule::RmsProp(*self), lr, t).apply_tensors(w, g, slots)
    }
    fn describe(&self) -> String {
        format!("RMSprop(lr={})", self.learning_rate)
    }
}

/// Any of the three optimizers: what [`Sequential::compile`](crate::model::Sequential::compile) takes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Rule {
    /// Stochastic gradient descent.
    Sgd(Sgd),
    /// Adam.
    Adam(Adam),
    /// RMSprop.
    RmsProp(RmsProp),
}

impl From<Sgd> for Rule {
    fn from(r: Sgd) -> Self {
        Rule::Sgd(r)
    }
}
impl From<Adam> for Rule {
    fn from(r: Adam) -> Self {
        Rule::Adam(r)
    }
}
impl From<RmsProp> for Rule {
    fn from(r: RmsProp) -> Self {
        Rule::RmsProp(r)
    }
}

macro_rules! each_rule {
    ($self:expr, $r:ident => $e:expr) => {
        match $self {
            Rule::Sgd($r) => $e,
            Rule::Adam($r) => $e,
            Rule::RmsProp($r) => $e,
        }
    };
}

impl Rule {
    /// Checks every setting of the rule: a learning rate that is finite and not negative,
    /// momentum and decay rates in `[0, 1)`, a non-negative decay and epsilon. Each field is
    /// named, so a new field does not compile until it is checked here too.
    pub fn validate(&self) -> crate::Result<()> {
        let mut problems = Vec::new();
        let mut need = |name: &str, value: f64, ok: bool, range: &str| {
            if !ok {
                problems.push(format!("{name} = {value} (it must be {range})"));
            }
        };
        let rate = |v: f64| v.is_finite() && v >= 0.0;
        let fraction = |v: f64| (0.0..1.0).contains(&v);
        let (learning_rate, decay) = match *self {
            Rule::Sgd(Sgd {
                learning_rate,
                momentum,
                nesterov: _,
                decay,
            }) => {
                need("momentum", momentum, fraction(momentum), "in [0, 1)");
                (learning_rate, decay)
            }
            Rule::Adam(Adam {
                learning_rate,
                beta_1,
                beta_2,
                epsilon,
                decay,
            }) => {
                need("beta_1", beta_1, fraction(beta_1), "in [0, 1)");
                need("beta_2", beta_2, fraction(beta_2), "in [0, 1)");
                need("epsilon", epsilon, rate(epsilon), "a finite number ≥ 0");
                (learning_rate, decay)
            }
            Rule::RmsProp(RmsProp {
                learning_rate,
                rho,
                epsilon,
                decay,
            }) => {
                need("rho", rho, fraction(rho), "in [0, 1)");
                need("epsilon", epsilon, rate(epsilon), "a finite number ≥ 0");
                (learning_rate, decay)
            }
        };
        need(
            "learning_rate",
            learning_rate,
            rate(learning_rate),
            "a finite number ≥ 0",
        );
        need("decay", decay, rate(decay), "a finite number ≥ 0");
        if problems.is_empty() {
            return Ok(());
        }
        Err(crate::Error::InvalidArgument(format!(
            "{} cannot train: {}",
            self.describe(),
            problems.join("; ")
        )))
    }
}

impl UpdateRule for Rule {
    fn slots(&self) -> usize {
        each_rule!(self, r => r.slots())
    }
    fn learning_rate(&self) -> f64 {
        each_rule!(self, r => r.learning_rate())
    }
    fn set_learning_rate(&mut self, lr: f64) {
        each_rule!(self, r => r.set_learning_rate(lr))
    }
    fn decay(&self) -> f64 {
        each_rule!(self, r => r.decay())
    }
    fn update(
        &self,
        w: &Tensor,
        g: &Tensor,
        slots: &mut [Tensor],
        lr: f64,
        t: usize,
    ) -> candle_core::Result<Tensor> {
        each_rule!(self, r => r.update(w, g, slots, lr, t))
    }
    fn describe(&self) -> String {
        each_rule!(self, r => r.describe())
    }
}

/// An optimizer at work: an update rule, the weights it updates and its per-weight state.
#[derive(Debug)]
pub struct Optim<R: UpdateRule> {
    rule: R,
    vars: Vec<Var>,
    slots: Vec<Vec<Tensor>>,
    /// Steps taken so far (Keras's `optimizer.iterations`).
    iterations: usize,
}

impl<R: UpdateRule> Optim<R> {
    /// The update rule.
    pub fn rule(&self) -> &R {
        &self.rule
    }

    /// Steps taken so far.
    pub fn iterations(&self) -> usize {
        self.iterations
    }

    /// Points the optimizer at new variables holding the same weights, in the same order
    /// (see [`crate::model::Sequential::renew_vars`]); its state (momentum, moments) is kept.
    pub fn set_vars(&mut self, vars: Vec<Var>) -> crate::Result<()> {
        let same = vars.len() == self.vars.len()
            && vars
                .iter()
                .zip(&self.vars)
                .all(|(a, b)| a.dims() == b.dims());
        if !same {
            return Err(crate::Error::Mismatch(format!(
                "the optimizer was made for {} variables and cannot take these {}: compile the model again",
                self.vars.len(),
                vars.len()
            )));
        }
        self.vars = vars;
        Ok(())
    }

    /// The state of every weight as plain vectors (for the fused training path).
    pub(crate) fn slots_f32(&self) -> crate::Result<Vec<Vec<Vec<f32>>>> {
        self.slots
            .iter()
            .map(|slots| {
                slots
                    .iter()
                    .map(|s| Ok(s.flatten_all()?.to_vec1::<f32>()?))
                    .collect()
            })
            .collect()
    }

    /// Replaces the state of every weight and the step count (from the fused training path).
    pub(crate) fn set_slots_f32(
        &mut self,
        slots: Vec<Vec<Vec<f32>>>,
        iterations: usize,
    ) -> crate::Result<()> {
        for ((var, mine), new) in self.vars.iter().zip(self.slots.iter_mut()).zip(slots) {
            for (slot, values) in mine.iter_mut().zip(new) {
                *slot = Tensor::from_vec(values, var.dims(), var.device())?;
            }
        }
        self.iterations = iterations;
        Ok(())
    }

    /// The learning rate the next step will use, after decay.
    pub fn current_learning_rate(&self) -> f64 {
        decayed_learning_rate(
            self.rule.learning_rate(),
            self.rule.decay(),
            self.iterations,
        )
    }
}

impl<R: UpdateRule> candle_nn::Optimizer for Optim<R> {
    type Config = R;

    fn new(vars: Vec<Var>, rule: R) -> candle_core::Result<Self> {
        let vars: Vec<Var> = vars.into_iter().filter(|v| v.dtype().is_float()).collect();
        let slots = vars
            .iter()
            .map(|v| {
                (0..rule.slots())
                    .map(|_| v.zeros_like())
                    .collect::<candle_core::Result<Vec<_>>>()
            })
            .collect::<candle_core::Result<Vec<_>>>()?;
        Ok(Self {
            rule,
            vars,
            slots,
            iterations: 0,
        })
    }

    fn step(&mut self, grads: &GradStore) -> candle_core::Result<()> {
        let lr = self.current_learning_rate();
        self.iterations += 1;
        for (var, slots) in self.vars.iter().zip(self.slots.iter_mut()) {
            if let Some(g) = grads.get(var) {
                let w = self.rule.update(
                    &var.as_tensor().detach(),
                    &g.detach(),
                    slots,
                    lr,
                    self.iterations,
                )?;
                var.set(&w)?;
            }
        }
        Ok(())
    }

    fn learning_rate(&self) -> f64 {
        self.rule.learning_rate()
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.rule.set_learning_rate(lr)
    }
}
