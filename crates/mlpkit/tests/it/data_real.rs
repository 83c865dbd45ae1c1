//! The loaders against the real MNIST and Fashion-MNIST files.

use crate::util;

use mlpkit::prelude::*;

fn class_counts(labels: &Tensor) -> Vec<usize> {
    let mut counts = vec![0; 10];
    for l in labels.to_vec1::<u32>().unwrap() {
        counts[l as usize] += 1;
    }
    counts
}

#[test]
fn mnist_has_the_published_shapes_and_types() {
    let Some(ds) = util::mnist() else { return };
    assert_eq!(ds.train.images().dims(), &[60_000, 28, 28]);
    assert_eq!(ds.train.labels().dims(), &[60_000]);
    assert_eq!(ds.test.images().dims(), &[10_000, 28, 28]);
    assert_eq!(ds.test.labels().dims(), &[10_000]);
    assert_eq!(ds.train.images().dtype(), DType::U8);
    assert_eq!(ds.train.labels().dtype(), DType::U32);
    assert_eq!(
        ds.source,
        mlpkit::data::Source::Dir(util::mnist_dir().unwrap())
    );
}

#[test]
fn mnist_label_counts_per_class() {
    let Some(ds) = util::mnist() else { return };
    assert_eq!(
        class_counts(ds.train.labels()),
        [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    );
    assert_eq!(
        class_counts(ds.test.labels()),
        [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    );
    assert_eq!(ds.test.label_vec().unwrap()[..5], [7, 2, 1, 0, 4]);
}

#[test]
fn mnist_training_pixels_have_the_known_mean_and_std() {
    let Some(ds) = util::mnist() else { return };
    let x = scale(ds.train.images(), PixelRange::ZeroOne).unwrap();
    let (mean, std) = mean_std(&x).unwrap();
    assert!((mean - 0.1306605).abs() < 1e-6, "mean {mean}");
    assert!((std - 0.3081078).abs() < 1e-6, "std {std}");
    // Standardised with the training statistics, the training set is centred with unit spread.
    let st = Standardizer::fit_global(&x).unwrap();
    let (m2, s2) = mean_std(&st.transform(&x).unwrap()).unwrap();
    assert!(m2.abs() < 1e-5 && (s2 - 1.0).abs() < 1e-5, "{m2} {s2}");
}

#[test]
fn fashion_mnist_classes_counts_and_first_labels() {
    let Some(dir) = util::fashion_dir() else {
        return;
    };
    let ds = Dataset::from_dir(DatasetKind::FashionMnist, dir).unwrap();
    assert_eq!(ds.class_names()[0], "T-shirt/top");
    assert_eq!(ds.class_names()[9], "Ankle boot");
    assert_eq!(ds.class_names().len(), 10);
    assert_eq!(ds.train.images().dims(), &[60_000, 28, 28]);
    assert_eq!(ds.test.images().dims(), &[10_000, 28, 28]);
    assert_eq!(class_counts(ds.train.labels()), [6000; 10]);
    assert_eq!(class_counts(ds.test.labels()), [1000; 10]);
    assert_eq!(
        ds.train.label_vec().unwrap()[..9],
        [9, 0, 0, 3, 0, 2, 7, 2, 5]
    );
}

#[test]
fn fashion_mnist_is_found_without_being_told_where() {
    // No directory given: the loader must find it by itself (env var, data/, or Debian's folder),
    // never reaching the hub.
    let ds = Loader::new(DatasetKind::FashionMnist)
        .hub(false)
        .load()
        .unwrap();
    assert_eq!(ds.train.len(), 60_000);
    match &ds.source {
        mlpkit::data::Source::Dir(d) => assert!(
            d.join("train-labels-idx1-ubyte.gz").exists()
                || d.join("train-labels-idx1-ubyte").exists()
        ),
        other => panic!("expected a directory, got {other:?}"),
    }
}

#[test]
fn mnist_first_training_image_is_a_five() {
    let Some(ds) = util::mnist() else { return };
    assert_eq!(ds.train.label_vec().unwrap()[0], 5);
    let first = ds.train.images().get(0).unwrap().to_vec2::<u8>().unwrap();
    // The top rows are blank, the middle holds ink.
    assert!(first[0].iter().all(|&p| p == 0));
    assert!(first[14].iter().any(|&p| p > 200));
    let total: u32 = first.iter().flatten().map(|&p| p as u32).sum();
    assert_eq!(total, 27525);
}
