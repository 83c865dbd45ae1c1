//! The checkers of notebook 01's exercises (your first network).

use super::answer::{Exercise, Judge};
use crate::error::Result;

/// Notebook 01's exercises.
pub(crate) const EXERCISES: &[Exercise] = &[
    Exercise {
        id: "01.1",
        asks: "how many numbers does a network learn?",
        judge: parameters,
    },
    Exercise {
        id: "01.2",
        asks: "why scale the pixels?",
        judge: scaling,
    },
];

/// The tutorial's network: 784 inputs, two hidden layers of 64, ten outputs.
const TUTORIAL: [f64; 4] = [784.0, 64.0, 64.0, 10.0];

/// The weights and biases of a stack of dense layers of these sizes (inputs first).
fn dense_parameters(sizes: &[f64]) -> f64 {
    sizes.windows(2).map(|w| w[0] * w[1] + w[1]).sum()
}

/// 01.1: the layer sizes of a network with one hidden layer, its parameter count, and which
/// network learns more numbers, it or the tutorial's.
fn parameters(j: &Judge<'_>) -> Result<String> {
    let sizes = j.numbers("layer sizes")?;
    if sizes.len() < 3 || sizes[0] != 784.0 || sizes[sizes.len() - 1] != 10.0 {
        return Err(j.wrong(
            "`layer sizes` should start with the 784 inputs and end with the 10 outputs",
            "list every column of the network, inputs first: `&[784.0, 128.0, 10.0]`",
        ));
    }
    let want = dense_parameters(sizes);
    let weights_only: f64 = sizes.windows(2).map(|w| w[0] * w[1]).sum();
    let got = j.count("parameters")? as f64;
    if got == weights_only {
        return Err(j.wrong(
            "that counts the weights and leaves out the biases",
            "each unit of a layer also learns one bias, added after the weighted sum",
        ));
    }
    j.close(
        "the parameter count",
        got,
        want,
        0.0,
        "a dense layer from n inputs to m units learns n × m weights and m biases; add the layers up",
    )?;
    let tutorial = dense_parameters(&TUTORIAL);
    let more = match want.total_cmp(&tutorial) {
        std::cmp::Ordering::Greater => "this network",
        std::cmp::Ordering::Less => "the tutorial's",
        std::cmp::Ordering::Equal => "neither",
    };
    let said = j.says(
        "more parameters",
        &["this network", "the tutorial's", "neither"],
    )?;
    if said != more {
        return Err(j.wrong(
            "that is not the network with more parameters",
            "compare your count with the tutorial network's, which `model.summary()` shows",
        ));
    }
    Ok(format!(
        "{want} parameters against the tutorial's {tutorial}: most of them connect the 784 pixels to the first hidden layer"
    ))
}

/// `a` against `b`: "better" when every run of `a` beats every run of `b`, "worse" the other
/// way round, "not shown" when their ranges overlap (another seed could reorder them).
fn beyond_seeds(a: &[f64], b: &[f64]) -> &'static str {
    let low = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let high = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if low(a) > high(b) {
        "better"
    } else if high(a) < low(b) {
        "worse"
    } else {
        "not shown"
    }
}

/// 01.2: the same network trained with the same seeds on raw pixels (0–255), on pixels
/// scaled to 0–1 and on pixels centred on zero (−0.5–0.5); what each step of the scaling does.
fn scaling(j: &Judge<'_>) -> Result<String> {
    let raw = j.numbers("raw")?;
    let unit = j.numbers("zero to one")?;
    let centred = j.numbers("centred")?;
    if raw.len() != unit.len() || unit.len() != centred.len() || raw.len() < 2 {
        return Err(j.wrong(
            "the three lists should hold one test accuracy per seed, the same seeds for each",
            "train each way of scaling with seeds 42, 43 and 44",
        ));
    }
    let shares = |v: &[f64]| v.iter().all(|a| *a <= 1.0);
    let outside = raw
        .iter()
        .chain(unit)
        .chain(centred)
        .any(|a| !(0.0..=100.0).contains(a));
    if outside || shares(raw) || shares(unit) || shares(centred) {
        return Err(j.wrong(
            "an accuracy is outside 0 to 100, or given as a share",
            "give accuracies in percent, as `100.0 * evaluation.accuracy`",
        ));
    }
    let shrink = beyond_seeds(unit, raw);
    let centre = beyond_seeds(centred, unit);
    let choices = ["better", "worse", "not shown"];
    let said_shrink = j.says("zero to one against raw", &choices)?;
    let said_centre = j.says("centred against zero to one", &choices)?;
    for (said, want, which) in [
        (&said_shrink, shrink, "zero to one against raw"),
        (&said_centre, centre, "centred against zero to one"),
    ] {
        if said != want {
            return Err(j.wrong(
                format!("`{which}` does not follow from the accuracies"),
                "call one better only when its worst seed beats the other's best seed; when the ranges overlap, another seed could put them the other way round",
            ));
        }
    }
    Ok(format!(
        "pixels in 0–1 against raw pixels: {shrink}; centred against 0–1: {centre} (judged by whether the seeds' ranges overlap)"
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
    fn the_parameters_are_weights_and_biases() {
        let right = Answer::new()
            .numbers("layer sizes", &[784.0, 128.0, 10.0])
            .count("parameters", 101_770)
            .says("more parameters", "this network");
        assert!(judge("01.1", &right).unwrap().contains("101770"));
        refused(
            "01.1",
            &right.clone().count("parameters", 101_632),
            "leaves out the biases",
        );
        refused(
            "01.1",
            &right.clone().count("parameters", 100_000),
            "not what the data gives",
        );
        refused(
            "01.1",
            &right.clone().says("more parameters", "the tutorial's"),
            "not the network with more",
        );
        refused(
            "01.1",
            &right.clone().numbers("layer sizes", &[128.0, 10.0]),
            "784 inputs",
        );
        let small = Answer::new()
            .numbers("layer sizes", &[784.0, 32.0, 10.0])
            .count("parameters", 25_450)
            .says("more parameters", "the tutorial's");
        assert!(judge("01.1", &small).is_ok());
    }

    fn scalings() -> Answer {
        Answer::new()
            .numbers("raw", &[91.2, 93.0, 90.5])
            .numbers("zero to one", &[96.3, 96.1, 96.6])
            .numbers("centred", &[96.2, 96.5, 96.0])
    }

    #[test]
    fn scaling_is_judged_by_the_seeds_ranges() {
        let right = scalings()
            .says("zero to one against raw", "better")
            .says("centred against zero to one", "not shown");
        assert!(judge("01.2", &right).unwrap().contains("not shown"));
        refused(
            "01.2",
            &right.clone().says("centred against zero to one", "worse"),
            "does not follow",
        );
        refused(
            "01.2",
            &right.clone().says("zero to one against raw", "not shown"),
            "does not follow",
        );
        refused(
            "01.2",
            &right.clone().numbers("raw", &[0.91, 0.93, 0.90]),
            "outside 0 to 100",
        );
        refused(
            "01.2",
            &right.numbers("raw", &[91.0]),
            "one test accuracy per seed",
        );
        let apart = Answer::new()
            .numbers("raw", &[97.0, 97.2, 97.1])
            .numbers("zero to one", &[96.3, 96.1, 96.6])
            .numbers("centred", &[96.7, 96.8, 96.9])
            .says("zero to one against raw", "worse")
            .says("centred against zero to one", "better");
        assert!(judge("01.2", &apart).is_ok());
    }
}
