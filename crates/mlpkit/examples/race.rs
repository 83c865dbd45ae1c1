//! This crate's side of the training race against Keras and PyTorch (`bench/race` runs all
//! three and prints the table; see `bench/README.md`).
//!
//! ```text
//! race peak                 GFLOP/s of a 1024x1024x1024 f32 product through Candle's matmul
//! race <1-5> [epochs]       train one tutorial configuration, print one JSON line
//! ```
//!
//! Each configuration is trained exactly as `mlpkit::tutorials` sets it up (data in memory,
//! the tutorial's network, optimizer, batch size and validation), with `fit`, for 5 epochs by
//! default; the JSON line holds the seconds of every epoch (validation pass included) and the
//! test accuracy afterwards, and the process's peak resident memory (`VmHWM`). Run it in a
//! fresh process per configuration so that the memory belongs to that configuration alone.

#[path = "common/peak.rs"]
mod peak;

use mlpkit::prelude::*;
use mlpkit::tutorials::Tutorial;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_default();
    if what == "peak" {
        let peak = peak::matmul_gflops(1024, &Device::Cpu)?;
        println!(
            "{{\"peak_gflops\": {peak:.2}, \"threads\": {}}}",
            mlpkit::device::cpu_threads()
        );
        return Ok(());
    }
    let config: usize = what
        .parse()
        .ok()
        .filter(|c| (1..=5).contains(c))
        .ok_or_else(|| {
            Error::InvalidArgument(format!(
                "usage: race peak | race <configuration 1-5> [epochs]; got `{what}`"
            ))
        })?;
    let epochs: usize = args.next().and_then(|e| e.parse().ok()).unwrap_or(5);
    let tutorial = Tutorial::ALL[config - 1];
    let mut recipe = tutorial.prepare(42)?;
    let fit = recipe.fit_options(Some(epochs), 42).verbose(false);
    let history = recipe.model.fit(&recipe.train, fit)?;
    let test = recipe.model.evaluate(&recipe.test)?;
    let peak_rss_mb = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0);
    let seconds: Vec<String> = history
        .seconds()
        .iter()
        .map(|s| format!("{s:.4}"))
        .collect();
    println!(
        "{{\"framework\": \"mlpkit\", \"config\": {config}, \"epoch_seconds\": [{}], \"test_accuracy\": {:.5}, \
         \"train_examples\": {}, \"params\": {}, \"threads\": {}, \"fused\": {}, \"peak_rss_mb\": {peak_rss_mb:.1}}}",
        seconds.join(", "),
        test.accuracy,
        recipe.train_examples(),
        recipe.model.param_count(),
        mlpkit::device::training_threads(),
        history.epochs.iter().all(|e| e.fused),
    );
    Ok(())
}
