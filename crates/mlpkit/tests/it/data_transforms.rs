//! Preprocessing, splits and mini-batches, checked value by value.

use mlpkit::prelude::*;

fn t_u8(v: &[u8]) -> Tensor {
    Tensor::from_slice(v, v.len(), &Device::Cpu).unwrap()
}

fn close(a: &[f32], b: &[f32]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() < 1e-6, "{a:?} vs {b:?}");
    }
}

/// A split of `n` examples whose images are `[i, 10 i]` and labels `i % 10`.
fn numbered(n: u32) -> Split {
    let images: Vec<f32> = (0..n).flat_map(|i| [i as f32, 10.0 * i as f32]).collect();
    let labels: Vec<u32> = (0..n).map(|i| i % 10).collect();
    Split::new(
        Tensor::from_vec(images, (n as usize, 2), &Device::Cpu).unwrap(),
        Tensor::from_vec(labels, n as usize, &Device::Cpu).unwrap(),
    )
    .unwrap()
}

fn firsts(s: &Split) -> Vec<u32> {
    s.images()
        .narrow(1, 0, 1)
        .unwrap()
        .squeeze(1)
        .unwrap()
        .to_vec1::<f32>()
        .unwrap()
        .iter()
        .map(|&v| v as u32)
        .collect()
}

#[test]
fn scaling_to_the_three_ranges() {
    let x = t_u8(&[0, 51, 255]);
    close(
        &scale(&x, PixelRange::ZeroOne).unwrap().to_vec1().unwrap(),
        &[0.0, 0.2, 1.0],
    );
    close(
        &scale(&x, PixelRange::MinusHalfToHalf)
            .unwrap()
            .to_vec1()
            .unwrap(),
        &[-0.5, -0.3, 0.5],
    );
    close(
        &scale(&x, PixelRange::MinusOneToOne)
            .unwrap()
            .to_vec1()
            .unwrap(),
        &[-1.0, -0.6, 1.0],
    );
    assert_eq!(scale(&x, PixelRange::ZeroOne).unwrap().dtype(), DType::F32);
    assert_eq!(
        scale(&x, PixelRange::ZeroOne)
            .unwrap()
            .to_vec1::<f32>()
            .unwrap()[2],
        1.0
    );
    // Every byte value gives the same result through the fast path (u8) and the general one (f32).
    let all = Tensor::arange(0u8, 255, &Device::Cpu).unwrap();
    for range in [
        PixelRange::ZeroOne,
        PixelRange::MinusHalfToHalf,
        PixelRange::MinusOneToOne,
    ] {
        let fast = scale(&all, range).unwrap().to_vec1::<f32>().unwrap();
        let general = scale(&all.to_dtype(DType::F32).unwrap(), range)
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        assert_eq!(fast, general, "{range:?}");
    }
    // Shapes are kept.
    let img = Tensor::zeros((2, 28, 28), DType::U8, &Device::Cpu).unwrap();
    assert_eq!(
        scale(&img, PixelRange::ZeroOne).unwrap().dims(),
        &[2, 28, 28]
    );
}

#[test]
fn flatten_keeps_the_batch_dimension() {
    let x = Tensor::zeros((5, 28, 28), DType::U8, &Device::Cpu).unwrap();
    assert_eq!(flatten(&x).unwrap().dims(), &[5, 784]);
    let row = Tensor::arange(0u8, 6, &Device::Cpu)
        .unwrap()
        .reshape((1, 2, 3))
        .unwrap();
    assert_eq!(
        flatten(&row).unwrap().to_vec2::<u8>().unwrap(),
        [[0, 1, 2, 3, 4, 5]]
    );
    assert!(flatten(&Tensor::new(1f32, &Device::Cpu).unwrap()).is_err());
}

#[test]
fn standardising_uses_training_statistics_only() {
    // Per-pixel means [1, 4]; one global std over {0, 2, 2, 6}: mean 2.5, variance 4.75.
    let train = Tensor::new(&[[0f32, 2.], [2., 6.]], &Device::Cpu).unwrap();
    let st = Standardizer::fit(&train).unwrap();
    let sigma = 4.75f64.sqrt();
    assert!((st.std - sigma).abs() < 1e-12);
    assert_eq!(st.mean.to_vec1::<f32>().unwrap(), [1.0, 4.0]);
    let s = sigma as f32;
    let out = st.transform(&train).unwrap().to_vec2::<f32>().unwrap();
    close(&out.concat(), &[-1.0 / s, -2.0 / s, 1.0 / s, 2.0 / s]);
    // The test set is transformed with the *training* mean and std, unchanged.
    let test = Tensor::new(&[[1f32, 4.], [3., 4.]], &Device::Cpu).unwrap();
    close(
        &st.transform(&test)
            .unwrap()
            .to_vec2::<f32>()
            .unwrap()
            .concat(),
        &[0.0, 0.0, 2.0 / s, 0.0],
    );
    // Wrong feature count is a clear error.
    let wrong = Tensor::zeros((2, 3), DType::F32, &Device::Cpu).unwrap();
    assert!(
        st.transform(&wrong)
            .unwrap_err()
            .to_string()
            .contains("[2]")
    );
    // Constant data cannot be standardised.
    assert!(Standardizer::fit(&Tensor::ones((3, 2), DType::F32, &Device::Cpu).unwrap()).is_err());
    // Global variant.
    let g = Standardizer::fit_global(&train).unwrap();
    close(
        &g.transform(&train)
            .unwrap()
            .to_vec2::<f32>()
            .unwrap()
            .concat(),
        &[-2.5 / s, -0.5 / s, -0.5 / s, 3.5 / s],
    );
}

#[test]
fn one_hot_labels_like_to_categorical() {
    let y = Tensor::new(&[2u32, 0, 1], &Device::Cpu).unwrap();
    let oh = one_hot(&y, 3).unwrap();
    assert_eq!(oh.dtype(), DType::F32);
    assert_eq!(
        oh.to_vec2::<f32>().unwrap(),
        [[0., 0., 1.], [1., 0., 0.], [0., 1., 0.]]
    );
    let msg = one_hot(&y, 2).unwrap_err().to_string();
    assert!(msg.contains("label 2 does not fit in 2 classes"), "{msg}");
    // No classes at all is an error that says what to give, not an overflow.
    let msg = one_hot(&y, 0).unwrap_err().to_string();
    assert!(msg.contains("0 classes"), "{msg}");
    // Back to integers.
    let s = Split::new(oh.clone(), oh).unwrap();
    assert_eq!(s.label_vec().unwrap(), [2, 0, 1]);
}

#[test]
fn split_new_checks_counts() {
    let msg = Split::new(
        Tensor::zeros((3, 2), DType::F32, &Device::Cpu).unwrap(),
        t_u8(&[1, 2]),
    )
    .unwrap_err()
    .to_string();
    assert!(msg.contains("3 images but 2 labels"), "{msg}");
}

#[test]
fn validation_from_the_front_the_back_and_a_fraction() {
    let data = numbered(10);
    let (train, val) = data.split_first(3).unwrap();
    assert_eq!(
        (firsts(&train), firsts(&val)),
        ((3..10).collect(), vec![0, 1, 2])
    );
    assert_eq!(val.label_vec().unwrap(), [0, 1, 2]);
    let (train, val) = data.split_last(3).unwrap();
    assert_eq!(
        (firsts(&train), firsts(&val)),
        ((0..7).collect(), vec![7, 8, 9])
    );
    // Keras: split_at = floor(10 * (1 - 0.25)) = 7.
    let (train, val) = data.validation_split(0.25).unwrap();
    assert_eq!((train.len(), firsts(&val)), (7, vec![7, 8, 9]));
    let (train, val) = numbered(60_000).validation_split(0.1).unwrap();
    assert_eq!((train.len(), val.len()), (54_000, 6_000));
    assert_eq!(firsts(&val)[0], 54_000);
    assert!(data.validation_split(1.0).is_err());
    assert!(data.validation_split(0.0).is_err());
    assert!(data.split_first(10).is_err());
    assert!(data.split_last(0).is_err());
}

#[test]
fn random_split_is_seeded() {
    let data = numbered(20);
    let (t1, v1) = data.random_split(5, 7).unwrap();
    let (t2, v2) = data.random_split(5, 7).unwrap();
    let (_, v3) = data.random_split(5, 8).unwrap();
    assert_eq!((firsts(&t1), firsts(&v1)), (firsts(&t2), firsts(&v2)));
    assert_ne!(firsts(&v1), firsts(&v3));
    let mut all: Vec<u32> = firsts(&t1).into_iter().chain(firsts(&v1)).collect();
    all.sort();
    assert_eq!(all, (0..20).collect::<Vec<_>>());
    // images and labels stay paired
    for (x, y) in firsts(&v1).iter().zip(v1.label_vec().unwrap()) {
        assert_eq!(x % 10, y);
    }
}

#[test]
fn batches_in_order_keep_or_drop_the_last() {
    let data = numbered(10);
    let mut keep = Batches::new(10, 4).unwrap();
    assert_eq!(keep.len(), 3);
    let got: Vec<Vec<u32>> = keep.epoch(&data).map(|b| firsts(&b.unwrap())).collect();
    assert_eq!(got, [vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![8, 9]]);
    let mut drop = Batches::new(10, 4).unwrap().drop_last(true);
    assert_eq!(drop.len(), 2);
    let sizes: Vec<usize> = drop.epoch(&data).map(|b| b.unwrap().len()).collect();
    assert_eq!(sizes, [4, 4]);
    assert!(Batches::new(10, 0).is_err());
    // Planned for another size: an error, not wrong batches.
    assert!(
        Batches::new(12, 4)
            .unwrap()
            .epoch(&data)
            .next()
            .unwrap()
            .is_err()
    );
}

#[test]
fn shuffled_batches_are_seeded_and_reshuffle_each_epoch() {
    let data = numbered(50);
    let epoch = |b: &mut Batches| -> Vec<u32> {
        b.epoch(&data).flat_map(|x| firsts(&x.unwrap())).collect()
    };
    let mut a = Batches::new(50, 8).unwrap().shuffle(42);
    let mut b = Batches::new(50, 8).unwrap().shuffle(42);
    let mut c = Batches::new(50, 8).unwrap().shuffle(43);
    let (a1, a2) = (epoch(&mut a), epoch(&mut a));
    let (b1, b2) = (epoch(&mut b), epoch(&mut b));
    let c1 = epoch(&mut c);
    assert_eq!((&a1, &a2), (&b1, &b2), "same seed, same orders");
    assert_ne!(a1, a2, "a new order every epoch");
    assert_ne!(a1, c1, "another seed, another order");
    assert_ne!(a1, (0..50).collect::<Vec<_>>());
    let mut sorted = a1.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        (0..50).collect::<Vec<_>>(),
        "every example exactly once"
    );
    // labels follow their images through the shuffle
    let mut d = Batches::new(50, 8).unwrap().shuffle(1);
    for batch in d.epoch(&data) {
        let batch = batch.unwrap();
        for (x, y) in firsts(&batch).iter().zip(batch.label_vec().unwrap()) {
            assert_eq!(x % 10, y);
        }
    }
    // drop_last with shuffling: 6 full batches of 8, two examples left out.
    let mut e = Batches::new(50, 8).unwrap().shuffle(3).drop_last(true);
    assert_eq!(epoch(&mut e).len(), 48);
}

/// The same values as the matrix `x`, as a non-contiguous (column-major) view, so that the
/// transforms cannot take their in-memory fast paths.
fn strided_copy(x: &Tensor) -> Tensor {
    let strided = x.t().unwrap().contiguous().unwrap().t().unwrap();
    assert!(!strided.is_contiguous());
    strided
}

#[test]
fn standardizing_in_memory_equals_the_general_path() {
    // Contiguous f32 data takes a one-pass path; a strided view takes Candle's operations.
    let x = Tensor::arange(0f32, 60.0, &Device::Cpu)
        .unwrap()
        .affine(0.37, -3.0)
        .unwrap()
        .reshape((6, 10))
        .unwrap();
    let st = Standardizer::fit(&x).unwrap();
    let fast = st.transform(&x).unwrap();
    let strided = strided_copy(&x);
    let general = st.transform(&strided).unwrap();
    assert_eq!(
        fast.to_vec2::<f32>().unwrap(),
        general.to_vec2::<f32>().unwrap()
    );
    // And the statistics are right: per-column means are zero after the transform.
    let col_means = fast.mean(0).unwrap().to_vec1::<f32>().unwrap();
    assert!(col_means.iter().all(|m| m.abs() < 1e-5), "{col_means:?}");
}

#[test]
fn mean_and_std_are_the_same_in_memory_and_through_candle() {
    let x = Tensor::arange(0f32, 5000.0, &Device::Cpu)
        .unwrap()
        .affine(0.013, -7.0)
        .unwrap()
        .sin()
        .unwrap()
        .reshape((50, 100))
        .unwrap();
    let (m1, s1) = mean_std(&x).unwrap();
    // A strided view goes through Candle's operations.
    let strided = strided_copy(&x);
    let (m2, s2) = mean_std(&strided).unwrap();
    assert!(
        (m1 - m2).abs() < 1e-12 && (s1 - s2).abs() < 1e-12,
        "{m1} {s1} vs {m2} {s2}"
    );
    // And against a plain f64 computation.
    let v: Vec<f64> = x
        .flatten_all()
        .unwrap()
        .to_vec1::<f32>()
        .unwrap()
        .iter()
        .map(|&a| a as f64)
        .collect();
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let std = (v.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / v.len() as f64).sqrt();
    assert!((m1 - mean).abs() < 1e-12 && (s1 - std).abs() < 1e-12);
}

#[test]
fn sources_show_as_paths_relative_to_the_current_folder() {
    let here = std::env::current_dir().unwrap();
    let data = here.join("tests");
    assert_eq!(
        mlpkit::data::shown_path(&data),
        std::path::PathBuf::from("tests")
    );
    let up = here.parent().unwrap().join("mlpkit").join("src");
    assert_eq!(
        mlpkit::data::shown_path(&up),
        std::path::PathBuf::from("src")
    );
    let sibling = here.parent().unwrap();
    assert_eq!(
        mlpkit::data::shown_path(sibling),
        std::path::PathBuf::from("..")
    );
    // Only the root in common: absolute, as it is.
    assert_eq!(
        mlpkit::data::shown_path(std::path::Path::new("/proc")),
        std::path::PathBuf::from("/proc")
    );
    // A path that does not exist is shown unchanged.
    let missing = std::path::Path::new("/no/such/folder");
    assert_eq!(mlpkit::data::shown_path(missing), missing);
}
