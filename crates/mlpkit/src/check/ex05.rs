//! The checkers of notebook 05's exercises (the training loop, written out).

use super::answer::{BEYOND_CHANCE, Exercise, Judge};
use crate::error::Result;
use crate::metrics::Spread;

/// Notebook 05's exercises.
pub(crate) const EXERCISES: &[Exercise] = &[
    Exercise {
        id: "05.1",
        asks: "the tutorial's 1,000 test images",
        judge: thousand_test_images,
    },
    Exercise {
        id: "05.2",
        asks: "split the loop across two cells",
        judge: split_across_cells,
    },
    Exercise {
        id: "05.3",
        asks: "the loss by hand",
        judge: loss_by_hand,
    },
    Exercise {
        id: "05.4",
        asks: "plain SGD against Adam",
        judge: sgd_against_adam,
    },
];

/// 05.1: the accuracy on the first 1,000 test images and on all 10,000 (percent), the standard
/// error of an accuracy measured on 1,000 images (points), and whether the two lie within two
/// standard errors of each other.
fn thousand_test_images(j: &Judge<'_>) -> Result<String> {
    let first = j.number("first 1000")?;
    let all = j.number("all 10000")?;
    if !(1.0..=100.0).contains(&first) || !(1.0..=100.0).contains(&all) {
        return Err(j.wrong(
            "the accuracies should be in percent",
            "multiply the shares by 100 (97.7, not 0.977)",
        ));
    }
    let p = all / 100.0;
    let se = 100.0 * (p * (1.0 - p) / 1_000.0).sqrt();
    let given = j.number("standard error")?;
    let se_all = 100.0 * (p * (1.0 - p) / 10_000.0).sqrt();
    if (given - se_all).abs() < 0.005 {
        return Err(j.wrong(
            "that is the standard error of an accuracy measured on 10,000 images",
            "the question is about a measurement on 1,000: n = 1,000",
        ));
    }
    if (given - se / 100.0).abs() < 0.0005 {
        return Err(j.wrong(
            "that standard error is a share, the accuracies are in percent",
            "give it in percentage points (multiply by 100)",
        ));
    }
    j.close(
        "the standard error",
        given,
        se,
        0.01,
        "√(p(1 − p) / n) with p the accuracy on all 10,000 (as a share) and n = 1,000, in points",
    )?;
    let within = if (first - all).abs() <= BEYOND_CHANCE * se {
        "yes"
    } else {
        "no"
    };
    let said = j.says("within chance", &["yes", "no"])?;
    if said != within {
        return Err(j.wrong(
            "that does not follow from the numbers",
            "is the difference of the two accuracies at most two standard errors?",
        ));
    }
    Ok(format!(
        "{first:.2}% on 1,000 images against {all:.2}% on 10,000, {:+.2} points, with a standard error of {se:.2}: {}",
        first - all,
        if within == "yes" {
            "the tutorial's 1,000 images are enough to land within about a point, not to compare networks a few tenths apart"
        } else {
            "further apart than chance usually puts them: these 1,000 images are not a typical sample"
        }
    ))
}

/// 05.2: whether the step in the second cell ran, and how many weights it changed.
fn split_across_cells(j: &Judge<'_>) -> Result<String> {
    let step = j.says("step", &["ran", "refused"])?;
    let changed = j.count("weights changed")?;
    match (step.as_str(), changed) {
        ("refused", 0) => Ok(
            "the optimizer refused a step on variables made in another cell, and no weight changed: the cell keeps its own copy of the libraries".into(),
        ),
        ("refused", _) => Err(j.wrong(
            "a refused step cannot have changed weights",
            "copy the weights before the step (`.weights()?`) and compare them with those after",
        )),
        (_, 0) => Err(j.wrong(
            "a step that ran would have changed some weights",
            "look at what `backward_step` returned: `Ok(())` or an error",
        )),
        _ => Err(j.wrong(
            "in the workspace's kernel this step does not run",
            "make the variables and the optimizer in one cell and step in the next, as the exercise says",
        )),
    }
}

/// 05.3: the softmax cross-entropy of a batch from its logits, by hand, against mlpkit's.
fn loss_by_hand(j: &Judge<'_>) -> Result<String> {
    let logits = j.numbers("logits")?;
    let labels = j.numbers("labels")?;
    let classes = j.count("classes")?;
    if classes < 2 || logits.len() != labels.len() || logits.len() % classes != 0 {
        return Err(j.wrong(
            "the logits and the one-hot labels should be two flat lists of the same length, rows of `classes` values",
            "flatten both with `.flatten_all()?.to_vec1::<f32>()?` and give `classes` = 10",
        ));
    }
    let rows = logits.len() / classes;
    let mut total = 0.0;
    for r in 0..rows {
        let z = &logits[r * classes..(r + 1) * classes];
        let y = &labels[r * classes..(r + 1) * classes];
        let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let log_sum = z.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
        total -= z
            .iter()
            .zip(y)
            .map(|(zi, yi)| yi * (zi - m - log_sum))
            .sum::<f64>();
    }
    let want = total / rows as f64;
    let by_hand = j.number("by hand")?;
    if by_hand < 0.0 {
        return Err(j.wrong(
            "a cross-entropy cannot be negative",
            "the loss is minus the sum of y · log softmax(z)",
        ));
    }
    if (by_hand - total).abs() <= 1e-4 * total.abs().max(1.0) && rows > 1 {
        return Err(j.wrong(
            "that is the sum over the batch",
            "average over the batch's examples",
        ));
    }
    j.close(
        "the loss by hand",
        by_hand,
        want,
        1e-4 * want.abs().max(1.0),
        "log softmax(z)ᵢ = (zᵢ − m) − log Σⱼ exp(zⱼ − m) with m the row's largest logit; the loss is −Σᵢ yᵢ log softmax(z)ᵢ, averaged over the rows",
    )?;
    let library = j.number("mlpkit")?;
    let agree = if (by_hand - library).abs() <= 1e-5 * want.abs().max(1.0) {
        "yes"
    } else {
        "no"
    };
    let said = j.says("agree", &["yes", "no"])?;
    if said != agree {
        return Err(j.wrong(
            "that does not follow from the two numbers",
            "they agree when they differ by no more than float32 rounding (about 1e-6 of the loss)",
        ));
    }
    Ok(format!(
        "the loss of these {rows} examples is {want:.6}; by hand {by_hand:.6}, mlpkit {library:.6}: {}",
        if agree == "yes" {
            "the same formula, up to float32 rounding"
        } else {
            "mlpkit computes something else"
        }
    ))
}

/// 05.4: validation accuracies of Adam 0.001, SGD 0.001 and SGD 0.1 after one epoch, seed by
/// seed; the largest first step of Adam and of SGD at 0.001; which setting learns slowest, and
/// whose first step is smaller.
fn sgd_against_adam(j: &Judge<'_>) -> Result<String> {
    let names = ["adam 0.001", "sgd 0.001", "sgd 0.1"];
    let runs: Vec<&[f64]> = names.iter().map(|n| j.numbers(n)).collect::<Result<_>>()?;
    if runs.iter().any(|r| r.len() != runs[0].len()) || runs[0].len() < 2 {
        return Err(j.wrong(
            "each setting should have one accuracy per seed, the same seeds, at least two",
            "train each setting with each seed",
        ));
    }
    // The slowest: the setting every other beats by more than two standard errors, seed by seed.
    let beaten_by_all = |c: usize| -> Result<bool> {
        for o in (0..3).filter(|&o| o != c) {
            let diffs: Vec<f64> = runs[o].iter().zip(runs[c]).map(|(a, b)| a - b).collect();
            let d = Spread::of(&diffs)?;
            if d.mean <= BEYOND_CHANCE * d.standard_error() {
                return Ok(false);
            }
        }
        Ok(true)
    };
    let mut slowest = "not clear";
    for (c, name) in names.iter().enumerate() {
        if beaten_by_all(c)? {
            slowest = name;
        }
    }
    let said = j.says(
        "slowest",
        &["adam 0.001", "sgd 0.001", "sgd 0.1", "not clear"],
    )?;
    if said != slowest {
        return Err(j.wrong(
            "that does not follow from the accuracies",
            "a setting is the slowest when each other setting beats it, seed by seed, by more than two standard errors",
        ));
    }
    let adam_step = j.number("adam first step")?;
    let sgd_step = j.number("sgd first step")?;
    if adam_step <= 0.0 || sgd_step < 0.0 {
        return Err(j.wrong(
            "a step's size is the largest change of a weight, never negative, and Adam's first is not 0",
            "copy the weights before the step and take the largest |after − before|",
        ));
    }
    if adam_step > 0.001 * (1.0 + 1e-3) {
        return Err(j.wrong(
            "Adam's first step cannot be larger than its learning rate",
            "give the largest *change* of a weight in one step, not the largest weight",
        ));
    }
    let smaller = if sgd_step < adam_step { "sgd" } else { "adam" };
    let said_smaller = j.says("smaller first step", &["adam", "sgd"])?;
    if said_smaller != smaller {
        return Err(j.wrong(
            "that does not follow from the two step sizes",
            "compare the two largest first steps",
        ));
    }
    Ok(format!(
        "Adam's first step moves a weight by up to {adam_step:.1e}, about its learning rate whatever the gradient; SGD's by {sgd_step:.1e}, the learning rate times the gradient{}",
        if slowest == "sgd 0.001" {
            ", which is small here: so SGD at 0.001 learns slowest"
        } else {
            ""
        }
    ))
}

#[cfg(test)]
mod tests {
    use super::super::answer::{Answer, testing};

    fn judge(id: &str, answer: &Answer) -> Result<String, String> {
        testing::judge(super::EXERCISES, id, answer)
    }

    fn refused(id: &str, answer: &Answer, says: &str) {
        testing::refused(super::EXERCISES, id, answer, says)
    }

    #[test]
    fn a_thousand_images_are_judged_by_their_standard_error() {
        // p = 0.9767: √(p(1 − p)/1000) = 0.476 points.
        let right = Answer::new()
            .number("first 1000", 98.0)
            .number("all 10000", 97.67)
            .number("standard error", 0.4765)
            .says("within chance", "yes");
        assert!(
            judge("05.1", &right)
                .unwrap()
                .contains("within about a point")
        );
        refused(
            "05.1",
            &right.clone().number("standard error", 0.1507),
            "10,000 images",
        );
        refused(
            "05.1",
            &right.clone().number("standard error", 0.004765),
            "a share",
        );
        refused(
            "05.1",
            &right.clone().says("within chance", "no"),
            "does not follow",
        );
        refused(
            "05.1",
            &right
                .clone()
                .number("first 1000", 96.0)
                .says("within chance", "yes"),
            "does not follow",
        );
        refused("05.1", &right.number("all 10000", 0.9767), "percent");
    }

    #[test]
    fn a_split_loop_changes_nothing() {
        let right = Answer::new()
            .says("step", "refused")
            .count("weights changed", 0);
        assert!(judge("05.2", &right).unwrap().contains("no weight changed"));
        refused(
            "05.2",
            &right.clone().count("weights changed", 12),
            "cannot have changed",
        );
        refused(
            "05.2",
            &right.clone().says("step", "ran"),
            "would have changed",
        );
        refused(
            "05.2",
            &right.says("step", "ran").count("weights changed", 159_010),
            "does not run",
        );
    }

    /// Two rows of three classes, with their one-hot labels.
    fn batch() -> Answer {
        Answer::new()
            .numbers("logits", &[2.0, 1.0, 0.0, 0.0, 0.0, 3.0])
            .numbers("labels", &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0])
            .count("classes", 3)
    }

    #[test]
    fn the_loss_is_recomputed_from_the_logits() {
        // Row 1 (true class 0, m = 2): log(1 + e⁻¹ + e⁻²); row 2 (true class 1, m = 3):
        // 3 + log(2e⁻³ + 1).
        let l1 = (1.0f64 + (-1.0f64).exp() + (-2.0f64).exp()).ln();
        let row2 = 3.0 + (2.0 * (-3.0f64).exp() + 1.0).ln();
        let mean = (l1 + row2) / 2.0;
        let right = batch()
            .number("by hand", mean)
            .number("mlpkit", mean + 1e-7)
            .says("agree", "yes");
        assert!(judge("05.3", &right).unwrap().contains("the same formula"));
        refused(
            "05.3",
            &right.clone().number("by hand", l1 + row2),
            "sum over the batch",
        );
        refused(
            "05.3",
            &right.clone().number("by hand", -mean),
            "cannot be negative",
        );
        refused(
            "05.3",
            &right.clone().number("by hand", mean + 0.1),
            "the loss by hand",
        );
        refused(
            "05.3",
            &right.clone().says("agree", "no"),
            "does not follow",
        );
        refused("05.3", &right.count("classes", 4), "same length, rows");
    }

    fn accuracies() -> Answer {
        Answer::new()
            .numbers("adam 0.001", &[89.2, 89.0, 89.5])
            .numbers("sgd 0.001", &[14.5, 12.0, 20.1])
            .numbers("sgd 0.1", &[76.6, 78.0, 75.1])
            .number("adam first step", 0.001)
            .number("sgd first step", 2.0e-6)
    }

    #[test]
    fn sgd_against_adam_needs_the_slowest_and_the_steps() {
        let right = accuracies()
            .says("slowest", "sgd 0.001")
            .says("smaller first step", "sgd");
        assert!(judge("05.4", &right).unwrap().contains("learns slowest"));
        refused(
            "05.4",
            &right.clone().says("slowest", "sgd 0.1"),
            "does not follow from the accuracies",
        );
        refused(
            "05.4",
            &right.clone().says("smaller first step", "adam"),
            "two step sizes",
        );
        refused(
            "05.4",
            &right.clone().number("adam first step", 0.07),
            "cannot be larger",
        );
        let unclear = Answer::new()
            .numbers("adam 0.001", &[89.2, 20.0, 89.5])
            .numbers("sgd 0.001", &[14.5, 80.0, 20.1])
            .numbers("sgd 0.1", &[76.6, 78.0, 75.1])
            .number("adam first step", 0.001)
            .number("sgd first step", 2.0e-6)
            .says("smaller first step", "sgd");
        assert!(judge("05.4", &unclear.clone().says("slowest", "not clear")).is_ok());
        refused(
            "05.4",
            &unclear.says("slowest", "sgd 0.001"),
            "does not follow",
        );
    }
}
