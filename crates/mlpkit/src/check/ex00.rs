//! The checkers of notebook 00's exercises (a first look at the datasets).

use super::answer::{Exercise, Judge};
use crate::error::Result;

/// Notebook 00's exercises.
pub(crate) const EXERCISES: &[Exercise] = &[
    Exercise {
        id: "00.1",
        asks: "a guess that never looks at the picture",
        judge: guess_that_never_looks,
    },
    Exercise {
        id: "00.2",
        asks: "are the test digits drawn like the training digits?",
        judge: test_like_training,
    },
    Exercise {
        id: "00.3",
        asks: "is the first 10,000 a fair sample?",
        judge: head_is_fair,
    },
];

/// With ten classes compared at once, one of them lies beyond two standard errors by chance
/// alone about four times in ten; beyond three, about three times in a hundred.
const BEYOND_CHANCE_OF_TEN: f64 = 3.0;

/// The ten counts `name`, one per class, each a whole number ≥ 0, with a positive total.
fn ten_counts<'a>(j: &'a Judge<'_>, name: &str) -> Result<&'a [f64]> {
    let counts = j.numbers(name)?;
    if counts.len() != 10 {
        return Err(j.wrong(
            format!(
                "`{name}` has {} values; it should have ten, one per class 0 to 9",
                counts.len()
            ),
            "give the array `class_counts` returns, converted to f64",
        ));
    }
    if counts.iter().any(|c| *c < 0.0 || c.fract() != 0.0) || counts.iter().sum::<f64>() <= 0.0 {
        return Err(j.wrong(
            format!("`{name}` should hold counts (whole numbers of examples)"),
            "convert each count with `as f64`; do not divide them",
        ));
    }
    Ok(counts)
}

/// The position of the largest value (the first, if several are equal).
fn largest(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = i;
        }
    }
    best
}

/// 00.1: the digit a classifier that always gives one answer should pick (from the training
/// counts), its accuracy on the test set in percent, and whether it beats one in ten by more
/// than two standard errors.
fn guess_that_never_looks(j: &Judge<'_>) -> Result<String> {
    let train = ten_counts(j, "training counts")?;
    let test = ten_counts(j, "test counts")?;
    let best = largest(train);
    let guess = j.count("guess")?;
    if guess != best {
        return Err(j.wrong(
            format!("always answering {guess} is not the best guess the training digits suggest"),
            "the guess is chosen before the test digits are seen: take the commonest training digit",
        ));
    }
    let (n_train, n_test) = (train.iter().sum::<f64>(), test.iter().sum::<f64>());
    let want = 100.0 * test[best] / n_test;
    let said = j.number("test accuracy")?;
    let train_share = 100.0 * train[best] / n_train;
    if (said - train_share).abs() < 0.005 && (want - train_share).abs() >= 0.005 {
        return Err(j.wrong(
            "that is the guess's share of the training digits",
            "the guess is measured on the test digits: how many of them are that digit?",
        ));
    }
    if (said - want / 100.0).abs() < 1e-4 {
        return Err(j.wrong(
            "the test accuracy should be in percent",
            "multiply the share by 100",
        ));
    }
    j.close(
        "the test accuracy",
        said,
        want,
        0.005,
        "divide the number of test digits the guess gets right by the number of test digits",
    )?;
    let p = want / 100.0;
    let se = 100.0 * (p * (1.0 - p) / n_test).sqrt();
    let z = (want - 10.0) / se;
    let beats = if z > 2.0 { "yes" } else { "no" };
    if j.says("beats one in ten", &["yes", "no"])? != beats {
        return Err(j.wrong(
            "the conclusion does not follow from the numbers",
            "a share p measured on n digits moves by about √(p(1−p)/n) by chance: is the accuracy more than two of those above 10%?",
        ));
    }
    Ok(format!(
        "always answering {best} is right on {want:.2}% of the test digits, {z:.1} standard errors {} one in ten: {}",
        if z >= 0.0 { "above" } else { "below" },
        if beats == "yes" {
            "a network has to beat this, not 10%, to show it reads anything"
        } else {
            "one in ten is the mark to beat"
        }
    ))
}

/// Each class's difference between its share of the test set and of the training set, in
/// standard errors of a difference of two shares.
fn gaps_between_shares(train: &[f64], test: &[f64]) -> Vec<f64> {
    let (n1, n2) = (train.iter().sum::<f64>(), test.iter().sum::<f64>());
    train
        .iter()
        .zip(test)
        .map(|(a, b)| {
            let (p1, p2) = (a / n1, b / n2);
            let se = (p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2).sqrt();
            if se > 0.0 { (p2 - p1) / se } else { 0.0 }
        })
        .collect()
}

/// 00.2: the digit whose share differs most between the training and the test set (in
/// standard errors), and whether that is beyond chance (more than three, ten digits compared).
fn test_like_training(j: &Judge<'_>) -> Result<String> {
    let train = ten_counts(j, "training counts")?;
    let test = ten_counts(j, "test counts")?;
    let z = gaps_between_shares(train, test);
    let size: Vec<f64> = z.iter().map(|v| v.abs()).collect();
    let most = largest(&size);
    let digits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    let said = j.says("differs most", &digits)?;
    if said != most.to_string() {
        let (n1, n2) = (train.iter().sum::<f64>(), test.iter().sum::<f64>());
        let points: Vec<f64> = train
            .iter()
            .zip(test)
            .map(|(a, b)| (b / n2 - a / n1).abs())
            .collect();
        let hint = if said == largest(test).to_string() || said == largest(train).to_string() {
            "compare each digit's share of the test set with its share of the training set, not the counts"
        } else if said == largest(&points).to_string() {
            "divide each difference of shares by its standard error, √(p₁(1−p₁)/n₁ + p₂(1−p₂)/n₂)"
        } else {
            "for each digit, the difference of its two shares divided by its standard error; take the largest in size"
        };
        return Err(j.wrong(
            format!("digit {said} is not the one whose share differs most in standard errors"),
            hint,
        ));
    }
    let beyond = if size[most] > BEYOND_CHANCE_OF_TEN {
        "yes"
    } else {
        "no"
    };
    if j.says("beyond chance", &["yes", "no"])? != beyond {
        return Err(j.wrong(
            "the conclusion does not follow from the numbers",
            "with ten digits compared, a gap counts as more than chance here when it is beyond three standard errors",
        ));
    }
    Ok(format!(
        "digit {most}'s share differs most, by {:.1} standard errors: {}",
        size[most],
        if beyond == "yes" {
            "more than chance, so the test set holds the digits in other proportions"
        } else {
            "within what chance gives, so no evidence that the test set holds the digits in other proportions"
        }
    ))
}

/// 00.3: the largest gap, in standard errors, between a class's share of the first examples
/// and of all of them, and whether it is evidence that the order is not random.
fn head_is_fair(j: &Judge<'_>) -> Result<String> {
    let head = ten_counts(j, "counts in the head")?;
    let all = ten_counts(j, "counts in all")?;
    if head.iter().zip(all).any(|(h, a)| h > a) {
        return Err(j.wrong(
            "the head holds more examples of a class than the whole set",
            "count the first examples' labels and all the labels of the same split",
        ));
    }
    let (n, total) = (head.iter().sum::<f64>(), all.iter().sum::<f64>());
    let gaps: Vec<f64> = head
        .iter()
        .zip(all)
        .map(|(h, a)| {
            let p = a / total;
            let se = (p * (1.0 - p) / n).sqrt();
            if se > 0.0 {
                (h / n - p).abs() / se
            } else {
                0.0
            }
        })
        .collect();
    let widest = largest(&gaps);
    let said = j.number("largest gap")?;
    let (in_counts, in_points) = (
        head.iter()
            .zip(all)
            .map(|(h, a)| (h - n * a / total).abs())
            .fold(0.0, f64::max),
        head.iter()
            .zip(all)
            .map(|(h, a)| 100.0 * (h / n - a / total).abs())
            .fold(0.0, f64::max),
    );
    if (said - in_counts).abs() < 0.5 || (said - in_points).abs() < 0.005 {
        return Err(j.wrong(
            "that gap is in examples or in percentage points, not in standard errors",
            "a share p measured on n examples moves by about √(p(1−p)/n) by chance: divide each gap of shares by that",
        ));
    }
    j.close(
        "the largest gap",
        said,
        gaps[widest],
        0.01,
        "for each class, (share in the head − share in all) / √(p(1−p)/n), with p the share in all and n the head's size; take the largest in size",
    )?;
    let evidence = if gaps[widest] > BEYOND_CHANCE_OF_TEN {
        "yes"
    } else {
        "no"
    };
    if j.says("evidence against random order", &["yes", "no"])? != evidence {
        return Err(j.wrong(
            "the conclusion does not follow from the numbers",
            "with ten classes compared, a gap counts as more than chance here when it is beyond three standard errors",
        ));
    }
    Ok(format!(
        "the first {n:.0} examples hold class {widest} {:.1} standard errors away from its share of all {total:.0}: {}",
        gaps[widest],
        if evidence == "yes" {
            "the order is not random, so the first examples are not a fair sample"
        } else {
            "no evidence against a random order: these shares do not show the first examples differ from a random draw (which is not proof that they do not)"
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

    const TRAIN: [f64; 10] = [
        5923.0, 6742.0, 5958.0, 6131.0, 5842.0, 5421.0, 5918.0, 6265.0, 5851.0, 5949.0,
    ];
    const TEST: [f64; 10] = [
        980.0, 1135.0, 1032.0, 1010.0, 982.0, 892.0, 958.0, 1028.0, 974.0, 1009.0,
    ];

    fn counts() -> Answer {
        Answer::new()
            .numbers("training counts", &TRAIN)
            .numbers("test counts", &TEST)
    }

    #[test]
    fn the_guess_is_the_commonest_training_digit_measured_on_test() {
        let right = counts()
            .count("guess", 1)
            .number("test accuracy", 11.35)
            .says("beats one in ten", "yes");
        assert!(judge("00.1", &right).unwrap().contains("has to beat this"));
        refused(
            "00.1",
            &right.clone().count("guess", 7),
            "not the best guess",
        );
        refused(
            "00.1",
            &right.clone().number("test accuracy", 11.24),
            "share of the training digits",
        );
        refused(
            "00.1",
            &right.clone().number("test accuracy", 0.1135),
            "in percent",
        );
        refused(
            "00.1",
            &right.clone().says("beats one in ten", "no"),
            "does not follow",
        );
        refused(
            "00.1",
            &right.numbers("test counts", &[0.1; 10]),
            "should hold counts",
        );
        let even = Answer::new()
            .numbers("training counts", &[6000.0; 10])
            .numbers("test counts", &[1000.0; 10])
            .count("guess", 0)
            .number("test accuracy", 10.0);
        assert!(
            judge("00.1", &even.clone().says("beats one in ten", "no"))
                .unwrap()
                .contains("one in ten is the mark")
        );
        refused(
            "00.1",
            &even.says("beats one in ten", "yes"),
            "does not follow",
        );
    }

    #[test]
    fn the_digit_that_differs_most_is_judged_in_standard_errors() {
        let right = counts()
            .says("differs most", "2")
            .says("beyond chance", "no");
        assert!(judge("00.2", &right).unwrap().contains("no evidence"));
        refused(
            "00.2",
            &right.clone().says("beyond chance", "yes"),
            "does not follow",
        );
        refused(
            "00.2",
            &right.clone().says("differs most", "1"),
            "not the counts",
        );
        refused(
            "00.2",
            &right.clone().says("differs most", "6"),
            "not the one",
        );
        refused("00.2", &right.says("differs most", "two"), "not one of");
        // A test set with far fewer 5s than training is more than chance.
        let mut test = TEST;
        test[5] = 700.0;
        let skewed = counts()
            .numbers("test counts", &test)
            .says("differs most", "5");
        assert!(
            judge("00.2", &skewed.clone().says("beyond chance", "yes"))
                .unwrap()
                .contains("more than chance")
        );
        refused(
            "00.2",
            &skewed.says("beyond chance", "no"),
            "does not follow",
        );
    }

    const FASHION_HEAD: [f64; 10] = [
        942.0, 1027.0, 1016.0, 1019.0, 974.0, 989.0, 1021.0, 1022.0, 990.0, 1000.0,
    ];

    fn head() -> Answer {
        Answer::new()
            .numbers("counts in the head", &FASHION_HEAD)
            .numbers("counts in all", &[6000.0; 10])
    }

    #[test]
    fn the_head_is_judged_by_its_largest_gap_in_standard_errors() {
        let right = head()
            .number("largest gap", 1.933)
            .says("evidence against random order", "no");
        assert!(judge("00.3", &right).unwrap().contains("no evidence"));
        refused(
            "00.3",
            &right.clone().says("evidence against random order", "yes"),
            "does not follow",
        );
        refused(
            "00.3",
            &right.clone().number("largest gap", 58.0),
            "not in standard errors",
        );
        refused(
            "00.3",
            &right.clone().number("largest gap", 0.58),
            "not in standard errors",
        );
        refused(
            "00.3",
            &right.clone().number("largest gap", 2.5),
            "largest gap",
        );
        refused(
            "00.3",
            &right.numbers("counts in all", &[600.0; 10]),
            "more examples of a class",
        );
        // A file sorted by class: the first 10,000 hold only classes 0 and 1.
        let sorted = Answer::new()
            .numbers(
                "counts in the head",
                &[6000.0, 4000.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            )
            .numbers("counts in all", &[6000.0; 10])
            .number("largest gap", 166.67)
            .says("evidence against random order", "yes");
        assert!(judge("00.3", &sorted).unwrap().contains("not random"));
    }
}
