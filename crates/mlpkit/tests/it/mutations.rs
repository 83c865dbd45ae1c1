//! Property test: thousands of damaged inputs, made by a seeded generator, each give `Ok` or
//! a typed error from the file readers, never a panic, an abort or a long wait. The fuzz
//! targets under `fuzz/` explore the same readers without bound; this keeps the guarantee
//! in every `cargo test`.

use crate::util;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant};

use mlpkit::data::idx::read_idx;
use mlpkit::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// One damaged copy of `original`: a few of flipping, overwriting with extreme bytes,
/// cutting, inserting, and (for text) swapping a number for a huge one.
fn mutate(original: &[u8], rng: &mut StdRng) -> Vec<u8> {
    let mut b = original.to_vec();
    for _ in 0..rng.random_range(1..4) {
        if b.is_empty() {
            b.push(rng.random());
            continue;
        }
        let at = if rng.random_bool(0.5) {
            rng.random_range(0..b.len().min(64))
        } else {
            rng.random_range(0..b.len())
        };
        match rng.random_range(0..6) {
            0 => b[at] ^= 1 << rng.random_range(0..8),
            1 => b[at] = [0x00, 0xff, 0x7f, 0x80][rng.random_range(0..4)],
            2 => b.truncate(at),
            3 => {
                let extra: Vec<u8> = (0..rng.random_range(1..16)).map(|_| rng.random()).collect();
                b.splice(at..at, extra);
            }
            4 => {
                let end = (at + 4).min(b.len());
                b[at..end].fill(0xff);
            }
            _ => {
                // A digit in text (a JSON header) becomes a huge number.
                if let Some(d) = b[at..].iter().position(|c| c.is_ascii_digit()) {
                    let at = at + d;
                    b.splice(at..at + 1, *b"3000000000000");
                }
            }
        }
    }
    b
}

/// Calls `f` on `cases` mutations of `original` written to `path`; fails on a panic or a
/// case slower than 5 s.
fn survive(
    name: &str,
    original: &[u8],
    path: &Path,
    cases: usize,
    seed: u64,
    f: impl Fn(&Path) -> bool,
) {
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut ok, mut err) = (0, 0);
    for case in 0..cases {
        let bytes = mutate(original, &mut rng);
        std::fs::write(path, &bytes).unwrap();
        let start = Instant::now();
        match catch_unwind(AssertUnwindSafe(|| f(path))) {
            Ok(true) => ok += 1,
            Ok(false) => err += 1,
            Err(_) => {
                let keep = std::env::temp_dir().join(format!("mlpkit-{name}-case-{case}"));
                let _ = std::fs::write(&keep, &bytes);
                panic!(
                    "{name}: case {case} (seed {seed}) panicked; input kept at {}",
                    keep.display()
                );
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{name}: case {case} took {:?}",
            start.elapsed()
        );
    }
    println!("{name}: {cases} mutated inputs, {ok} read, {err} refused with an error");
    assert!(
        err > 0,
        "{name}: no mutation was refused, so the test exercised nothing"
    );
}

#[test]
fn damaged_idx_files_give_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x");
    let images = util::images(3).to_bytes();
    let labels = util::labels(&[1, 2, 3, 4, 5]).to_bytes();
    survive("plain images", &images, &path, 1500, 1, |p| {
        read_idx(p, 3).is_ok()
    });
    survive("plain labels", &labels, &path, 1500, 2, |p| {
        read_idx(p, 1).is_ok()
    });
    survive("gzip images", &util::gzip(&images), &path, 1500, 3, |p| {
        read_idx(p, 3).is_ok()
    });
    survive("gzip labels", &util::gzip(&labels), &path, 1500, 4, |p| {
        read_idx(p, 1).is_ok()
    });
}

#[test]
fn damaged_model_files_give_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = Architecture::new(&[4])
        .add(Dense::new(3, Activation::Relu))
        .add(Dropout::new(0.2))
        .add(Dense::new(2, Activation::Softmax))
        .build_on(0, &Device::Cpu)
        .unwrap();
    model
        .compile(Adam::default(), Loss::SparseCategoricalCrossentropy)
        .unwrap();
    let data = Split::new(
        Tensor::ones((8, 4), DType::F32, &Device::Cpu).unwrap(),
        Tensor::new(&[0u32, 1, 0, 1, 0, 1, 0, 1], &Device::Cpu).unwrap(),
    )
    .unwrap();
    model.fit(&data, Fit::epochs(1).verbose(false)).unwrap();
    let good = dir.path().join("good.safetensors");
    model.save(&good).unwrap();
    let original = std::fs::read(&good).unwrap();
    let path = dir.path().join("m.safetensors");
    survive("model load", &original, &path, 3000, 5, |p| {
        Sequential::load(p, &Device::Cpu).is_ok()
    });
    survive("load_weights", &original, &path, 1500, 6, |p| {
        model.load_weights(p).is_ok()
    });
}
