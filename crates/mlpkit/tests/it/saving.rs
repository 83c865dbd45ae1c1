//! Weights on disk: saving and loading round trips, damaged and foreign files, atomic saves.

use mlpkit::prelude::*;

use crate::util::cpu;

use crate::util::{random_quadrants as quadrants, small_model};

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
    assert!(
        model
            .load_weights(&path)
            .unwrap_err()
            .to_string()
            .contains("not a complete safetensors file")
    );
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
