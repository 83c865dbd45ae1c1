//! How long it takes to go from MNIST's `.gz` files to a normalised `f32` training tensor.
//!
//! ```text
//! cargo run --release -p mlpkit --example bench_load [-- <mnist dir>]
//! ```
//!
//! Target: under 0.5 s on a 2-core machine. The reference measured in the same run is the
//! bare minimum of work, reading and gunzipping the four files on one thread with no checks.

use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

use mlpkit::data::IdxPart;
use mlpkit::prelude::*;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() -> Result<()> {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let loader = Loader::new(DatasetKind::Mnist).hub(false);
            loader
                .local_candidates()
                .into_iter()
                .map(|(_, d)| d)
                .find(|d| d.join("train-images-idx3-ubyte.gz").is_file())
                .or_else(|| Some(PathBuf::from("../shared/datasets/mnist")))
                .unwrap()
        });
    println!("MNIST from {}", dir.display());
    let runs = 7;
    let mut ours = Vec::new();
    let mut load_only = Vec::new();
    let mut reference = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let ds = Dataset::from_dir(DatasetKind::Mnist, &dir)?;
        load_only.push(start.elapsed().as_secs_f64());
        let x = flatten(&scale(ds.train.images(), PixelRange::ZeroOne)?)?;
        assert_eq!(x.dims(), &[60_000, 784]);
        ours.push(start.elapsed().as_secs_f64());

        let start = Instant::now();
        let mut total = 0;
        for part in IdxPart::ALL {
            let raw = std::fs::read(dir.join(format!("{}.gz", part.file_name()))).unwrap();
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&raw[..])
                .read_to_end(&mut out)
                .unwrap();
            total += out.len();
        }
        assert!(total > 47_000_000);
        reference.push(start.elapsed().as_secs_f64());
    }
    let (ours, reference, load_only) = (median(ours), median(reference), median(load_only));
    println!(
        "load + verify SHA-256 + decode + scale to f32 (60000x784): {:.3} s (median of {runs})",
        ours
    );
    println!("  of which finding, reading, checking and decoding the four files: {load_only:.3} s");
    println!(
        "reference, read + gunzip only, one thread:                 {:.3} s",
        reference
    );
    println!("ratio ours / reference: {:.2}", ours / reference);
    println!(
        "target < 0.5 s: {}",
        if ours < 0.5 { "met" } else { "NOT met" }
    );
    Ok(())
}
