//! `fit`'s fused CPU path against Candle's autograd path: same seed, same results up to
//! floating-point rounding, for every optimizer, loss and layer kind the fused path covers;
//! and the autograd path for what it does not cover.

use crate::util;

use crate::util::paths::*;
use mlpkit::prelude::*;

#[test]
fn sgd_momentum_with_decay_tanh_and_integer_labels() {
    let (images, labels) = toy_data(1);
    let data = Split::new(images, labels_tensor(&labels)).unwrap();
    let arch = Architecture::new(&[6, 6])
        .add(Flatten)
        .add(Dense::new(16, Activation::Tanh))
        .add(Dense::new(8, Activation::Tanh))
        .add(Dense::new(4, Activation::Softmax));
    let rule = Sgd::new(0.05).momentum(0.9).decay(1e-3);
    // 270 training examples in batches of 32: the last batch has 14.
    let pair = train_both(
        &arch,
        rule.into(),
        Loss::SparseCategoricalCrossentropy,
        &data,
        || Fit::epochs(3).batch_size(32).validation_split(0.1).seed(3),
    );
    assert_same_training(&pair, 270, "SGD + momentum + decay");
    let [(fused, _), (autograd, _)] = &pair;
    assert!(fused.history().last().unwrap().accuracy > 0.4, "it learns");
    let (ev_f, ev_a) = (
        fused.evaluate(&data).unwrap(),
        autograd.evaluate(&data).unwrap(),
    );
    assert!((ev_f.loss - ev_a.loss).abs() < 1e-4);
}

#[test]
fn adam_with_dropout_and_one_hot_targets() {
    let (images, labels) = toy_data(2);
    let one_hot = one_hot(&labels_tensor(&labels), 4).unwrap();
    let data = Split::new(images, one_hot).unwrap();
    let arch = Architecture::new(&[6, 6])
        .add(Flatten)
        .add(Dropout::new(0.1))
        .add(Dense::new(24, Activation::Relu))
        .add(Dropout::new(0.3))
        .add(Dropout::new(0.2))
        .add(Dense::new(4, Activation::Softmax));
    let pair = train_both(
        &arch,
        Adam::new(0.01).into(),
        Loss::CategoricalCrossentropy,
        &data,
        || Fit::epochs(3).batch_size(50).seed(5),
    );
    assert_same_training(&pair, 300, "Adam + dropout");
}

#[test]
fn rmsprop_sigmoid_outputs_and_binary_crossentropy() {
    let (images, labels) = toy_data(3);
    // Multi-label targets: "is the class 0 or 1" and "is the class even", and two more.
    let targets: Vec<f32> = labels
        .iter()
        .flat_map(|&c| {
            [
                (c < 2) as u8 as f32,
                (c % 2 == 0) as u8 as f32,
                (c == 3) as u8 as f32,
                0.0,
            ]
        })
        .collect();
    let targets = Tensor::from_vec(targets, (300, 4), &Device::Cpu).unwrap();
    let data = Split::new(images, targets).unwrap();
    let arch = Architecture::new(&[36])
        .add(Dense::new(12, Activation::Sigmoid))
        .add(Dense::new(4, Activation::Sigmoid));
    let pair = train_both(
        &arch,
        RmsProp::new(0.01).into(),
        Loss::BinaryCrossentropy,
        &data,
        || Fit::epochs(3).batch_size(20).validation_split(0.2).seed(9),
    );
    // Binary accuracy counts every output: 240 × 4 of them.
    assert_same_training(&pair, 240 * 4, "RMSprop + sigmoid + BCE");
}

#[test]
fn nesterov_linear_outputs_no_bias_and_no_shuffle() {
    let (images, labels) = toy_data(4);
    let data = Split::new(images.flatten_from(1).unwrap(), labels_tensor(&labels)).unwrap();
    let arch = Architecture::new(&[36])
        .add(Dense::new(20, Activation::Relu).no_bias())
        .add(Dense::new(4, Activation::Linear));
    let rule = Sgd::new(0.05).momentum(0.8).nesterov(true);
    let pair = train_both(
        &arch,
        rule.into(),
        Loss::SparseCategoricalCrossentropy,
        &data,
        || {
            Fit::epochs(2)
                .batch_size(64)
                .shuffle(false)
                .validation_data(&data)
        },
    );
    assert_same_training(&pair, 300, "Nesterov + linear outputs + no bias");
}

#[test]
fn optimizer_state_carries_over_between_paths() {
    // One epoch fused then one through autograd equals two through autograd: the fused
    // path hands back Adam's moments and its step count.
    let (images, labels) = toy_data(5);
    let data = Split::new(images, labels_tensor(&labels)).unwrap();
    let arch = Architecture::new(&[6, 6])
        .add(Flatten)
        .add(Dense::new(16, Activation::Relu))
        .add(Dense::new(4, Activation::Softmax));
    let mut mixed = arch.build_on(1, &Device::Cpu).unwrap();
    mixed
        .compile(Adam::new(0.01), Loss::SparseCategoricalCrossentropy)
        .unwrap();
    let fit = |fused: bool| {
        Fit::epochs(1)
            .batch_size(30)
            .seed(2)
            .verbose(false)
            .fused(fused)
    };
    mixed.fit(&data, fit(true)).unwrap();
    mixed.fit(&data, fit(false).seed(3)).unwrap();
    let mut plain = arch.build_on(1, &Device::Cpu).unwrap();
    plain
        .compile(Adam::new(0.01), Loss::SparseCategoricalCrossentropy)
        .unwrap();
    plain.fit(&data, fit(false)).unwrap();
    plain.fit(&data, fit(false).seed(3)).unwrap();
    let diff = max_weight_difference(&mixed, &plain);
    assert!(diff < 2e-5, "weights differ by {diff}");
    let epochs: Vec<bool> = mixed.history().epochs.iter().map(|e| e.fused).collect();
    assert_eq!(epochs, vec![true, false]);
}

#[test]
fn early_stopping_restores_weights_on_the_fused_path() {
    let (images, labels) = toy_data(6);
    let data = Split::new(images.flatten_from(1).unwrap(), labels_tensor(&labels)).unwrap();
    let arch = Architecture::new(&[36]).add(Dense::new(4, Activation::Softmax));
    let mut model = arch.build_on(1, &Device::Cpu).unwrap();
    // A learning rate this large makes the validation loss jump about.
    model
        .compile(Sgd::new(5.0), Loss::SparseCategoricalCrossentropy)
        .unwrap();
    let history = model
        .fit(
            &data,
            Fit::epochs(30)
                .batch_size(10)
                .validation_split(0.3)
                .verbose(false)
                .callback(EarlyStopping::new(Monitor::ValLoss, 2).restore_best_weights(true)),
        )
        .unwrap();
    assert!(history.epochs.iter().all(|e| e.fused));
    let best = history
        .epochs
        .iter()
        .map(|e| e.val_loss.unwrap())
        .fold(f64::INFINITY, f64::min);
    let (_, val) = data.validation_split(0.3).unwrap();
    let now = model.evaluate(&val).unwrap().loss;
    assert!(history.stopped_early.is_some(), "the run stops early");
    assert!(
        (now - best).abs() < 1e-4,
        "restored weights give the best val_loss {best}, got {now}"
    );
}

#[test]
fn models_outside_the_fused_path_train_through_autograd() {
    let (images, labels) = toy_data(7);
    let data = Split::new(images, labels_tensor(&labels)).unwrap();
    // A softmax output with a tanh hidden layer but a loss on probabilities of a tanh output:
    // the fused path covers cross-entropy on softmax / sigmoid / linear outputs only.
    let arch = Architecture::new(&[6, 6])
        .add(Flatten)
        .add(Dense::new(8, Activation::Relu))
        .add(Dense::new(4, Activation::Tanh));
    let mut model = arch.build_on(1, &Device::Cpu).unwrap();
    model
        .compile(Adam::default(), Loss::SparseCategoricalCrossentropy)
        .unwrap();
    let history = model.fit(&data, Fit::epochs(1).verbose(false)).unwrap();
    assert!(!history.epochs[0].fused);
    assert!(history.epochs[0].loss.is_finite());
}

#[test]
fn out_of_range_labels_are_reported_on_the_fused_path() {
    let (images, mut labels) = toy_data(8);
    labels[17] = 9;
    let data = Split::new(images, labels_tensor(&labels)).unwrap();
    let arch = Architecture::new(&[6, 6])
        .add(Flatten)
        .add(Dense::new(4, Activation::Softmax));
    let mut model = arch.build_on(1, &Device::Cpu).unwrap();
    model
        .compile(Adam::default(), Loss::SparseCategoricalCrossentropy)
        .unwrap();
    let err = model
        .fit(&data, Fit::epochs(1).verbose(false))
        .unwrap_err()
        .to_string();
    assert!(err.contains("label 9") && err.contains("0..4"), "{err}");
}

#[test]
fn real_mnist_matches_the_autograd_path() {
    // Tutorial 5's network for one epoch on 12,000 real MNIST images, both paths.
    let Some(dir) = util::mnist_dir() else { return };
    let data = Dataset::from_dir(DatasetKind::Mnist, dir).unwrap();
    let scaled = |s: &Split| {
        s.map_images(|x| Ok(scale(x, PixelRange::ZeroOne)?.flatten_from(1)?))
            .unwrap()
    };
    let train = scaled(&data.train.slice(0, 12_000).unwrap());
    let test = scaled(&data.test);
    let arch = Architecture::new(&[784])
        .add(Dense::new(200, Activation::Relu).kernel_init(Init::TruncatedNormal { std: 0.01 }))
        .add(Dense::new(10, Activation::Softmax));
    let pair = train_both(
        &arch,
        Adam::new(0.001).into(),
        Loss::SparseCategoricalCrossentropy,
        &train,
        || Fit::epochs(1).batch_size(100).seed(42),
    );
    let [(fused, hf), (autograd, ha)] = &pair;
    let diff = max_weight_difference(fused, autograd);
    assert!(diff < 1e-4, "weights differ by {diff}");
    assert!((hf.epochs[0].loss - ha.epochs[0].loss).abs() < 1e-4);
    let (a, b) = (
        fused.evaluate(&test).unwrap(),
        autograd.evaluate(&test).unwrap(),
    );
    assert!(a.accuracy > 0.9, "test accuracy {}", a.accuracy);
    assert!(
        (a.accuracy - b.accuracy).abs() <= 0.0005,
        "{} vs {}",
        a.accuracy,
        b.accuracy
    );
}
