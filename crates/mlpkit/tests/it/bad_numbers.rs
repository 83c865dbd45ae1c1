//! Bad numbers do not train silently, and no public call panics or hangs on bad input:
//! training and figures. Each test here is one defect found by trying the crate
//! as a hostile user would; each failed before the fix (saving and data files: `nothing_lost.rs`).

use crate::util;

use mlpkit::prelude::*;
use mlpkit::train::{EpochLog, Rule};

use crate::util::cpu;

use crate::util::{arch, trained};

// ---------------------------------------------------------------------------------------
// Training does not hide bad numbers

fn compiled(seed: u64) -> Sequential {
    let mut m = arch(8).build_on(seed, &cpu()).unwrap();
    m.compile(Adam::new(0.01), Loss::SparseCategoricalCrossentropy)
        .unwrap();
    m
}

/// Both training paths, so that they accept and reject the same inputs.
fn fit_both(data: &Split, fit: impl Fn() -> Fit) -> [String; 2] {
    [true, false].map(|fused| {
        compiled(1)
            .fit(data, fit().fused(fused).verbose(false))
            .unwrap_err()
            .to_string()
    })
}

#[test]
fn one_nan_input_is_found_before_training() {
    let data = util::quadrants(100);
    let mut xs = data
        .images()
        .flatten_all()
        .unwrap()
        .to_vec1::<f32>()
        .unwrap();
    xs[2 * 17 + 1] = f32::NAN;
    let bad = Split::new(
        Tensor::from_vec(xs, (100, 2), &cpu()).unwrap(),
        data.labels().clone(),
    )
    .unwrap();
    for msg in fit_both(&bad, || Fit::epochs(1)) {
        assert!(
            msg.contains("NaN or infinite")
                && msg.contains("rows 17")
                && msg.contains("positions 1"),
            "{msg}"
        );
    }
    let mut m = compiled(1);
    let msg = m.evaluate(&bad).unwrap_err().to_string();
    assert!(msg.contains("rows 17"), "{msg}");
    assert!(m.history().is_empty());
    // The model is unchanged and still trains on good data.
    assert!(m.fit(&data, Fit::epochs(1).verbose(false)).is_ok());
}

#[test]
fn per_pixel_standardising_with_a_zero_deviation_is_explained() {
    let Some(mnist) = util::mnist() else { return };
    let train = mnist.train.head(2000).unwrap();
    let x = scale(train.images(), PixelRange::ZeroOne)
        .unwrap()
        .reshape((2000, 784))
        .unwrap();
    // The mistake: each pixel divided by its own standard deviation, 0 on the border.
    let mean = x.mean_keepdim(0).unwrap();
    let centred = x.broadcast_sub(&mean).unwrap();
    let std = centred
        .sqr()
        .unwrap()
        .mean_keepdim(0)
        .unwrap()
        .sqrt()
        .unwrap();
    let standardised = centred.broadcast_div(&std).unwrap();
    let bad = Split::new(standardised, train.labels().clone()).unwrap();
    let mut m = Architecture::new(&[784])
        .add(Dense::new(32, Activation::Relu))
        .add(Dense::new(10, Activation::Softmax))
        .build_on(0, &cpu())
        .unwrap();
    m.compile(Adam::default(), Loss::SparseCategoricalCrossentropy)
        .unwrap();
    let msg = m
        .fit(&bad, Fit::epochs(1).verbose(false))
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("in every row")
            && msg.contains("standard deviation")
            && msg.contains("positions 0, 1"),
        "{msg}"
    );
}

#[test]
fn nan_weights_behind_relu_stop_training() {
    let m0 = trained(8, 1);
    let mut weights = m0.weights().unwrap();
    let kernel = &weights[0].1;
    let mut k = kernel.flatten_all().unwrap().to_vec1::<f32>().unwrap();
    k[3] = f32::NAN;
    weights[0].1 = Tensor::from_vec(k, kernel.dims(), &cpu()).unwrap();
    for fused in [true, false] {
        let mut m = compiled(1);
        m.set_weights(&weights).unwrap();
        let msg = m
            .fit(
                &util::quadrants(100),
                Fit::epochs(2).fused(fused).verbose(false),
            )
            .unwrap_err()
            .to_string();
        assert!(
            (msg.contains("dense.kernel") && msg.contains("NaN")) || msg.contains("diverged"),
            "fused {fused}: {msg}"
        );
    }
}

#[test]
fn empty_data_is_rejected() {
    let empty = Split::new(
        Tensor::zeros((0, 2), DType::F32, &cpu()).unwrap(),
        Tensor::zeros(0, DType::U32, &cpu()).unwrap(),
    )
    .unwrap();
    for msg in fit_both(&empty, || Fit::epochs(1)) {
        assert!(msg.contains("no examples"), "{msg}");
    }
    assert!(compiled(1).evaluate(&empty).is_err());
    // An IDX set with zero examples does not load.
    let dir = tempfile::tempdir().unwrap();
    util::write_file(
        dir.path(),
        "train-images-idx3-ubyte",
        &util::images(0).to_bytes(),
    );
    util::write_file(
        dir.path(),
        "train-labels-idx1-ubyte",
        &util::labels(&[]).to_bytes(),
    );
    util::write_file(
        dir.path(),
        "t10k-images-idx3-ubyte",
        &util::images(1).to_bytes(),
    );
    util::write_file(
        dir.path(),
        "t10k-labels-idx1-ubyte",
        &util::labels(&[1]).to_bytes(),
    );
    let msg = Loader::new(DatasetKind::Mnist)
        .verify_checksums(false)
        .load_dir(dir.path())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("0 images"), "{msg}");
}

#[test]
fn both_paths_and_evaluate_reject_the_same_labels_and_pixels() {
    let data = util::quadrants(64);
    let mut labels = data.labels().to_vec1::<u32>().unwrap();
    labels[5] = u32::MAX;
    let bad = Split::new(data.images().clone(), Tensor::new(labels, &cpu()).unwrap()).unwrap();
    for msg in fit_both(&bad, || Fit::epochs(1)) {
        assert!(msg.contains("4294967295") && msg.contains("0..4"), "{msg}");
    }
    let msg = compiled(1).evaluate(&bad).unwrap_err().to_string();
    assert!(msg.contains("4294967295"), "{msg}");

    // Raw u8 pixels: the same advice from fit (both paths) and evaluate.
    let pixels = Split::new(
        data.images()
            .affine(100.0, 100.0)
            .unwrap()
            .to_dtype(DType::U8)
            .unwrap(),
        data.labels().clone(),
    )
    .unwrap();
    for msg in fit_both(&pixels, || Fit::epochs(1)) {
        assert!(msg.contains("floating-point inputs"), "{msg}");
    }
    assert!(
        compiled(1)
            .evaluate(&pixels)
            .unwrap_err()
            .to_string()
            .contains("floating-point inputs")
    );
}

#[test]
fn images_and_labels_that_disagree_cannot_be_paired() {
    // A `Split`'s fields are private, so the only way to pair them is `Split::new`, which
    // checks the lengths (before, a caller could swap in shorter labels and train on them).
    let data = util::quadrants(64);
    let short = data.labels().narrow(0, 0, 10).unwrap();
    let err = Split::new(data.images().clone(), short)
        .unwrap_err()
        .to_string();
    assert!(err.contains("64") && err.contains("10"), "{err}");
    let (images, labels) = data.into_parts();
    assert_eq!(Split::new(images, labels).unwrap().len(), 64);
}

#[test]
fn impossible_optimizer_settings_are_rejected() {
    let mut m = arch(8).build_on(0, &cpu()).unwrap();
    for rule in [
        Rule::from(Sgd::new(-0.1)),
        Rule::from(Adam::new(f64::NAN)),
        Rule::from(Sgd::new(0.1).momentum(1.5)),
        Rule::from(RmsProp {
            decay: -1.0,
            ..RmsProp::default()
        }),
    ] {
        let msg = m
            .compile(rule, Loss::SparseCategoricalCrossentropy)
            .unwrap_err()
            .to_string();
        assert!(msg.contains("cannot train"), "{msg}");
    }
}

#[test]
fn callbacks_and_validation_that_cannot_work_fail_before_training() {
    let data = util::quadrants(100);
    let msg = compiled(1)
        .fit(
            &data,
            Fit::epochs(2)
                .verbose(false)
                .callback(EarlyStopping::new(Monitor::ValLoss, 1)),
        )
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("val_loss") && msg.contains("validation"),
        "{msg}"
    );
    let dir = tempfile::tempdir().unwrap();
    let mut m = compiled(1);
    let r = m.fit(
        &data,
        Fit::epochs(2)
            .verbose(false)
            .callback(Checkpoint::new(dir.path().join("c"), Monitor::ValAccuracy)),
    );
    assert!(r.is_err());
    assert!(m.history().is_empty(), "an epoch trained before the error");

    let wide = Split::new(
        Tensor::zeros((10, 3), DType::F32, &cpu()).unwrap(),
        Tensor::zeros(10, DType::U32, &cpu()).unwrap(),
    )
    .unwrap();
    let mut m = compiled(1);
    let msg = m
        .fit(&data, Fit::epochs(2).verbose(false).validation_data(&wide))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("validation data"), "{msg}");
    assert!(m.history().is_empty());
}

#[test]
fn time_budgets_must_be_real_durations() {
    for s in [-1.0, f64::NAN, f64::INFINITY] {
        assert!(TimeBudget::seconds(s).is_err(), "{s}");
    }
    assert!(TimeBudget::seconds(0.5).is_ok());
}

// ---------------------------------------------------------------------------------------
// Figures: no hang, no panic

#[test]
fn bar_charts_with_huge_or_infinite_values_return() {
    for v in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
        assert!(BarChart::new(&["a", "b"], &[0.5, v]).is_err(), "{v}");
    }
    // Finite but extreme values: a figure or an error, promptly (they used to hang).
    for v in [f64::MAX, -f64::MAX, 1e300, -1e300] {
        let _ = util::within_time("BarChart", move || {
            BarChart::new(&["a", "b"], &[0.5, v])
                .unwrap()
                .figure()
                .png()
                .map(|_| ())
        });
    }
    for (lo, hi) in [(f64::NAN, 1.0), (0.0, f64::INFINITY), (1.0, 0.0)] {
        let r = util::within_time("BarChart::ylim", move || {
            BarChart::new(&["a"], &[0.5])
                .unwrap()
                .ylim(lo, hi)
                .figure()
                .png()
                .map(|_| ())
        });
        assert!(r.is_err(), "{lo}..{hi}");
    }
}

fn history_with(losses: &[f64]) -> History {
    History {
        epochs: losses
            .iter()
            .enumerate()
            .map(|(i, &l)| EpochLog {
                epoch: i + 1,
                loss: l,
                accuracy: 0.5,
                val_loss: Some(l),
                val_accuracy: None,
                seconds: 1.0,
                learning_rate: 0.01,
                fused: false,
            })
            .collect(),
        stopped_early: None,
    }
}

#[test]
fn learning_curves_with_nan_losses_return() {
    for losses in [
        vec![f64::NAN, f64::NAN],
        vec![0.5, f64::NAN, f64::INFINITY, 0.3],
    ] {
        let h = history_with(&losses);
        let png = util::within_time("LearningCurves", move || {
            LearningCurves::new(&h).unwrap().figure().png()
        });
        assert!(png.is_ok(), "{losses:?}: {png:?}");
    }
    let h = history_with(&[0.5, 0.4]);
    let r = util::within_time("LearningCurves::ylim", move || {
        LearningCurves::new(&h)
            .unwrap()
            .ylim(Metric::Loss, f64::NAN, 1.0)
            .figure()
            .png()
    });
    assert!(r.is_err());
}

#[test]
fn figure_builders_reject_what_they_cannot_draw() {
    let bars = ProbabilityBars::new(&[0.1, 0.9], &["a", "b"])
        .unwrap()
        .truth(12);
    let msg = bars.figure().png().unwrap_err().to_string();
    assert!(msg.contains("true class is 12"), "{msg}");
    assert!(ProbabilityBars::new(&[f32::NAN, 0.9], &["a", "b"]).is_err());

    let images = Tensor::zeros((2, 28, 28), DType::U8, &cpu()).unwrap();
    for (w, h) in [(u32::MAX, u32::MAX), (100_000, 100_000), (70_000, 70_000)] {
        let r = ImageGrid::new(&images).unwrap().figure().size(w, h).png();
        assert!(r.is_err(), "{w}x{h}");
    }
    let r = ImageGrid::new(&images)
        .unwrap()
        .zoom(u32::MAX)
        .figure()
        .png();
    assert!(r.is_err());
    let r = ImageGrid::new(&images)
        .unwrap()
        .zoom(u32::MAX / 3)
        .figure()
        .size(200, 200)
        .png();
    assert!(r.is_err());

    let empty_kernel = Tensor::zeros((784, 0), DType::F32, &cpu()).unwrap();
    assert!(ImageGrid::weights(&empty_kernel, 10).is_err());

    let cm = ConfusionMatrix::new(&[0, 1], &[0, 1], &["a", "b"]).unwrap();
    assert!(
        Heatmap::new(&cm)
            .cell_size(u32::MAX)
            .figure()
            .png()
            .is_err()
    );
    assert!(Heatmap::new(&cm).cell_size(3).figure().png().is_err());
    assert!(Heatmap::new(&cm).cell_size(30).figure().png().is_ok());
}
