//! Models, losses, optimizers, training and weights on disk.

use candle_core::backprop::GradStore;
use candle_core::Var;
use mlpkit::model::LayerSpec;
use mlpkit::prelude::*;
use mlpkit::train::{Outputs, Rule, UpdateRule};

fn cpu() -> Device {
    Device::Cpu
}

fn mlp(hidden: &[usize], activation: Activation) -> Architecture {
    let mut arch = Architecture::new(&[28, 28]).add(Flatten);
    for &h in hidden {
        arch = arch.add(Dense::new(h, activation));
    }
    arch.add(Dense::new(10, Activation::Softmax))
}

#[test]
fn parameter_counts_match_keras() {
    assert_eq!(
        mlp(&[300, 100], Activation::Relu).param_count().unwrap(),
        266_610
    );
    assert_eq!(
        mlp(&[128, 128], Activation::Relu).param_count().unwrap(),
        118_282
    );
    assert_eq!(
        mlp(&[50, 50], Activation::Tanh).param_count().unwrap(),
        42_310
    );
    assert_eq!(
        mlp(&[64, 64], Activation::Relu).param_count().unwrap(),
        55_050
    );
    assert_eq!(
        mlp(&[200], Activation::Relu).param_count().unwrap(),
        159_010
    );
    let model = mlp(&[300, 100], Activation::Relu)
        .build_on(0, &cpu())
        .unwrap();
    assert_eq!(model.param_count(), 266_610);
    let n: usize = model.vars().iter().map(|v| v.elem_count()).sum();
    assert_eq!(n, 266_610, "the weights really are that many numbers");
}

#[test]
fn summary_reads_like_keras() {
    let model = mlp(&[300, 100], Activation::Relu)
        .build_on(0, &cpu())
        .unwrap();
    let s = model.summary();
    let names: Vec<String> = s
        .rows
        .iter()
        .map(|r| format!("{} ({})", r.name, r.type_name))
        .collect();
    assert_eq!(
        names,
        [
            "flatten (Flatten)",
            "dense (Dense)",
            "dense_1 (Dense)",
            "dense_2 (Dense)"
        ]
    );
    let shapes: Vec<&str> = s.rows.iter().map(|r| r.output_shape.as_str()).collect();
    assert_eq!(
        shapes,
        ["(None, 784)", "(None, 300)", "(None, 100)", "(None, 10)"]
    );
    let params: Vec<usize> = s.rows.iter().map(|r| r.params).collect();
    assert_eq!(params, [0, 235_500, 30_100, 1_010]);
    let text = s.to_string();
    assert!(text.contains("Total params: 266,610"), "{text}");
    assert!(
        text.contains("Trainable params: 266,610") && text.contains("Non-trainable params: 0"),
        "{text}"
    );
    let html = s.to_html();
    assert!(
        html.starts_with("<table>") && html.contains("dense_1 (Dense)") && html.contains("235,500"),
        "{html}"
    );
}

#[test]
fn architecture_errors_are_explained() {
    let no_flatten = Architecture::new(&[28, 28]).add(Dense::new(10, Activation::Softmax));
    let msg = no_flatten.resolve().unwrap_err().to_string();
    assert!(msg.contains("put a Flatten layer before it"), "{msg}");
    let bad_rate = Architecture::new(&[784]).add(Dropout::new(1.5));
    assert!(bad_rate
        .resolve()
        .unwrap_err()
        .to_string()
        .contains("dropout rate"));
    assert!(Architecture::new(&[784])
        .add(Dense::new(0, Activation::Relu))
        .resolve()
        .is_err());
}

#[test]
fn forward_shapes_and_probabilities() {
    let model = mlp(&[50, 50], Activation::Tanh)
        .build_on(1, &cpu())
        .unwrap();
    let x = Tensor::rand(0f32, 1f32, (5, 28, 28), &cpu()).unwrap();
    let p = model.forward(&x).unwrap();
    assert_eq!(p.dims(), &[5, 10]);
    for row in p.to_vec2::<f32>().unwrap() {
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        assert!(row.iter().all(|&v| v > 0.0));
    }
    // Flat inputs of the right size are accepted too.
    assert_eq!(
        model.forward(&x.reshape((5, 784)).unwrap()).unwrap().dims(),
        &[5, 10]
    );
    assert_eq!(model.predict_classes(&x).unwrap().len(), 5);
    // Wrong sizes and raw bytes are explained.
    let msg = model
        .forward(&Tensor::zeros((2, 100), DType::F32, &cpu()).unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("[28, 28]") && msg.contains("[2, 100]"),
        "{msg}"
    );
    let msg = model
        .forward(&Tensor::zeros((2, 784), DType::U8, &cpu()).unwrap())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("scale("), "{msg}");
}

#[test]
fn initialisers_have_the_keras_spread() {
    use rand::SeedableRng;
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let stats = |v: &[f32]| {
        let n = v.len() as f64;
        let mean = v.iter().map(|&x| x as f64).sum::<f64>() / n;
        let var = v.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / n;
        (
            mean,
            var.sqrt(),
            v.iter().fold(0f32, |m, &x| m.max(x.abs())) as f64,
        )
    };
    let (fi, fo) = (784, 300);
    let glorot_limit = (6.0 / (fi + fo) as f64).sqrt();
    let (m, s, max) = stats(
        &Init::GlorotUniform
            .sample(fi * fo, fi, fo, &mut rng)
            .unwrap(),
    );
    assert!(
        m.abs() < 1e-3 && (s - glorot_limit / 3f64.sqrt()).abs() < 1e-3 && max <= glorot_limit,
        "{m} {s} {max}"
    );
    let (_, s, _) = stats(&Init::HeUniform.sample(fi * fo, fi, fo, &mut rng).unwrap());
    assert!((s - (6.0 / fi as f64).sqrt() / 3f64.sqrt()).abs() < 1e-3);
    let (_, s, _) = stats(
        &Init::GlorotNormal
            .sample(fi * fo, fi, fo, &mut rng)
            .unwrap(),
    );
    assert!((s - (2.0 / (fi + fo) as f64).sqrt()).abs() < 1e-3, "{s}");
    let (_, s, _) = stats(&Init::HeNormal.sample(fi * fo, fi, fo, &mut rng).unwrap());
    assert!((s - (2.0 / fi as f64).sqrt()).abs() < 1e-3, "{s}");
    let (m, s, max) = stats(
        &Init::TruncatedNormal { std: 0.01 }
            .sample(200_000, 1, 1, &mut rng)
            .unwrap(),
    );
    assert!(
        m.abs() < 1e-4 && (s - 0.01 * 0.8796).abs() < 2e-4 && max <= 0.02,
        "{m} {s} {max}"
    );
    assert!(Init::Zeros
        .sample(5, 1, 1, &mut rng)
        .unwrap()
        .iter()
        .all(|&v| v == 0.0));
    assert_eq!(
        Init::Constant { value: 0.5 }
            .sample(2, 1, 1, &mut rng)
            .unwrap(),
        [0.5, 0.5]
    );
    // Biases start at zero by default.
    let model = mlp(&[20], Activation::Relu).build_on(0, &cpu()).unwrap();
    let b = model
        .dense_params("dense")
        .unwrap()
        .bias
        .as_ref()
        .unwrap()
        .to_vec1::<f32>()
        .unwrap();
    assert!(b.iter().all(|&v| v == 0.0));
    assert_eq!(
        model.dense_params("dense").unwrap().kernel.dims(),
        &[784, 20]
    );
    assert!(model
        .dense_params("nope")
        .unwrap_err()
        .to_string()
        .contains("dense_1"));
}

/// Two steps of `rule` on `w = [1, −2]` with a constant gradient `[0.5, 0.1]`.
fn two_steps(rule: impl Into<Rule>) -> Vec<Vec<f32>> {
    let w = Var::new(&[1f32, -2.0], &cpu()).unwrap();
    let mut opt = Optim::new(vec![w.clone()], rule.into()).unwrap();
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
    assert_eq!(Adam::default().learning_rate(), 0.001);
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

/// A small, learnable problem: 2-D points, class = which quadrant (4 classes), flattened to 2 inputs.
fn quadrants(n: usize, seed: u64) -> Split {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for _ in 0..n {
        let (a, b): (f32, f32) = (rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0));
        xs.extend([a, b]);
        ys.push(u32::from(a > 0.0) * 2 + u32::from(b > 0.0));
    }
    Split::new(
        Tensor::from_vec(xs, (n, 2), &cpu()).unwrap(),
        Tensor::from_vec(ys, n, &cpu()).unwrap(),
    )
    .unwrap()
}

fn small_model(seed: u64) -> Sequential {
    Architecture::new(&[2])
        .add(Dense::new(16, Activation::Relu))
        .add(Dropout::new(0.1))
        .add(Dense::new(4, Activation::Softmax))
        .build_on(seed, &cpu())
        .unwrap()
}

#[test]
fn fit_learns_and_reports_history() {
    let data = quadrants(2000, 1);
    let mut model = small_model(3);
    model
        .compile(Adam::new(0.01), Loss::SparseCategoricalCrossentropy)
        .unwrap();
    let before = model.evaluate(&data).unwrap();
    let history = model
        .fit(
            &data,
            Fit::epochs(8)
                .batch_size(32)
                .validation_split(0.2)
                .seed(4)
                .verbose(false),
        )
        .unwrap();
    assert_eq!(history.len(), 8);
    assert_eq!(history.val_loss().len(), 8);
    assert!(history.loss()[7] < history.loss()[0] * 0.5, "{history}");
    let after = model.evaluate(&data).unwrap();
    assert!(
        after.accuracy > 0.95 && after.accuracy > before.accuracy + 0.3,
        "{before} → {after}"
    );
    assert!(history.last().unwrap().val_accuracy.unwrap() > 0.93);
    assert!(history.seconds().iter().all(|&s| s > 0.0));
    assert_eq!(model.history().len(), 8);
    // A second fit continues the epoch numbering.
    let more = model.fit(&data, Fit::epochs(1).verbose(false)).unwrap();
    assert_eq!(more.epochs[0].epoch, 9);
    assert_eq!(model.history().len(), 9);
}

#[test]
fn fit_with_one_hot_targets_and_sgd() {
    let data = quadrants(1000, 2).map_labels(|y| one_hot(y, 4)).unwrap();
    let mut model = small_model(1);
    model
        .compile(Sgd::new(0.1).momentum(0.9), Loss::CategoricalCrossentropy)
        .unwrap();
    let h = model
        .fit(&data, Fit::epochs(10).batch_size(16).verbose(false))
        .unwrap();
    assert!(h.last().unwrap().accuracy > 0.9, "{h}");
    let probs = model.predict(data.images()).unwrap();
    assert_eq!(probs.dims(), &[1000, 4]);
}

#[test]
fn same_seed_same_weights_and_history() {
    let data = quadrants(500, 7);
    let run = || {
        let mut model = small_model(11);
        model
            .compile(RmsProp::default(), Loss::SparseCategoricalCrossentropy)
            .unwrap();
        let h = model
            .fit(
                &data,
                Fit::epochs(3)
                    .batch_size(20)
                    .validation_split(0.1)
                    .seed(5)
                    .verbose(false),
            )
            .unwrap();
        let w: Vec<Vec<f32>> = model
            .vars()
            .iter()
            .map(|v| v.flatten_all().unwrap().to_vec1().unwrap())
            .collect();
        (h.loss(), h.val_accuracy(), w)
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    let mut other = small_model(12);
    let w: Vec<Vec<f32>> = other
        .vars()
        .iter()
        .map(|v| v.flatten_all().unwrap().to_vec1().unwrap())
        .collect();
    assert_ne!(w, a.2);
    other
        .compile(Adam::default(), Loss::SparseCategoricalCrossentropy)
        .unwrap();
}

#[test]
fn fit_needs_compile_and_matching_targets() {
    let data = quadrants(50, 1);
    let mut model = small_model(0);
    let msg = model.fit(&data, Fit::epochs(1)).unwrap_err().to_string();
    assert!(msg.contains("model.compile"), "{msg}");
    model
        .compile(Adam::default(), Loss::CategoricalCrossentropy)
        .unwrap();
    let msg = model
        .fit(&data, Fit::epochs(1).verbose(false))
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("one_hot") || msg.contains("SparseCategoricalCrossentropy"),
        "{msg}"
    );
}

#[test]
fn a_diverging_loss_stops_with_epoch_and_batch() {
    let mut x: Vec<f32> = vec![0.5; 200];
    // Example 75 is finite but as large as f32 goes: with all-one weights its logits
    // overflow to infinity and the loss becomes NaN. (A NaN input is refused before
    // training starts, see tests/nothing_lost.rs.)
    x[150] = f32::MAX;
    x[151] = f32::MAX;
    let data = Split::new(
        Tensor::from_vec(x, (100, 2), &cpu()).unwrap(),
        Tensor::zeros(100, DType::U32, &cpu()).unwrap(),
    )
    .unwrap();
    let mut model = Architecture::new(&[2])
        .add(Dense::new(4, Activation::Softmax).kernel_init(Init::Constant { value: 1.0 }))
        .build_on(0, &cpu())
        .unwrap();
    model
        .compile(Sgd::default(), Loss::SparseCategoricalCrossentropy)
        .unwrap();
    let err = model
        .fit(
            &data,
            Fit::epochs(3).batch_size(10).shuffle(false).verbose(false),
        )
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("diverged") && msg.contains("epoch 1 at batch 8 of 10"),
        "{msg}"
    );
    assert!(msg.contains("Lower the learning rate"), "{msg}");
    // The batch with the overflow was not applied: the weights are still finite numbers.
    assert!(model.vars()[0]
        .flatten_all()
        .unwrap()
        .to_vec1::<f32>()
        .unwrap()
        .iter()
        .all(|v| v.is_finite()));
}

#[test]
fn early_stopping_restores_the_best_weights() {
    let train = quadrants(300, 1);
    let val = quadrants(300, 2);
    let mut model = small_model(2);
    // A learning rate far too high makes validation loss jump around: patience 2 must stop it.
    model
        .compile(Sgd::new(5.0), Loss::SparseCategoricalCrossentropy)
        .unwrap();
    let h = model
        .fit(
            &train,
            Fit::epochs(40)
                .validation_data(&val)
                .verbose(false)
                .callback(EarlyStopping::new(Monitor::ValLoss, 2).restore_best_weights(true)),
        )
        .unwrap();
    assert!(h.len() < 40, "{h}");
    let why = h.stopped_early.as_deref().unwrap();
    assert!(
        why.contains("val_loss has not improved for 2 epochs") && why.contains("restored"),
        "{why}"
    );
    let best = h.best(Monitor::ValLoss).unwrap();
    let now = model.evaluate(&val).unwrap().loss;
    assert!(
        (now - best.val_loss.unwrap()).abs() < 1e-6,
        "restored loss {now} vs best {}",
        best.val_loss.unwrap()
    );
}

#[test]
fn a_time_budget_stops_mid_epoch() {
    let data = quadrants(20_000, 3);
    let mut model = small_model(0);
    model
        .compile(Adam::default(), Loss::SparseCategoricalCrossentropy)
        .unwrap();
    let start = std::time::Instant::now();
    let h = model
        .fit(
            &data,
            Fit::epochs(1000)
                .batch_size(8)
                .verbose(false)
                .callback(TimeBudget::seconds(0.3).unwrap()),
        )
        .unwrap();
    assert!(start.elapsed().as_secs_f64() < 5.0);
    assert!(
        h.stopped_early
            .as_deref()
            .unwrap()
            .contains("time budget of 0.3 s"),
        "{h}"
    );
    assert!(h.len() < 1000);
}

#[test]
fn save_and_load_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let data = quadrants(400, 4);
    let mut model = small_model(6);
    model
        .compile(Adam::new(0.01), Loss::SparseCategoricalCrossentropy)
        .unwrap();
    model.fit(&data, Fit::epochs(2).verbose(false)).unwrap();
    let path = dir.path().join("quad.safetensors");
    model.save(&path).unwrap();
    // One file: the description travels inside the safetensors metadata.
    assert!(!dir.path().join("quad.json").exists());
    let before = model
        .predict(data.images())
        .unwrap()
        .to_vec2::<f32>()
        .unwrap();

    let loaded = Sequential::load(&path, &cpu()).unwrap();
    assert_eq!(
        loaded
            .predict(data.images())
            .unwrap()
            .to_vec2::<f32>()
            .unwrap(),
        before
    );
    assert_eq!(loaded.history(), model.history());
    assert_eq!(loaded.architecture(), model.architecture());

    // Into a freshly built model of the same architecture.
    let fresh = small_model(99);
    assert_ne!(
        fresh
            .predict(data.images())
            .unwrap()
            .to_vec2::<f32>()
            .unwrap(),
        before
    );
    fresh.load_weights(&path).unwrap();
    assert_eq!(
        fresh
            .predict(data.images())
            .unwrap()
            .to_vec2::<f32>()
            .unwrap(),
        before
    );
    // No temporary files left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn loading_weights_of_another_architecture_names_the_tensor() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.safetensors");
    small_model(0).save(&path).unwrap();
    let wider = Architecture::new(&[2])
        .add(Dense::new(32, Activation::Relu))
        .add(Dense::new(4, Activation::Softmax));
    let model = wider.build_on(0, &cpu()).unwrap();
    let msg = model.load_weights(&path).unwrap_err().to_string();
    assert!(
        msg.contains("`dense.kernel`") && msg.contains("[2, 16]") && msg.contains("[2, 32]"),
        "{msg}"
    );
    let deeper = Architecture::new(&[2])
        .add(Dense::new(16, Activation::Relu))
        .add(Dense::new(16, Activation::Relu))
        .add(Dense::new(4, Activation::Softmax));
    let msg = deeper
        .build_on(0, &cpu())
        .unwrap()
        .load_weights(&path)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("dense_1.kernel") || msg.contains("dense_2"),
        "{msg}"
    );
    // The failed load changed nothing.
    let before = model.vars()[0].to_vec2::<f32>().unwrap();
    let _ = model.load_weights(&path);
    assert_eq!(model.vars()[0].to_vec2::<f32>().unwrap(), before);
}

#[test]
fn missing_truncated_and_foreign_weight_files() {
    let dir = tempfile::tempdir().unwrap();
    let model = small_model(0);
    let msg = model
        .load_weights(dir.path().join("nothing.safetensors"))
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("nothing.safetensors") && msg.contains("no such file"),
        "{msg}"
    );
    let path = dir.path().join("m.safetensors");
    model.save(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let msg = model.load_weights(&path).unwrap_err().to_string();
    assert!(msg.contains("not a complete safetensors file"), "{msg}");
    std::fs::write(&path, b"hello, I am a text file").unwrap();
    assert!(model
        .load_weights(&path)
        .unwrap_err()
        .to_string()
        .contains("not a complete safetensors file"));
    // Weights without a description, and a damaged description beside them (the first
    // format's layout).
    let weights: std::collections::HashMap<String, Tensor> =
        model.weights().unwrap().into_iter().collect();
    candle_core::safetensors::save(&weights, &path).unwrap();
    let msg = Sequential::load(&path, &cpu()).unwrap_err().to_string();
    assert!(
        msg.contains("no architecture") && msg.contains("load_weights"),
        "{msg}"
    );
    std::fs::write(dir.path().join("m.json"), b"{ not json").unwrap();
    let msg = Sequential::load(&path, &cpu()).unwrap_err().to_string();
    assert!(
        msg.contains("m.json") && msg.contains("not one mlpkit saved"),
        "{msg}"
    );
}

#[test]
fn saving_over_a_good_file_is_atomic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keep.safetensors");
    let model = small_model(0);
    model.save(&path).unwrap();
    let good = std::fs::read(&path).unwrap();
    // Saving into a path whose folder is really a file fails, and the good file elsewhere is intact.
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, b"x").unwrap();
    assert!(model.save(blocker.join("m.safetensors")).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), good);
    // A second save replaces the file whole.
    small_model(1).save(&path).unwrap();
    let loaded = Sequential::load(&path, &cpu()).unwrap();
    assert_eq!(
        loaded.vars()[0].to_vec2::<f32>().unwrap(),
        small_model(1).vars()[0].to_vec2::<f32>().unwrap()
    );
}

#[test]
fn multi_label_sigmoid_outputs_with_binary_cross_entropy() {
    // Two independent labels per point: x > 0 and y > 0.
    let data = quadrants(1500, 9);
    let labels = data.label_vec().unwrap();
    let targets: Vec<f32> = labels
        .iter()
        .flat_map(|&c| [(c / 2) as f32, (c % 2) as f32])
        .collect();
    let data = Split::new(
        data.images().clone(),
        Tensor::from_vec(targets, (1500, 2), &cpu()).unwrap(),
    )
    .unwrap();
    let mut model = Architecture::new(&[2])
        .add(Dense::new(8, Activation::Relu))
        .add(Dense::new(2, Activation::Sigmoid))
        .build_on(0, &cpu())
        .unwrap();
    model
        .compile(Adam::new(0.02), Loss::BinaryCrossentropy)
        .unwrap();
    let h = model.fit(&data, Fit::epochs(10).verbose(false)).unwrap();
    assert!(h.last().unwrap().accuracy > 0.95, "{h}");
    let p = model
        .predict(data.images())
        .unwrap()
        .to_vec2::<f32>()
        .unwrap();
    assert!(p.iter().flatten().all(|&v| (0.0..=1.0).contains(&v)));
}

#[test]
fn layer_specs_serialise_to_readable_json() {
    let arch = mlp(&[50], Activation::Tanh).add(Dropout::new(0.5));
    let json = serde_json::to_string(&arch).unwrap();
    assert!(
        json.contains("\"type\":\"dense\"") && json.contains("\"activation\":\"tanh\""),
        "{json}"
    );
    let back: Architecture = serde_json::from_str(&json).unwrap();
    assert_eq!(back, arch);
    assert!(matches!(back.layers[0], LayerSpec::Flatten));
}

#[test]
fn renewed_vars_keep_weights_and_training_state() {
    let data = quadrants(600, 5);
    let run = |renew: bool| {
        let mut model = small_model(8);
        model
            .compile(Adam::new(0.01), Loss::SparseCategoricalCrossentropy)
            .unwrap();
        model.fit(&data, Fit::epochs(1).verbose(false)).unwrap();
        if renew {
            let before: Vec<Vec<f32>> = model
                .vars()
                .iter()
                .map(|v| v.flatten_all().unwrap().to_vec1().unwrap())
                .collect();
            let old_ids: Vec<_> = model.vars().iter().map(|v| v.id()).collect();
            let vars = model.renew_vars().unwrap();
            let after: Vec<Vec<f32>> = vars
                .iter()
                .map(|v| v.flatten_all().unwrap().to_vec1().unwrap())
                .collect();
            assert_eq!(before, after, "same values");
            assert!(
                vars.iter().zip(&old_ids).all(|(v, id)| v.id() != *id),
                "new tensors"
            );
        }
        model.fit(&data, Fit::epochs(1).verbose(false)).unwrap();
        model
            .vars()
            .iter()
            .map(|v| v.flatten_all().unwrap().to_vec1::<f32>().unwrap())
            .collect::<Vec<_>>()
    };
    // Renewing in between changes nothing: the optimizer keeps its moments.
    assert_eq!(run(false), run(true));
    let mut opt = Optim::new(small_model(0).vars(), Sgd::default()).unwrap();
    assert!(opt.set_vars(vec![]).is_err());
}
