//! Training on both paths (the fused engine and Candle's autograd) and comparing them.

use mlpkit::prelude::*;
use mlpkit::rand::{Rng, SeedableRng};
use mlpkit::train::Rule;

/// 300 examples of 6×6 "images" and 4 classes: the label is the arg-max of a fixed random
/// linear map of the pixels, so there is something to learn.
pub fn toy_data(seed: u64) -> (Tensor, Vec<u32>) {
    let mut rng = mlpkit::rand::rngs::StdRng::seed_from_u64(seed);
    let n = 300;
    let pixels: Vec<f32> = (0..n * 36).map(|_| rng.random::<f32>()).collect();
    let map: Vec<f32> = (0..36 * 4).map(|_| rng.random::<f32>() - 0.5).collect();
    let labels = (0..n)
        .map(|i| {
            let score =
                |c: usize| -> f32 { (0..36).map(|j| pixels[i * 36 + j] * map[j * 4 + c]).sum() };
            (0..4)
                .max_by(|&a, &b| score(a).partial_cmp(&score(b)).unwrap())
                .unwrap() as u32
        })
        .collect();
    let images = Tensor::from_vec(pixels, (n, 6, 6), &Device::Cpu).unwrap();
    (images, labels)
}

pub fn labels_tensor(labels: &[u32]) -> Tensor {
    Tensor::from_slice(labels, labels.len(), &Device::Cpu).unwrap()
}

/// Trains a fresh model twice from the same seed, once on each path, and returns both.
pub fn train_both(
    arch: &Architecture,
    rule: Rule,
    loss: Loss,
    data: &Split,
    fit: impl Fn() -> Fit,
) -> [(Sequential, History); 2] {
    [true, false].map(|fused| {
        let mut model = arch.build_on(7, &Device::Cpu).unwrap();
        model.compile(rule, loss).unwrap();
        let history = model.fit(data, fit().fused(fused).verbose(false)).unwrap();
        assert!(
            history.epochs.iter().all(|e| e.fused == fused),
            "the {} path was expected to run",
            if fused { "fused" } else { "autograd" }
        );
        (model, history)
    })
}

pub fn max_weight_difference(a: &Sequential, b: &Sequential) -> f32 {
    let (wa, wb) = (a.weights().unwrap(), b.weights().unwrap());
    assert_eq!(wa.len(), wb.len());
    wa.iter()
        .zip(&wb)
        .map(|((na, ta), (nb, tb))| {
            assert_eq!(na, nb);
            (ta - tb)
                .unwrap()
                .abs()
                .unwrap()
                .max_all()
                .unwrap()
                .to_scalar::<f32>()
                .unwrap()
        })
        .fold(0.0, f32::max)
}

pub fn assert_same_training(pair: &[(Sequential, History); 2], examples: usize, what: &str) {
    let [(fused, hf), (autograd, ha)] = pair;
    let diff = max_weight_difference(fused, autograd);
    assert!(diff < 2e-5, "{what}: weights differ by {diff}");
    let one_example = 1.0 / examples as f64 + 1e-9;
    for (f, a) in hf.epochs.iter().zip(&ha.epochs) {
        assert!(
            (f.loss - a.loss).abs() < 1e-4,
            "{what}: loss {} vs {}",
            f.loss,
            a.loss
        );
        assert!(
            (f.accuracy - a.accuracy).abs() <= one_example,
            "{what}: accuracy {} vs {}",
            f.accuracy,
            a.accuracy
        );
        if let (Some(fv), Some(av)) = (f.val_loss, a.val_loss) {
            assert!((fv - av).abs() < 1e-4, "{what}: val_loss {fv} vs {av}");
        }
        assert!((f.learning_rate - a.learning_rate).abs() < 1e-12);
    }
    assert_eq!(hf.len(), ha.len());
    // The weights moved: the comparison is not between two untouched models.
    let start = fused.architecture().build_on(7, &Device::Cpu).unwrap();
    assert!(
        max_weight_difference(fused, &start) > 1e-3,
        "{what}: training changed nothing"
    );
}
