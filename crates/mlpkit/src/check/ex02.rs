//! The checkers of notebook 02's exercises (the raw files, standardising, momentum, mistakes).

use super::answer::{BEYOND_CHANCE, Exercise, Judge};
use crate::error::Result;
use crate::metrics::Spread;

/// Notebook 02's exercises.
pub(crate) const EXERCISES: &[Exercise] = &[
    Exercise {
        id: "02.1",
        asks: "would a σ per pixel break the test images?",
        judge: constant_pixels_in_the_test_set,
    },
    Exercise {
        id: "02.2",
        asks: "one mean for all pixels",
        judge: one_mean_for_all_pixels,
    },
    Exercise {
        id: "02.3",
        asks: "what momentum does",
        judge: what_momentum_does,
    },
    Exercise {
        id: "02.4",
        asks: "which digit is misread most often?",
        judge: digit_misread_most,
    },
];

/// The scaled value of a background pixel (0 on the 0–255 scale, −1 after scaling).
const BACKGROUND: f64 = -1.0;

/// 02.1: at each pixel that never changes in the training images, the largest scaled value
/// in the test images; how many of those pixels carry ink in some test image; and whether
/// dividing each pixel by its own σ (no ε) would give the test images infinite values.
fn constant_pixels_in_the_test_set(j: &Judge<'_>) -> Result<String> {
    let largest = j.numbers("test largest")?;
    if largest.iter().any(|v| !(-1.001..=1.001).contains(v)) {
        return Err(j.wrong(
            "a value of `test largest` is outside −1 to 1",
            "take the scaled test images (`scaled_test`), whose pixels run from −1 to 1",
        ));
    }
    let inked = largest.iter().filter(|&&v| v > BACKGROUND + 1e-6).count();
    let said_inked = j.count("inked")?;
    if said_inked == largest.len() - inked && said_inked != inked {
        return Err(j.wrong(
            "`inked` counts the pixels that stay background in every test image",
            "count the positions where the test images' largest value is above −1",
        ));
    }
    if said_inked != inked {
        return Err(j.wrong(
            format!("`inked` is {said_inked}, which is not what `test largest` gives"),
            "count the positions where the test images' largest value is above −1",
        ));
    }
    let breaks = if inked > 0 { "yes" } else { "no" };
    let said = j.says("infinite values", &["yes", "no"])?;
    if said != breaks {
        return Err(j.wrong(
            "the conclusion does not follow from the count",
            "at such a pixel σ is 0: what is (x − μ) / 0 when x differs from μ, and when it equals μ?",
        ));
    }
    Ok(format!(
        "{inked} of the {} pixels that never change in training carry ink in some test image: {}",
        largest.len(),
        if inked > 0 {
            "there (x − μ)/0 is infinite, so a σ per pixel needs an ε or a guard"
        } else {
            "the test images would give 0/0 there, NaN, as the training images do"
        }
    ))
}

/// 02.2: the between and within parts of σ, σ itself, the standard deviation after one
/// global mean and σ, and whether the between-pixel part was removed or kept.
fn one_mean_for_all_pixels(j: &Judge<'_>) -> Result<String> {
    let between = j.number("between")?;
    let within = j.number("within")?;
    let sigma = j.number("sigma")?;
    let after = j.number("std after")?;
    if sigma <= 0.0 {
        return Err(j.wrong(
            "σ should be positive",
            "use `standardizer.std`, the spread of all scaled training pixels",
        ));
    }
    j.close(
        "√(between² + within²)",
        (between * between + within * within).sqrt(),
        sigma,
        0.002,
        "the two parts should add up to σ as variances; use the numbers of the lesson's cell on why 0.84",
    )?;
    let if_kept = (between * between + within * within).sqrt() / sigma;
    let if_removed = within / sigma;
    let kept = if (after - if_kept).abs() <= 0.005 {
        true
    } else if (after - if_removed).abs() <= 0.005 {
        false
    } else {
        return Err(j.wrong(
            format!("`std after` is {after}, which none of the two parts explains"),
            "measure `mean_std` of the images the global standardizer returns",
        ));
    };
    let said = j.says("between-pixel part", &["removed", "kept"])?;
    let right = if kept { "kept" } else { "removed" };
    if said != right {
        return Err(j.wrong(
            "the conclusion does not follow from the numbers",
            "compare `std after` with within / σ and with √(between² + within²) / σ",
        ));
    }
    Ok(format!(
        "the spread after is {after:.4}: √(between² + within²)/σ = {if_kept:.4}, so the between-pixel part is {right}"
    ))
}

/// The verdict on paired differences `a − b`: "ahead" when the mean is more than two
/// standard errors above zero, "behind" below, else no evidence either way.
fn paired(a: &[f64], b: &[f64]) -> Result<(Spread, &'static str)> {
    let diffs: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let d = Spread::of(&diffs)?;
    let margin = BEYOND_CHANCE * d.standard_error();
    let verdict = if d.mean > margin {
        "ahead"
    } else if d.mean < -margin {
        "behind"
    } else {
        "no evidence of a difference"
    };
    Ok((d, verdict))
}

/// 02.3's three lists of accuracies, one per seed each, checked for their lengths and range.
fn momentum_runs<'a>(j: &'a Judge<'_>) -> Result<[&'a [f64]; 3]> {
    let with = j.numbers("with momentum")?;
    let without = j.numbers("without momentum")?;
    let faster = j.numbers("without, ten times the rate")?;
    if with.len() != without.len() || with.len() != faster.len() || with.len() < 2 {
        return Err(j.wrong(
            "the three lists should have one accuracy per seed, the same seeds, at least two",
            "train each kind with every seed of the list, in the same order",
        ));
    }
    if with.iter().chain(without).chain(faster).any(|a| *a > 1.0) {
        return Err(j.wrong(
            "an accuracy is above 1",
            "give accuracies as shares, as `val_accuracy()` returns them",
        ));
    }
    Ok([with, without, faster])
}

/// 02.3: the validation accuracies of three kinds of SGD over the same seeds (momentum 0.9
/// at η = 0.001, none at η = 0.001, none at 10 η), the mean gain of momentum over none with
/// its standard error, and two conclusions.
fn what_momentum_does(j: &Judge<'_>) -> Result<String> {
    let [with, without, faster] = momentum_runs(j)?;
    let (gain, helps) = paired(with, without)?;
    let mean = j.number("gain")?;
    j.close(
        "the gain",
        mean,
        gain.mean,
        1e-4,
        "subtract seed by seed: with momentum minus without",
    )?;
    let se = j.number("standard error")?;
    if (se - gain.std).abs() < 1e-4 && (gain.std - gain.standard_error()).abs() > 1e-4 {
        return Err(j.wrong(
            "that is the standard deviation of the gains, not the standard error of their mean",
            "divide it by the square root of the number of seeds",
        ));
    }
    j.close(
        "the standard error",
        se,
        gain.standard_error(),
        1e-4,
        "take the standard error of the seed-by-seed gains",
    )?;
    let first = match helps {
        "ahead" => "momentum ahead",
        "behind" => "no momentum ahead",
        other => other,
    };
    let said = j.says(
        "momentum against none",
        &[
            "momentum ahead",
            "no momentum ahead",
            "no evidence of a difference",
        ],
    )?;
    if said != first {
        return Err(j.wrong(
            "the conclusion about momentum against none does not follow from the numbers",
            "a gain counts here when it is more than two standard errors from zero",
        ));
    }
    let (step, against) = paired(with, faster)?;
    let second = match against {
        "ahead" => "momentum ahead",
        "behind" => "ten times the rate ahead",
        other => other,
    };
    let said = j.says(
        "momentum against ten times the rate",
        &[
            "momentum ahead",
            "ten times the rate ahead",
            "no evidence of a difference",
        ],
    )?;
    if said != second {
        return Err(j.wrong(
            "the conclusion about momentum against ten times the rate does not follow from the numbers",
            "take the seed-by-seed differences of these two lists, their mean and its standard error",
        ));
    }
    Ok(format!(
        "momentum minus none: {:+.4} ± {:.4} (standard error), {first}; momentum minus ten times the rate: {:+.4} ± {:.4}, {second}",
        gain.mean,
        gain.standard_error(),
        step.mean,
        step.standard_error()
    ))
}

/// 02.4: each digit's number of mistakes and of test images, and the digit misread most
/// often for its number (the highest error rate, not the most mistakes).
fn digit_misread_most(j: &Judge<'_>) -> Result<String> {
    let mistakes = j.numbers("mistakes")?;
    let counts = j.numbers("digits of each")?;
    if mistakes.len() != 10 || counts.len() != 10 {
        return Err(j.wrong(
            "each list should have ten values, one per digit 0 to 9",
            "count, for each true digit, its images and the wrong answers among them",
        ));
    }
    if mistakes.iter().zip(counts).any(|(m, n)| m > n || *n <= 0.0) {
        return Err(j.wrong(
            "a digit has more mistakes than images, or no images",
            "`digits of each` counts the test images of each true digit",
        ));
    }
    let rates: Vec<f64> = mistakes.iter().zip(counts).map(|(m, n)| m / n).collect();
    let worst = (0..10)
        .max_by(|&a, &b| rates[a].total_cmp(&rates[b]))
        .unwrap_or(0);
    let most = (0..10)
        .max_by(|&a, &b| mistakes[a].total_cmp(&mistakes[b]))
        .unwrap_or(0);
    let said = j.says(
        "misread most often",
        &["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    )?;
    if said != worst.to_string() {
        let hint = if said == most.to_string() {
            "that digit has the most mistakes, but not the most for its number of images: divide by `digits of each`"
        } else {
            "divide each digit's mistakes by its number of images and take the largest"
        };
        return Err(j.wrong(
            format!("\"{said}\" is not the digit with the highest error rate"),
            hint,
        ));
    }
    Ok(format!(
        "{worst}s are misread {:.1}% of the time ({} of {}), the most of any digit",
        100.0 * rates[worst],
        mistakes[worst],
        counts[worst]
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
    fn constant_pixels_are_counted_from_the_test_values() {
        let data = Answer::new().numbers("test largest", &[-1.0, -1.0, 0.2, -0.5, -1.0]);
        let right = data
            .clone()
            .count("inked", 2)
            .says("infinite values", "yes");
        assert!(judge("02.1", &right).unwrap().contains("2 of the 5"));
        refused(
            "02.1",
            &right.clone().says("infinite values", "no"),
            "does not follow",
        );
        refused("02.1", &right.clone().count("inked", 3), "stay background");
        refused("02.1", &right.count("inked", 4), "not what");
        refused(
            "02.1",
            &data.numbers("test largest", &[0.0, 255.0]),
            "outside −1 to 1",
        );
        let none = Answer::new()
            .numbers("test largest", &[-1.0, -1.0])
            .count("inked", 0);
        assert!(judge("02.1", &none.clone().says("infinite values", "no")).is_ok());
        refused(
            "02.1",
            &none.says("infinite values", "yes"),
            "does not follow",
        );
    }

    fn parts() -> Answer {
        Answer::new()
            .number("between", 0.3327)
            .number("within", 0.5187)
            .number("sigma", 0.6162)
    }

    #[test]
    fn one_global_mean_keeps_the_between_part() {
        let right = parts()
            .number("std after", 1.0)
            .says("between-pixel part", "kept");
        assert!(judge("02.2", &right).unwrap().contains("is kept"));
        refused(
            "02.2",
            &right.clone().says("between-pixel part", "removed"),
            "does not follow",
        );
        refused(
            "02.2",
            &right.clone().number("std after", 0.93),
            "none of the two parts",
        );
        refused("02.2", &right.number("sigma", 0.7), "√(between² + within²)");
        // The per-pixel standardizer's 0.8417 goes with "removed".
        assert!(
            judge(
                "02.2",
                &parts()
                    .number("std after", 0.8417)
                    .says("between-pixel part", "removed")
            )
            .is_ok()
        );
    }

    fn runs() -> Answer {
        Answer::new()
            .numbers("with momentum", &[0.9462, 0.9450, 0.9470])
            .numbers("without momentum", &[0.8943, 0.8960, 0.8930])
            .numbers("without, ten times the rate", &[0.9460, 0.9455, 0.9462])
    }

    #[test]
    fn momentum_is_judged_seed_by_seed_against_both_baselines() {
        // Gains 0.0519, 0.0490, 0.0540: mean 0.051633, sd 0.002511, se 0.00145.
        let right = runs()
            .number("gain", 0.051633)
            .number("standard error", 0.00145)
            .says("momentum against none", "momentum ahead")
            .says(
                "momentum against ten times the rate",
                "no evidence of a difference",
            );
        assert!(judge("02.3", &right).unwrap().contains("no evidence"));
        refused(
            "02.3",
            &right.clone().number("standard error", 0.002511),
            "standard deviation",
        );
        refused("02.3", &right.clone().number("gain", 0.05), "seed by seed");
        refused(
            "02.3",
            &right
                .clone()
                .says("momentum against none", "no evidence of a difference"),
            "momentum against none",
        );
        refused(
            "02.3",
            &right
                .clone()
                .says("momentum against ten times the rate", "momentum ahead"),
            "ten times the rate does not follow",
        );
        refused(
            "02.3",
            &right.clone().numbers("with momentum", &[94.62, 94.5, 94.7]),
            "above 1",
        );
        refused(
            "02.3",
            &right.numbers("with momentum", &[0.9]),
            "one accuracy per seed",
        );
    }

    #[test]
    fn the_digit_misread_most_is_found_by_rate() {
        let mut mistakes = [10.0; 10];
        mistakes[2] = 60.0; // the most mistakes…
        mistakes[9] = 55.0; // …but 9 has fewer images
        let mut counts = [1000.0; 10];
        counts[9] = 500.0;
        let data = Answer::new()
            .numbers("mistakes", &mistakes)
            .numbers("digits of each", &counts);
        assert!(
            judge("02.4", &data.clone().says("misread most often", "9"))
                .unwrap()
                .contains("9s are misread 11.0%")
        );
        refused(
            "02.4",
            &data.clone().says("misread most often", "2"),
            "divide by `digits of each`",
        );
        refused(
            "02.4",
            &data.clone().says("misread most often", "4"),
            "highest error rate",
        );
        refused("02.4", &data.numbers("mistakes", &[5.0; 3]), "ten values");
    }
}
