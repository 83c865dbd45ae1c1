//! Training: `fit` learns, repeats with the same seed, stops early, diverges with a reason, keeps state.

use mlpkit::prelude::*;

use crate::util::cpu;

use crate::util::{random_quadrants as quadrants, small_model};

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
    assert!(
        model.vars()[0]
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap()
            .iter()
            .all(|v| v.is_finite())
    );
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
    let mut opt = Optimizer::new(small_model(0).vars(), Sgd::default()).unwrap();
    assert!(opt.set_vars(vec![]).is_err());
}
