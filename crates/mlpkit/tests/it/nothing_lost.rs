//! Nothing the user saved is lost, bad numbers do not train silently, and no public call
//! panics or hangs on bad input. Each test here is one defect found by trying the crate as a
//! hostile user would; each failed before the fix.
//!
//! This file: saving and data files. `bad_numbers.rs`: training and figures.

use crate::util;

use std::path::Path;
use std::time::Duration;

use mlpkit::prelude::*;
use mlpkit::train::EpochLog;

use crate::util::cpu;

use crate::util::{arch, trained};

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
        &util::quadrants(100),
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
                "nothing_lost::save_loop_child",
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
        &util::quadrants(200),
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
// Data files: bounded memory, gzip as it is

#[test]
fn gzip_with_several_members_loads_and_trailing_garbage_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = util::images(3).to_bytes();
    let (a, b) = bytes.split_at(1000);
    let mut two = util::gzip(a);
    two.extend(util::gzip(b));
    let path = util::write_file(dir.path(), "two-members", &two);
    let file = mlpkit::data::idx::read_idx(&path, 3).unwrap();
    assert_eq!(file.array, util::images(3));

    let mut garbage = util::gzip(&bytes);
    garbage.extend(b"this is not gzip at all");
    let path = util::write_file(dir.path(), "garbage", &garbage);
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
    let path = util::write_file(dir.path(), "promise", &util::gzip(&header));
    let msg = mlpkit::data::idx::read_idx(&path, 3)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("truncated"), "{msg}");
    // A gzip bomb: 1 image promised, 200 MB of zeros delivered. It stops one byte past the
    // promise instead of inflating everything.
    let mut bomb_src = util::images(1).to_bytes();
    bomb_src.resize(200 << 20, 0);
    let path = util::write_file(dir.path(), "bomb", &util::gzip(&bomb_src));
    let msg = util::within_time("the gzip bomb", move || {
        mlpkit::data::idx::read_idx(&path, 3)
            .unwrap_err()
            .to_string()
    });
    assert!(msg.contains("extra bytes"), "{msg}");
    // A forged size trailer changes nothing.
    let mut forged = util::gzip(&util::images(2).to_bytes());
    let n = forged.len();
    forged[n - 4..].copy_from_slice(&u32::MAX.to_le_bytes());
    let path = util::write_file(dir.path(), "forged", &forged);
    assert!(mlpkit::data::idx::read_idx(&path, 3).is_err());
    // A large plain file is compared with its header before it is read.
    let mut long = util::labels(&[1]).to_bytes();
    long.resize(50 << 20, 0);
    let path = util::write_file(dir.path(), "long", &long);
    let msg = mlpkit::data::idx::read_idx(&path, 1)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("extra bytes"), "{msg}");
}

#[test]
fn saved_files_win_over_stale_plain_copies() {
    let dir = tempfile::tempdir().unwrap();
    util::write_small_dataset(dir.path());
    // Stale plain copies of the training files, of another dataset.
    util::write_file(
        dir.path(),
        "train-images-idx3-ubyte",
        &util::images(7).to_bytes(),
    );
    util::write_file(
        dir.path(),
        "train-labels-idx1-ubyte",
        &util::labels(&[0, 0, 0, 0, 0, 0, 0]).to_bytes(),
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
