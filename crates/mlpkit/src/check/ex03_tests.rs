//! The tests of notebook 03's checkers (beside them in ex03.rs).
use super::super::answer::{Answer, testing};

fn judge(id: &str, answer: &Answer) -> Result<String, String> {
    testing::judge(super::EXERCISES, id, answer)
}

fn refused(id: &str, answer: &Answer, says: &str) {
    testing::refused(super::EXERCISES, id, answer, says)
}

fn curves() -> Answer {
    Answer::new()
        .numbers("val_loss", &[0.16, 0.12, 0.088, 0.094, 0.087, 0.10, 0.13])
        .numbers(
            "val_accuracy",
            &[0.949, 0.963, 0.974, 0.972, 0.9797, 0.978, 0.9802],
        )
        .count("validation images", 10_000)
}

#[test]
fn the_two_monitors_keep_different_epochs() {
    let right = curves()
        .count("epoch by loss", 5)
        .count("epoch by accuracy", 7)
        .says("monitors agree", "no")
        .number("gain", 0.05)
        .says("beyond chance", "no evidence of a difference");
    assert!(judge("03.1", &right).unwrap().contains("epoch 7"));
    refused(
        "03.1",
        &right.clone().count("epoch by loss", 4),
        "one too small",
    );
    refused(
        "03.1",
        &right.clone().count("epoch by accuracy", 5),
        "highest",
    );
    refused(
        "03.1",
        &right.clone().says("monitors agree", "yes"),
        "agree",
    );
    refused("03.1", &right.clone().number("gain", 0.0005), "the gain");
    refused(
        "03.1",
        &right.says("beyond chance", "yes"),
        "does not follow",
    );
}

fn matrix() -> Vec<f64> {
    let mut m = vec![1.0; 100];
    for d in 0..10 {
        m[d * 11] = 1000.0;
    }
    m[3 * 10 + 5] = 11.0;
    m
}

#[test]
fn errors_sit_at_the_bottom_of_a_counts_scale() {
    let right = Answer::new()
        .numbers("counts", &matrix())
        .number("largest error up the bar", 0.011)
        .says("errors in the bottom tenth", "yes");
    assert!(
        judge("03.2", &right)
            .unwrap()
            .contains("1.1% of the way up")
    );
    refused(
        "03.2",
        &right.clone().number("largest error up the bar", 1.0),
        "leave out the diagonal",
    );
    refused(
        "03.2",
        &right.clone().says("errors in the bottom tenth", "no"),
        "does not follow",
    );
    refused("03.2", &right.numbers("counts", &[1.0; 10]), "whole matrix");
}

#[test]
fn patience_is_compared_seed_by_seed() {
    let lists = Answer::new()
        .numbers("patience 2", &[95.1, 95.4, 95.0, 95.3, 95.2])
        .numbers("patience 5", &[95.1, 95.6, 95.0, 95.3, 95.5]);
    // Gains 0, 0.2, 0, 0, 0.3: mean 0.1, sd 0.1414, se 0.0632.
    let right = lists
        .clone()
        .number("gain", 0.1)
        .number("standard error", 0.0632)
        .says("patience 5 against 2", "no evidence of a difference");
    assert!(judge("03.3", &right).unwrap().contains("no evidence"));
    refused(
        "03.3",
        &right.clone().number("standard error", 0.1414),
        "standard deviation",
    );
    refused(
        "03.3",
        &right
            .clone()
            .says("patience 5 against 2", "patience 5 ahead"),
        "does not follow",
    );
    refused("03.3", &right.clone().number("gain", -0.1), "seed by seed");
    refused(
        "03.3",
        &right.numbers("patience 2", &[0.951, 0.954, 0.95, 0.953, 0.952]),
        "shares",
    );
}

fn sure() -> Answer {
    // 100 images: 80 at 0.999 (79 right), 20 at 0.6 (12 right).
    let mut confidences = vec![0.999; 80];
    confidences.extend([0.6; 20]);
    let mut right = vec![1.0; 79];
    right.push(0.0);
    right.extend([1.0; 12]);
    right.extend([0.0; 8]);
    Answer::new()
        .numbers("confidences", &confidences)
        .numbers("right", &right)
        .numbers("thresholds", &[0.5, 0.99])
}

#[test]
fn confidence_is_judged_from_every_image() {
    let right = sure()
        .numbers("share answered", &[1.0, 0.8])
        .numbers("accuracy answered", &[0.91, 79.0 / 80.0])
        .says("confidence worth something", "yes");
    assert!(judge("03.4", &right).unwrap().contains("beyond chance"));
    refused(
        "03.4",
        &right.clone().numbers("accuracy answered", &[0.91, 0.79]),
        "divides by all the images",
    );
    refused(
        "03.4",
        &right.clone().numbers("share answered", &[100.0, 80.0]),
        "above 1",
    );
    refused(
        "03.4",
        &right.clone().says("confidence worth something", "no"),
        "does not follow",
    );
    refused(
        "03.4",
        &right.numbers("right", &[2.0; 100]),
        "1 for a right",
    );
}
