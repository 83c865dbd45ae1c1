//! The five tutorials' set-ups in one place: data preparation, network, optimizer and
//! `fit` options exactly as each tutorial has them. The notebooks walk through the same
//! steps one cell at a time; the examples and the training benchmark use these recipes.

use std::fmt;

use crate::data::{
    Dataset, DatasetKind, NUM_CLASSES, PixelRange, Split, Standardizer, flatten, one_hot, scale,
};
use crate::error::Result;
use crate::math::{Activation, Adam, Init, Loss, RmsProp, Sgd};
use crate::model::{Architecture, Dense, Flatten, Sequential};
use crate::train::Fit;

/// One of the source tutorials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tutorial {
    /// Multilayer perceptron from the raw IDX files: 784-50-50-10 tanh, SGD with momentum.
    MlpFromRawFiles,
    /// A first network for beginners: 784-64-64-10 relu, Adam.
    FirstNetwork,
    /// Fashion-MNIST classifier: Flatten-300-100-10 relu, plain SGD.
    FashionClassifier,
    /// Training curves and confusion matrix: 784-128-128-10 relu, RMSprop.
    CurvesAndConfusion,
    /// The low-level training loop: 784-200-10 relu, truncated-normal weights, Adam.
    LowLevelLoop,
}

/// Everything needed to train one tutorial's network.
#[derive(Debug)]
pub struct Recipe {
    /// Which tutorial this is.
    pub tutorial: Tutorial,
    /// Built and compiled, seeded.
    pub model: Sequential,
    /// The data given to `fit` (with `validation_split`, validation is carved from it).
    pub train: Split,
    /// The test data.
    pub test: Split,
    /// Epochs, batch size and validation, as in the tutorial.
    pub epochs: usize,
    /// Examples per batch.
    pub batch_size: usize,
    /// Separate validation data, where the tutorial has it.
    pub validation: Option<Split>,
    /// The fraction held out for validation, where the tutorial does that.
    pub validation_split: Option<f64>,
}

impl Recipe {
    /// The tutorial's `fit` options, with `epochs` overridden if given.
    pub fn fit_options(&self, epochs: Option<usize>, seed: u64) -> Fit {
        let mut fit = Fit::epochs(epochs.unwrap_or(self.epochs))
            .batch_size(self.batch_size)
            .seed(seed);
        if let Some(f) = self.validation_split {
            fit = fit.validation_split(f);
        }
        if let Some(v) = &self.validation {
            fit = fit.validation_data(v);
        }
        fit
    }

    /// Number of examples trained on per epoch (after any validation split).
    pub fn train_examples(&self) -> usize {
        match self.validation_split {
            Some(f) => (self.train.len() as f64 * (1.0 - f)).floor() as usize,
            None => self.train.len(),
        }
    }
}

impl Tutorial {
    /// The five tutorials, in order.
    pub const ALL: [Tutorial; 5] = [
        Tutorial::MlpFromRawFiles,
        Tutorial::FirstNetwork,
        Tutorial::FashionClassifier,
        Tutorial::CurvesAndConfusion,
        Tutorial::LowLevelLoop,
    ];

    /// A one-line description of the configuration.
    pub fn config(self) -> &'static str {
        match self {
            Tutorial::MlpFromRawFiles => {
                "784-50-50-10 tanh, SGD 0.001 momentum 0.9 decay 1e-7, batch 64, 50 epochs, 10% validation split"
            }
            Tutorial::FirstNetwork => {
                "784-64-64-10 relu, Adam, batch 32, 5 epochs, inputs in [-0.5, 0.5]"
            }
            Tutorial::FashionClassifier => {
                "Fashion-MNIST 784-300-100-10 relu, SGD 0.01, batch 32, 30 epochs, first 5,000 for validation"
            }
            Tutorial::CurvesAndConfusion => {
                "784-128-128-10 relu, RMSprop, batch 64, 21 epochs, first 10,000 for validation"
            }
            Tutorial::LowLevelLoop => {
                "784-200-10 relu, truncated-normal(0.01) weights, Adam 0.001, batch 100, 10 epochs, 55,000/5,000"
            }
        }
    }

    /// What the tutorial reports.
    pub fn reported(self) -> &'static str {
        match self {
            Tutorial::MlpFromRawFiles => "98.81% train, 96.27% test",
            Tutorial::FirstNetwork => "test loss 0.108, 96.5% test",
            Tutorial::FashionClassifier => "about 88% test",
            Tutorial::CurvesAndConfusion => "about 97.8% validation",
            Tutorial::LowLevelLoop => "no figure printed",
        }
    }

    /// The dataset it trains on.
    pub fn dataset(self) -> DatasetKind {
        match self {
            Tutorial::FashionClassifier => DatasetKind::FashionMnist,
            _ => DatasetKind::Mnist,
        }
    }

    /// Loads the data (searching as [`Dataset::load`] does) and prepares everything.
    ///
    /// # Errors
    /// Those of [`Dataset::load`] (most often
    /// [`Error::DatasetNotFound`](crate::Error::DatasetNotFound)), then those of
    /// [`Tutorial::prepare_with`].
    pub fn prepare(self, seed: u64) -> Result<Recipe> {
        self.prepare_with(&Dataset::load(self.dataset())?, seed)
    }

    /// Prepares everything from an already loaded dataset.
    ///
    /// # Errors
    /// Those of the steps it takes: scaling, standardising, splitting off validation data
    /// ([`Split::split_first`]: a training set not larger than the tutorial's 5,000 or
    /// 10,000 held-out examples) and building the model.
    pub fn prepare_with(self, data: &Dataset, seed: u64) -> Result<Recipe> {
        match self {
            Tutorial::MlpFromRawFiles => mlp_from_raw_files(data, seed),
            Tutorial::FirstNetwork => first_network(data, seed),
            Tutorial::FashionClassifier => fashion_classifier(data, seed),
            Tutorial::CurvesAndConfusion => curves_and_confusion(data, seed),
            Tutorial::LowLevelLoop => low_level_loop(data, seed),
        }
    }
}

/// Training and test images flattened to 784 values and scaled to `range`.
fn flat_784(data: &Dataset, range: PixelRange) -> Result<(Split, Split)> {
    let train = data.train.map_images(|x| flatten(&scale(x, range)?))?;
    let test = data.test.map_images(|x| flatten(&scale(x, range)?))?;
    Ok((train, test))
}

fn onehot(s: &Split) -> Result<Split> {
    s.map_labels(|y| one_hot(y, NUM_CLASSES))
}

/// 784 inputs, `hidden` layers of `act`, ten softmax outputs.
fn dense_stack(hidden: &[usize], act: Activation) -> Architecture {
    let mut arch = Architecture::new(&[784]);
    for &h in hidden {
        arch = arch.add(Dense::new(h, act));
    }
    arch.add(Dense::new(NUM_CLASSES, Activation::Softmax))
}

/// A recipe trained for `epochs` epochs of `batch_size`, without validation yet.
fn recipe(
    tutorial: Tutorial,
    model: Sequential,
    train: Split,
    test: Split,
    epochs: usize,
    batch_size: usize,
) -> Recipe {
    Recipe {
        tutorial,
        model,
        train,
        test,
        epochs,
        batch_size,
        validation: None,
        validation_split: None,
    }
}

fn mlp_from_raw_files(data: &Dataset, seed: u64) -> Result<Recipe> {
    let (scaled_train, scaled_test) = flat_784(data, PixelRange::MinusOneToOne)?;
    let st = Standardizer::fit(scaled_train.images())?;
    let train = onehot(&scaled_train.map_images(|x| st.transform(x))?)?;
    drop(scaled_train); // one copy of the training images at a time
    let test = onehot(&scaled_test.map_images(|x| st.transform(x))?)?;
    let mut model = dense_stack(&[50, 50], Activation::Tanh).build(seed)?;
    model.compile(
        Sgd::new(0.001).momentum(0.9).decay(1e-7),
        Loss::CategoricalCrossentropy,
    )?;
    let mut r = recipe(Tutorial::MlpFromRawFiles, model, train, test, 50, 64);
    r.validation_split = Some(0.1);
    Ok(r)
}

fn first_network(data: &Dataset, seed: u64) -> Result<Recipe> {
    let (train, test) = flat_784(data, PixelRange::MinusHalfToHalf)?;
    let mut model = dense_stack(&[64, 64], Activation::Relu).build(seed)?;
    model.compile(Adam::default(), Loss::CategoricalCrossentropy)?;
    Ok(recipe(
        Tutorial::FirstNetwork,
        model,
        onehot(&train)?,
        onehot(&test)?,
        5,
        32,
    ))
}

fn fashion_classifier(data: &Dataset, seed: u64) -> Result<Recipe> {
    let train_all = data.train.map_images(|x| scale(x, PixelRange::ZeroOne))?;
    let test = data.test.map_images(|x| scale(x, PixelRange::ZeroOne))?;
    let (train, valid) = train_all.split_first(5_000)?;
    let arch = Architecture::new(&[28, 28])
        .add(Flatten)
        .add(Dense::new(300, Activation::Relu))
        .add(Dense::new(100, Activation::Relu))
        .add(Dense::new(NUM_CLASSES, Activation::Softmax));
    let mut model = arch.build(seed)?;
    model.compile(Sgd::default(), Loss::SparseCategoricalCrossentropy)?;
    let mut r = recipe(Tutorial::FashionClassifier, model, train, test, 30, 32);
    r.validation = Some(valid);
    Ok(r)
}

fn curves_and_confusion(data: &Dataset, seed: u64) -> Result<Recipe> {
    let (train_all, test) = flat_784(data, PixelRange::ZeroOne)?;
    let (train, valid) = train_all.split_first(10_000)?;
    let mut model = dense_stack(&[128, 128], Activation::Relu).build(seed)?;
    model.compile(RmsProp::default(), Loss::CategoricalCrossentropy)?;
    let mut r = recipe(
        Tutorial::CurvesAndConfusion,
        model,
        onehot(&train)?,
        onehot(&test)?,
        21,
        64,
    );
    r.validation = Some(onehot(&valid)?);
    Ok(r)
}

fn low_level_loop(data: &Dataset, seed: u64) -> Result<Recipe> {
    let (train_all, test) = flat_784(data, PixelRange::ZeroOne)?;
    let (train, valid) = train_all.split_first(5_000)?;
    let weights = Init::TruncatedNormal { std: 0.01 };
    let arch = Architecture::new(&[784])
        .add(Dense::new(200, Activation::Relu).kernel_init(weights))
        .add(Dense::new(NUM_CLASSES, Activation::Linear).kernel_init(weights));
    let mut model = arch.build(seed)?;
    model.compile(Adam::new(0.001), Loss::CategoricalCrossentropy)?;
    let mut r = recipe(
        Tutorial::LowLevelLoop,
        model,
        onehot(&train)?,
        onehot(&test)?,
        10,
        100,
    );
    r.validation = Some(onehot(&valid)?);
    Ok(r)
}

impl fmt::Display for Tutorial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tutorial::MlpFromRawFiles => "MLP from the raw files",
            Tutorial::FirstNetwork => "First neural network",
            Tutorial::FashionClassifier => "Fashion-MNIST classifier",
            Tutorial::CurvesAndConfusion => "Training curves and confusion matrix",
            Tutorial::LowLevelLoop => "Low-level training loop",
        })
    }
}
