//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

use mlpkit::data::idx::IdxArray;
use mlpkit::prelude::*;

pub mod data;
pub use data::{fashion_dir, mnist, mnist_dir};

/// The CPU, where the tests compute.
pub fn cpu() -> Device {
    Device::Cpu
}

/// Writes `bytes` to `dir/name`, gzip-compressed when `name` ends in `.gz`.
pub fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    let mut f = std::fs::File::create(&path).unwrap();
    if name.ends_with(".gz") {
        let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap();
    } else {
        f.write_all(bytes).unwrap();
    }
    path
}

/// `n` fake 28x28 images: image `i` is filled with the value `i`.
pub fn images(n: usize) -> IdxArray {
    IdxArray {
        dims: vec![n, 28, 28],
        data: (0..n)
            .flat_map(|i| std::iter::repeat_n(i as u8, 784))
            .collect(),
    }
}

pub fn labels(values: &[u8]) -> IdxArray {
    IdxArray {
        dims: vec![values.len()],
        data: values.to_vec(),
    }
}

/// A complete, small, well-formed dataset directory (4 train and 2 test examples).
pub fn write_small_dataset(dir: &Path) {
    write_file(dir, "train-images-idx3-ubyte.gz", &images(4).to_bytes());
    write_file(
        dir,
        "train-labels-idx1-ubyte.gz",
        &labels(&[3, 1, 4, 1]).to_bytes(),
    );
    write_file(dir, "t10k-images-idx3-ubyte", &images(2).to_bytes());
    write_file(dir, "t10k-labels-idx1-ubyte", &labels(&[5, 9]).to_bytes());
}

/// `bytes` gzip-compressed (best compression).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// Points in the plane labelled by quadrant.
pub fn quadrants(n: usize) -> Split {
    let xs: Vec<f32> = (0..n)
        .flat_map(|i| {
            let a = ((i * 37) % 200) as f32 / 100.0 - 1.0;
            let b = ((i * 91) % 200) as f32 / 100.0 - 1.0;
            [a, b]
        })
        .collect();
    let ys: Vec<u32> = xs
        .chunks(2)
        .map(|p| u32::from(p[0] > 0.0) * 2 + u32::from(p[1] > 0.0))
        .collect();
    Split::new(
        Tensor::from_vec(xs, (n, 2), &Device::Cpu).unwrap(),
        Tensor::from_vec(ys, n, &Device::Cpu).unwrap(),
    )
    .unwrap()
}

/// A small, learnable problem: `n` random 2-D points, class = which quadrant (4 classes).
pub fn random_quadrants(n: usize, seed: u64) -> Split {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for _ in 0..n {
        let (a, b): (f32, f32) = (rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0));
        xs.extend([a, b]);
        ys.push(u32::from(a > 0.0) * 2 + u32::from(b > 0.0));
    }
    Split::new(
        Tensor::from_vec(xs, (n, 2), &cpu()).unwrap(),
        Tensor::from_vec(ys, n, &cpu()).unwrap(),
    )
    .unwrap()
}

/// A 2-16-4 network with dropout, for the quadrants.
pub fn small_model(seed: u64) -> Sequential {
    Architecture::new(&[2])
        .add(Dense::new(16, Activation::Relu))
        .add(Dropout::new(0.1))
        .add(Dense::new(4, Activation::Softmax))
        .build_on(seed, &cpu())
        .unwrap()
}

/// 2-`hidden`-4, ReLU then softmax.
pub fn arch(hidden: usize) -> Architecture {
    Architecture::new(&[2])
        .add(Dense::new(hidden, Activation::Relu))
        .add(Dense::new(4, Activation::Softmax))
}

/// [`arch`] built with `seed` and trained two epochs on [`quadrants`] with Adam.
pub fn trained(hidden: usize, seed: u64) -> Sequential {
    let mut m = arch(hidden).build_on(seed, &cpu()).unwrap();
    m.compile(Adam::new(0.01), Loss::SparseCategoricalCrossentropy)
        .unwrap();
    m.fit(&quadrants(200), Fit::epochs(2).verbose(false))
        .unwrap();
    m
}

/// Runs `f` on a thread and fails the test if it has not returned within 30 s.
pub fn within_time<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(std::time::Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("{what} did not return within 30 s"))
}

pub mod paths;

/// Figures' helpers.
pub mod figures {
    use mlpkit::prelude::*;
    use mlpkit::train::EpochLog;

    pub fn decode(png: &[u8]) -> image::RgbImage {
        image::load_from_memory(png).unwrap().to_rgb8()
    }

    pub fn distinct_colours(img: &image::RgbImage) -> usize {
        let mut seen = std::collections::HashSet::new();
        for p in img.pixels() {
            seen.insert(p.0);
        }
        seen.len()
    }

    /// The text elements of an SVG document, trimmed.
    pub fn svg_texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                let start = t.find('>')? + 1;
                let end = t.find("</text>")?;
                Some(t[start..end].trim().to_string())
            })
            .collect()
    }

    /// `n` 28x28 images with pseudo-random pixel values.
    pub fn noise_images(n: usize) -> Tensor {
        let mut data: Vec<u8> = (0..n * 784)
            .map(|i| ((i * 7919 + 13) % 251) as u8)
            .collect();
        data[1] = 255; // the full range 0..=255 occurs
        Tensor::from_vec(data, (n, 28, 28), &Device::Cpu).unwrap()
    }

    pub fn history(epochs: usize) -> History {
        History {
            epochs: (1..=epochs)
                .map(|e| EpochLog {
                    epoch: e,
                    loss: 1.0 / e as f64,
                    accuracy: 1.0 - 0.5 / e as f64,
                    val_loss: Some(1.2 / e as f64 + 0.05 * e as f64),
                    val_accuracy: Some(0.9 - 0.4 / e as f64),
                    seconds: 1.0,
                    learning_rate: 0.001,
                    fused: true,
                })
                .collect(),
            stopped_early: None,
        }
    }

    pub fn count_in(img: &image::RgbImage, c: plotters::style::RGBColor) -> usize {
        img.pixels().filter(|p| p.0 == [c.0, c.1, c.2]).count()
    }
}
