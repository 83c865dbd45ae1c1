//! The tests of notebook 04's checkers (beside them in ex04.rs).
use super::super::answer::{Answer, testing};

fn judge(id: &str, answer: &Answer) -> Result<String, String> {
    testing::judge(super::EXERCISES, id, answer)
}

fn refused(id: &str, answer: &Answer, says: &str) {
    testing::refused(super::EXERCISES, id, answer, says)
}

fn layers() -> Answer {
    Answer::new()
        .numbers("fan in", &[784.0, 300.0, 100.0])
        .numbers("fan out", &[300.0, 100.0, 10.0])
        .numbers("largest", &[0.07438, 0.12247, 0.2331])
}

#[test]
fn glorot_limits_are_recomputed_layer_by_layer() {
    let right = layers()
        .says("within limits", "yes")
        .says("furthest below", "dense_2");
    assert!(judge("04.1", &right).unwrap().contains("dense_2"));
    refused(
        "04.1",
        &right.clone().says("within limits", "no"),
        "does not follow",
    );
    refused(
        "04.1",
        &right.clone().says("furthest below", "dense"),
        "smallest share",
    );
    refused(
        "04.1",
        &right
            .clone()
            .numbers("largest", &[0.08, 0.12, 0.23])
            .says("within limits", "yes"),
        "does not follow",
    );
    refused(
        "04.1",
        &right.numbers("fan in", &[784.0, 300.0]),
        "three values",
    );
}

/// Shirt's column: 120 images called Shirt, 80 of them shirts, 25 T-shirts.
fn precisions() -> Answer {
    let precision = [
        0.85,
        0.98,
        0.80,
        0.88,
        0.79,
        0.97,
        0.80 - 0.1333,
        0.94,
        0.96,
        0.95,
    ];
    let column = [25.0, 0.0, 8.0, 3.0, 4.0, 0.0, 80.0, 0.0, 0.0, 0.0];
    Answer::new()
        .numbers("precision", &precision)
        .numbers("called it", &column)
}

#[test]
fn lowest_precision_reads_the_column() {
    let right = precisions()
        .says("lowest precision", "Shirt")
        .says("mostly from", "T-shirt/top");
    assert!(judge("04.2", &right).unwrap().contains("t-shirt/top"));
    refused(
        "04.2",
        &right.clone().says("lowest precision", "coat"),
        "not the class",
    );
    refused(
        "04.2",
        &right.clone().says("mostly from", "shirt"),
        "not where most",
    );
    // A row (the shirts and what they were called) where the column belongs.
    refused(
        "04.2",
        &right.clone().numbers(
            "called it",
            &[14.0, 0.0, 10.0, 2.0, 5.0, 0.0, 67.0, 0.0, 2.0, 0.0],
        ),
        "not the column",
    );
    refused(
        "04.2",
        &right.numbers("precision", &[80.0; 10]),
        "outside 0 to 1",
    );
}

fn optimizers() -> Answer {
    Answer::new()
        .numbers("sgd after 8", &[96.4, 96.2, 96.5, 96.3, 96.4])
        .numbers("adam after 3", &[97.3, 97.1, 97.2, 97.4, 97.0])
}

#[test]
fn sgd_given_time_is_judged_seed_by_seed() {
    let right = optimizers()
        .number("difference", 0.84)
        .number("standard error", 0.0872)
        .says("verdict", "adam still ahead");
    assert!(judge("04.3", &right).unwrap().contains("not caught up"));
    refused(
        "04.3",
        &right.clone().number("difference", -0.84),
        "wrong sign",
    );
    refused(
        "04.3",
        &right.clone().number("standard error", 0.1949),
        "standard deviation",
    );
    refused(
        "04.3",
        &right.clone().says("verdict", "no difference shown"),
        "does not follow",
    );
    let close = Answer::new()
        .numbers("sgd after 8", &[97.2, 97.0, 97.4])
        .numbers("adam after 3", &[97.3, 97.1, 97.1])
        .number("difference", -0.0333)
        .number("standard error", 0.1333);
    assert!(
        judge(
            "04.3",
            &close.clone().says("verdict", "no difference shown")
        )
        .unwrap()
        .contains("no difference")
    );
    refused(
        "04.3",
        &close.says("verdict", "sgd ahead"),
        "does not follow",
    );
}

fn labels() -> Answer {
    Answer::new()
        .numbers("accuracy", &[99.82, 94.76, 97.50])
        .count("images", 5000)
}

#[test]
fn a_third_label_is_compared_on_paired_decisions() {
    let right = labels()
        .says("hardest", "summer wear")
        .count("only summer right", 60)
        .count("only top right", 197)
        .says("beyond chance", "yes");
    assert!(
        judge("04.4", &right)
            .unwrap()
            .contains("more than the luck")
    );
    refused(
        "04.4",
        &right.clone().says("hardest", "top"),
        "lowest accuracy",
    );
    refused(
        "04.4",
        &right.clone().says("beyond chance", "no"),
        "does not follow",
    );
    // Counts that do not pair up with the accuracies.
    refused(
        "04.4",
        &right.clone().count("only top right", 100),
        "from the counts",
    );
    refused(
        "04.4",
        &right.numbers("accuracy", &[0.9982, 0.9476, 0.975]),
        "percent",
    );
    let even = Answer::new()
        .numbers("accuracy", &[99.8, 97.0, 97.1])
        .count("images", 5000)
        .says("hardest", "summer wear")
        .count("only summer right", 20)
        .count("only top right", 25);
    assert!(judge("04.4", &even.clone().says("beyond chance", "no")).is_ok());
    refused(
        "04.4",
        &even.says("beyond chance", "yes"),
        "does not follow",
    );
}
