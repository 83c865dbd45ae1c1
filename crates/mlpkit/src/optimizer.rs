//! An optimizer at work: an update rule ([`crate::math::Rule`]), the weights it updates and
//! its state, and Candle's [`candle_nn::Optimizer`] trait for hand-written loops.
//!
//! It lives above `math`, beside `data`, because it is where the notebooks' kernel shows
//! through: variables made in one notebook cell and stepped in another are caught here
//! (`cells.rs`), while the update rules below stay plain mathematics.
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

use crate::cells::{check_new_here, made_in_another_cell, this_copy};
use crate::error::{Error, Result};
use crate::math::Rule;

/// Candle's `Optimizer` trait, for hand-written loops.
mod candle_trait;

/// What to do about variables made in another notebook cell.
const MAKE_HERE: &str = "Make the variables and the optimizer in the cell that trains them; for a \
     model, `model.renew_vars()` in that cell gives new variables (`optimizer.set_vars(vars)`). \
     `fit` and `train_step` do this themselves.";

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
    /// Which copy of the library made it ([`crate::cells::this_copy`]).
    made_in: usize,
}

impl Optimizer {
    /// An optimizer with `rule` for the floating-point variables among `vars`; an error if a
    /// setting of the rule is out of range.
    ///
    /// # Errors
    /// - [`Error::InvalidArgument`] when a setting of the rule is out of range
    ///   ([`Rule::validate`]);
    /// - [`Error::MadeInAnotherCell`] when the variables were made in another notebook cell
    ///   than this one: make them here (`model.renew_vars()`).
    ///
    /// Example: the module's, above; `Optimizer::new(model.vars(), Sgd::new(-0.1))` fails.
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
    ///
    /// # Errors
    /// [`Error::Mismatch`] when `vars` are not as many, or not shaped like the old ones
    /// (another model: compile it again); [`Error::MadeInAnotherCell`] when they were made
    /// in another notebook cell.
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
    ///
    /// # Errors
    /// - [`Error::MadeInAnotherCell`] when the optimizer was made in another notebook cell,
    ///   or some of its variables got no gradient while others did;
    /// - [`Error::InvalidArgument`] when none of its variables has a gradient: give it the
    ///   variables the loss was computed from.
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
