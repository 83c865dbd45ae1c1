//! [`candle_nn::Optimizer`] for [`Optimizer`], so that a hand-written loop can call
//! `optimizer.backward_step(&loss)` as with Candle's own optimizers.

use candle_core::backprop::GradStore;
use candle_core::{Tensor, Var};

use super::{MAKE_HERE, Optimizer};
use crate::cells::{made_in_another_cell, this_copy};
use crate::error::Error;
use crate::math::Rule;

impl candle_nn::Optimizer for Optimizer {
    type Config = Rule;

    fn new(vars: Vec<Var>, rule: Rule) -> candle_core::Result<Self> {
        Optimizer::new(vars, rule).map_err(|e| candle_core::Error::Msg(e.to_string()))
    }

    fn step(&mut self, grads: &GradStore) -> candle_core::Result<()> {
        self.update(grads).map_err(|e| match e {
            Error::Candle(c) => c,
            other => candle_core::Error::Msg(other.to_string()),
        })
    }

    /// The gradients of `loss`, then [`Optimizer::update`]; made in another notebook cell, it
    /// refuses before Candle computes any gradient (tensors from two cells can share numbers,
    /// and the gradient pass itself would then fail with a shape error that says nothing
    /// of cells).
    fn backward_step(&mut self, loss: &Tensor) -> candle_core::Result<()> {
        if self.made_in != this_copy() {
            return Err(candle_core::Error::Msg(
                made_in_another_cell("This optimizer and its variables", MAKE_HERE).to_string(),
            ));
        }
        let grads = loss.backward()?;
        candle_nn::Optimizer::step(self, &grads)
    }

    fn learning_rate(&self) -> f64 {
        self.rule.learning_rate()
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.rule.set_learning_rate(lr)
    }
}
