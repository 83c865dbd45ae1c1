//! Draws every kind of figure from short real training runs on MNIST and Fashion-MNIST and
//! writes them to a folder (default `out/figures`) as PNG, and the learning curves as SVG too,
//! timing each figure's rendering.
//!
//! ```text
//! cargo run --release -p mlpkit --example figures [-- <folder>]
//! ```

use std::time::Instant;

use mlpkit::plot::{Figure, Plot};
use mlpkit::prelude::*;

/// Renders and saves `figure` as `name`.png, printing how long the PNG took.
fn save<P: Plot>(figure: Figure<P>, out: &std::path::Path, name: &str) -> Result<()> {
    let start = Instant::now();
    let png = figure.png()?;
    let took = start.elapsed().as_secs_f64();
    std::fs::create_dir_all(out).map_err(|e| Error::InvalidArgument(e.to_string()))?;
    std::fs::write(out.join(format!("{name}.png")), &png)
        .map_err(|e| Error::InvalidArgument(e.to_string()))?;
    println!(
        "{name:<22} {:>4} × {:<4} {:>7.1} ms  {:>5} kB",
        figure.width,
        figure.height,
        1000.0 * took,
        png.len() / 1024
    );
    Ok(())
}

fn main() -> Result<()> {
    let out = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "out/figures".into()),
    );
    let mnist = Dataset::load(DatasetKind::Mnist)?;
    let names = mnist.class_names();
    let (model, history, test) = train_briefly(&mnist, 20)?;
    let curves = LearningCurves::new(&history)?.figure();
    curves.save(out.join("curves.svg"))?;
    save(curves, &out, "curves")?;
    let (_, short, _) = train_briefly(&mnist, 5)?;
    save(
        LearningCurves::new(&short)?.figure(),
        &out,
        "curves-5-epochs",
    )?;

    save(experiments_chart()?.figure(), &out, "bars")?;
    save(gradient_sizes()?.figure(), &out, "line-chart-log")?;

    let cm = ConfusionMatrix::of_model(&model, &test, &names)?;
    save(
        Heatmap::new(&cm).title("MNIST test set").figure(),
        &out,
        "confusion-counts",
    )?;
    let errors_view = Heatmap::new(&cm)
        .view(HeatmapView::Errors)
        .title("MNIST test set, errors");
    save(errors_view.figure(), &out, "confusion-errors")?;

    let predictions = Predictions::of_model(&model, &test)?;
    let worst: Vec<usize> = predictions.misclassified().into_iter().take(5).collect();
    save(
        PredictionGrid::new(mnist.test.images(), &predictions, &worst, &names)?.figure(),
        &out,
        "prediction-grid",
    )?;
    save(
        ProbabilityBars::of(&predictions, worst[0], &names)?.figure(),
        &out,
        "probability-bars",
    )?;

    let kernel = model.dense_params("dense")?.kernel.as_tensor().clone();
    save(
        ImageGrid::weights(&kernel, 16)?
            .title("First-layer weights")
            .figure(),
        &out,
        "weights",
    )?;
    let firsts = mnist.train.head(10)?;
    save(
        ImageGrid::new(firsts.images())?
            .titles(firsts.label_vec()?)
            .figure(),
        &out,
        "digits",
    )?;
    let diagram = NetworkDiagram::of(&model)?.title("784-128-128-10, as trained above");
    save(diagram.figure(), &out, "network")?;
    fashion_grid(&out)?;
    println!("figures written to {}", out.display());
    Ok(())
}

/// A bar chart like notebook 01's, with error bars.
fn experiments_chart() -> Result<BarChart> {
    let errors = [3.54, 5.08, 2.85, 3.26, 3.71, 9.27];
    let spread = [0.12, 0.31, 0.09, 0.15, 0.2, 0.45];
    let labels = [
        "baseline",
        "Adam lr 0.005",
        "10 epochs, batch 64",
        "4 hidden layers",
        "sigmoid",
        "dropout 0.5",
    ];
    let bars = BarChart::new(&labels, &errors)?
        .errors(&spread, "± one standard deviation over 5 seeds")?
        .y_label("validation error (%)")
        .title("Validation error of each experiment (lower is better)");
    Ok(bars)
}

/// A logarithmic line chart like notebook 07's: a gradient's size, layer by layer.
fn gradient_sizes() -> Result<LineChart> {
    let layers: Vec<f64> = (1..=10).map(f64::from).collect();
    let sigmoid: Vec<f64> = layers
        .iter()
        .map(|l| 0.02 * 0.25f64.powf(10.0 - l))
        .collect();
    let relu: Vec<f64> = layers
        .iter()
        .map(|l| 0.05 * 0.9f64.powf(10.0 - l))
        .collect();
    Ok(
        LineChart::new("layer (1 is next to the input)", "gradient size (RMS)")
            .line("sigmoid", &layers, &sigmoid)?
            .line("relu", &layers, &relu)?
            .log_y()
            .title("How big the gradient is, layer by layer"),
    )
}

/// 784-128-128-10 with RMSprop for `epochs` epochs on 50,000 MNIST images.
fn train_briefly(mnist: &Dataset, epochs: usize) -> Result<(Sequential, History, Split)> {
    let prep = |s: &Split| s.map_images(|x| flatten(&scale(x, PixelRange::ZeroOne)?));
    let (train, valid) = prep(&mnist.train)?.split_first(10_000)?;
    let test = prep(&mnist.test)?;
    let mut model = Architecture::new(&[784])
        .add(Dense::new(128, Activation::Relu))
        .add(Dense::new(128, Activation::Relu))
        .add(Dense::new(10, Activation::Softmax))
        .build(42)?;
    model.compile(RmsProp::default(), Loss::SparseCategoricalCrossentropy)?;
    let fit = Fit::epochs(epochs)
        .batch_size(64)
        .validation_data(&valid)
        .verbose(false);
    let history = model.fit(&train, fit)?;
    Ok((model, history, test))
}

/// Fashion-MNIST's most confident mistakes after three epochs, with the classes' names.
fn fashion_grid(out: &std::path::Path) -> Result<()> {
    let fashion = Dataset::load(DatasetKind::FashionMnist)?;
    let prep = |s: &Split| s.map_images(|x| scale(x, PixelRange::ZeroOne));
    let (train, test) = (prep(&fashion.train)?, prep(&fashion.test)?);
    let mut model = Architecture::new(&[28, 28])
        .add(Flatten)
        .add(Dense::new(300, Activation::Relu))
        .add(Dense::new(100, Activation::Relu))
        .add(Dense::new(10, Activation::Softmax))
        .build(42)?;
    model.compile(Sgd::default(), Loss::SparseCategoricalCrossentropy)?;
    model.fit(&train, Fit::epochs(3).verbose(false))?;
    let predictions = Predictions::of_model(&model, &test)?;
    let worst: Vec<usize> = predictions.misclassified().into_iter().take(6).collect();
    let grid = PredictionGrid::new(
        fashion.test.images(),
        &predictions,
        &worst,
        &fashion.class_names(),
    )?
    .inverted(true);
    save(grid.figure(), out, "fashion-prediction-grid")
}
