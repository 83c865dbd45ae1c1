//! What each part of the speed work buys: seconds per epoch (training plus the epoch's
//! validation pass) of the five tutorial configurations, trained three ways in one run:
//!
//! 1. Candle's autograd path (`Fit::fused(false)`, one thread: the crate before the fused path);
//! 2. the fused CPU path on one thread;
//! 3. the fused CPU path on every core (what `fit` does by default).
//!
//! ```text
//! cargo run --release -p mlpkit --example bench_train [-- epochs]
//! cargo run --release -p mlpkit --example bench_train -- pools [epochs]
//! ```
//!
//! `pools` instead compares the threads that run the fused path's work, on the same split of
//! work, at 1, 2 and 3 threads: the crate's own team of spinning helpers, a rayon pool of its
//! own, and rayon's global pool (the one Candle's kernels use).
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
    pool: mlpkit::engine::Pool,
) -> Result<(f64, f64, f64)> {
    let mut recipe = tutorial.prepare(42)?;
    let fit = recipe
        .fit_options(Some(epochs), 42)
        .verbose(false)
        .fused(fused)
        .threads(threads)
        .pool(pool);
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
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let pools = args.first().is_some_and(|a| a == "pools");
    if pools {
        args.remove(0);
    }
    let epochs: usize = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(if pools { 3 } else { 5 })
        .max(2);
    if pools {
        return compare_pools(epochs);
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let peak = peak::matmul_gflops(1024, &Device::Cpu)?;
    println!("Candle CPU matmul peak (1024x1024x1024 f32, {cores} threads): {peak:.1} GFLOP/s");
    println!(
        "\n| # | configuration | autograd, 1 thread | fused, 1 thread | fused, {cores} threads | speed-up | GFLOP/s (% of peak) | accuracy autograd / fused |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let team = mlpkit::engine::Pool::Team;
    for (i, tutorial) in Tutorial::ALL.into_iter().enumerate() {
        let (before, _, acc_before) = measure(tutorial, epochs, false, 1, team)?;
        let (one, _, _) = measure(tutorial, epochs, true, 1, team)?;
        let (all, gflops, acc) = measure(tutorial, epochs, true, cores, team)?;
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

/// Seconds per epoch of the fused path with each kind of thread pool at 1, 2 and 3 threads,
/// and each pool's time as a ratio to the team's at the same thread count.
fn compare_pools(epochs: usize) -> Result<()> {
    use mlpkit::engine::Pool;
    let pools = [Pool::Team, Pool::Rayon, Pool::RayonGlobal];
    println!(
        "Seconds per epoch on the fused path (median of epochs 2..{epochs}); in brackets, the ratio to the team at the same thread count\n"
    );
    println!("| # | configuration | threads | team | rayon pool | rayon global pool |");
    println!("|---|---|---|---|---|---|");
    for (i, tutorial) in Tutorial::ALL.into_iter().enumerate() {
        for threads in 1..=3 {
            let mut cells = Vec::new();
            let mut team = 0.0;
            for pool in pools {
                let (s, _, _) = measure(tutorial, epochs, true, threads, pool)?;
                if pool == Pool::Team {
                    team = s;
                    cells.push(format!("{s:.3}"));
                } else {
                    cells.push(format!("{s:.3} ({:.2})", s / team));
                }
            }
            println!(
                "| {} | {} | {threads} | {} |",
                i + 1,
                tutorial.config(),
                cells.join(" | ")
            );
        }
    }
    Ok(())
}
