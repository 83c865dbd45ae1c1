//! The checkers of notebook 04's exercises (Fashion-MNIST with the book's network).

use super::answer::{BEYOND_CHANCE, Exercise, Judge};
use crate::error::Result;
use crate::metrics::{McNemar, Spread};

/// Notebook 04's exercises.
pub(crate) const EXERCISES: &[Exercise] = &[
    Exercise {
        id: "04.1",
        asks: "Glorot's limit, layer by layer",
        judge: glorot_layer_by_layer,
    },
    Exercise {
        id: "04.2",
        asks: "precision, the other side of recall",
        judge: lowest_precision,
    },
    Exercise {
        id: "04.3",
        asks: "SGD, given time",
        judge: sgd_given_time,
    },
    Exercise {
        id: "04.4",
        asks: "a third label",
        judge: third_label,
    },
];

/// Fashion-MNIST's classes, in label order, as a conclusion names them.
const CLASSES: [&str; 10] = [
    "t-shirt/top",
    "trouser",
    "pullover",
    "dress",
    "coat",
    "sandal",
    "shirt",
    "sneaker",
    "bag",
    "ankle boot",
];

/// The dense layers of the book's network, in order.
const LAYERS: [&str; 3] = ["dense", "dense_1", "dense_2"];

/// 04.1: each dense layer's fan-in, fan-out and largest starting |weight|; whether every one
/// lies within its Glorot limit, and which lies furthest below it (as a share of the limit).
fn glorot_layer_by_layer(j: &Judge<'_>) -> Result<String> {
    let fan_in = j.numbers("fan in")?;
    let fan_out = j.numbers("fan out")?;
    let largest = j.numbers("largest")?;
    if fan_in.len() != 3 || fan_out.len() != 3 || largest.len() != 3 {
        return Err(j.wrong(
            "each list should have three values, one per dense layer",
            "loop over \"dense\", \"dense_1\" and \"dense_2\"",
        ));
    }
    if fan_in.iter().chain(fan_out).any(|&n| n < 1.0) {
        return Err(j.wrong(
            "a fan-in or fan-out is below 1",
            "read them from the kernel's shape, `dims()` = (n_in, n_out)",
        ));
    }
    let limits: Vec<f64> = fan_in
        .iter()
        .zip(fan_out)
        .map(|(i, o)| (6.0 / (i + o)).sqrt())
        .collect();
    let within = largest
        .iter()
        .zip(&limits)
        .all(|(w, l)| *w <= l * (1.0 + 1e-6));
    let said = j.says("within limits", &["yes", "no"])?;
    if said != if within { "yes" } else { "no" } {
        return Err(j.wrong(
            "that does not follow from the numbers",
            "compare each layer's largest |weight| with √(6 / (n_in + n_out)) for that layer",
        ));
    }
    let shares: Vec<f64> = largest.iter().zip(&limits).map(|(w, l)| w / l).collect();
    let furthest = (0..3)
        .min_by(|&a, &b| shares[a].total_cmp(&shares[b]))
        .unwrap_or(0);
    let below = j.says("furthest below", &LAYERS)?;
    if below != LAYERS[furthest] {
        return Err(j.wrong(
            format!("\"{below}\" is not the layer whose largest weight is the smallest share of its limit"),
            "divide each largest |weight| by its own limit and take the smallest",
        ));
    }
    Ok(format!(
        "the largest weights reach {:.4}, {:.4} and {:.4} of their limits; {} has the fewest weights to draw, so its largest falls furthest short",
        shares[0], shares[1], shares[2], LAYERS[furthest]
    ))
}

/// 04.2: the ten precisions, the column of the class with the lowest (how many images of each
/// true class were called it), and which class those images mostly come from.
fn lowest_precision(j: &Judge<'_>) -> Result<String> {
    let precision = j.numbers("precision")?;
    let column = j.numbers("called it")?;
    if precision.len() != 10 || column.len() != 10 {
        return Err(j.wrong(
            "each list should have ten values, one per class, T-shirt/top first",
            "collect `confusion.precision(c)?` for c in 0..10, and `confusion.count(t, c)` for t in 0..10",
        ));
    }
    if precision.iter().any(|p| !(0.0..=1.0).contains(p)) {
        return Err(j.wrong(
            "a precision is outside 0 to 1",
            "give precisions as shares, as `precision` returns them (0.8, not 80)",
        ));
    }
    let lowest = (0..10)
        .min_by(|&a, &b| precision[a].total_cmp(&precision[b]))
        .unwrap_or(0);
    let said = j.says("lowest precision", &CLASSES)?;
    if said != CLASSES[lowest] {
        return Err(j.wrong(
            format!("\"{said}\" is not the class with the lowest precision"),
            "take the class whose precision is smallest",
        ));
    }
    let called: f64 = column.iter().sum();
    if called <= 0.0 || (column[lowest] / called - precision[lowest]).abs() > 1e-3 {
        return Err(j.wrong(
            "`called it` is not the column of that class: its diagonal share should be its precision",
            "a column counts the images the network *called* the class, one count per true class: `confusion.count(t, c)` with c fixed",
        ));
    }
    let from = (0..10)
        .filter(|&t| t != lowest)
        .max_by(|&a, &b| column[a].total_cmp(&column[b]).then(b.cmp(&a)))
        .unwrap_or(0);
    let said_from = j.says("mostly from", &CLASSES)?;
    if said_from != CLASSES[from] {
        return Err(j.wrong(
            format!("\"{said_from}\" is not where most of the wrongly called images come from"),
            "leave out the diagonal (the images that really are the class) and take the largest count",
        ));
    }
    Ok(format!(
        "{} images were called {}, {:.1}% rightly; the largest share of the rest, {} images, are {}",
        called,
        CLASSES[lowest],
        100.0 * precision[lowest],
        column[from],
        CLASSES[from]
    ))
}

/// 04.3: SGD's validation accuracy after 8 epochs and Adam's after 3, seed by seed; the mean of
/// Adam minus SGD, its standard error, and the verdict.
fn sgd_given_time(j: &Judge<'_>) -> Result<String> {
    let sgd = j.numbers("sgd after 8")?;
    let adam = j.numbers("adam after 3")?;
    if sgd.len() != adam.len() || sgd.len() < 2 {
        return Err(j.wrong(
            "the two lists should have one accuracy per seed, the same seeds",
            "train both with each seed of the comparison above",
        ));
    }
    let diffs: Vec<f64> = adam.iter().zip(sgd).map(|(a, s)| a - s).collect();
    let d = Spread::of(&diffs)?;
    let mean = j.number("difference")?;
    if (mean + d.mean).abs() < 0.01 && d.mean.abs() > 0.01 {
        return Err(j.wrong(
            "the difference has the wrong sign",
            "subtract seed by seed: Adam minus SGD",
        ));
    }
    j.close(
        "the difference",
        mean,
        d.mean,
        0.01,
        "subtract seed by seed: Adam minus SGD, then average",
    )?;
    let se = j.number("standard error")?;
    if (se - d.std).abs() < 0.01 && (d.std - d.standard_error()).abs() > 0.01 {
        return Err(j.wrong(
            "that is the standard deviation of the differences, not the standard error of their mean",
            "divide it by the square root of the number of seeds",
        ));
    }
    j.close(
        "the standard error",
        se,
        d.standard_error(),
        0.01,
        "take the standard error of the seed-by-seed differences (`.standard_error()`)",
    )?;
    let verdict = if d.mean > BEYOND_CHANCE * d.standard_error() {
        "adam still ahead"
    } else if -d.mean > BEYOND_CHANCE * d.standard_error() {
        "sgd ahead"
    } else {
        "no difference shown"
    };
    let said = j.says(
        "verdict",
        &["adam still ahead", "sgd ahead", "no difference shown"],
    )?;
    if said != verdict {
        return Err(j.wrong(
            "the verdict does not follow from the numbers",
            "a difference counts here when it is more than two standard errors from zero",
        ));
    }
    Ok(format!(
        "Adam after 3 epochs minus SGD after 8 is {:+.2} points with a standard error of {:.2} over {} seeds: {}",
        d.mean,
        d.standard_error(),
        d.n,
        match verdict {
            "adam still ahead" => "SGD has not caught up",
            "sgd ahead" => "SGD has overtaken Adam",
            _ => "no difference these seeds can see",
        }
    ))
}

/// 04.4: each of the three labels' validation accuracy, the hardest, and whether summer wear
/// is harder than *top* beyond chance on these images (McNemar on the paired decisions).
fn third_label(j: &Judge<'_>) -> Result<String> {
    let labels = ["footwear", "summer wear", "top"];
    let accuracy = j.numbers("accuracy")?;
    if accuracy.len() != 3 {
        return Err(j.wrong(
            "`accuracy` should have three values: footwear, summer wear, top",
            "one validation accuracy per label, in percent",
        ));
    }
    if accuracy.iter().all(|a| *a <= 1.0) {
        return Err(j.wrong(
            "the accuracies look like shares",
            "give them in percent (97.5, not 0.975)",
        ));
    }
    let hardest = (0..3)
        .min_by(|&a, &b| accuracy[a].total_cmp(&accuracy[b]))
        .unwrap_or(0);
    let said = j.says("hardest", &labels)?;
    if said != labels[hardest] {
        return Err(j.wrong(
            format!("\"{said}\" is not the label with the lowest accuracy"),
            "take the smallest of the three",
        ));
    }
    let only_summer = j.count("only summer right")?;
    let only_top = j.count("only top right")?;
    let n = j.count("images")?;
    if n == 0 || only_summer + only_top > n {
        return Err(j.wrong(
            "the counts do not fit in the number of images",
            "count, over the validation images, those where exactly one of the two labels is right",
        ));
    }
    let paired = 100.0 * (only_summer as f64 - only_top as f64) / n as f64;
    j.close(
        "summer wear's accuracy minus top's, from the counts",
        paired,
        accuracy[1] - accuracy[2],
        0.02,
        "the images both labels get right (or both wrong) cancel: the difference of the accuracies is (only summer − only top) / images",
    )?;
    // McNemar on the images that split the two labels: the truth is "right", A is summer
    // wear's decision, B is top's.
    let split = only_summer + only_top;
    let truth = vec![1u32; split];
    let a: Vec<u32> = (0..split).map(|i| u32::from(i < only_summer)).collect();
    let b: Vec<u32> = a.iter().map(|x| 1 - x).collect();
    let test = McNemar::new(&truth, &a, &b)?;
    let beyond = if test.p_value < 0.05 { "yes" } else { "no" };
    let said = j.says("beyond chance", &["yes", "no"])?;
    if said != beyond {
        return Err(j.wrong(
            "that does not follow from the counts",
            "if the two labels were equally hard, each image that splits them would be a coin toss: McNemar's test on the two counts",
        ));
    }
    Ok(format!(
        "summer wear is {:.2} points below top; {only_summer} images only summer wear gets right, {only_top} only top: McNemar p = {:.2e}, {} (for this one network: another seed is another question)",
        accuracy[2] - accuracy[1],
        test.p_value,
        if beyond == "yes" {
            "more than the luck of these images"
        } else {
            "no evidence of a difference on these images"
        }
    ))
}

#[cfg(test)]
#[path = "ex04_tests.rs"]
mod tests;
