//! The crate's MNIST loader against an independent reader: Candle's own `candle-datasets`.

use mlpkit::prelude::*;

// The helper crate's way of finding the real datasets, or skipping with what to fetch.
#[allow(dead_code)]
#[path = "../../mlpkit/tests/it/util/data.rs"]
mod data;

/// `candle-datasets`, Candle's own MNIST reader, as an independent oracle: the same files
/// (gunzipped into a folder, the form it reads) give the same pixels and labels through it
/// as through this crate's loader with `scale(.., ZeroOne)`.
#[test]
fn candle_datasets_reads_the_same_mnist() {
    use std::io::Read;
    let Some(mnist_dir) = data::mnist_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    ] {
        let gz = mnist_dir.join(format!("{name}.gz"));
        let bytes = if gz.exists() {
            let mut bytes = Vec::new();
            flate2::read::MultiGzDecoder::new(std::fs::File::open(gz).unwrap())
                .read_to_end(&mut bytes)
                .unwrap();
            bytes
        } else {
            std::fs::read(mnist_dir.join(name)).unwrap()
        };
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let oracle = candle_datasets::vision::mnist::load_dir(dir.path()).unwrap();
    let ours = data::mnist().unwrap();
    for (split, images, labels) in [
        (&ours.train, &oracle.train_images, &oracle.train_labels),
        (&ours.test, &oracle.test_images, &oracle.test_labels),
    ] {
        // The oracle is built on its own release of Candle, so the two meet as plain numbers.
        let mine = scale(split.images(), PixelRange::ZeroOne)
            .unwrap()
            .flatten_from(1)
            .unwrap()
            .to_vec2::<f32>()
            .unwrap();
        let theirs_pixels = images.to_vec2::<f32>().unwrap();
        assert_eq!(mine.len(), theirs_pixels.len());
        let diff = mine
            .iter()
            .flatten()
            .zip(theirs_pixels.iter().flatten())
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert_eq!(mine[0].len(), theirs_pixels[0].len());
        assert!(diff < 1e-6, "pixels differ by {diff}");
        let theirs: Vec<u32> = labels
            .to_vec1::<u8>()
            .unwrap()
            .into_iter()
            .map(u32::from)
            .collect();
        assert_eq!(split.label_vec().unwrap(), theirs);
    }
}
