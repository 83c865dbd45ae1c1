//! The checkers of notebook 07's exercises (backpropagation, by hand and checked).

use super::answer::{Exercise, Judge};
use crate::error::Result;

/// Notebook 07's exercises.
pub(crate) const EXERCISES: &[Exercise] = &[
    Exercise {
        id: "07.1",
        asks: "a sigmoid hidden layer",
        judge: sigmoid_layer,
    },
    Exercise {
        id: "07.2",
        asks: "one-sided differences",
        judge: one_sided_differences,
    },
    Exercise {
        id: "07.3",
        asks: "momentum",
        judge: momentum,
    },
    Exercise {
        id: "07.4",
        asks: "where gradients vanish",
        judge: where_gradients_vanish,
    },
];

/// The relative error below which a finite difference in `f64` (step 1e-5) agrees with a
/// gradient; the notebook's right gradients come out near 1e-9 to 1e-7, a wrong slope near 1.
const AGREE: f64 = 1e-5;

/// Fewest weights per tensor a check must sample: the largest gradient alone is not enough.
const PER_TENSOR: usize = 3;

/// The relative errors `name`, one group per tensor (W1, b1, W2, b2), as long as each other.
fn errors_per_tensor<'a>(j: &'a Judge<'_>, name: &str) -> Result<Vec<&'a [f64]>> {
    let errors = j.numbers(name)?;
    if !errors.len().is_multiple_of(4) || errors.len() < 4 * PER_TENSOR {
        return Err(j.wrong(
            format!(
                "`{name}` has {} values; it should have the same number for each of W1, b1, W2 and b2, at least {PER_TENSOR} each",
                errors.len()
            ),
            "check several weights of every tensor (as section 5 does with five), not only the largest gradient, and list them tensor by tensor",
        ));
    }
    if let Some(bad) = errors.iter().find(|e| e.is_nan() || **e < 0.0) {
        return Err(j.wrong(
            format!("`{name}` holds {bad}, and a relative error is never negative"),
            "a relative error is |finite difference − backprop| divided by the larger of the two sizes",
        ));
    }
    Ok(errors.chunks(errors.len() / 4).collect())
}

/// The largest value of a group.
fn worst(group: &[f64]) -> f64 {
    group.iter().fold(0.0, |m, &e| m.max(e))
}

/// 07.1: finite differences at several weights of each tensor, for the sigmoid layer's
/// backward pass and for the same pass with the ReLU mask left in; whether the first is right,
/// and in which layer's tensors the mistake of the second shows.
fn sigmoid_layer(j: &Judge<'_>) -> Result<String> {
    let right = errors_per_tensor(j, "relative errors")?;
    let masked = errors_per_tensor(j, "relative errors, ReLU mask kept")?;
    let all_right = right.iter().all(|g| worst(g) < AGREE);
    let said = j.says("sigmoid gradients", &["right", "wrong"])?;
    if said != if all_right { "right" } else { "wrong" } {
        return Err(j.wrong(
            "that is not what the relative errors of the sigmoid pass say",
            "a right gradient agrees with finite differences to far better than 1e-5 in f64; a wrong one is off by a sizeable fraction",
        ));
    }
    let first = worst(masked[0]).max(worst(masked[1])) >= AGREE;
    let output = worst(masked[2]).max(worst(masked[3])) >= AGREE;
    let shows = match (first, output) {
        (true, true) => "both layers",
        (true, false) => "first layer",
        (false, true) => "output layer",
        (false, false) => "neither",
    };
    let said = j.says(
        "mistake shows in",
        &["first layer", "output layer", "both layers", "neither"],
    )?;
    if said != shows {
        return Err(j.wrong(
            "that is not where the relative errors of the masked pass are large",
            "compare the worst error of W1 and b1 with that of W2 and b2, against 1e-5",
        ));
    }
    let all_worst = right.iter().map(|g| worst(g)).fold(0.0, f64::max);
    let per = right[0].len();
    Ok(format!(
        "the sigmoid pass agrees at {per} weights of each tensor (worst relative error {all_worst:.1e}); the ReLU mask left in shows in {}{}",
        if shows == "neither" {
            "no tensor"
        } else {
            shows
        },
        match shows {
            "first layer" => ": the output layer's gradients do not pass through the hidden slope",
            _ => "",
        }
    ))
}

/// The position of the smallest value (the first, if several are equal).
fn lowest(values: &[f64]) -> usize {
    (0..values.len())
        .min_by(|&a, &b| values[a].total_cmp(&values[b]))
        .unwrap_or(0)
}

/// 07.2: the relative errors of central and one-sided differences at the same steps; the
/// step of the one-sided valley, how many times the central's best error its best is, and
/// where its valley lies compared with the central one's.
fn one_sided_differences(j: &Judge<'_>) -> Result<String> {
    let steps = j.numbers("steps")?;
    let central = j.numbers("central")?;
    let one_sided = j.numbers("one-sided")?;
    if central.len() != steps.len() || one_sided.len() != steps.len() {
        return Err(j.wrong(
            "the three lists should have one value per step",
            "give `&steps` and the two error curves computed at those steps",
        ));
    }
    if steps
        .iter()
        .chain(central)
        .chain(one_sided)
        .any(|v| v.is_nan() || *v <= 0.0)
    {
        return Err(j.wrong(
            "steps and relative errors should all be above zero",
            "keep the floor of 1e-16 that section 5 puts under an error that comes out 0",
        ));
    }
    let (c, o) = (lowest(central), lowest(one_sided));
    let best = j.number("best one-sided step")?;
    let tied = |i: usize| one_sided[i] == one_sided[o];
    if !(0..steps.len()).any(|i| tied(i) && (best - steps[i]).abs() <= 1e-9 * steps[i]) {
        return Err(j.wrong(
            format!("{best} is not the step where the one-sided error is lowest"),
            "find the position of the smallest value of the one-sided curve and take the step at that position",
        ));
    }
    let times = j.number("times worse")?;
    let want = one_sided[o] / central[c];
    if (times - want).abs() > 0.01 * want {
        if (times - 1.0 / want).abs() <= 0.01 / want {
            return Err(j.wrong(
                "that ratio is upside down",
                "divide the one-sided curve's lowest error by the central curve's lowest",
            ));
        }
        return Err(j.wrong(
            format!("{times} is not the ratio of the two curves' lowest errors"),
            "divide the one-sided curve's lowest error by the central curve's lowest (each at its own best step)",
        ));
    }
    let valley = match steps[o].total_cmp(&steps[c]) {
        std::cmp::Ordering::Less => "smaller step",
        std::cmp::Ordering::Greater => "larger step",
        std::cmp::Ordering::Equal => "same step",
    };
    let said = j.says("valley", &["smaller step", "larger step", "same step"])?;
    if said != valley {
        return Err(j.wrong(
            "that is not where the one-sided valley lies compared with the central one",
            "compare the step of each curve's lowest error",
        ));
    }
    Ok(format!(
        "the one-sided valley is at {:.0e} (central: {:.0e}), and its best error is {want:.0e} times the central's",
        steps[o], steps[c]
    ))
}

/// 07.3: two steps of SGD with momentum by hand against `fit`'s, and the size of the second
/// step with and without momentum from the same weights.
fn momentum(j: &Judge<'_>) -> Result<String> {
    let moved = j.number("largest move")?;
    let apart = j.number("largest difference from fit")?;
    if moved <= 0.0 {
        return Err(j.wrong(
            "your weights did not move",
            "after updating the velocity, add it to the weights: w ← w + v",
        ));
    }
    if apart < 0.0 {
        return Err(j.wrong(
            "a largest difference is a size, never negative",
            "take the largest absolute difference, `.abs()?.max_all()?`",
        ));
    }
    // f32 rounding of a few operations in another order is far below a thousandth of a move.
    if apart > 1e-3 * moved {
        return Err(j.wrong(
            format!(
                "your weights end {apart:.1e} away from fit's, after moving {moved:.1e}: not the same steps"
            ),
            "update the velocity first (v ← μv − ηg, v starting at zero), then the weights (w ← w + v), each batch in fit's order",
        ));
    }
    let plain = j.number("second step, plain")?;
    let with = j.number("second step, momentum")?;
    if plain <= 0.0 || with <= 0.0 {
        return Err(j.wrong(
            "a step's size should be above zero",
            "measure the size of the change of W1 (its root mean square) in the second step",
        ));
    }
    let longer = if with > 1.01 * plain {
        "longer"
    } else if with < plain / 1.01 {
        "shorter"
    } else {
        "about the same"
    };
    let said = j.says(
        "momentum's second step",
        &["longer", "shorter", "about the same"],
    )?;
    if said != longer {
        return Err(j.wrong(
            "that does not follow from the two step sizes",
            "compare the two sizes; within 1% counts as about the same",
        ));
    }
    Ok(format!(
        "two steps agree with fit to {apart:.1e}; the second step with momentum is {:.2} times plain SGD's ({longer})",
        with / plain
    ))
}

/// 07.4: the ratio of the output layer's gradient to the first layer's at three or more
/// depths; the factor per added layer, and whether the ratio grows exponentially with depth
/// or as a power of it.
fn where_gradients_vanish(j: &Judge<'_>) -> Result<String> {
    let depths = j.numbers("depths")?;
    let ratios = j.numbers("ratios")?;
    if depths.len() < 3 || ratios.len() != depths.len() {
        return Err(j.wrong(
            "give at least three depths and one ratio for each",
            "measure 4, 8 and 16 hidden layers (8 is section 10's network)",
        ));
    }
    if depths.windows(2).any(|w| w[1] <= w[0]) || depths[0] <= 0.0 {
        return Err(j.wrong(
            "the depths should be counts of layers, from the fewest to the most",
            "list them in order, e.g. [4.0, 8.0, 16.0]",
        ));
    }
    if ratios.iter().any(|r| r.is_nan() || *r <= 0.0) {
        return Err(j.wrong(
            "a ratio of two gradient sizes is above zero",
            "divide the output layer's RMS gradient by the first layer's",
        ));
    }
    let n = depths.len() - 1;
    let logs: Vec<f64> = ratios.iter().map(|r| r.ln()).collect();
    let factor = ((logs[n] - logs[0]) / (depths[n] - depths[0])).exp();
    let said_factor = j.number("factor per layer")?;
    if (said_factor - factor).abs() > 0.02 * factor {
        return Err(j.wrong(
            format!("{said_factor} is not the factor per layer between the shallowest and the deepest network"),
            "the ratio grows by (deepest ratio / shallowest ratio) over the layers between them: take the root of that power",
        ));
    }
    // Interpolate each middle depth from the two ends, along depth (a constant factor per
    // layer) and along log depth (a power of depth); the closer guess names the growth.
    let (mut along_depth, mut along_log) = (0.0, 0.0);
    for k in 1..n {
        let t = (depths[k] - depths[0]) / (depths[n] - depths[0]);
        let u = (depths[k] / depths[0]).ln() / (depths[n] / depths[0]).ln();
        along_depth += (logs[0] + t * (logs[n] - logs[0]) - logs[k]).abs();
        along_log += (logs[0] + u * (logs[n] - logs[0]) - logs[k]).abs();
    }
    let growth = if along_depth <= along_log {
        "exponentially"
    } else {
        "as a power of depth"
    };
    let said = j.says("grows", &["exponentially", "as a power of depth"])?;
    if said != growth {
        return Err(j.wrong(
            "that is not how the ratios grow",
            "on a log scale against depth, a constant factor per layer is a straight line; check whether the middle depth lies on the line through the two ends",
        ));
    }
    Ok(format!(
        "the ratio grows {growth}, by about {factor:.1} per hidden layer from {} to {} layers",
        depths[0], depths[n]
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

    fn five_each(w1: f64, b1: f64, w2: f64, b2: f64) -> Vec<f64> {
        [w1, b1, w2, b2]
            .iter()
            .flat_map(|&e| [e, e / 2.0, e / 3.0, e / 4.0, e / 5.0])
            .collect()
    }

    fn sigmoid_errors() -> Answer {
        Answer::new()
            .numbers("relative errors", &five_each(3e-8, 2e-9, 1e-7, 4e-9))
            .numbers(
                "relative errors, ReLU mask kept",
                &five_each(0.93, 0.85, 2e-8, 1e-9),
            )
    }

    #[test]
    fn a_sigmoid_layer_is_checked_at_several_weights_and_the_mask_shows_below() {
        let right = sigmoid_errors()
            .says("sigmoid gradients", "right")
            .says("mistake shows in", "first layer");
        assert!(judge("07.1", &right).unwrap().contains("first layer"));
        refused(
            "07.1",
            &right.clone().says("sigmoid gradients", "wrong"),
            "not what the relative errors",
        );
        refused(
            "07.1",
            &right.clone().says("mistake shows in", "both layers"),
            "not where",
        );
        // Only the largest gradient of each tensor: four values.
        refused(
            "07.1",
            &right
                .clone()
                .numbers("relative errors", &[3e-8, 2e-9, 1e-7, 4e-9]),
            "at least 3 each",
        );
        refused(
            "07.1",
            &right
                .clone()
                .numbers("relative errors", &five_each(3e-8, 2e-9, -1e-7, 4e-9)),
            "never negative",
        );
        let wrong_pass = Answer::new()
            .numbers("relative errors", &five_each(0.5, 0.4, 1e-8, 1e-9))
            .numbers(
                "relative errors, ReLU mask kept",
                &five_each(0.9, 0.8, 1e-8, 1e-9),
            )
            .says("mistake shows in", "first layer");
        assert!(
            judge(
                "07.1",
                &wrong_pass.clone().says("sigmoid gradients", "wrong")
            )
            .is_ok()
        );
        refused(
            "07.1",
            &wrong_pass.says("sigmoid gradients", "right"),
            "not what the relative errors",
        );
    }

    fn curves() -> Answer {
        let steps: Vec<f64> = (-10..=-1).map(|e| 10f64.powi(e)).collect();
        let central = [1e-5, 1e-6, 1e-7, 1e-8, 8e-9, 2e-9, 4e-10, 2e-10, 5e-9, 4e-7];
        let one_sided = [2e-5, 3e-6, 5e-7, 9e-8, 1e-7, 9e-7, 9e-6, 9e-5, 9e-4, 9e-3];
        Answer::new()
            .numbers("steps", &steps)
            .numbers("central", &central)
            .numbers("one-sided", &one_sided)
    }

    #[test]
    fn one_sided_differences_have_their_valley_and_ratio_recomputed() {
        let right = curves()
            .number("best one-sided step", 1e-7)
            .number("times worse", 9e-8 / 2e-10)
            .says("valley", "smaller step");
        assert!(judge("07.2", &right).unwrap().contains("1e-7"));
        refused(
            "07.2",
            &right.clone().number("best one-sided step", 1e-4),
            "not the step",
        );
        refused(
            "07.2",
            &right.clone().number("times worse", 2e-10 / 9e-8),
            "upside down",
        );
        refused(
            "07.2",
            &right.clone().number("times worse", 3.0),
            "not the ratio",
        );
        refused(
            "07.2",
            &right.clone().says("valley", "larger step"),
            "not where",
        );
        refused(
            "07.2",
            &right.numbers("one-sided", &[1.0; 3]),
            "one value per step",
        );
    }

    fn two_steps() -> Answer {
        Answer::new()
            .number("largest move", 0.011)
            .number("largest difference from fit", 0.0)
            .number("second step, plain", 2.0e-4)
            .number("second step, momentum", 3.6e-4)
    }

    #[test]
    fn momentum_must_match_fit_and_compare_the_second_step() {
        let right = two_steps().says("momentum's second step", "longer");
        assert!(judge("07.3", &right).unwrap().contains("1.80 times"));
        refused(
            "07.3",
            &right.clone().says("momentum's second step", "shorter"),
            "does not follow",
        );
        // Weights moved by w ← w + v before v was updated: the first step does nothing.
        refused(
            "07.3",
            &right.clone().number("largest difference from fit", 5e-3),
            "not the same steps",
        );
        refused(
            "07.3",
            &right.clone().number("largest move", 0.0),
            "did not move",
        );
        let same = two_steps()
            .number("second step, momentum", 2.001e-4)
            .says("momentum's second step", "about the same");
        assert!(judge("07.3", &same).is_ok());
    }

    #[test]
    fn vanishing_gradients_grow_by_a_factor_per_layer() {
        let exponential = Answer::new()
            .numbers("depths", &[4.0, 8.0, 16.0])
            .numbers("ratios", &[1e3, 3e5, 5e10]);
        let factor = (5e10f64 / 1e3).powf(1.0 / 12.0);
        let right = exponential
            .clone()
            .number("factor per layer", factor)
            .says("grows", "exponentially");
        assert!(judge("07.4", &right).unwrap().contains("exponentially"));
        refused(
            "07.4",
            &right.clone().says("grows", "as a power of depth"),
            "not how the ratios grow",
        );
        // The ratio's root over all 16 layers instead of over the 12 between the ends.
        refused(
            "07.4",
            &right
                .clone()
                .number("factor per layer", 5e10f64.powf(1.0 / 16.0)),
            "not the factor per layer",
        );
        refused(
            "07.4",
            &right.clone().numbers("depths", &[16.0, 8.0, 4.0]),
            "from the fewest",
        );
        // A power of depth: the ratio is proportional to depth cubed.
        let power = Answer::new()
            .numbers("depths", &[4.0, 8.0, 16.0])
            .numbers("ratios", &[64.0, 512.0, 4096.0])
            .number("factor per layer", (4096.0f64 / 64.0).powf(1.0 / 12.0));
        assert!(judge("07.4", &power.clone().says("grows", "as a power of depth")).is_ok());
        refused(
            "07.4",
            &power.says("grows", "exponentially"),
            "not how the ratios grow",
        );
    }
}
