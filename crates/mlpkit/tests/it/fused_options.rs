//! The fused engine against Candle's autograd for every option of every optimizer, and for
//! every thread count.

use crate::util::paths::*;
use mlpkit::prelude::*;
use mlpkit::train::Rule;

/// Every option of every optimizer, changed on its own from the default: the two paths agree.
#[test]
fn every_optimizer_option_agrees_between_paths() {
    let cases: Vec<(&str, Rule)> = vec![
        ("SGD", Sgd::new(0.1).into()),
        ("SGD decay", Sgd::new(0.1).decay(0.01).into()),
        ("SGD momentum", Sgd::new(0.05).momentum(0.9).into()),
        (
            "SGD Nesterov",
            Sgd::new(0.05).momentum(0.9).nesterov(true).into(),
        ),
        ("Adam", Adam::new(0.01).into()),
        ("Adam betas", Adam::new(0.01).betas(0.8, 0.99).into()),
        ("Adam epsilon", Adam::new(0.01).epsilon(1e-3).into()),
        (
            "Adam decay",
            Adam {
                decay: 0.01,
                ..Adam::new(0.01)
            }
            .into(),
        ),
        ("RMSprop", RmsProp::new(0.01).into()),
        ("RMSprop rho", RmsProp::new(0.01).rho(0.5).into()),
        (
            "RMSprop epsilon",
            RmsProp {
                epsilon: 1e-3,
                ..RmsProp::new(0.01)
            }
            .into(),
        ),
        (
            "RMSprop decay",
            RmsProp {
                decay: 0.01,
                ..RmsProp::new(0.01)
            }
            .into(),
        ),
    ];
    for (_, rule) in &cases {
        every_field_has_a_case(*rule);
    }
    let (images, labels) = toy_data(11);
    let data = Split::new(images, labels_tensor(&labels)).unwrap();
    let arch = Architecture::new(&[6, 6])
        .add(Flatten)
        .add(Dense::new(16, Activation::Relu))
        .add(Dropout::new(0.2))
        .add(Dense::new(4, Activation::Softmax));
    for (what, rule) in cases {
        let pair = train_both(
            &arch,
            rule,
            Loss::SparseCategoricalCrossentropy,
            &data,
            || Fit::epochs(2).batch_size(32).seed(4),
        );
        assert_same_training(&pair, 300, what);
    }
}

/// Names every field of every optimizer, so that a new option does not compile until it is
/// given a case in `every_optimizer_option_agrees_between_paths`.
fn every_field_has_a_case(rule: Rule) {
    match rule {
        Rule::Sgd(Sgd {
            learning_rate: _,
            momentum: _,
            nesterov: _,
            decay: _,
        }) => {}
        Rule::Adam(Adam {
            learning_rate: _,
            beta_1: _,
            beta_2: _,
            epsilon: _,
            decay: _,
        }) => {}
        Rule::RmsProp(RmsProp {
            learning_rate: _,
            rho: _,
            epsilon: _,
            decay: _,
        }) => {}
    }
}

fn bits(model: &Sequential) -> Vec<u32> {
    model
        .weights()
        .unwrap()
        .iter()
        .flat_map(|(_, t)| t.flatten_all().unwrap().to_vec1::<f32>().unwrap())
        .map(f32::to_bits)
        .collect()
}

/// 1, 2 and 3 threads give the same training to rounding; the same seed on the same number
/// of threads gives the same weights and history, bit for bit.
#[test]
fn thread_counts_agree_and_runs_repeat_exactly() {
    let (images, labels) = toy_data(12);
    let data = Split::new(images, labels_tensor(&labels)).unwrap();
    let arch = Architecture::new(&[6, 6])
        .add(Flatten)
        .add(Dense::new(40, Activation::Relu))
        .add(Dropout::new(0.2))
        .add(Dense::new(24, Activation::Tanh))
        .add(Dense::new(4, Activation::Softmax));
    let train = |threads: usize, fused: bool| {
        let mut model = arch.build_on(3, &Device::Cpu).unwrap();
        model
            .compile(Adam::new(0.01), Loss::SparseCategoricalCrossentropy)
            .unwrap();
        let fit = Fit::epochs(2)
            .batch_size(16)
            .seed(8)
            .validation_split(0.1)
            .threads(threads)
            .fused(fused)
            .verbose(false);
        let history = model.fit(&data, fit).unwrap();
        assert!(history.epochs.iter().all(|e| e.fused == fused));
        (model, history)
    };
    let (one, h1) = train(1, true);
    for threads in [2, 3] {
        let (many, hn) = train(threads, true);
        let diff = max_weight_difference(&one, &many);
        assert!(diff < 2e-5, "{threads} threads: weights differ by {diff}");
        for (a, b) in h1.epochs.iter().zip(&hn.epochs) {
            assert!((a.loss - b.loss).abs() < 1e-5, "{threads} threads");
        }
    }
    for (threads, fused) in [(1, true), (2, true), (3, true), (1, false), (2, false)] {
        let (a, ha) = train(threads, fused);
        let (b, hb) = train(threads, fused);
        assert_eq!(bits(&a), bits(&b), "{threads} threads, fused {fused}");
        let numbers = |h: &History| {
            h.epochs
                .iter()
                .map(|e| (e.loss, e.accuracy, e.val_loss, e.val_accuracy))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            numbers(&ha),
            numbers(&hb),
            "{threads} threads, fused {fused}"
        );
    }
}
