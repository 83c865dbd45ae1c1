//! Predictions: the mistakes and hesitations they pick, and the grid that shows them.

use mlpkit::prelude::*;

use crate::util::figures::*;

/// Four examples of three classes: 0 right and sure, 1 wrong and sure, 2 right but
/// hesitant, 3 wrong and hesitant.
fn four_predictions() -> Predictions {
    let p = Tensor::new(
        &[
            [0.9f32, 0.05, 0.05],
            [0.1, 0.8, 0.1],
            [0.4, 0.35, 0.25],
            [0.3, 0.32, 0.38],
        ],
        &Device::Cpu,
    )
    .unwrap();
    Predictions::new(&p, &[0, 2, 0, 1]).unwrap()
}

#[test]
fn predictions_pick_mistakes_and_hesitations() {
    let p = four_predictions();
    assert_eq!(p.predicted(), vec![0, 1, 0, 2]);
    assert_eq!(p.accuracy(), 0.5);
    assert_eq!(p.confidences(), vec![0.9, 0.8, 0.4, 0.38]);
    assert_eq!(p.misclassified(), vec![1, 3], "the confident mistake first");
    assert_eq!(p.hesitant(2), vec![3, 2], "lowest top probability first");
    assert_eq!(p.truth(1).unwrap(), 2);
    assert_eq!(p.probabilities(2).unwrap(), &[0.4, 0.35, 0.25]);
    assert!(p.probabilities(4).is_err() && p.truth(4).is_err());
    let bars = ProbabilityBars::of(&p, 1, &["a", "b", "c"]).unwrap();
    assert_eq!((bars.predicted(), bars.truth), (1, Some(2)));
    // Bad input is refused with a reason.
    let three = Tensor::new(&[[0.5f32, 0.5], [1.0, 0.0], [0.0, 1.0]], &Device::Cpu).unwrap();
    let e = Predictions::new(&three, &[0, 1]).unwrap_err().to_string();
    assert!(e.contains("3 rows") && e.contains("2 labels"), "{e}");
    let e = Predictions::new(&three, &[0, 1, 2])
        .unwrap_err()
        .to_string();
    assert!(e.contains("a label is 2"), "{e}");
    let nan = Tensor::new(&[[f32::NAN, 0.5]], &Device::Cpu).unwrap();
    assert!(Predictions::new(&nan, &[0]).is_err());
}

#[test]
fn prediction_grid_shows_each_example_with_its_bars() {
    let p = four_predictions();
    let images = noise_images(4);
    let names = ["zero", "one", "two"];
    let grid = PredictionGrid::new(&images, &p, &[1, 3, 0], &names).unwrap();
    let fig = grid.clone().figure();
    assert!(
        fig.width >= 900 && fig.height >= 2 * 200,
        "two per row: {fig:?}"
    );
    let img = decode(&fig.png().unwrap());
    use mlpkit::plot::bars_colors::{PREDICTED_RIGHT, PREDICTED_WRONG, TRUE_CLASS};
    for c in [PREDICTED_RIGHT, PREDICTED_WRONG, TRUE_CLASS] {
        assert!(count_in(&img, c) > 100, "{c:?} is drawn");
    }
    let texts = svg_texts(&grid.figure().svg().unwrap());
    // Captions as a person would say them, and the classes named under the bars.
    for text in [
        "true two → one, 80 %",
        "true one → two, 38 %",
        "zero, 90 %",
        "zero",
        "true class",
    ] {
        assert!(texts.iter().any(|t| t == text), "{text}: {texts:?}");
    }
    // Three examples, two per row: the last row's one is centred, its image starting a
    // quarter of the way across (half a cell in).
    let full = decode(&fig.png().unwrap());
    let r = fig.resolution;
    let (w, h) = (fig.width * r, fig.height * r);
    let dark_in = |x0: u32, x1: u32| {
        (x0..x1).any(|x| (h / 2 + 20 * r..h).any(|y| full.get_pixel(x, y).0[0] < 100))
    };
    assert!(
        !dark_in(0, w / 4 - 2 * r),
        "nothing at the left of the last row"
    );
    assert!(dark_in(w / 4, w / 2), "the last example is centred");
    assert!(PredictionGrid::new(&images, &p, &[], &names).is_err());
    assert!(PredictionGrid::new(&noise_images(3), &p, &[0], &names).is_err());
    assert!(PredictionGrid::new(&images, &p, &[7], &names).is_err());
}

#[test]
fn reliability_counts_the_confident_answers_and_how_many_are_right() {
    let p = four_predictions();
    let sure = p.reliability(0.75);
    assert_eq!((sure.answered, sure.right, sure.total), (2, 1, 4));
    assert_eq!(sure.accuracy(), Some(0.5));
    assert_eq!(sure.share_answered(), 0.5);
    assert_eq!(
        sure.to_string(),
        "at ≥ 75 %: 2 of 4 answered (50.0 %), 50.0 % of them right"
    );
    let all = p.reliability(0.0);
    assert_eq!((all.answered, all.right), (4, 2));
    let none = p.reliability(0.95);
    assert_eq!((none.answered, none.accuracy()), (0, None));
    assert!(none.to_string().ends_with("none to judge"));
}

#[test]
fn the_standard_error_of_a_mean_shrinks_with_the_square_root_of_the_runs() {
    use mlpkit::metrics::Spread;
    let four = Spread::of(&[1.0, 2.0, 3.0, 4.0]).unwrap();
    assert!((four.standard_error() - four.std / 2.0).abs() < 1e-12);
    assert_eq!(Spread::of(&[5.0]).unwrap().standard_error(), 0.0);
}
