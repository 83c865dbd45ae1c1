//! The checkers of notebook 06's exercises (other people's handwriting, and your own).

use super::answer::{BEYOND_CHANCE, Exercise, Judge};
use crate::error::Result;
use crate::metrics::Spread;

/// Notebook 06's exercises.
pub(crate) const EXERCISES: &[Exercise] = &[
    Exercise {
        id: "06.1",
        asks: "which digits did the fix help?",
        judge: digits_the_fix_helped,
    },
    Exercise {
        id: "06.2",
        asks: "would three seeds have done?",
        judge: three_seeds,
    },
    Exercise {
        id: "06.3",
        asks: "digits every network gets wrong",
        judge: digits_no_network_reads,
    },
    Exercise {
        id: "06.4",
        asks: "which step of the fix matters?",
        judge: which_step_matters,
    },
];

/// 06.1: each digit's recall before and after the fix, with how many digits of each there
/// are, and the digit the fix cost most beyond chance (or "none").
fn digits_the_fix_helped(j: &Judge<'_>) -> Result<String> {
    let before = j.numbers("recall before")?;
    let after = j.numbers("recall after")?;
    let counts = j.numbers("digits of each")?;
    if before.len() != 10 || after.len() != 10 || counts.len() != 10 {
        return Err(j.wrong(
            "each list should have ten values, one per digit 0 to 9",
            "collect `confusion.recall(digit)?` and `confusion.support(digit)?` for digit in 0..10",
        ));
    }
    if before.iter().chain(after).any(|r| !(0.0..=1.0).contains(r)) {
        return Err(j.wrong(
            "a recall is outside 0 to 1",
            "give recalls as shares, as `recall` returns them (0.9, not 90)",
        ));
    }
    // The drop of each digit in standard errors of a difference of two shares.
    let mut worst: Option<(usize, f64)> = None;
    for d in 0..10 {
        let n = counts[d].max(1.0);
        let se = ((before[d] * (1.0 - before[d]) + after[d] * (1.0 - after[d])) / n)
            .sqrt()
            .max(1e-9);
        let z = (before[d] - after[d]) / se;
        if z > BEYOND_CHANCE && worst.is_none_or(|(_, w)| z > w) {
            worst = Some((d, z));
        }
    }
    let said = j.says(
        "cost most",
        &["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "none"],
    )?;
    match worst {
        None if said == "none" => Ok("no digit lost more than two standard errors of its recall".into()),
        None => Err(j.wrong(
            format!("digit {said} did not lose more than two standard errors"),
            "a recall measured on n digits moves by about √(p(1−p)/n) by chance; compare each drop with that",
        )),
        Some((d, z)) if said == d.to_string() => Ok(format!(
            "the {d}s lost {:.1} points, {z:.1} standard errors: more than chance",
            100.0 * (before[d] - after[d])
        )),
        Some(_) => Err(j.wrong(
            format!("\"{said}\" is not the digit whose drop is largest in standard errors"),
            "divide each digit's drop by its standard error, √((p₁(1−p₁) + p₂(1−p₂))/n), and take the largest",
        )),
    }
}

/// 06.2: the mean gain of the first three seeds and its standard error, and whether the
/// conclusion (a gain more than two standard errors above zero) is the same as with five.
fn three_seeds(j: &Judge<'_>) -> Result<String> {
    let gains = j.numbers("gains")?;
    if gains.len() < 4 {
        return Err(j.wrong(
            "`gains` should hold every seed's gain (five)",
            "give `&dev_gains`",
        ));
    }
    let three = Spread::of(&gains[..3])?;
    let all = Spread::of(gains)?;
    let mean = j.number("mean of three")?;
    j.close(
        "the mean of three",
        mean,
        three.mean,
        0.01,
        "average the first three gains only (`&dev_gains[..3]`)",
    )?;
    let se = j.number("standard error of three")?;
    if (se - three.std).abs() < 0.01 && (three.std - three.standard_error()).abs() > 0.01 {
        return Err(j.wrong(
            "that is the standard deviation of the three gains, not the standard error of their mean",
            "divide the standard deviation by √3 (`.standard_error()`)",
        ));
    }
    j.close(
        "the standard error of three",
        se,
        three.standard_error(),
        0.01,
        "use `Spread::of(&dev_gains[..3])?.standard_error()`",
    )?;
    let clear = |s: &Spread| s.mean - BEYOND_CHANCE * s.standard_error() > 0.0;
    let same = if clear(&three) == clear(&all) {
        "yes"
    } else {
        "no"
    };
    let said = j.says("same conclusion", &["yes", "no"])?;
    if said != same {
        return Err(j.wrong(
            "the conclusion does not follow from the numbers",
            "with each set of seeds, ask whether the mean gain is more than two standard errors above zero",
        ));
    }
    Ok(format!(
        "three seeds give {:+.2} ± {:.2} (standard error), five {:+.2} ± {:.2}: {}",
        three.mean,
        three.standard_error(),
        all.mean,
        all.standard_error(),
        if same == "yes" {
            "the same conclusion, with a wider margin of doubt"
        } else {
            "another conclusion"
        }
    ))
}

/// 06.3: how many development digits all five MNIST-only networks misread, all five trained
/// on both looks, and all ten; and which kind leaves fewer.
fn digits_no_network_reads(j: &Judge<'_>) -> Result<String> {
    let plain = j.count("misread by all MNIST-only")?;
    let fixed = j.count("misread by all trained on both")?;
    let ten = j.count("misread by all ten")?;
    if ten > plain.min(fixed) {
        return Err(j.wrong(
            "more digits are misread by all ten networks than by all five of one kind",
            "a digit all ten misread is among those all five of each kind misread: keep the positions in both lists",
        ));
    }
    let fewer = match plain.cmp(&fixed) {
        std::cmp::Ordering::Greater => "trained on both looks",
        std::cmp::Ordering::Less => "mnist only",
        std::cmp::Ordering::Equal => "neither",
    };
    let said = j.says("fewer", &["trained on both looks", "mnist only", "neither"])?;
    if said != fewer {
        return Err(j.wrong(
            "that is not the kind with fewer digits no network reads",
            "compare the two counts",
        ));
    }
    Ok(format!(
        "{plain} digits defeat every MNIST-only network, {fixed} every network trained on both looks, {ten} all ten"
    ))
}

/// 06.4: the three seeds' accuracies with shape-kept and with stretched copies, the mean of
/// their seed-by-seed difference, its standard error, and whether the stretch matters.
fn which_step_matters(j: &Judge<'_>) -> Result<String> {
    let kept = j.numbers("shape kept")?;
    let stretched = j.numbers("stretched")?;
    if kept.len() != stretched.len() || kept.len() < 2 {
        return Err(j.wrong(
            "the two lists should have one accuracy per seed, the same seeds",
            "train each kind with seeds 1, 2 and 3",
        ));
    }
    let diffs: Vec<f64> = stretched.iter().zip(kept).map(|(s, k)| s - k).collect();
    let d = Spread::of(&diffs)?;
    let mean = j.number("difference")?;
    j.close(
        "the difference",
        mean,
        d.mean,
        0.01,
        "subtract seed by seed: stretched minus shape kept",
    )?;
    let se = j.number("standard error")?;
    if (se - d.std).abs() < 0.01 && d.n > 1 && (d.std - d.standard_error()).abs() > 0.01 {
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
        "take the standard error of the seed-by-seed differences",
    )?;
    let matters = if d.mean.abs() > BEYOND_CHANCE * d.standard_error() {
        "yes"
    } else {
        "no"
    };
    let said = j.says("stretch matters", &["yes", "no"])?;
    if said != matters {
        return Err(j.wrong(
            "the conclusion does not follow from the numbers",
            "a difference matters here when it is more than two standard errors from zero",
        ));
    }
    Ok(format!(
        "stretched minus shape kept is {:+.2} points with a standard error of {:.2}: {}",
        d.mean,
        d.standard_error(),
        if matters == "yes" {
            "more than chance"
        } else {
            "no difference these seeds can see"
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

    fn recalls() -> Answer {
        let before = [0.98, 0.80, 1.0, 0.93, 0.72, 0.86, 0.92, 0.90, 0.98, 0.81];
        let after = [1.0, 0.59, 0.99, 0.87, 0.89, 0.90, 0.98, 0.91, 0.99, 0.93];
        Answer::new()
            .numbers("recall before", &before)
            .numbers("recall after", &after)
            .numbers("digits of each", &[88.0; 10])
    }

    #[test]
    fn the_digit_the_fix_cost_is_the_one_beyond_chance() {
        assert!(
            judge("06.1", &recalls().says("cost most", "1"))
                .unwrap()
                .contains("the 1s lost")
        );
        refused("06.1", &recalls().says("cost most", "3"), "not the digit");
        refused(
            "06.1",
            &recalls().says("cost most", "none"),
            "not the digit",
        );
        refused("06.1", &recalls().says("cost most", "one"), "not one of");
        refused(
            "06.1",
            &recalls()
                .numbers("recall before", &[98.0; 10])
                .says("cost most", "1"),
            "outside 0 to 1",
        );
        refused(
            "06.1",
            &Answer::new().numbers("recall before", &[0.9; 3]),
            "no part named",
        );
        let even = Answer::new()
            .numbers("recall before", &[0.9; 10])
            .numbers("recall after", &[0.89; 10])
            .numbers("digits of each", &[90.0; 10]);
        assert!(judge("06.1", &even.clone().says("cost most", "none")).is_ok());
        refused("06.1", &even.says("cost most", "4"), "did not lose");
    }

    fn gains() -> Answer {
        Answer::new().numbers("gains", &[10.47, 10.13, 3.67, 2.56, 8.46])
    }

    #[test]
    fn three_seeds_need_the_standard_error_and_the_right_conclusion() {
        let right = gains()
            .number("mean of three", 8.09)
            .number("standard error of three", 2.21)
            .says("same conclusion", "yes");
        assert!(
            judge("06.2", &right)
                .unwrap()
                .contains("the same conclusion")
        );
        refused(
            "06.2",
            &right.clone().number("standard error of three", 3.83),
            "standard deviation",
        );
        refused(
            "06.2",
            &right.clone().number("mean of three", 7.06),
            "the mean of three",
        );
        refused(
            "06.2",
            &right.clone().says("same conclusion", "no"),
            "does not follow",
        );
        refused("06.2", &right.numbers("gains", &[1.0]), "every seed");
    }

    #[test]
    fn digits_no_network_reads_are_counted_consistently() {
        let right = Answer::new()
            .count("misread by all MNIST-only", 51)
            .count("misread by all trained on both", 11)
            .count("misread by all ten", 5);
        assert!(
            judge(
                "06.3",
                &right.clone().says("fewer", "trained on both looks")
            )
            .is_ok()
        );
        refused(
            "06.3",
            &right.clone().says("fewer", "mnist only"),
            "fewer digits",
        );
        refused(
            "06.3",
            &right
                .count("misread by all ten", 20)
                .says("fewer", "trained on both looks"),
            "more digits are misread by all ten",
        );
    }

    #[test]
    fn which_step_matters_is_judged_seed_by_seed() {
        let lists = Answer::new()
            .numbers("shape kept", &[80.5, 81.0, 80.8])
            .numbers("stretched", &[84.0, 77.0, 81.5]);
        let right = lists
            .clone()
            .number("difference", 0.07)
            .number("standard error", 2.19)
            .says("stretch matters", "no");
        assert!(judge("06.4", &right).unwrap().contains("no difference"));
        refused(
            "06.4",
            &right.clone().says("stretch matters", "yes"),
            "does not follow",
        );
        refused(
            "06.4",
            &right.clone().number("standard error", 3.79),
            "standard deviation",
        );
        refused(
            "06.4",
            &right.number("difference", 1.0),
            "subtract seed by seed",
        );
        let clear = Answer::new()
            .numbers("shape kept", &[80.0, 80.2, 80.1])
            .numbers("stretched", &[83.0, 83.3, 83.0]);
        assert!(
            judge(
                "06.4",
                &clear
                    .clone()
                    .number("difference", 3.0)
                    .number("standard error", 0.06)
                    .says("stretch matters", "yes")
            )
            .is_ok()
        );
    }
}
