//! Trains each tutorial's network on the real data with the tutorial's hyper-parameters and
//! prints what it reaches beside what the tutorial reported.
//!
//! ```text
//! cargo run --release -p mlpkit --example tutorials            # all five (several minutes)
//! cargo run --release -p mlpkit --example tutorials -- 2 4     # only the 2nd and 4th
//! ```

use mlpkit::prelude::*;
use mlpkit::tutorials::Tutorial;

fn main() -> Result<()> {
    let picked: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let mut rows = Vec::new();
    for (i, tutorial) in Tutorial::ALL.into_iter().enumerate() {
        if !picked.is_empty() && !picked.contains(&(i + 1)) {
            continue;
        }
        println!("\n=== {}. {tutorial}: {}", i + 1, tutorial.config());
        let mut recipe = tutorial.prepare(42)?;
        let fit = recipe.fit_options(None, 42);
        let start = std::time::Instant::now();
        let history = recipe.model.fit(&recipe.train, fit)?;
        let seconds = start.elapsed().as_secs_f64();
        let test = recipe.model.evaluate(&recipe.test)?;
        let train = recipe.model.evaluate(&recipe.train)?;
        let val = history.last().and_then(|e| e.val_accuracy);
        let got = format!(
            "train {:.2}%, validation {}, test {:.2}% (test loss {:.3})",
            100.0 * train.accuracy,
            val.map(|v| format!("{:.2}%", 100.0 * v))
                .unwrap_or_else(|| "-".into()),
            100.0 * test.accuracy,
            test.loss
        );
        println!(
            "{tutorial}: {got}; {:.0} s for {} epochs",
            seconds,
            history.len()
        );
        rows.push((i + 1, tutorial, got, seconds));
    }
    println!("\n| # | tutorial | reported | this crate | training time |");
    println!("|---|---|---|---|---|");
    for (i, t, got, s) in rows {
        println!("| {i} | {t} | {} | {got} | {s:.0} s |", t.reported());
    }
    Ok(())
}
