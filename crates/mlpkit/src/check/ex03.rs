//! The checkers of notebook 03's exercises (monitors, the confusion matrix's colours,
//! patience on a smaller training set, answering only when sure).

use super::answer::{BEYOND_CHANCE, Exercise, Judge};
use crate::error::Result;
use crate::metrics::Spread;

/// Notebook 03's exercises.
pub(crate) const EXERCISES: &[Exercise] = &[
    Exercise {
        id: "03.1",
        asks: "do the two monitors agree?",
        judge: two_monitors,
    },
    Exercise {
        id: "03.2",
        asks: "why the errors view",
        judge: errors_on_the_counts_scale,
    },
    Exercise {
        id: "03.3",
        asks: "patience on a smaller training set",
        judge: patience_on_less_data,
    },
    Exercise {
        id: "03.4",
        asks: "is confidence worth something?",
        judge: answer_only_when_sure,
    },
];

/// The first position of the best value (as early stopping keeps it: a tie is no new best).
fn first_best(values: &[f64], lower_is_better: bool) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        let better = if lower_is_better {
            *v < values[best]
        } else {
            *v > values[best]
        };
        if better {
            best = i;
        }
    }
    best
}

/// 03.1: the validation losses and accuracies of the run, the epoch each monitor keeps, the
/// accuracy gained by keeping the accuracy's epoch instead of the loss's, and whether the
/// monitors agree and the gain is beyond chance on that many images.
fn two_monitors(j: &Judge<'_>) -> Result<String> {
    let losses = j.numbers("val_loss")?;
    let accuracies = j.numbers("val_accuracy")?;
    if losses.len() != accuracies.len() {
        return Err(j.wrong(
            "the two lists should have one value per epoch",
            "give `&history.val_loss()` and `&history.val_accuracy()`",
        ));
    }
    let by_loss = first_best(losses, true) + 1;
    let by_accuracy = first_best(accuracies, false) + 1;
    let said_loss = j.count("epoch by loss")?;
    let said_accuracy = j.count("epoch by accuracy")?;
    if said_loss == by_loss - 1 || said_accuracy == by_accuracy - 1 {
        return Err(j.wrong(
            "an epoch is one too small",
            "epochs count from 1, positions in a list from 0",
        ));
    }
    if said_loss != by_loss {
        return Err(j.wrong(
            format!("epoch {said_loss} does not have the lowest validation loss"),
            "`history.best(Monitor::ValLoss)` gives that epoch's record",
        ));
    }
    if said_accuracy != by_accuracy {
        return Err(j.wrong(
            format!("epoch {said_accuracy} does not have the highest validation accuracy"),
            "`history.best(Monitor::ValAccuracy)`: for an accuracy, higher is better",
        ));
    }
    let agree = if by_loss == by_accuracy { "yes" } else { "no" };
    if j.says("monitors agree", &["yes", "no"])? != agree {
        return Err(j.wrong(
            "whether the monitors agree does not follow from the epochs",
            "compare the two epochs",
        ));
    }
    let n = j.count("validation images")?;
    if n < 100 {
        return Err(j.wrong(
            "`validation images` is too small for a validation set",
            "give `valid.len()`",
        ));
    }
    let (p1, p2) = (accuracies[by_loss - 1], accuracies[by_accuracy - 1]);
    let gain = 100.0 * (p2 - p1);
    j.close(
        "the gain",
        j.number("gain")?,
        gain,
        0.005,
        "in points: the accuracy of the accuracy's epoch minus that of the loss's epoch, times 100",
    )?;
    // Two accuracies on n images each; the images are the same, so this is if anything too
    // large, which only makes "beyond chance" harder to reach.
    let se = 100.0 * ((p1 * (1.0 - p1) + p2 * (1.0 - p2)) / n as f64).sqrt();
    let beyond = if gain > BEYOND_CHANCE * se {
        "yes"
    } else {
        "no evidence of a difference"
    };
    if j.says("beyond chance", &["yes", "no evidence of a difference"])? != beyond {
        return Err(j.wrong(
            "the conclusion about the gain does not follow from the numbers",
            "an accuracy p measured on n images moves by about √(p(1−p)/n) by chance; compare the gain with two standard errors of a difference",
        ));
    }
    Ok(format!(
        "the loss keeps epoch {by_loss}, the accuracy epoch {by_accuracy}; the accuracy's epoch is {gain:+.2} points ahead, against a standard error of about {se:.2}: {}",
        if beyond == "yes" {
            "more than chance"
        } else {
            "no evidence of a difference"
        }
    ))
}

/// 03.2: the confusion matrix's counts (row by row), how far up a linear colour bar (0 to
/// the largest cell) the largest error sits, and whether every error is in its bottom tenth.
fn errors_on_the_counts_scale(j: &Judge<'_>) -> Result<String> {
    let counts = j.numbers("counts")?;
    let k = (counts.len() as f64).sqrt().round() as usize;
    if k * k != counts.len() || k < 2 {
        return Err(j.wrong(
            "`counts` should hold the whole matrix, row after row (100 numbers for 10 classes)",
            "flatten `confusion.counts()` row by row",
        ));
    }
    let top = counts.iter().copied().fold(0.0, f64::max);
    let largest_error = (0..k * k)
        .filter(|i| i / k != i % k)
        .map(|i| counts[i])
        .fold(0.0, f64::max);
    if top <= 0.0 {
        return Err(j.wrong("the matrix is empty", "give the counts of the matrix drawn"));
    }
    let up = largest_error / top;
    let said = j.number("largest error up the bar")?;
    if (said - 1.0).abs() < 1e-9 {
        return Err(j.wrong(
            "1 is where the largest cell of all sits, and that is on the diagonal",
            "leave out the diagonal (t = p) when you look for the largest error",
        ));
    }
    j.close(
        "the largest error's height on the bar",
        said,
        up,
        1e-4,
        "divide the largest count off the diagonal by the largest count of all (the top of the bar)",
    )?;
    let bottom = if up < 0.1 { "yes" } else { "no" };
    if j.says("errors in the bottom tenth", &["yes", "no"])? != bottom {
        return Err(j.wrong(
            "the conclusion does not follow from the height",
            "is the largest error below a tenth of the way up?",
        ));
    }
    Ok(format!(
        "the largest error, {largest_error}, sits {:.1}% of the way up a bar that ends at {top}: {}",
        100.0 * up,
        if bottom == "yes" {
            "every error is drawn in nearly the same pale colour"
        } else {
            "the errors reach well up the colour bar"
        }
    ))
}

/// 03.3's verdict on paired differences `a − b` (patience 5 minus patience 2).
fn paired(a: &[f64], b: &[f64]) -> Result<(Spread, &'static str)> {
    let diffs: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let d = Spread::of(&diffs)?;
    let margin = BEYOND_CHANCE * d.standard_error();
    let verdict = if d.mean > margin {
        "patience 5 ahead"
    } else if d.mean < -margin {
        "patience 2 ahead"
    } else {
        "no evidence of a difference"
    };
    Ok((d, verdict))
}

/// 03.3: the validation accuracy (in percent) of the epoch patience 2 keeps and of the one
/// patience 5 keeps, one per seed, on the smaller training set; the mean gain of patience 5,
/// its standard error, and the conclusion.
fn patience_on_less_data(j: &Judge<'_>) -> Result<String> {
    let two = j.numbers("patience 2")?;
    let five = j.numbers("patience 5")?;
    if two.len() != five.len() || two.len() < 3 {
        return Err(j.wrong(
            "the two lists should have one accuracy per seed, the same seeds, at least three",
            "run `early_stop` with patience 2 and with 5 on each seed's validation losses",
        ));
    }
    if two.iter().chain(five).any(|a| *a <= 1.0) {
        return Err(j.wrong(
            "the accuracies look like shares",
            "give them in percent, as the lesson's table does",
        ));
    }
    let (d, verdict) = paired(five, two)?;
    j.close(
        "the gain",
        j.number("gain")?,
        d.mean,
        0.005,
        "subtract seed by seed: patience 5 minus patience 2",
    )?;
    let se = j.number("standard error")?;
    if (se - d.std).abs() < 0.005 && (d.std - d.standard_error()).abs() > 0.005 {
        return Err(j.wrong(
            "that is the standard deviation of the gains, not the standard error of their mean",
            "divide it by the square root of the number of seeds",
        ));
    }
    j.close(
        "the standard error",
        se,
        d.standard_error(),
        0.005,
        "take the standard error of the seed-by-seed gains",
    )?;
    let said = j.says(
        "patience 5 against 2",
        &[
            "patience 5 ahead",
            "patience 2 ahead",
            "no evidence of a difference",
        ],
    )?;
    if said != verdict {
        return Err(j.wrong(
            "the conclusion does not follow from the numbers",
            "a gain counts here when it is more than two standard errors from zero",
        ));
    }
    Ok(format!(
        "patience 5 minus patience 2: {:+.2} ± {:.2} points (standard error, {} seeds): {verdict}",
        d.mean,
        d.standard_error(),
        d.n
    ))
}

/// 03.4's lists, each checked for its length and its range: confidences, right (1 or 0),
/// thresholds, shares answered and accuracies answered.
fn sure_parts<'a>(j: &'a Judge<'_>) -> Result<[&'a [f64]; 5]> {
    let confidences = j.numbers("confidences")?;
    let right = j.numbers("right")?;
    let thresholds = j.numbers("thresholds")?;
    if confidences.len() != right.len() {
        return Err(j.wrong(
            "`confidences` and `right` should have one value per image",
            "both lists in image order, over all validation images",
        ));
    }
    if right.iter().any(|r| *r != 0.0 && *r != 1.0) {
        return Err(j.wrong(
            "`right` should hold 1 for a right answer and 0 for a wrong one",
            "push `1.0` or `0.0` for each image",
        ));
    }
    let shares = j.numbers("share answered")?;
    let accuracies = j.numbers("accuracy answered")?;
    if shares.len() != thresholds.len() || accuracies.len() != thresholds.len() {
        return Err(j.wrong(
            "`share answered` and `accuracy answered` should have one value per threshold",
            "one share and one accuracy for each threshold, in order",
        ));
    }
    if shares.iter().chain(accuracies).any(|v| *v > 1.0) {
        return Err(j.wrong(
            "a share or an accuracy is above 1",
            "give them as shares (0.98, not 98)",
        ));
    }
    Ok([confidences, right, thresholds, shares, accuracies])
}

/// 03.4: every validation image's top probability and whether its answer is right (1 or
/// 0), the thresholds, the share answered and the accuracy on those at each, and whether
/// confidence is worth something: the accuracy at the highest threshold beyond chance above
/// the accuracy on all images.
fn answer_only_when_sure(j: &Judge<'_>) -> Result<String> {
    let [confidences, right, thresholds, shares, accuracies] = sure_parts(j)?;
    let n = confidences.len() as f64;
    let mut last_accuracy = 0.0;
    let mut last_answered = 0.0;
    for (k, &t) in thresholds.iter().enumerate() {
        let (mut answered, mut good) = (0.0, 0.0);
        for (c, r) in confidences.iter().zip(right) {
            if *c >= t {
                answered += 1.0;
                good += r;
            }
        }
        if answered == 0.0 {
            return Err(j.wrong(
                format!("no image reaches the threshold {t}"),
                "take thresholds the network's confidences reach",
            ));
        }
        j.close(
            &format!("the share answered at {t}"),
            shares[k],
            answered / n,
            1e-3,
            "count the images whose top probability is at or above the threshold, over all images",
        )?;
        let accuracy = good / answered;
        if (accuracies[k] - good / n).abs() < 1e-4 && (accuracy - good / n).abs() > 1e-3 {
            return Err(j.wrong(
                format!("the accuracy at {t} divides by all the images"),
                "divide the right answers among those answered by the number answered",
            ));
        }
        j.close(
            &format!("the accuracy at {t}"),
            accuracies[k],
            accuracy,
            1e-3,
            "the share of right answers among the images answered",
        )?;
        (last_accuracy, last_answered) = (accuracy, answered);
    }
    let overall = right.iter().sum::<f64>() / n;
    let se = (overall * (1.0 - overall) / last_answered).sqrt();
    let worth = if last_accuracy - overall > BEYOND_CHANCE * se {
        "yes"
    } else {
        "no"
    };
    if j.says("confidence worth something", &["yes", "no"])? != worth {
        return Err(j.wrong(
            "the conclusion does not follow from the accuracies",
            "compare the accuracy at the highest threshold with the accuracy on all images, in standard errors",
        ));
    }
    Ok(format!(
        "{:.2}% right on all images, {:.2}% on the {:.1}% answered at the highest threshold: {}",
        100.0 * overall,
        100.0 * last_accuracy,
        100.0 * last_answered / n,
        if worth == "yes" {
            "the confident answers are right more often, beyond chance"
        } else {
            "no evidence that confidence sorts the answers"
        }
    ))
}

#[cfg(test)]
#[path = "ex03_tests.rs"]
mod tests;
