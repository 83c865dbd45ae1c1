//! What the book's pages run, natively: the same functions the WebAssembly module exports.
//! (`tests/book_browser.py` checks that the browser gives the same answers.)

use mlpkit::prelude::*;

// The helper crate's way of finding the real datasets, or skipping with what to fetch.
#[path = "../../mlpkit/tests/it/util/data.rs"]
#[allow(dead_code)]
mod data;
use mlpkit_web::{Reader, Trainer, TrainerSettings, prepare_drawing};

/// A 28 × 28 MNIST digit (ink bright) as a canvas holds it: RGBA, each pixel a 10 × 10
/// square, dark ink on white paper.
fn drawing(digit: &[u8]) -> Vec<u8> {
    let side = 280;
    let mut out = Vec::with_capacity(side * side * 4);
    for y in 0..side {
        for x in 0..side {
            let v = 255 - digit[28 * (y / 10) + x / 10];
            out.extend_from_slice(&[v, v, v, 255]);
        }
    }
    out
}

fn model_file(model: &Sequential) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.safetensors");
    model.save(&path).unwrap();
    std::fs::read(&path).unwrap()
}

#[test]
fn a_model_reads_mnist_digits_drawn_on_a_canvas() {
    let Some(mnist) = data::mnist() else { return };
    let train = mnist
        .train
        .head(20_000)
        .unwrap()
        .map_images(|x| flatten(&scale(x, PixelRange::ZeroOne)?))
        .unwrap();
    let mut model = Architecture::new(&[784])
        .add(Dense::new(64, Activation::Relu))
        .add(Dense::new(10, Activation::Softmax))
        .build(1)
        .unwrap();
    model
        .compile(Adam::default(), Loss::SparseCategoricalCrossentropy)
        .unwrap();
    model
        .fit(&train, Fit::epochs(2).batch_size(64).seed(1).verbose(false))
        .unwrap();
    let reader = Reader::from_file_bytes(&model_file(&model)).unwrap();
    assert_eq!(reader.layers(), "784-64-10");

    let n = 300;
    let images = mnist.test.head(n).unwrap();
    let pixels: Vec<Vec<u8>> = images
        .images()
        .to_vec3::<u8>()
        .unwrap()
        .into_iter()
        .map(|rows| rows.concat())
        .collect();
    let labels = images.label_vec().unwrap();
    let mut right = 0;
    for (digit, &label) in pixels.iter().zip(&labels) {
        let prepared = prepare_drawing(&drawing(digit), 280, 280)
            .unwrap()
            .expect("a digit has ink");
        assert_eq!(prepared.dims(), [28, 28]);
        let reading = reader.read_prepared(&prepared).unwrap();
        let sum: f32 = reading.probabilities().iter().sum();
        assert!((sum - 1.0).abs() < 1e-4, "probabilities add up to {sum}");
        right += usize::from(reading.digit() == label);
    }
    // The network reads about 95% of MNIST's test digits as they are; drawn on a canvas and
    // prepared again the MNIST way, they must stay close to that.
    assert!(
        right * 100 >= 92 * n,
        "{right} of {n} drawn digits read right"
    );
}

#[test]
fn a_blank_pad_has_no_answer_and_a_wrong_size_is_an_error() {
    let blank = vec![255u8; 280 * 280 * 4];
    assert!(prepare_drawing(&blank, 280, 280).unwrap().is_none());
    let transparent = vec![0u8; 280 * 280 * 4];
    assert!(
        prepare_drawing(&transparent, 280, 280).unwrap().is_none(),
        "transparent pixels are white paper"
    );
    let err = prepare_drawing(&blank, 280, 279).unwrap_err().to_string();
    assert!(err.contains("280 × 279") && err.contains("RGBA"), "{err}");
    let err = prepare_drawing(&[], 0, 0).unwrap_err().to_string();
    assert!(err.contains("0 × 0"), "{err}");
}

/// The error `Reader` gives for a model file it refuses.
fn refusal(model_file: &[u8]) -> String {
    Reader::from_file_bytes(model_file)
        .err()
        .expect("refused")
        .to_string()
}

#[test]
fn a_model_for_other_pictures_or_a_damaged_file_is_refused() {
    let small = Architecture::new(&[64])
        .add(Dense::new(10, Activation::Softmax))
        .build(1)
        .unwrap();
    let err = refusal(&model_file(&small));
    assert!(err.contains("64 inputs") && err.contains("784"), "{err}");
    let scores = Architecture::new(&[784])
        .add(Dense::new(10, Activation::Linear))
        .build(1)
        .unwrap();
    let err = refusal(&model_file(&scores));
    assert!(err.contains("without a softmax"), "{err}");
    let err = refusal(b"not a model");
    assert!(!err.is_empty());
}

/// The UCI digits file's bytes, as the page fetches them.
fn uci_file() -> Option<Vec<u8>> {
    Some(std::fs::read(data::uci_file()?).unwrap())
}

#[test]
fn training_in_the_page_learns_the_uci_digits() {
    let settings = TrainerSettings {
        hidden: 32,
        learning_rate: 0.003,
        batch_size: 32,
        seed: 1,
    };
    let Some(file) = uci_file() else { return };
    let mut trainer = Trainer::with(&file, settings).unwrap();
    assert_eq!(trainer.sizes(), vec![1797 - 360 - 180, 180, 360]);
    let mut last = None;
    for epoch in 1..=30 {
        let report = trainer.train_epoch().unwrap();
        assert_eq!(report.epoch, epoch);
        last = Some(report);
    }
    let last = last.unwrap();
    assert!(
        last.val_accuracy > 0.9,
        "validation accuracy {}",
        last.val_accuracy
    );
    let test = trainer.score().unwrap();
    assert!(test.accuracy() > 0.9, "test accuracy {}", test.accuracy());
    let counts = test.counts();
    assert_eq!(counts.len(), 100);
    assert_eq!(counts.iter().sum::<u32>(), 360);
    let diagonal: u32 = (0..10).map(|d| counts[11 * d]).sum();
    assert!((f64::from(diagonal) / 360.0 - test.accuracy()).abs() < 1e-9);
    // The same seed gives the same run, epoch for epoch.
    let mut again = Trainer::with(&file, settings).unwrap();
    let first = again.train_epoch().unwrap();
    let mut once_more = Trainer::with(&file, settings).unwrap();
    assert_eq!(once_more.train_epoch().unwrap().val_loss, first.val_loss);
}

#[test]
fn a_damaged_digits_file_is_refused() {
    let Some(mut bytes) = uci_file() else { return };
    bytes[100] ^= 1;
    let settings = TrainerSettings {
        hidden: 8,
        learning_rate: 0.01,
        batch_size: 32,
        seed: 1,
    };
    let err = Trainer::with(&bytes, settings).err().unwrap().to_string();
    assert!(err.contains("SHA-256"), "{err}");
}
