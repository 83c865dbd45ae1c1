//! Figures, checked the way a person would look at them: size, not blank, the right
//! pixels in the right places, the labels present.

use mlpkit::prelude::*;
use plotters::style::RGBColor;

use crate::util::figures::*;

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
        // One PNG pixel per figure pixel, so that tiles can be read pixel by pixel.
        let fig = grid.figure().resolution(1);
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
    let img = decode(&grid.figure().resolution(1).png().unwrap());
    let at = |unit: usize| {
        let (x, y) = layout.tile_origin(0, unit);
        img.get_pixel(x + 50, y + 50).0
    };
    assert_eq!(at(0), [178, 24, 43], "strongest positive weight: red");
    assert_eq!(at(1), [33, 102, 172], "strongest negative weight: blue");
    assert!(distinct_colours(&img) > 50);
    assert!(
        ImageGrid::weights(
            &Tensor::zeros((10, 3), DType::F32, &Device::Cpu).unwrap(),
            3
        )
        .is_err()
    );
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
    assert_eq!(
        img.dimensions(),
        (1920, 720),
        "drawn at twice the figure's size"
    );
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
        texts.iter().any(|t| t == "true 3 → 1, 60 %"),
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

#[test]
fn figures_save_as_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let fig = ImageGrid::new(&noise_images(4)).unwrap().figure();
    fig.save(dir.path().join("grid.png")).unwrap();
    fig.save(dir.path().join("sub/grid.svg")).unwrap();
    let png = image::open(dir.path().join("grid.png")).unwrap();
    assert_eq!((png.width(), png.height()), (2 * fig.width, 2 * fig.height));
    let svg = std::fs::read_to_string(dir.path().join("sub/grid.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("</svg>"));
    let msg = fig
        .save(dir.path().join("grid.jpg"))
        .unwrap_err()
        .to_string();
    assert!(msg.contains(".png or .svg"), "{msg}");
    // Resized figures render at the new size.
    let small = fig.clone().size(300, 100);
    assert_eq!(decode(&small.png().unwrap()).dimensions(), (600, 200));
}

/// A figure is drawn at twice its size with smooth edges, and a notebook is told to show it
/// at its size.
#[test]
fn figures_are_sharp_smooth_and_shown_at_their_size() {
    let fig = LearningCurves::new(&history(6)).unwrap().figure();
    let output = fig.notebook_output();
    assert!(
        output.starts_with("EVCXR_BEGIN_CONTENT image/png\n"),
        "{}",
        &output[..60]
    );
    let metadata = output.lines().rev().nth(1).unwrap();
    assert_eq!(metadata, r#"{"image/png": {"width": 960, "height": 360}}"#);
    let img = decode(&fig.png().unwrap());
    assert_eq!(img.dimensions(), (1920, 720));
    // The lines' edges are blended into the white (anti-aliasing): many shades of the
    // training colour's mix with white, not just the colour and white.
    let blue = mlpkit::plot::TRAIN_COLOR;
    let mixes = img
        .pixels()
        .filter(|p| {
            let t = (255.0 - p.0[2] as f32) / (255.0 - blue.2 as f32);
            t > 0.05
                && t < 0.95
                && (p.0[0] as f32 - (255.0 - t * (255.0 - blue.0 as f32))).abs() < 3.0
        })
        .count();
    assert!(mixes > 200, "only {mixes} blended edge pixels");
    assert_eq!(
        fig.clone()
            .resolution(3)
            .png()
            .map(|p| decode(&p).width())
            .unwrap(),
        2880
    );
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
