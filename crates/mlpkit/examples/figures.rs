//! Draws all five kinds of figure from a short real training run on MNIST and writes them
//! to a folder (default `out/figures`), as PNG and SVG.
//!
//! ```text
//! cargo run --release -p mlpkit --example figures [-- <folder>]
//! ```

use mlpkit::prelude::*;

fn main() -> Result<()> {
    let out = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "out/figures".into()),
    );
    let mnist = Dataset::load(DatasetKind::Mnist)?;
    let names = mnist.class_names();

    // 1. One example of each digit, in a 2x5 grid.
    let labels = mnist.train.label_vec()?;
    let firsts: Vec<u32> = (0..10)
        .map(|d| labels.iter().position(|&l| l == d).unwrap() as u32)
        .collect();
    let examples = mnist.train.select(&firsts)?;
    let grid = ImageGrid::new(examples.images())?
        .shape(2, 5)
        .titles(names)
        .title("One example of each digit")
        .figure();
    grid.save(out.join("digits.png"))?;
    grid.save(out.join("digits.svg"))?;

    let (model, history, test) = train_briefly(&mnist)?;

    // 2. Learning curves.
    let curves = LearningCurves::new(&history)?.figure();
    curves.save(out.join("curves.png"))?;
    curves.save(out.join("curves.svg"))?;

    // 3. Confusion matrix.
    let cm = ConfusionMatrix::of_model(&model, &test, &names)?;
    println!("{cm}");
    Heatmap::new(&cm).figure().save(out.join("confusion.png"))?;

    // 4. Probabilities of one test image.
    let probs = model
        .predict(&test.images().narrow(0, 0, 1)?)?
        .squeeze(0)?
        .to_vec1::<f32>()?;
    let truth = test.label_vec()?[0];
    ProbabilityBars::new(&probs, &names)?
        .truth(truth)
        .figure()
        .save(out.join("probabilities.png"))?;

    // 5. What the first layer learned.
    let kernel = model.dense_params("dense")?.kernel.as_tensor().clone();
    ImageGrid::weights(&kernel, 20)?
        .title("First-layer weights")
        .figure()
        .save(out.join("weights.png"))?;

    misclassified(&model, &mnist, &test)?.save(out.join("misclassified.png"))?;
    println!("figures written to {}", out.display());
    Ok(())
}

/// A short training run: 784-128-128-10 with RMSprop for four epochs.
fn train_briefly(mnist: &Dataset) -> Result<(Sequential, History, Split)> {
    let prep = |s: &Split| s.map_images(|x| flatten(&scale(x, PixelRange::ZeroOne)?));
    let (train, valid) = prep(&mnist.train)?.split_first(10_000)?;
    let test = prep(&mnist.test)?;
    let mut model = Architecture::new(&[784])
        .add(Dense::new(128, Activation::Relu))
        .add(Dense::new(128, Activation::Relu))
        .add(Dense::new(10, Activation::Softmax))
        .build(42)?;
    model.compile(RmsProp::default(), Loss::SparseCategoricalCrossentropy)?;
    let history = model.fit(
        &train,
        Fit::epochs(4).batch_size(64).validation_data(&valid),
    )?;

    Ok((model, history, test))
}

/// Misclassified test images, titled with truth and prediction.
fn misclassified(
    model: &Sequential,
    mnist: &Dataset,
    test: &Split,
) -> Result<mlpkit::plot::Figure<ImageGrid>> {
    let predicted = model.predict_classes(test.images())?;
    let truths = test.label_vec()?;
    let wrong: Vec<u32> = (0..truths.len() as u32)
        .filter(|&i| predicted[i as usize] != truths[i as usize])
        .take(9)
        .collect();
    let titles = wrong.iter().map(|&i| {
        format!(
            "True: {}, Pred: {}",
            truths[i as usize], predicted[i as usize]
        )
    });
    Ok(ImageGrid::new(mnist.test.select(&wrong)?.images())?
        .shape(3, 3)
        .titles(titles)
        .inverted(true)
        .figure())
}
