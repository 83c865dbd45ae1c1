//! Seconds per epoch (training plus the epoch's validation pass) of the five tutorial
//! configurations, beside the Keras figures measured on the same kind of 2-core machine.
//!
//! ```text
//! cargo run --release -p mlpkit --example bench_train [-- epochs]
//! ```
//!
//! Each configuration trains for 5 epochs (or the number given); the figure is the median
//! of epochs 2 onwards. In the same run the machine's own matmul peak is measured through
//! the same Candle path, and our training throughput (6 × parameters × samples / seconds)
//! is shown as a share of it.

use std::time::Instant;

use mlpkit::prelude::*;
use mlpkit::tutorials::Tutorial;

/// Keras 3.15 / TensorFlow 2.21 on CPU, seconds per epoch, measured on these machines.
const KERAS: [f64; 5] = [1.9, 3.9, 4.7, 2.6, 2.1];

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// GFLOP/s of a 1024³ f32 matrix product through Candle's CPU matmul (best of 5).
fn matmul_peak() -> Result<f64> {
    let a = Tensor::rand(-1f32, 1f32, (1024, 1024), &Device::Cpu)?;
    let b = Tensor::rand(-1f32, 1f32, (1024, 1024), &Device::Cpu)?;
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        let c = a.matmul(&b)?;
        c.sum_all()?.to_scalar::<f32>()?;
        best = best.min(t.elapsed().as_secs_f64());
    }
    Ok(2.0 * 1024f64.powi(3) / best / 1e9)
}

fn main() -> Result<()> {
    let epochs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5)
        .max(2);
    let peak = matmul_peak()?;
    println!(
        "Candle CPU matmul peak (1024x1024x1024 f32): {peak:.1} GFLOP/s on {} threads",
        candle_core::utils::get_num_threads()
    );
    let mut rows = Vec::new();
    for (i, tutorial) in Tutorial::ALL.into_iter().enumerate() {
        let mut recipe = tutorial.prepare(42)?;
        let fit = recipe.fit_options(Some(epochs), 42).verbose(false);
        let history = recipe.model.fit(&recipe.train, fit)?;
        let per_epoch = median(history.seconds()[1..].to_vec());
        let flops = 6.0 * recipe.model.param_count() as f64 * recipe.train_examples() as f64
            / per_epoch
            / 1e9;
        let acc = history
            .last()
            .map(|e| e.val_accuracy.unwrap_or(e.accuracy))
            .unwrap_or(0.0);
        println!(
            "{}. {tutorial}: {per_epoch:.2} s/epoch (Keras {:.1}, ratio {:.2}), {flops:.1} GFLOP/s = {:.0}% of peak, accuracy after {epochs} epochs {:.2}%",
            i + 1,
            KERAS[i],
            per_epoch / KERAS[i],
            100.0 * flops / peak,
            100.0 * acc
        );
        rows.push((i + 1, tutorial, per_epoch, flops, acc));
    }
    println!(
        "\n| # | configuration | s/epoch | Keras s/epoch | ours/Keras | GFLOP/s (% of peak) |"
    );
    println!("|---|---|---|---|---|---|");
    for (i, t, s, f, _) in rows {
        println!(
            "| {i} | {} | {s:.2} | {:.1} | {:.2} | {f:.1} ({:.0}%) |",
            t.config(),
            KERAS[i - 1],
            s / KERAS[i - 1],
            100.0 * f / peak
        );
    }
    Ok(())
}
