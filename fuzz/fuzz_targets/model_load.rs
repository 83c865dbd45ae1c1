//! Any bytes, as a saved model: `Sequential::load` and `load_weights` give a model or an
//! error; sizes in the description are checked against the file before anything is
//! allocated.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mlpkit::prelude::*;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("mlpkit-fuzz-model-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("m.safetensors");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let _ = Sequential::load(&path, &Device::Cpu);
    if let Ok(model) = Architecture::new(&[4])
        .add(Dense::new(3, Activation::Relu))
        .add(Dense::new(2, Activation::Softmax))
        .build_on(0, &Device::Cpu)
    {
        let _ = model.load_weights(&path);
    }
});
