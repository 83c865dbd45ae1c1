//! What the engine works on: each dense layer's shape, its scratch space for a batch, its
//! weights and optimizer state borrowed for a step, and one step's update.

use crate::math::{Activation, Rule};

/// One dense layer as the engine runs it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DenseLayer {
    /// Inputs per example.
    pub(crate) inputs: usize,
    /// Outputs per example.
    pub(crate) units: usize,
    /// Applied in the forward pass: an elementwise activation for a hidden layer, `Linear`
    /// for the last one (the loss applies its softmax or sigmoid).
    pub(crate) activation: Activation,
    /// Rates of the dropout layers in front of this one, in order.
    pub(crate) dropout: Vec<f64>,
    /// Whether the layer adds a bias.
    pub(crate) bias: bool,
}

/// One layer's scratch space for a batch.
#[derive(Debug, Default)]
pub(crate) struct LayerBuffers {
    /// `∂L/∂W` and `∂L/∂b`.
    pub(super) gw: Vec<f32>,
    pub(super) gb: Vec<f32>,
    /// The combined dropout mask on the input, and the masked input.
    pub(super) mask: Vec<f32>,
    pub(super) masked: Vec<f32>,
    /// `f(z)` (the logits `z` for the last layer).
    pub(super) out: Vec<f32>,
    /// `∂L/∂z`.
    pub(super) delta: Vec<f32>,
}

/// The layer below a layer in the backward pass: where its `∂L/∂z` goes, its output, and
/// its activation.
pub(super) struct Below<'a> {
    pub(super) delta: &'a mut [f32],
    pub(super) out: &'a [f32],
    pub(super) activation: Activation,
}

/// What a layer takes in, for its backward pass.
pub(super) enum Input<'a> {
    /// The batch itself (the first layer): there is no gradient to pass further down.
    Batch(&'a [f32]),
    /// The output of the layer below, whose `∂L/∂z` this layer's backward pass fills.
    Layer(Below<'a>),
}

/// One optimizer step's rule, learning rate and number.
#[derive(Clone, Copy)]
pub(super) struct Update {
    pub(super) rule: Rule,
    pub(super) lr: f64,
    pub(super) t: usize,
}

/// The weights and optimizer state of one layer, borrowed for a step.
pub(super) struct LayerParams<'a> {
    pub(super) w: &'a mut [f32],
    pub(super) b: Option<&'a mut [f32]>,
    pub(super) w_state: Vec<&'a mut [f32]>,
    pub(super) b_state: Vec<&'a mut [f32]>,
}
