//! What fit's live view costs: seconds per epoch of one tutorial configuration trained with
//! `verbose(0)` (nothing shown) and with `verbose(1)` (the live view: a progress bar at most
//! twice a second, the learning curve redrawn as SVG after each epoch, a PNG summary at the
//! end), taking turns in one run so that both see the same machine.
//!
//! ```text
//! cargo run --release -p mlpkit --example bench_live [-- rounds] > /dev/null
//! ```
//!
//! The live view writes its displays to standard output (the kernel turns them into Jupyter
//! displays); this program prints its figures to standard error, so that sending standard
//! output to /dev/null keeps the terminal readable. Each round trains the configuration of
//! notebook 01 (784-64-64-10 relu, Adam, batch 32, on 60,000 images) for 3 epochs both ways;
//! a figure is the median over rounds of the median of epochs 2 and 3 (the first epoch warms
//! caches), and the summary's PNG is counted in the whole fit's time.

use std::time::Instant;

use mlpkit::prelude::*;
use mlpkit::tutorials::Tutorial;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Seconds per epoch (median of epochs 2 onwards) and the whole fit's seconds.
fn measure(verbose: i32) -> Result<(f64, f64)> {
    let mut recipe = Tutorial::FirstNetwork.prepare(42)?;
    let fit = recipe.fit_options(Some(3), 42).verbose(verbose);
    let start = Instant::now();
    let history = recipe.model.fit(&recipe.train, fit)?;
    let whole = start.elapsed().as_secs_f64();
    Ok((median(history.seconds()[1..].to_vec()), whole))
}

fn main() -> Result<()> {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(3);
    let (mut silent, mut live) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        for (verbose, into) in [(0, &mut silent), (1, &mut live)] {
            let (epoch, whole) = measure(verbose)?;
            eprintln!(
                "round {round}, verbose({verbose}): {epoch:.3} s per epoch, {whole:.2} s in all"
            );
            into.push((epoch, whole));
        }
    }
    let epoch = |v: &[(f64, f64)]| median(v.iter().map(|x| x.0).collect());
    let whole = |v: &[(f64, f64)]| median(v.iter().map(|x| x.1).collect());
    eprintln!(
        "seconds per epoch: silent {:.3}, live {:.3}, ratio live/silent {:.3}",
        epoch(&silent),
        epoch(&live),
        epoch(&live) / epoch(&silent)
    );
    eprintln!(
        "whole fit (3 epochs, summary included): silent {:.2} s, live {:.2} s, ratio {:.3}",
        whole(&silent),
        whole(&live),
        whole(&live) / whole(&silent)
    );
    Ok(())
}
