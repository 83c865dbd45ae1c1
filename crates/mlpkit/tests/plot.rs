//! Figures, checked the way a person would look at them: size, not blank, the right
//! pixels in the right places, the labels present.

use mlpkit::plot::{luminance, Colormap};
use mlpkit::prelude::*;
use mlpkit::train::{EpochLog, History};
use plotters::style::RGBColor;

fn decode(png: &[u8]) -> image::RgbImage {
    image::load_from_memory(png).unwrap().to_rgb8()
}

fn distinct_colours(img: &image::RgbImage) -> usize {
    let mut seen = std::collections::HashSet::new();
    for p in img.pixels() {
        seen.insert(p.0);
    }
    seen.len()
}

/// The text elements of an SVG document, trimmed.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let start = t.find('>')? + 1;
            let end = t.find("</text>")?;
            Some(t[start..end].trim().to_string())
        })
        .collect()
}

/// `n` 28x28 images with pseudo-random pixel values.
fn noise_images(n: usize) -> Tensor {
    let mut data: Vec<u8> = (0..n * 784)
        .map(|i| ((i * 7919 + 13) % 251) as u8)
        .collect();
    data[1] = 255; // the full range 0..=255 occurs
    Tensor::from_vec(data, (n, 28, 28), &Device::Cpu).unwrap()
}

fn history(epochs: usize) -> History {
    History {
        epochs: (1..=epochs)
            .map(|e| EpochLog {
                epoch: e,
                loss: 1.0 / e as f64,
                accuracy: 1.0 - 0.5 / e as f64,
                val_loss: Some(1.2 / e as f64 + 0.05 * e as f64),
                val_accuracy: Some(0.9 - 0.4 / e as f64),
                seconds: 1.0,
                learning_rate: 0.001,
                fused: true,
            })
            .collect(),
        stopped_early: None,
    }
}

#[test]
fn image_grid_tiles_reproduce_their_images() {
    let images = noise_images(10);
    let source = images
        .to_dtype(DType::U32)
        .unwrap()
        .to_vec3::<u32>()
        .unwrap();
    for inverted in [false, true] {
        let grid = ImageGrid::new(&images)
            .unwrap()
            .shape(2, 5)
            .titles(0..10)
            .title("Digits")
            .inverted(inverted);
        let layout = grid.clone();
        let fig = grid.figure();
        let (w, h) = (fig.width, fig.height);
        assert!(
            (600..=700).contains(&w) && (300..=380).contains(&h),
            "a 2x5 grid of 112-pixel tiles is about 640x330, got {w}x{h}"
        );
        let img = decode(&fig.png().unwrap());
        assert_eq!(img.dimensions(), (w, h));
        for (i, tile) in source.iter().enumerate() {
            let (x0, y0) = layout.tile_origin(i / 5, i % 5);
            for (r, row) in tile.iter().enumerate() {
                for (c, &p) in row.iter().enumerate() {
                    let (x, y) = (x0 + c as u32 * 4 + 2, y0 + r as u32 * 4 + 2);
                    let got = img.get_pixel(x, y).0;
                    let want = if inverted { 255 - p as u8 } else { p as u8 };
                    assert_eq!(got, [want; 3], "tile {i} pixel ({r},{c})");
                }
            }
        }
        // The titles drew ink above the tiles (an embedded font, no system font needed).
        let (x0, y0) = layout.tile_origin(0, 0);
        let title_band = (x0..x0 + 112).flat_map(|x| (y0 - 20..y0 - 2).map(move |y| (x, y)));
        assert!(
            title_band
                .into_iter()
                .any(|(x, y)| img.get_pixel(x, y).0[0] < 128),
            "tile title missing"
        );
        let top_band = (0..w).flat_map(|x| (0..30).map(move |y| (x, y)));
        assert!(
            top_band
                .into_iter()
                .any(|(x, y)| img.get_pixel(x, y).0[0] < 128),
            "overall title missing"
        );
    }
}

#[test]
fn image_grid_accepts_scaled_and_flat_images() {
    let raw = noise_images(3);
    let scaled = scale(&raw, PixelRange::MinusOneToOne)
        .unwrap()
        .flatten_from(1)
        .unwrap();
    let a = decode(&ImageGrid::new(&raw).unwrap().figure().png().unwrap());
    let b = decode(&ImageGrid::new(&scaled).unwrap().figure().png().unwrap());
    assert_eq!(a.dimensions(), b.dimensions());
    // The same picture, within rounding, whatever the scaling.
    let diff = a
        .pixels()
        .zip(b.pixels())
        .map(|(p, q)| (p.0[0] as i32 - q.0[0] as i32).abs())
        .max()
        .unwrap();
    assert!(diff <= 2, "{diff}");
    assert!(ImageGrid::new(&Tensor::zeros((2, 5), DType::U8, &Device::Cpu).unwrap()).is_err());
}

#[test]
fn weight_tiles_show_sign_as_colour() {
    // Unit 0: all positive weights (red); unit 1: all negative (blue); unit 2: a gradient.
    let mut k = vec![0f32; 784 * 3];
    for i in 0..784 {
        k[i * 3] = 0.5;
        k[i * 3 + 1] = -0.5;
        k[i * 3 + 2] = i as f32 / 784.0 - 0.5;
    }
    let kernel = Tensor::from_vec(k, (784, 3), &Device::Cpu).unwrap();
    let grid = ImageGrid::weights(&kernel, 10).unwrap();
    let layout = grid.clone();
    let img = decode(&grid.figure().png().unwrap());
    let at = |unit: usize| {
        let (x, y) = layout.tile_origin(0, unit);
        img.get_pixel(x + 50, y + 50).0
    };
    assert_eq!(at(0), [178, 24, 43], "strongest positive weight: red");
    assert_eq!(at(1), [33, 102, 172], "strongest negative weight: blue");
    assert!(distinct_colours(&img) > 50);
    assert!(ImageGrid::weights(
        &Tensor::zeros((10, 3), DType::F32, &Device::Cpu).unwrap(),
        3
    )
    .is_err());
}

#[test]
fn learning_curves_have_labels_and_legend() {
    let fig = LearningCurves::new(&history(6)).unwrap().figure();
    let texts = svg_texts(&fig.svg().unwrap());
    for text in ["epoch", "loss", "accuracy", "training", "validation"] {
        assert!(
            texts.iter().any(|t| t == text),
            "the SVG lacks the text `{text}`: {texts:?}"
        );
    }
    assert!(
        texts.iter().any(|t| t == "6") && !texts.iter().any(|t| t == "5.5"),
        "whole epochs on the x axis: {texts:?}"
    );
    let img = decode(&fig.png().unwrap());
    assert_eq!(img.dimensions(), (960, 360));
    // Both series are drawn in their colours.
    let has = |c: RGBColor| img.pixels().any(|p| p.0 == [c.0, c.1, c.2]);
    assert!(has(mlpkit::plot::TRAIN_COLOR) && has(mlpkit::plot::VALIDATION_COLOR));
    // One panel alone, with fixed limits.
    let one = LearningCurves::new(&history(3))
        .unwrap()
        .only(Metric::Accuracy)
        .ylim(Metric::Accuracy, 0.0, 1.0)
        .figure();
    assert_eq!(one.width, 480);
    let texts = svg_texts(&one.svg().unwrap());
    assert!(texts.iter().any(|t| t == "accuracy") && !texts.iter().any(|t| t == "loss"));
    assert!(LearningCurves::new(&History::default()).is_err());
}

#[test]
fn confusion_matrix_counts_and_scores() {
    let truth = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2];
    let pred = [0, 0, 1, 1, 1, 2, 2, 2, 0, 1];
    let cm = ConfusionMatrix::new(&truth, &pred, &["a", "b", "c"]).unwrap();
    assert_eq!(cm.counts(), [[2, 1, 0], [0, 2, 0], [1, 1, 3]]);
    assert_eq!((cm.count(2, 2), cm.count(9, 9)), (3, 0));
    assert_eq!(cm.class_names().len(), 3);
    assert_eq!(cm.accuracy(), 0.7);
    assert!((cm.precision(0).unwrap() - 2.0 / 3.0).abs() < 1e-12);
    assert!((cm.recall(2).unwrap() - 0.6).abs() < 1e-12);
    assert!((cm.precision(1).unwrap() - 0.5).abs() < 1e-12);
    assert!((cm.f1(1).unwrap() - 2.0 * 0.5 * 1.0 / 1.5).abs() < 1e-12);
    assert_eq!(cm.support(2).unwrap(), 5);
    assert!(cm.precision(3).is_err() && cm.recall(10).is_err() && cm.support(3).is_err());
    let (t, p, n) = cm.most_confused().unwrap();
    assert!(t != p && n == 1 && cm.count(t, p) == 1);
    let lopsided = ConfusionMatrix::new(&[0, 1, 1, 1], &[0, 0, 0, 1], &["a", "b"]).unwrap();
    assert_eq!(lopsided.most_confused(), Some((1, 0, 2)));
    assert_eq!(cm.row_shares()[2], [0.2, 0.2, 0.6]);
    let report = cm.to_string();
    assert!(
        report.contains("precision") && report.contains("0.700"),
        "{report}"
    );
    assert!(ConfusionMatrix::new(&[0, 5], &[0, 1], &["a", "b"]).is_err());
    assert!(ConfusionMatrix::new(&[0], &[0, 1], &["a", "b"]).is_err());
    assert_eq!(accuracy(&truth, &pred).unwrap(), 0.7);
}

#[test]
fn heatmap_darkest_cell_is_the_largest_count() {
    let names = DatasetKind::FashionMnist.class_names();
    // A diagonal-heavy matrix whose largest count sits at (6, 6).
    let mut truth = Vec::new();
    let mut pred = Vec::new();
    for t in 0..10u32 {
        let n = if t == 6 { 120 } else { 40 + 5 * t };
        for i in 0..n {
            truth.push(t);
            pred.push(if i % 7 == 0 { (t + 1) % 10 } else { t });
        }
    }
    let cm = ConfusionMatrix::new(&truth, &pred, &names).unwrap();
    let heat = mlpkit::plot::Heatmap::new(&cm);
    let layout = heat.clone();
    let fig = heat.figure();
    let img = decode(&fig.png().unwrap());
    assert_eq!(img.dimensions(), (fig.width, fig.height));
    let mut darkest = (f32::MAX, 0, 0);
    for t in 0..10 {
        for p in 0..10 {
            let (x, y) = layout.cell_origin(t, p);
            let px = img.get_pixel(x + 5, y + 5).0;
            let l = luminance(RGBColor(px[0], px[1], px[2]));
            if l < darkest.0 {
                darkest = (l, t, p);
            }
        }
    }
    assert_eq!((darkest.1, darkest.2), (6, 6));
    // Zero cells are the palest colour of the map.
    let (x, y) = layout.cell_origin(0, 5);
    let c = Colormap::Blues.color(0.0);
    assert_eq!(img.get_pixel(x + 5, y + 5).0, [c.0, c.1, c.2]);
    // Class names and axis titles are written.
    let texts = svg_texts(&cm.heatmap().svg().unwrap());
    for text in [
        "Ankle boot",
        "T-shirt/top",
        "predicted label",
        "true label",
        "102",
    ] {
        assert!(texts.iter().any(|t| t == text), "{text}: {texts:?}");
    }
    // Row 0 has 40 examples, 6 of them (i % 7 == 0) predicted as class 1: 34 / 40 = 85%.
    let shares = svg_texts(
        &mlpkit::plot::Heatmap::new(&cm)
            .normalize(true)
            .figure()
            .svg()
            .unwrap(),
    );
    assert!(
        shares.iter().any(|t| t == "85%"),
        "row shares are annotated as percentages: {shares:?}"
    );
}

#[test]
fn probability_bars_mark_prediction_and_truth() {
    let probs = [0.05, 0.6, 0.05, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    let names = DatasetKind::Mnist.class_names();
    let bars = ProbabilityBars::new(&probs, &names).unwrap().truth(3);
    assert_eq!(bars.predicted(), 1);
    let img = decode(&bars.clone().figure().png().unwrap());
    let count = |c: RGBColor| img.pixels().filter(|p| p.0 == [c.0, c.1, c.2]).count();
    let (wrong, truth) = (
        count(mlpkit::plot::bars_colors::PREDICTED_WRONG),
        count(mlpkit::plot::bars_colors::TRUE_CLASS),
    );
    assert!(wrong > 0 && truth > 0, "{wrong} {truth}");
    assert!(
        wrong > truth * 3 / 2,
        "the 0.6 bar is taller than the 0.3 bar: {wrong} vs {truth}"
    );
    let texts = svg_texts(&bars.figure().svg().unwrap());
    assert!(
        texts.iter().any(|t| t == "predicted: 1 (60.0%), true: 3"),
        "caption: {texts:?}"
    );
    let right = ProbabilityBars::new(&probs, &names)
        .unwrap()
        .truth(1)
        .figure()
        .png()
        .unwrap();
    assert!(count_in(&decode(&right), mlpkit::plot::bars_colors::PREDICTED_RIGHT) > 0);
    assert!(ProbabilityBars::new(&probs[..3], &names).is_err());
}

fn count_in(img: &image::RgbImage, c: RGBColor) -> usize {
    img.pixels().filter(|p| p.0 == [c.0, c.1, c.2]).count()
}

#[test]
fn figures_save_as_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let fig = ImageGrid::new(&noise_images(4)).unwrap().figure();
    fig.save(dir.path().join("grid.png")).unwrap();
    fig.save(dir.path().join("sub/grid.svg")).unwrap();
    let png = image::open(dir.path().join("grid.png")).unwrap();
    assert_eq!((png.width(), png.height()), (fig.width, fig.height));
    let svg = std::fs::read_to_string(dir.path().join("sub/grid.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("</svg>"));
    let msg = fig
        .save(dir.path().join("grid.jpg"))
        .unwrap_err()
        .to_string();
    assert!(msg.contains(".png or .svg"), "{msg}");
    // Resized figures render at the new size.
    let small = fig.clone().size(300, 100);
    assert_eq!(decode(&small.png().unwrap()).dimensions(), (300, 100));
}

#[test]
fn bar_chart_draws_one_bar_per_value_with_its_label() {
    let chart = BarChart::new(&["baseline", "lr 0.005", "dropout"], &[0.96, 0.94, 0.5])
        .unwrap()
        .y_label("test accuracy");
    let texts = svg_texts(&chart.clone().figure().svg().unwrap());
    for t in [
        "baseline",
        "lr 0.005",
        "dropout",
        "test accuracy",
        "0.9600",
        "0.5000",
    ] {
        assert!(texts.iter().any(|x| x == t), "{t}: {texts:?}");
    }
    let img = decode(&chart.figure().png().unwrap());
    let bar = mlpkit::plot::BAR_COLOR;
    // Count bar-coloured pixels per column band: three separate bars, the last the shortest.
    let heights: Vec<usize> = (0..img.width())
        .map(|x| {
            (0..img.height())
                .filter(|&y| img.get_pixel(x, y).0 == [bar.0, bar.1, bar.2])
                .count()
        })
        .collect();
    let mut bars = Vec::new();
    let mut current = 0;
    for h in heights.iter().copied().chain([0]) {
        if h > 0 {
            current = current.max(h);
        } else if current > 0 {
            bars.push(current);
            current = 0;
        }
    }
    assert_eq!(bars.len(), 3, "{bars:?}");
    assert!(bars[2] < bars[1] && bars[1] < bars[0], "{bars:?}");
    assert!(BarChart::new(&["a"], &[1.0, 2.0]).is_err());
}

#[test]
fn tables_align_as_text_and_escape_as_html() {
    let t = Table::new(&["", "the tutorial", "this notebook"])
        .row(&["test accuracy", "96.5%", "96.14%"])
        .row(&["a<b", "x"]);
    assert_eq!(t.to_string(), "               the tutorial  this notebook\n-------------  ------------  -------------\ntest accuracy  96.5%         96.14%\na<b            x");
    let html = t.to_html();
    assert!(
        html.contains("<td style=\"text-align:left\">a&lt;b</td>")
            && html.contains("<th style=\"text-align:left\">the tutorial</th>"),
        "{html}"
    );
}

/// 100 examples of each of 10 classes; class 3 loses 30 to class 5, every other class 5 to
/// the next class.
fn errors_matrix() -> ConfusionMatrix {
    let (mut truth, mut pred) = (Vec::new(), Vec::new());
    for t in 0..10u32 {
        for i in 0..100 {
            truth.push(t);
            let wrong = if t == 3 { i < 30 } else { i < 5 };
            pred.push(match (wrong, t) {
                (false, _) => t,
                (true, 3) => 5,
                (true, _) => (t + 1) % 10,
            });
        }
    }
    ConfusionMatrix::new(&truth, &pred, &DatasetKind::Mnist.class_names()).unwrap()
}

#[test]
fn heatmap_errors_view_puts_the_errors_on_their_own_scale() {
    let cm = errors_matrix();
    let heat = mlpkit::plot::Heatmap::new(&cm).view(HeatmapView::Errors);
    let img = decode(&heat.clone().figure().png().unwrap());
    let at = |t: usize, p: usize| {
        let (x, y) = heat.cell_origin(t, p);
        let px = img.get_pixel(x + 4, y + 4).0;
        RGBColor(px[0], px[1], px[2])
    };
    // The diagonal is one neutral grey, whatever the recall.
    assert_eq!(at(0, 0), at(3, 3));
    assert_eq!(at(0, 0), RGBColor(222, 222, 222));
    // The largest error is the darkest cell and the top of the scale; a 5 % error is far
    // from the palest colour (with counts on one scale it would be nearly white).
    let darkest = (0..10)
        .flat_map(|t| (0..10).map(move |p| (t, p)))
        .filter(|(t, p)| t != p)
        .min_by(|a, b| luminance(at(a.0, a.1)).total_cmp(&luminance(at(b.0, b.1))))
        .unwrap();
    assert_eq!(darkest, (3, 5));
    assert_eq!(at(3, 5), Colormap::Oranges.color(1.0));
    let pale = Colormap::Oranges.color(0.0);
    assert_eq!(at(0, 5), pale, "a cell without errors is the palest colour");
    assert!(
        luminance(at(0, 1)) < luminance(pale) - 0.1,
        "a 5 % error stands out"
    );
    let texts = svg_texts(&heat.figure().svg().unwrap());
    for text in ["30%", "70%", "95%", "5.0%", "errors, % of true class"] {
        assert!(texts.iter().any(|t| t == text), "{text}: {texts:?}");
    }
    // The counts view, for contrast: the same 5 % error is within a few percent of white.
    let counts = mlpkit::plot::Heatmap::new(&cm);
    let img = decode(&counts.clone().figure().png().unwrap());
    let (x, y) = counts.cell_origin(0, 1);
    let px = img.get_pixel(x + 4, y + 4).0;
    assert!(luminance(RGBColor(px[0], px[1], px[2])) > 0.85);
}

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
    let bars = p.bars(1, &["a", "b", "c"]).unwrap();
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
    for text in [
        "two → one",
        "one → two",
        "zero",
        "80% one (wrong)",
        "true class",
    ] {
        assert!(texts.iter().any(|t| t == text), "{text}: {texts:?}");
    }
    assert!(PredictionGrid::new(&images, &p, &[], &names).is_err());
    assert!(PredictionGrid::new(&noise_images(3), &p, &[0], &names).is_err());
    assert!(PredictionGrid::new(&images, &p, &[7], &names).is_err());
}

#[test]
fn confusions_and_pairs_are_ranked_by_count() {
    // Class 0 called 1 four times, 1 called 0 three times, 2 called 0 five times.
    let mut truth = vec![0u32; 10];
    let mut pred = vec![0u32; 10];
    truth.extend([0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 1, 2]);
    pred.extend([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2]);
    let cm = ConfusionMatrix::new(&truth, &pred, &["a", "b", "c"]).unwrap();
    assert_eq!(cm.confusions(), vec![(2, 0, 5), (0, 1, 4), (1, 0, 3)]);
    assert_eq!(cm.most_confused(), Some((2, 0, 5)));
    // Both directions together: a/b 7 beats a/c 5.
    assert_eq!(cm.confused_pairs(), vec![(0, 1, 7), (0, 2, 5)]);
}

#[test]
fn sources_show_as_paths_relative_to_the_current_folder() {
    let here = std::env::current_dir().unwrap();
    let data = here.join("tests");
    assert_eq!(
        mlpkit::data::shown_path(&data),
        std::path::PathBuf::from("tests")
    );
    let up = here.parent().unwrap().join("mlpkit").join("src");
    assert_eq!(
        mlpkit::data::shown_path(&up),
        std::path::PathBuf::from("src")
    );
    let sibling = here.parent().unwrap();
    assert_eq!(
        mlpkit::data::shown_path(sibling),
        std::path::PathBuf::from("..")
    );
    // Only the root in common: absolute, as it is.
    assert_eq!(
        mlpkit::data::shown_path(std::path::Path::new("/proc")),
        std::path::PathBuf::from("/proc")
    );
    // A path that does not exist is shown unchanged.
    let missing = std::path::Path::new("/no/such/folder");
    assert_eq!(mlpkit::data::shown_path(missing), missing);
}
