//! The optimizer: SGD, Adam or RMSprop with Keras's defaults and update rules, its state,
//! and Candle's [`candle_nn::Optimizer`] trait for hand-written loops.
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
//! [`Sgd`], [`Adam`] and [`RmsProp`] are the settings (built like Keras's constructors);
//! [`Rule`] is any one of them; [`Optimizer`] is a rule at work, with the weights it updates
//! and its state. The arithmetic of each rule is in `update.rs`.
//!
//! ```
//! use mlpkit::prelude::*;
//! use candle_nn::Optimizer as _;
//!
//! let mut model = Architecture::new(&[2]).add(Dense::new(1, Activation::Linear)).build(0)?;
//! let x = Tensor::new(&[[1f32, 2.0]], &Device::Cpu)?;
//! let before = model.forward(&x)?.sum_all()?.to_scalar::<f32>()?;
//! let mut opt = Optimizer::new(model.vars(), Adam::default())?;
//! let loss = model.forward(&x)?.sum_all()?;  // any scalar built from the model's output
//! opt.backward_step(&loss)?;                  // its gradients, then one update of every weight
//! let after = model.forward(&x)?.sum_all()?.to_scalar::<f32>()?;
//! assert!(after < before);                    // the step went downhill
//! # Ok::<(), mlpkit::Error>(())
//! ```

use candle_core::backprop::GradStore;
use candle_core::{Tensor, Var};
use serde::{Deserialize, Serialize};

use crate::copies::{check_new_here, made_in_another_cell, this_copy};
use crate::error::{Error, Result};

/// Candle's `Optimizer` trait, for hand-written loops.
mod candle_trait;

/// What to do about variables made in another notebook cell.
const MAKE_HERE: &str = "Make the variables and the optimizer in the cell that trains them; for a \
     model, `model.renew_vars()` in that cell gives new variables (`optimizer.set_vars(vars)`). \
     `fit` and `train_step` do this themselves.";

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

/// Any of the three optimizers' settings: what [`Sequential::compile`](crate::model::Sequential::compile)
/// and [`Optimizer::new`] take.
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

impl Rule {
    /// Checks every setting of the rule: a learning rate that is finite and not negative,
    /// momentum and decay rates in `[0, 1)`, a non-negative decay and epsilon. Each field is
    /// named, so a new field does not compile until it is checked here too.
    pub fn validate(&self) -> Result<()> {
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
        Err(Error::InvalidArgument(format!(
            "{} cannot train: {}",
            self.describe(),
            problems.join("; ")
        )))
    }

    /// The learning rate before decay.
    pub fn learning_rate(&self) -> f64 {
        match self {
            Rule::Sgd(r) => r.learning_rate,
            Rule::Adam(r) => r.learning_rate,
            Rule::RmsProp(r) => r.learning_rate,
        }
    }

    /// Sets the learning rate.
    pub fn set_learning_rate(&mut self, lr: f64) {
        match self {
            Rule::Sgd(r) => r.learning_rate = lr,
            Rule::Adam(r) => r.learning_rate = lr,
            Rule::RmsProp(r) => r.learning_rate = lr,
        }
    }

    /// Keras's time-based decay: the learning rate of the step after `iterations` steps,
    /// `η / (1 + decay · iterations)`.
    pub fn learning_rate_after(&self, iterations: usize) -> f64 {
        let decay = match self {
            Rule::Sgd(r) => r.decay,
            Rule::Adam(r) => r.decay,
            Rule::RmsProp(r) => r.decay,
        };
        self.learning_rate() / (1.0 + decay * iterations as f64)
    }

    /// A short description for logs, e.g. `Adam(lr=0.001)`.
    pub fn describe(&self) -> String {
        match self {
            Rule::Sgd(r) => {
                let mut s = format!("SGD(lr={}", r.learning_rate);
                if r.momentum != 0.0 {
                    s += &format!(", momentum={}", r.momentum);
                }
                if r.nesterov {
                    s += ", nesterov";
                }
                if r.decay != 0.0 {
                    s += &format!(", decay={}", r.decay);
                }
                s + ")"
            }
            Rule::Adam(r) => format!("Adam(lr={})", r.learning_rate),
            Rule::RmsProp(r) => format!("RMSprop(lr={})", r.learning_rate),
        }
    }
}

/// An optimizer at work: an update rule, the weights it updates and its state per weight
/// (momentum, Adam's moments), and the steps taken so far.
///
/// `fit` makes one for the model in `compile`. A hand-written loop makes its own with
/// [`Optimizer::new`] and calls `backward_step(&loss)` (from Candle's
/// [`candle_nn::Optimizer`] trait, in the prelude).
#[derive(Debug)]
pub struct Optimizer {
    rule: Rule,
    vars: Vec<Var>,
    /// Per variable, [`Rule::slots`] tensors shaped like it.
    state: Vec<Vec<Tensor>>,
    /// Steps taken so far (Keras's `optimizer.iterations`).
    iterations: usize,
    /// Which copy of the library made it ([`crate::copies::this_copy`]).
    made_in: usize,
}

impl Optimizer {
    /// An optimizer with `rule` for the floating-point variables among `vars`; an error if a
    /// setting of the rule is out of range.
    pub fn new(vars: Vec<Var>, rule: impl Into<Rule>) -> Result<Self> {
        let rule = rule.into();
        rule.validate()?;
        let vars: Vec<Var> = vars.into_iter().filter(|v| v.dtype().is_float()).collect();
        check_new_here(&vars, "The variables given to this optimizer", MAKE_HERE)?;
        let state = vars
            .iter()
            .map(|v| (0..rule.slots()).map(|_| v.zeros_like()).collect())
            .collect::<candle_core::Result<Vec<Vec<Tensor>>>>()?;
        Ok(Self {
            rule,
            vars,
            state,
            iterations: 0,
            made_in: this_copy(),
        })
    }

    /// The update rule and its settings.
    pub fn rule(&self) -> &Rule {
        &self.rule
    }

    /// Steps taken so far.
    pub fn iterations(&self) -> usize {
        self.iterations
    }

    /// The variables it updates, in order.
    pub fn vars(&self) -> &[Var] {
        &self.vars
    }

    /// The learning rate the next step will use, after decay.
    pub fn current_learning_rate(&self) -> f64 {
        self.rule.learning_rate_after(self.iterations)
    }

    /// Counts a step and returns its learning rate and its number `t` (1-based): what every
    /// update of this step uses. Both training paths start each step here.
    pub(crate) fn next_step(&mut self) -> (f64, usize) {
        let lr = self.current_learning_rate();
        self.iterations += 1;
        (lr, self.iterations)
    }

    /// The variables and, for each, its state tensors (for the fused engine, which updates
    /// both in place).
    pub(crate) fn tensors(&self) -> (&[Var], &[Vec<Tensor>]) {
        (&self.vars, &self.state)
    }

    /// Points the optimizer at new variables holding the same weights, in the same order
    /// (see [`crate::model::Sequential::renew_vars`]); its state (momentum, moments) is kept.
    pub fn set_vars(&mut self, vars: Vec<Var>) -> Result<()> {
        let same = vars.len() == self.vars.len()
            && vars
                .iter()
                .zip(&self.vars)
                .all(|(a, b)| a.dims() == b.dims());
        if !same {
            return Err(Error::Mismatch(format!(
                "the optimizer was made for {} variables and cannot take these {}: compile the model again",
                self.vars.len(),
                vars.len()
            )));
        }
        check_new_here(&vars, "The variables given to this optimizer", MAKE_HERE)?;
        self.vars = vars;
        self.made_in = this_copy();
        Ok(())
    }

    /// One update of every variable that has a gradient in `grads` (the tensor form). An
    /// error, changing nothing, when the optimizer was made in another notebook cell (its
    /// variables' gradients could be mixed up with this cell's tensors') or when no variable
    /// has a gradient (the loss was not computed from them).
    pub fn update(&mut self, grads: &GradStore) -> Result<()> {
        if self.made_in != this_copy() {
            return Err(made_in_another_cell(
                "This optimizer and its variables",
                MAKE_HERE,
            ));
        }
        let missing: Vec<usize> = (0..self.vars.len())
            .filter(|&i| grads.get(&self.vars[i]).is_none())
            .collect();
        if !self.vars.is_empty() && missing.len() == self.vars.len() {
            return Err(Error::InvalidArgument(
                "none of the optimizer's variables has a gradient: the loss was not computed \
                 from them. Give the optimizer the variables the loss uses (after \
                 `model.renew_vars()`, the ones it returns: `optimizer.set_vars(vars)`)"
                    .into(),
            ));
        }
        if !missing.is_empty() {
            let shapes: Vec<String> = missing
                .iter()
                .map(|&i| format!("number {} (shape {:?})", i + 1, self.vars[i].dims()))
                .collect();
            return Err(Error::MadeInAnotherCell(format!(
                "the optimizer's variable {} got no gradient while the others did, so it would \
                 not learn. Either the loss does not use it (leave it out of the optimizer), or \
                 a tensor made in another notebook cell (the data, say) shares its number: each \
                 cell runs its own copy of the libraries, and Candle tells tensors apart by a \
                 number each copy counts on its own. Make every tensor the loss is computed \
                 from in the cell that trains, or copy it there (`x.copy()?`). Nothing was \
                 changed.",
                shapes.join(", ")
            )));
        }
        let (lr, t) = self.next_step();
        for (var, state) in self.vars.iter().zip(self.state.iter_mut()) {
            if let Some(g) = grads.get(var) {
                let w = self.rule.update_tensor(
                    lr,
                    t,
                    &var.as_tensor().detach(),
                    &g.detach(),
                    state,
                )?;
                var.set(&w)?;
            }
        }
        Ok(())
    }
}
