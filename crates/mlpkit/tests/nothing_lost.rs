//! Nothing the user saved is lost, bad numbers do not train silently, and no public call
//! panics or hangs on bad input. Each test here is one defect found by trying the crate as a
//! hostile user would; each failed before the fix.

mod common;

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use mlpkit::prelude::*;
use mlpkit::train::{EpochLog, Rule};

fn cpu() -> Device {
    Device::Cpu
}

fn arch(hidden: usize) -> Architecture {
    Architecture::new(&[2])
        .add(Dense::new(hidden, Activation::Relu))
        .add(Dense::new(4, Activation::Softmax))
}

fn trained(hidden: usize, seed: u64) -> Sequential {
    let mut m = arch(hidden).build_on(seed, &cpu()).unwrap();
    m.compile(Adam::new(0.01), Loss::SparseCategoricalCrossentropy)
        .unwrap();
    m.fit(&common::quadrants(200), Fit::epochs(2).verbose(false))
        .unwrap();
    m
}

fn first_kernel(m: &Sequential) -> Vec<Vec<f32>> {
    m.vars()[0].to_vec2::<f32>().unwrap()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// ---------------------------------------------------------------------------------------
// Saving

#[test]
fn saving_as_json_keeps_the_weights() {
    let dir = tempfile::tempdir().unwrap();
    let model = trained(8, 1);
    for name in ["model.json", "best.json"] {
        let path = dir.path().join(name);
        model.save(&path).unwrap();
        let loaded = Sequential::load(&path, &cpu()).unwrap();
        assert_eq!(first_kernel(&loaded), first_kernel(&model));
    }
    // A checkpoint with a .json name, as a Keras user might write it.
    let mut m = arch(8).build_on(2, &cpu()).unwrap();
    m.compile(Adam::new(0.01), Loss::SparseCategoricalCrossentropy)
        .unwrap();
    let ckpt = dir.path().join("ckpt.json");
    m.fit(
        &common::quadrants(100),
        Fit::epochs(2)
            .verbose(false)
            .callback(Checkpoint::new(&ckpt, Monitor::Loss)),
    )
    .unwrap();
    assert!(Sequential::load(&ckpt, &cpu()).is_ok());
    assert_eq!(
        files_in(dir.path()),
        ["best.json", "ckpt.json", "model.json"]
    );
}

#[test]
fn names_that_share_a_stem_do_not_share_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (trained(8, 1), trained(12, 2));
    a.save(dir.path().join("mlp_lr0.01")).unwrap();
    b.save(dir.path().join("mlp_lr0.001")).unwrap();
    let la = Sequential::load(dir.path().join("mlp_lr0.01"), &cpu()).unwrap();
    let lb = Sequential::load(dir.path().join("mlp_lr0.001"), &cpu()).unwrap();
    assert_eq!(la.architecture(), a.architecture());
    assert_eq!(lb.architecture(), b.architecture());
    assert_eq!(first_kernel(&la), first_kernel(&a));
    assert_eq!(first_kernel(&lb), first_kernel(&b));
    // Without an extension, `.safetensors` is added, for saving and loading alike.
    a.save(dir.path().join("plain")).unwrap();
    assert!(dir.path().join("plain.safetensors").is_file());
    assert!(Sequential::load(dir.path().join("plain"), &cpu()).is_ok());
}

#[test]
fn a_long_legal_file_name_saves() {
    let dir = tempfile::tempdir().unwrap();
    let name = format!("{}.safetensors", "m".repeat(242 - ".safetensors".len()));
    assert_eq!(name.len(), 242);
    let model = trained(8, 1);
    model.save(dir.path().join(&name)).unwrap();
    let loaded = Sequential::load(dir.path().join(&name), &cpu()).unwrap();
    assert_eq!(first_kernel(&loaded), first_kernel(&model));
    assert_eq!(files_in(dir.path()), [name]);
}

/// Set by `killed_while_saving_leaves_a_loadable_model` for the child process it kills.
const SAVE_LOOP_ENV: &str = "MLPKIT_TEST_SAVE_LOOP";

#[test]
fn save_loop_child() {
    // Does nothing in a normal run; in the child, saves two models alternately until killed.
    let Some(path) = std::env::var_os(SAVE_LOOP_ENV) else {
        return;
    };
    let models = [trained(64, 1), trained(64, 2)];
    println!("saving");
    for i in 0.. {
        models[i % 2].save(&path).unwrap();
    }
}

#[test]
fn killed_while_saving_leaves_a_loadable_model() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.safetensors");
    let first = trained(64, 1);
    first.save(&path).unwrap();
    let exe = std::env::current_exe().unwrap();
    for round in 0..8 {
        let mut child = std::process::Command::new(&exe)
            .args([
                "--exact",
                "save_loop_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(SAVE_LOOP_ENV, &path)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Wait until it saves, then kill it somewhere inside a save.
        let mut out = child.stdout.take().unwrap();
        let mut buf = [0u8; 64];
        let _ = std::io::Read::read(&mut out, &mut buf);
        std::thread::sleep(Duration::from_millis(20 + 17 * round));
        child.kill().unwrap();
        child.wait().unwrap();
        let loaded = Sequential::load(&path, &cpu())
            .unwrap_or_else(|e| panic!("round {round}: the model was lost: {e}"));
        assert_eq!(loaded.param_count(), first.param_count());
    }
    // The next save clears the dead processes' temporary files.
    first.save(&path).unwrap();
    assert_eq!(files_in(dir.path()), ["model.safetensors"]);
}

#[test]
fn a_failed_save_keeps_the_previous_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.safetensors");
    let model = trained(8, 1);
    model.save(&path).unwrap();
    let good = std::fs::read(&path).unwrap();
    // The target is a folder: the save fails, nothing else in the folder changes.
    let folder = dir.path().join("taken.safetensors");
    std::fs::create_dir(&folder).unwrap();
    assert!(model.save(&folder).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), good);
    assert_eq!(files_in(dir.path()), ["m.safetensors", "taken.safetensors"]);
}

#[test]
fn models_saved_in_the_first_format_still_load() {
    let dir = tempfile::tempdir().unwrap();
    let model = trained(8, 1);
    let path = dir.path().join("old.safetensors");
    let weights: std::collections::HashMap<String, Tensor> =
        model.weights().unwrap().into_iter().collect();
    candle_core::safetensors::save(&weights, &path).unwrap();
    let description = serde_json::json!({
        "format": "mlpkit.sequential",
        "version": 1,
        "architecture": model.architecture(),
        "history": model.history(),
    });
    std::fs::write(
        dir.path().join("old.json"),
        serde_json::to_vec(&description).unwrap(),
    )
    .unwrap();
    let loaded = Sequential::load(&path, &cpu()).unwrap();
    assert_eq!(first_kernel(&loaded), first_kernel(&model));
    assert_eq!(loaded.history(), model.history());
    // Pointing at the JSON half says what to do.
    let msg = Sequential::load(dir.path().join("old.json"), &cpu())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("load the `.safetensors` file instead"),
        "{msg}"
    );
}

/// A model file whose description says `units` but whose tensors are small.
fn file_with_description(dir: &Path, edit: impl Fn(&mut serde_json::Value)) -> std::path::PathBuf {
    let model = trained(8, 1);
    let path = dir.join("edited.safetensors");
    model.save(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let mut header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    let mut saved: serde_json::Value =
        serde_json::from_str(header["__metadata__"]["mlpkit"].as_str().unwrap()).unwrap();
    edit(&mut saved);
    header["__metadata__"]["mlpkit"] = serde_json::Value::String(saved.to_string());
    let mut text = header.to_string().into_bytes();
    while !text.len().is_multiple_of(8) {
        text.push(b' ');
    }
    let mut out = (text.len() as u64).to_le_bytes().to_vec();
    out.extend(text);
    out.extend(&bytes[8 + n..]);
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn an_edited_description_is_an_error_not_an_abort() {
    let dir = tempfile::tempdir().unwrap();
    for units in [3e12, 1e19, 64.0] {
        let path = file_with_description(dir.path(), |s| {
            s["architecture"]["layers"][0]["units"] = serde_json::json!(units as u64);
        });
        let msg = Sequential::load(&path, &cpu()).unwrap_err().to_string();
        assert!(msg.contains("edited.safetensors"), "{units}: {msg}");
    }
    let path = file_with_description(dir.path(), |s| {
        s["architecture"]["input_shape"] = serde_json::json!([4294967295u64, 4294967295u64]);
    });
    assert!(Sequential::load(&path, &cpu()).is_err());
    let path = file_with_description(dir.path(), |s| s["version"] = serde_json::json!(99));
    let msg = Sequential::load(&path, &cpu()).unwrap_err().to_string();
    assert!(msg.contains("version 99"), "{msg}");
}

#[test]
fn an_architecture_too_large_to_build_is_an_error() {
    let huge = Architecture::new(&[784]).add(Dense::new(3_000_000_000_000, Activation::Relu));
    let msg = huge.build_on(0, &cpu()).unwrap_err().to_string();
    assert!(
        msg.contains("parameters") || msg.contains("too large"),
        "{msg}"
    );
    let overflow = Architecture::new(&[usize::MAX, 2]).add(Flatten);
    assert!(overflow.resolve().is_err());
}

#[test]
fn nan_in_the_history_survives_saving() {
    let mut log = EpochLog {
        epoch: 1,
        loss: 0.5,
        accuracy: 0.75,
        val_loss: Some(f64::NAN),
        val_accuracy: Some(0.5),
        seconds: 1.0,
        learning_rate: f64::INFINITY,
        fused: true,
    };
    let json = serde_json::to_string(&log).unwrap();
    let back: EpochLog = serde_json::from_str(&json).unwrap();
    assert!(back.val_loss.unwrap().is_nan(), "{json}");
    assert_eq!(back.learning_rate, f64::INFINITY);
    assert_eq!(back.val_accuracy, Some(0.5));
    log.val_loss = None;
    let back: EpochLog = serde_json::from_str(&serde_json::to_string(&log).unwrap()).unwrap();
    assert_eq!(back.val_loss, None);
    // What serde_json wrote before for NaN (`null` in a plain field) reads as NaN.
    let old = json.replace("\"NaN\"", "null").replace("\"inf\"", "null");
    let back: EpochLog = serde_json::from_str(&old).unwrap();
    assert!(back.learning_rate.is_nan());
}

#[test]
fn a_checkpoint_holds_the_epochs_it_was_saved_after() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("best.safetensors");
    let mut m = arch(8).build_on(3, &cpu()).unwrap();
    m.compile(Adam::new(0.01), Loss::SparseCategoricalCrossentropy)
        .unwrap();
    let ckpt = Checkpoint::new(&path, Monitor::Loss);
    m.fit(
        &common::quadrants(200),
        Fit::epochs(3).verbose(false).callback(ckpt),
    )
    .unwrap();
    let loaded = Sequential::load(&path, &cpu()).unwrap();
    let saved = loaded.history();
    assert!(!saved.is_empty(), "the checkpoint saved no epoch");
    // The loss falls every epoch here, so the last save was after epoch 3.
    assert_eq!(saved.len(), 3);
    assert_eq!(saved.epochs, m.history().epochs);
}

#[test]
fn set_weights_assigns_by_name() {
    let model = trained(8, 1);
    let mut weights = model.weights().unwrap();
    weights.reverse();
    let fresh = arch(8).build_on(9, &cpu()).unwrap();
    fresh.set_weights(&weights).unwrap();
    assert_eq!(first_kernel(&fresh), first_kernel(&model));
}

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
    let data = common::quadrants(100);
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
    let mnist = common::mnist();
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
                &common::quadrants(100),
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
    common::write_file(
        dir.path(),
        "train-images-idx3-ubyte",
        &common::images(0).to_bytes(),
    );
    common::write_file(
        dir.path(),
        "train-labels-idx1-ubyte",
        &common::labels(&[]).to_bytes(),
    );
    common::write_file(
        dir.path(),
        "t10k-images-idx3-ubyte",
        &common::images(1).to_bytes(),
    );
    common::write_file(
        dir.path(),
        "t10k-labels-idx1-ubyte",
        &common::labels(&[1]).to_bytes(),
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
    let data = common::quadrants(64);
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
    assert!(compiled(1)
        .evaluate(&pixels)
        .unwrap_err()
        .to_string()
        .contains("floating-point inputs"));
}

#[test]
fn images_and_labels_that_disagree_cannot_be_paired() {
    // A `Split`'s fields are private, so the only way to pair them is `Split::new`, which
    // checks the lengths (before, a caller could swap in shorter labels and train on them).
    let data = common::quadrants(64);
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
    let data = common::quadrants(100);
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

/// Runs `f` on a thread and fails the test if it has not returned within 30 s.
fn within_time<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("{what} did not return within 30 s"))
}

#[test]
fn bar_charts_with_huge_or_infinite_values_return() {
    for v in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
        assert!(BarChart::new(&["a", "b"], &[0.5, v]).is_err(), "{v}");
    }
    // Finite but extreme values: a figure or an error, promptly (they used to hang).
    for v in [f64::MAX, -f64::MAX, 1e300, -1e300] {
        let _ = within_time("BarChart", move || {
            BarChart::new(&["a", "b"], &[0.5, v])
                .unwrap()
                .figure()
                .png()
                .map(|_| ())
        });
    }
    for (lo, hi) in [(f64::NAN, 1.0), (0.0, f64::INFINITY), (1.0, 0.0)] {
        let r = within_time("BarChart::ylim", move || {
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
        let png = within_time("LearningCurves", move || {
            LearningCurves::new(&h).unwrap().figure().png()
        });
        assert!(png.is_ok(), "{losses:?}: {png:?}");
    }
    let h = history_with(&[0.5, 0.4]);
    let r = within_time("LearningCurves::ylim", move || {
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
    assert!(Heatmap::new(&cm)
        .cell_size(u32::MAX)
        .figure()
        .png()
        .is_err());
    assert!(Heatmap::new(&cm).cell_size(3).figure().png().is_err());
    assert!(Heatmap::new(&cm).cell_size(30).figure().png().is_ok());
}

// ---------------------------------------------------------------------------------------
// Data files: bounded memory, gzip as it is

#[test]
fn gzip_with_several_members_loads_and_trailing_garbage_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = common::images(3).to_bytes();
    let (a, b) = bytes.split_at(1000);
    let mut two = common::gzip(a);
    two.extend(common::gzip(b));
    let path = common::write_file(dir.path(), "two-members", &two);
    let file = mlpkit::data::idx::read_idx(&path, 3).unwrap();
    assert_eq!(file.array, common::images(3));

    let mut garbage = common::gzip(&bytes);
    garbage.extend(b"this is not gzip at all");
    let path = common::write_file(dir.path(), "garbage", &garbage);
    let msg = mlpkit::data::idx::read_idx(&path, 3)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("not gzip") || msg.contains("damaged"), "{msg}");
}

#[test]
fn headers_that_promise_more_than_the_file_holds_allocate_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A tiny gzip whose header promises 60000 × 60000 × 60000 bytes.
    let mut header = vec![0, 0, 8, 3];
    for _ in 0..3 {
        header.extend(60000u32.to_be_bytes());
    }
    let path = common::write_file(dir.path(), "promise", &common::gzip(&header));
    let msg = mlpkit::data::idx::read_idx(&path, 3)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("truncated"), "{msg}");
    // A gzip bomb: 1 image promised, 200 MB of zeros delivered. It stops one byte past the
    // promise instead of inflating everything.
    let mut bomb_src = common::images(1).to_bytes();
    bomb_src.resize(200 << 20, 0);
    let path = common::write_file(dir.path(), "bomb", &common::gzip(&bomb_src));
    let msg = within_time("the gzip bomb", move || {
        mlpkit::data::idx::read_idx(&path, 3)
            .unwrap_err()
            .to_string()
    });
    assert!(msg.contains("extra bytes"), "{msg}");
    // A forged size trailer changes nothing.
    let mut forged = common::gzip(&common::images(2).to_bytes());
    let n = forged.len();
    forged[n - 4..].copy_from_slice(&u32::MAX.to_le_bytes());
    let path = common::write_file(dir.path(), "forged", &forged);
    assert!(mlpkit::data::idx::read_idx(&path, 3).is_err());
    // A large plain file is compared with its header before it is read.
    let mut long = common::labels(&[1]).to_bytes();
    long.resize(50 << 20, 0);
    let path = common::write_file(dir.path(), "long", &long);
    let msg = mlpkit::data::idx::read_idx(&path, 1)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("extra bytes"), "{msg}");
}

#[test]
fn saved_files_win_over_stale_plain_copies() {
    let dir = tempfile::tempdir().unwrap();
    common::write_small_dataset(dir.path());
    // Stale plain copies of the training files, of another dataset.
    common::write_file(
        dir.path(),
        "train-images-idx3-ubyte",
        &common::images(7).to_bytes(),
    );
    common::write_file(
        dir.path(),
        "train-labels-idx1-ubyte",
        &common::labels(&[0, 0, 0, 0, 0, 0, 0]).to_bytes(),
    );
    let loader = Loader::new(DatasetKind::Mnist).verify_checksums(false);
    let small = Split::new(
        Tensor::zeros((3, 28, 28), DType::U8, &cpu()).unwrap(),
        Tensor::new(&[2u32, 3, 4], &cpu()).unwrap(),
    )
    .unwrap();
    let mut dataset = loader.load_dir(dir.path()).unwrap();
    assert_eq!(dataset.train.len(), 7);
    std::thread::sleep(Duration::from_millis(20));
    dataset.train = small;
    dataset.save_idx(dir.path()).unwrap();
    let again = loader.load_dir(dir.path()).unwrap();
    assert_eq!(again.train.len(), 3);
    assert_eq!(again.train.labels().to_vec1::<u32>().unwrap(), [2, 3, 4]);
}
