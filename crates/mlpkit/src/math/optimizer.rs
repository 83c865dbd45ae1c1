//! The optimizers' settings: SGD, Adam or RMSprop with Keras's defaults and update rules.
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
//! [`Rule`] is any one of them. The arithmetic of each rule is in `update.rs`; a rule at work,
//! with the weights it updates and its state, is [`crate::optimizer::Optimizer`].

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

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
/// and [`crate::optimizer::Optimizer::new`] take.
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
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming every setting out of range, with its range.
    ///
    /// ```
    /// use mlpkit::math::{Adam, Rule, Sgd};
    /// assert!(Rule::from(Sgd::new(0.01).momentum(0.9)).validate().is_ok());
    /// let e = Rule::from(Adam::new(f64::INFINITY).betas(0.9, 1.0)).validate().unwrap_err();
    /// assert!(e.to_string().contains("learning_rate") && e.to_string().contains("beta_2"));
    /// ```
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
