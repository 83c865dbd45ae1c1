//! Optimizers and losses: hand-computed steps and values, gradients against finite differences.

use candle_core::Var;
use candle_core::backprop::GradStore;
use mlpkit::prelude::*;
use mlpkit::train::{Outputs, Rule};

use crate::util::cpu;

/// Two steps of `rule` on `w = [1, −2]` with a constant gradient `[0.5, 0.1]`.
fn two_steps(rule: impl Into<Rule>) -> Vec<Vec<f32>> {
    let w = Var::new(&[1f32, -2.0], &cpu()).unwrap();
    let mut opt = Optimizer::new(vec![w.clone()], rule.into()).unwrap();
    let c = Tensor::new(&[0.5f32, 0.1], &cpu()).unwrap();
    let mut out = Vec::new();
    for _ in 0..2 {
        // d/dw sum(w * c) = c
        let loss = (w.as_tensor() * &c).unwrap().sum_all().unwrap();
        opt.backward_step(&loss).unwrap();
        out.push(w.to_vec1::<f32>().unwrap());
    }
    out
}

fn assert_steps(got: Vec<Vec<f32>>, want: [[f64; 2]; 2]) {
    for (g, w) in got.iter().zip(want) {
        for (a, b) in g.iter().zip(w) {
            assert!((*a as f64 - b).abs() < 2e-6, "got {got:?}, want {want:?}");
        }
    }
}

#[test]
fn sgd_steps_match_hand_computed_values() {
    assert_steps(two_steps(Sgd::new(0.1)), [[0.95, -2.01], [0.9, -2.02]]);
    // m ← 0.9 m − 0.1 g ; w ← w + m
    assert_steps(
        two_steps(Sgd::new(0.1).momentum(0.9)),
        [[0.95, -2.01], [0.855, -2.029]],
    );
    // Nesterov: w ← w + 0.9 m − 0.1 g
    assert_steps(
        two_steps(Sgd::new(0.1).momentum(0.9).nesterov(true)),
        [[0.905, -2.019], [0.7695, -2.0461]],
    );
    // decay 1: the second step uses lr 0.1 / (1 + 1·1) = 0.05
    assert_steps(
        two_steps(Sgd::new(0.1).decay(1.0)),
        [[0.95, -2.01], [0.925, -2.015]],
    );
}

#[test]
fn adam_and_rmsprop_steps_match_hand_computed_values() {
    // Computed independently in f64 from Keras's update rules.
    assert_steps(
        two_steps(Adam::new(0.1)),
        [
            [0.900000632451532, -2.099996837822337],
            [0.8000010797749725, -2.1999946012451557],
        ],
    );
    assert_steps(
        two_steps(RmsProp::new(0.1)),
        [
            [0.6837728664367967, -2.3162119558142926],
            [0.45435737405609977, -2.5456216526670024],
        ],
    );
    assert_eq!(Adam::default().learning_rate, 0.001);
    assert_eq!(Adam::default().epsilon, 1e-7);
    assert_eq!(RmsProp::default().rho, 0.9);
    assert_eq!(Sgd::default().learning_rate, 0.01);
}

#[test]
fn losses_from_logits_and_from_probabilities_agree_and_stay_finite() {
    let logits = Tensor::new(&[[2f32, 1.0, 0.1], [0.5, 2.5, -1.0]], &cpu()).unwrap();
    let labels = Tensor::new(&[0u32, 1], &cpu()).unwrap();
    let onehot = one_hot(&labels, 3).unwrap();
    let probs = candle_nn::ops::softmax_last_dim(&logits).unwrap();
    // −mean(log p[label]) by hand
    let p = probs.to_vec2::<f32>().unwrap();
    let want = -((p[0][0] as f64).ln() + (p[1][1] as f64).ln()) / 2.0;
    for (loss, y) in [
        (Loss::SparseCategoricalCrossentropy, &labels),
        (Loss::CategoricalCrossentropy, &onehot),
    ] {
        for (pred, kind) in [(&logits, Outputs::Logits), (&probs, Outputs::Probabilities)] {
            let v = loss
                .compute(pred, y, kind)
                .unwrap()
                .to_scalar::<f32>()
                .unwrap() as f64;
            assert!((v - want).abs() < 1e-5, "{loss:?} {kind:?}: {v} vs {want}");
        }
    }
    // Extreme logits: the from-logits form stays finite and exact.
    let extreme = Tensor::new(&[[1000f32, 0.0, -1000.0]], &cpu()).unwrap();
    let v = Loss::SparseCategoricalCrossentropy
        .compute(
            &extreme,
            &Tensor::new(&[2u32], &cpu()).unwrap(),
            Outputs::Logits,
        )
        .unwrap()
        .to_scalar::<f32>()
        .unwrap();
    assert!((v - 2000.0).abs() < 1e-2, "{v}");
    // Binary cross-entropy, both forms.
    let z = Tensor::new(&[[0.3f32, -1.2]], &cpu()).unwrap();
    let t = Tensor::new(&[[1f32, 0.0]], &cpu()).unwrap();
    let s = |x: f64| 1.0 / (1.0 + (-x).exp());
    let want = -((s(0.3)).ln() + (1.0 - s(-1.2)).ln()) / 2.0;
    let from_logits = Loss::BinaryCrossentropy
        .compute(&z, &t, Outputs::Logits)
        .unwrap()
        .to_scalar::<f32>()
        .unwrap();
    let q = candle_nn::ops::sigmoid(&z).unwrap();
    let from_probs = Loss::BinaryCrossentropy
        .compute(&q, &t, Outputs::Probabilities)
        .unwrap()
        .to_scalar::<f32>()
        .unwrap();
    assert!((from_logits as f64 - want).abs() < 1e-6 && (from_probs as f64 - want).abs() < 1e-6);
    // Mismatched targets say what to do.
    let msg = Loss::CategoricalCrossentropy
        .compute(&logits, &labels, Outputs::Logits)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("SparseCategoricalCrossentropy"), "{msg}");
}

#[test]
fn gradients_match_finite_differences() {
    let arch = Architecture::new(&[4])
        .add(Dense::new(3, Activation::Tanh))
        .add(Dense::new(2, Activation::Softmax));
    let model = arch.build_on(5, &cpu()).unwrap();
    let x = Tensor::new(&[[0.2f32, -0.4, 0.9, 0.1], [-0.7, 0.3, 0.5, -0.2]], &cpu()).unwrap();
    let y = Tensor::new(&[1u32, 0], &cpu()).unwrap();
    let loss_of = |m: &Sequential| -> f64 {
        let (z, a) = m.logits(&x).unwrap();
        Loss::SparseCategoricalCrossentropy
            .compute_for(&z, a, &y)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap() as f64
    };
    let (z, a) = model.logits(&x).unwrap();
    let grads: GradStore = Loss::SparseCategoricalCrossentropy
        .compute_for(&z, a, &y)
        .unwrap()
        .backward()
        .unwrap();
    for (name, var) in model.named_vars() {
        let g = grads
            .get(&var)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        let w0 = var
            .as_tensor()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        for i in 0..w0.len() {
            let h = 1e-2f32;
            let bump = |d: f32| {
                let mut w = w0.clone();
                w[i] += d;
                var.set(&Tensor::from_vec(w, var.dims(), &cpu()).unwrap())
                    .unwrap();
                loss_of(&model)
            };
            let numeric = (bump(h) - bump(-h)) / (2.0 * h as f64);
            var.set(&Tensor::from_vec(w0.clone(), var.dims(), &cpu()).unwrap())
                .unwrap();
            assert!(
                (numeric - g[i] as f64).abs() < 1e-3,
                "{name}[{i}]: analytic {} numeric {numeric}",
                g[i]
            );
        }
    }
}

#[test]
fn a_variable_left_without_a_gradient_stops_the_step_and_says_why() {
    let a = Var::new(&[1f32, 2.0], &cpu()).unwrap();
    let b = Var::new(&[3f32, 4.0], &cpu()).unwrap();
    let mut opt = Optimizer::new(vec![a.clone(), b.clone()], Sgd::new(0.1)).unwrap();
    // The loss uses `a` only: `b` gets no gradient, as when a tensor from another notebook
    // cell shares its number.
    let loss = a.as_tensor().sum_all().unwrap();
    let message = opt.backward_step(&loss).unwrap_err().to_string();
    assert!(
        message.contains("variable number 2 (shape [2]) got no gradient")
            && message.contains("another notebook cell"),
        "{message}"
    );
    assert_eq!(
        a.as_tensor().to_vec1::<f32>().unwrap(),
        [1.0, 2.0],
        "nothing changed"
    );
    // A loss that uses neither says that instead.
    let c = Var::new(&[5f32], &cpu()).unwrap();
    let loss = c.as_tensor().sum_all().unwrap();
    let message = opt.backward_step(&loss).unwrap_err().to_string();
    assert!(
        message.contains("none of the optimizer's variables"),
        "{message}"
    );
}
