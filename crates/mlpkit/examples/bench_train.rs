//! What each part of the speed work buys: seconds per epoch (training plus the epoch's
//! validation pass) of the five tutorial configurations, trained three ways in one run:
//!
//! 1. Candle's autograd path (`Fit::fused(false)`, one thread: the crate before the fused path);
//! 2. the fused CPU path on one thread;
//! 3. the fused CPU path on every core (what `fit` does by default).
//!
//! ```text
//! cargo run --release -p mlpkit --example bench_train [-- epochs]
//! ```
//!
//! (The fused path's threads are the crate's own team of spinning helpers: `bench/README.md`
//! has the run that compared it with a rayon pool and rayon's global pool, and why the team
//! stayed.)
//!
//! Each run trains for 5 epochs (or the number given); the figure is the median of epochs 2
//! onwards. In the same run the machine's own matmul peak is measured through Candle's matmul,
//! and each throughput (6 × parameters × samples / seconds) is shown as a share of it.
//! The race against Keras and PyTorch is `bench/race`.

#[path = "common/peak.rs"]
mod peak;

use mlpkit::prelude::*;
use mlpkit::tutorials::Tutorial;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Seconds per epoch, throughput and final accuracy of one tutorial trained one way.
fn measure(
    tutorial: Tutorial,
    epochs: usize,
    fused: bool,
    threads: usize,
) -> Result<(f64, f64, f64)> {
    let mut recipe = tutorial.prepare(42)?;
    let fit = recipe
        .fit_options(Some(epochs), 42)
        .verbose(false)
        .fused(fused)
        .threads(threads);
    let history = recipe.model.fit(&recipe.train, fit)?;
    assert_eq!(
        history.epochs.iter().all(|e| e.fused),
        fused,
        "the intended path ran"
    );
    let per_epoch = median(history.seconds()[1..].to_vec());
    let gflops =
        6.0 * recipe.model.param_count() as f64 * recipe.train_examples() as f64 / per_epoch / 1e9;
    let acc = history
        .last()
        .map(|e| e.val_accuracy.unwrap_or(e.accuracy))
        .unwrap_or(0.0);
    Ok((per_epoch, gflops, acc))
}

fn main() -> Result<()> {
    let epochs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5)
        .max(2);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let peak = peak::matmul_gflops(1024, &Device::Cpu)?;
    println!("Candle CPU matmul peak (1024x1024x1024 f32, {cores} threads): {peak:.1} GFLOP/s");
    println!(
        "\n| # | configuration | autograd, 1 thread | fused, 1 thread | fused, {cores} threads | speed-up | GFLOP/s (% of peak) | accuracy autograd / fused |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (i, tutorial) in Tutorial::ALL.into_iter().enumerate() {
        let (before, _, acc_before) = measure(tutorial, epochs, false, 1)?;
        let (one, _, _) = measure(tutorial, epochs, true, 1)?;
        let (all, gflops, acc) = measure(tutorial, epochs, true, cores)?;
        println!(
            "| {} | {} | {before:.2} | {one:.2} | {all:.2} | {:.1}x | {gflops:.1} ({:.0}%) | {:.2}% / {:.2}% |",
            i + 1,
            tutorial.config(),
            before / all,
            100.0 * gflops / peak,
            100.0 * acc_before,
            100.0 * acc
        );
    }
    Ok(())
}
