//! The checkers of notebook 01b's exercises (how sure are we?).

use super::answer::{BEYOND_CHANCE, Exercise, Judge};
use crate::error::Result;
use crate::metrics::{McNemar, Spread};

/// Notebook 01b's exercises.
pub(crate) const EXERCISES: &[Exercise] = &[
    Exercise {
        id: "01b.1",
        asks: "wider or deeper?",
        judge: wider_or_deeper,
    },
    Exercise {
        id: "01b.2",
        asks: "epochs or batch size?",
        judge: epochs_or_batch_size,
    },
    Exercise {
        id: "01b.3",
        asks: "one recipe, two seeds",
        judge: one_recipe_two_seeds,
    },
    Exercise {
        id: "01b.4",
        asks: "how many seeds would it take?",
        judge: seeds_needed,
    },
];

/// The difference of the means of `a` and `b` and its standard error, √(s_a²/n_a + s_b²/n_b).
fn difference(a: &Spread, b: &Spread) -> (f64, f64) {
    (
        a.mean - b.mean,
        (a.standard_error().powi(2) + b.standard_error().powi(2)).sqrt(),
    )
}

/// The accuracies `name`: at least two, in percent.
fn accuracies<'a>(j: &'a Judge<'_>, name: &str) -> Result<&'a [f64]> {
    let values = j.numbers(name)?;
    if values.len() < 2 {
        return Err(j.wrong(
            format!("`{name}` has one accuracy: one run has no spread to judge"),
            "train the recipe with the five seeds 42 to 46",
        ));
    }
    if values.iter().any(|a| !(0.0..=100.0).contains(a)) {
        return Err(j.wrong(
            format!("an accuracy of `{name}` is outside 0 to 100"),
            "give accuracies in percent, as the table of outcomes does",
        ));
    }
    Ok(values)
}

/// "better", "worse" or "not shown": whether `d` is more than two standard errors from zero.
fn verdict(d: f64, se: f64) -> &'static str {
    if d > BEYOND_CHANCE * se {
        "better"
    } else if d < -BEYOND_CHANCE * se {
        "worse"
    } else {
        "not shown"
    }
}

/// 01b.1: five seeds of two hidden layers of 128 and of four of 64, the difference of their
/// means, its standard error, and which is better, if either.
fn wider_or_deeper(j: &Judge<'_>) -> Result<String> {
    let wider = Spread::of(accuracies(j, "wider")?)?;
    let deeper = Spread::of(accuracies(j, "deeper")?)?;
    let (d, se) = difference(&wider, &deeper);
    j.close(
        "the difference",
        j.number("difference")?,
        d,
        0.01,
        "subtract the means: wider minus deeper",
    )?;
    let got = j.number("standard error")?;
    let sd_of_difference = (wider.std.powi(2) + deeper.std.powi(2)).sqrt();
    if (got - sd_of_difference).abs() < 0.005 {
        return Err(j.wrong(
            "that combines the standard deviations of single runs, not the standard errors of the two means",
            "each mean of n runs has a standard error s / √n; a difference of two means has √(se₁² + se₂²)",
        ));
    }
    if (got - wider.standard_error()).abs() < 0.005 || (got - deeper.standard_error()).abs() < 0.005
    {
        return Err(j.wrong(
            "that is the standard error of one mean; both means are uncertain",
            "combine the two standard errors: √(se₁² + se₂²)",
        ));
    }
    j.close(
        "the standard error",
        got,
        se,
        0.005,
        "the standard error of a difference of two means is √(se₁² + se₂²)",
    )?;
    let want = match verdict(d, se) {
        "better" => "wider",
        "worse" => "deeper",
        _ => "not shown",
    };
    let said = j.says("better", &["wider", "deeper", "not shown"])?;
    if said != want {
        return Err(j.wrong(
            "the conclusion does not follow from the numbers",
            "one recipe is better here when the difference is more than two standard errors from zero; otherwise this experiment cannot tell",
        ));
    }
    Ok(format!(
        "wider minus deeper is {d:+.2} points with a standard error of {se:.2}: {}",
        match want {
            "not shown" => "no difference five seeds can see".to_string(),
            w => format!("{w} is better beyond chance"),
        }
    ))
}

/// 01b.2: five seeds of the baseline, of 10 epochs with batch 32 and of 5 epochs with batch
/// 64; each variant's weight updates, and whether each beats the baseline.
fn epochs_or_batch_size(j: &Judge<'_>) -> Result<String> {
    let images = j.count("images")?;
    if images == 0 {
        return Err(j.wrong("`images` is 0", "give `fit_part.len()`"));
    }
    let baseline = Spread::of(accuracies(j, "baseline")?)?;
    let mut found = Vec::new();
    for (name, epochs, batch) in [
        ("10 epochs, batch 32", 10, 32),
        ("5 epochs, batch 64", 5, 64),
    ] {
        let updates = j.count(&format!("updates, {name}"))?;
        let want = epochs * images.div_ceil(batch);
        if updates == epochs * (images / batch) && updates != want {
            return Err(j.wrong(
                format!("the updates of {name} leave out the last, smaller batch of each epoch"),
                "a batch that is not full still makes an update: round the batches per epoch up (`div_ceil`)",
            ));
        }
        if updates != want {
            return Err(j.wrong(
                format!("{name} does not make {updates} weight updates"),
                "one update per batch: epochs × batches per epoch",
            ));
        }
        let variant = Spread::of(accuracies(j, name)?)?;
        let (d, se) = difference(&variant, &baseline);
        let said = j.says(
            &format!("{name} against baseline"),
            &["better", "worse", "not shown"],
        )?;
        if said != verdict(d, se) {
            return Err(j.wrong(
                format!("what `{name}` says does not follow from the accuracies"),
                "compare each variant's mean with the baseline's: better or worse only beyond two standard errors of the difference",
            ));
        }
        found.push(format!(
            "{name} ({updates} updates) {d:+.2} ± {se:.2}: {said}"
        ));
    }
    Ok(format!(
        "against the baseline (standard errors of the difference): {}",
        found.join("; ")
    ))
}

/// 01b.3: McNemar's test of two networks of one recipe: the images only one gets right, the
/// p-value, whether it is below 0.05, and what the test compares.
fn one_recipe_two_seeds(j: &Judge<'_>) -> Result<String> {
    let only_a = j.count("only a")?;
    let only_b = j.count("only b")?;
    // The test looks only at the disagreements: rebuild them and test again.
    let disagree = only_a + only_b;
    let truth = vec![0u32; disagree.max(1)];
    let a: Vec<u32> = (0..truth.len()).map(|i| u32::from(i >= only_a)).collect();
    let b: Vec<u32> = a.iter().map(|&x| 1 - x).collect();
    let test = McNemar::new(&truth, &a, &b)?;
    let p = if disagree == 0 { 1.0 } else { test.p_value };
    let got = j.number("p-value")?;
    if (got - p).abs() > 1e-6 + 1e-3 * p {
        return Err(j.wrong(
            "that p-value does not go with these counts",
            "give `paired.p_value` of the same test whose `only_a` and `only_b` you give",
        ));
    }
    let significant = if p < 0.05 { "yes" } else { "no" };
    if j.says("significant", &["yes", "no"])? != significant {
        return Err(j.wrong(
            "whether it is significant does not follow from the p-value",
            "\"significant\" here means a p-value below 0.05",
        ));
    }
    let compares = j.says("compares", &["the two networks", "the recipe"])?;
    if compares != "the two networks" {
        return Err(j.wrong(
            "both networks come from the same recipe, so the test cannot be about the recipe",
            "the test sees the answers of two trained networks on the same images, nothing of how they were made",
        ));
    }
    Ok(format!(
        "{only_a} against {only_b} disagreements, p = {p:.3}: {} between these two networks, which differ only by their seed",
        if significant == "yes" {
            "a difference"
        } else {
            "no evidence of a difference"
        }
    ))
}

/// 01b.4: the five accuracies of the baseline and of another recipe; how many seeds each
/// would need for their difference, as measured, to reach two standard errors, and whether
/// twenty would do.
fn seeds_needed(j: &Judge<'_>) -> Result<String> {
    let baseline = Spread::of(accuracies(j, "baseline")?)?;
    let other = Spread::of(accuracies(j, "other")?)?;
    let d = other.mean - baseline.mean;
    if d == 0.0 {
        return Err(j.wrong(
            "the two means are equal, so no number of seeds makes the difference stand out",
            "take a recipe whose mean differs from the baseline's",
        ));
    }
    let variance = baseline.std.powi(2) + other.std.powi(2);
    // |d| = 2 √(variance / n)  ⇔  n = 4 · variance / d².
    let n = (BEYOND_CHANCE.powi(2) * variance / d.powi(2)).ceil();
    let got = j.count("seeds needed")? as f64;
    if got == (variance / d.powi(2)).ceil() && got != n {
        return Err(j.wrong(
            "that many seeds bring the difference to one standard error, not two",
            "solve |difference| = 2 √((s₁² + s₂²) / n) for n",
        ));
    }
    if got == (BEYOND_CHANCE.powi(2) * baseline.std.powi(2) / d.powi(2)).ceil() && got != n {
        return Err(j.wrong(
            "that uses the spread of the baseline only; the other recipe's mean is uncertain too",
            "the difference of two means of n runs has a standard error √((s₁² + s₂²) / n)",
        ));
    }
    j.close(
        "the number of seeds",
        got,
        n,
        0.0,
        "solve |difference| = 2 √((s₁² + s₂²) / n) for n, and round up",
    )?;
    let enough = if n <= 20.0 { "yes" } else { "no" };
    if j.says("settled by 20 seeds", &["yes", "no"])? != enough {
        return Err(j.wrong(
            "that does not follow from the number of seeds",
            "compare the seeds needed with 20",
        ));
    }
    Ok(format!(
        "a difference of {d:+.2} points with spreads {:.2} and {:.2} needs {n} seeds per recipe to reach two standard errors{}",
        baseline.std,
        other.std,
        if enough == "yes" {
            ""
        } else {
            ": more than is worth spending on so small a difference"
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

    const WIDER: [f64; 5] = [96.9, 97.1, 96.8, 97.2, 97.0];
    const DEEPER: [f64; 5] = [96.7, 96.5, 96.1, 96.4, 96.2];

    #[test]
    fn wider_or_deeper_needs_the_standard_error_of_a_difference() {
        // Means 97.00 and 96.38; standard deviations 0.158 and 0.239; standard errors
        // 0.0707 and 0.107; of the difference 0.128.
        let lists = Answer::new()
            .numbers("wider", &WIDER)
            .numbers("deeper", &DEEPER);
        let right = lists
            .clone()
            .number("difference", 0.62)
            .number("standard error", 0.128)
            .says("better", "wider");
        assert!(judge("01b.1", &right).unwrap().contains("wider is better"));
        refused(
            "01b.1",
            &right.clone().number("standard error", 0.2864),
            "standard deviations of single runs",
        );
        refused(
            "01b.1",
            &right.clone().number("standard error", 0.1068),
            "standard error of one mean",
        );
        refused(
            "01b.1",
            &right.clone().says("better", "not shown"),
            "does not follow",
        );
        refused(
            "01b.1",
            &right.clone().number("difference", -0.62),
            "wider minus deeper",
        );
        refused(
            "01b.1",
            &right.numbers("wider", &[97.0]),
            "one run has no spread",
        );
        let close = Answer::new()
            .numbers("wider", &[96.5, 96.1, 96.6, 96.2, 96.4])
            .numbers("deeper", &DEEPER)
            .number("difference", -0.02)
            .number("standard error", 0.1414)
            .says("better", "not shown");
        assert!(judge("01b.1", &close).unwrap().contains("no difference"));
    }

    fn recipes() -> Answer {
        Answer::new()
            .count("images", 50_000)
            .numbers("baseline", &[96.46, 96.86, 95.85, 96.20, 96.65])
            .numbers("10 epochs, batch 32", &[96.9, 97.0, 96.8, 97.1, 96.7])
            .numbers("5 epochs, batch 64", &[96.1, 96.3, 95.9, 96.4, 96.0])
            .count("updates, 10 epochs, batch 32", 15_630)
            .count("updates, 5 epochs, batch 64", 3_910)
    }

    #[test]
    fn epochs_and_batch_size_are_judged_against_the_baseline() {
        let right = recipes()
            .says("10 epochs, batch 32 against baseline", "better")
            .says("5 epochs, batch 64 against baseline", "not shown");
        assert!(judge("01b.2", &right).unwrap().contains("15630 updates"));
        refused(
            "01b.2",
            &right
                .clone()
                .says("5 epochs, batch 64 against baseline", "worse"),
            "does not follow",
        );
        refused(
            "01b.2",
            &right
                .clone()
                .says("10 epochs, batch 32 against baseline", "not shown"),
            "does not follow",
        );
        refused(
            "01b.2",
            &right.clone().count("updates, 10 epochs, batch 32", 15_620),
            "last, smaller batch",
        );
        refused(
            "01b.2",
            &right.clone().count("updates, 5 epochs, batch 64", 7_820),
            "does not make",
        );
        refused(
            "01b.2",
            &right.numbers("baseline", &[96.46]),
            "one run has no spread",
        );
    }

    #[test]
    fn mcnemar_is_read_for_two_networks() {
        let right = Answer::new()
            .count("only a", 300)
            .count("only b", 257)
            .number("p-value", 0.0750)
            .says("significant", "no")
            .says("compares", "the two networks");
        let why = judge("01b.3", &right).unwrap_or_else(|e| panic!("{e}"));
        assert!(why.contains("no evidence of a difference"), "{why}");
        refused(
            "01b.3",
            &right.clone().says("significant", "yes"),
            "does not follow from the p-value",
        );
        refused(
            "01b.3",
            &right.clone().says("compares", "the recipe"),
            "same recipe",
        );
        refused(
            "01b.3",
            &right.clone().number("p-value", 0.5),
            "does not go with these counts",
        );
        let apart = Answer::new()
            .count("only a", 204)
            .count("only b", 123)
            .number("p-value", 8.8e-6)
            .says("significant", "yes")
            .says("compares", "the two networks");
        assert!(judge("01b.3", &apart).unwrap().contains("a difference"));
    }

    #[test]
    fn seeds_needed_solve_for_two_standard_errors() {
        // Means 96.40 and 96.89 (difference 0.484); variances 0.152 and 0.0544: n = 4 · 0.2065
        // / 0.2343 = 3.53, so 4.
        let lists = Answer::new()
            .numbers("baseline", &[96.46, 96.86, 95.85, 96.20, 96.65])
            .numbers("other", &[97.15, 96.69, 97.12, 96.75, 96.73]);
        let right = lists
            .clone()
            .count("seeds needed", 4)
            .says("settled by 20 seeds", "yes");
        assert!(judge("01b.4", &right).unwrap().contains("needs 4 seeds"));
        refused(
            "01b.4",
            &right.clone().count("seeds needed", 1),
            "one standard error",
        );
        refused(
            "01b.4",
            &right.clone().count("seeds needed", 10),
            "round up",
        );
        refused(
            "01b.4",
            &right.clone().says("settled by 20 seeds", "no"),
            "does not follow",
        );
        let tiny = Answer::new()
            .numbers("baseline", &[96.46, 96.86, 95.85, 96.20, 96.65])
            .numbers("other", &[96.29, 96.37, 96.64, 96.44, 96.50]);
        // Difference +0.044, variances 0.152 and 0.0207: n = 4 · 0.1727 / 0.001936 = 356.8.
        assert!(
            judge(
                "01b.4",
                &tiny
                    .clone()
                    .count("seeds needed", 357)
                    .says("settled by 20 seeds", "no")
            )
            .unwrap()
            .contains("more than is worth")
        );
        refused(
            "01b.4",
            &tiny
                .count("seeds needed", 90)
                .says("settled by 20 seeds", "no"),
            "one standard error",
        );
    }
}
