//! "Train it here": a small network trained on the UCI digits with mlpkit's `fit`, one epoch
//! per call, so that the page can draw each epoch as it ends and stop between two.

use std::path::Path;

use mlpkit::candle_core::DType;
use mlpkit::data::Split;
use mlpkit::data::uci_digits::{self, MAX_VALUE, SIDE};
use mlpkit::prelude::*;
use wasm_bindgen::prelude::*;

use crate::js;

/// The choices of a training run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainerSettings {
    /// Units of the one hidden (ReLU) layer.
    pub hidden: usize,
    /// Adam's learning rate.
    pub learning_rate: f64,
    /// Examples per batch.
    pub batch_size: usize,
    /// The seed of the split, the initial weights and the shuffling.
    pub seed: u64,
}

/// How many of the 1,797 digits are held out as the test part, and as the validation part.
pub const TEST: usize = 360;
/// See [`TEST`].
pub const VALIDATION: usize = 180;

/// A network being trained on the UCI digits.
#[wasm_bindgen]
pub struct Trainer {
    model: Sequential,
    train: Split,
    validation: Split,
    test: Split,
    settings: TrainerSettings,
}

/// One epoch's figures, as `fit` logged them.
#[wasm_bindgen]
#[derive(Debug, Clone, Copy)]
pub struct EpochReport {
    /// The epoch's number, from 1.
    pub epoch: usize,
    /// Training loss and accuracy, averaged over the epoch's batches.
    pub loss: f64,
    /// See `loss`.
    pub accuracy: f64,
    /// Loss and accuracy on the validation part at the epoch's end.
    pub val_loss: f64,
    /// See `val_loss`.
    pub val_accuracy: f64,
    /// How long the epoch took, in seconds.
    pub seconds: f64,
}

/// The trained network on the test part: its accuracy and confusion matrix.
#[wasm_bindgen]
pub struct TestReport {
    accuracy: f64,
    counts: Vec<u32>,
}

#[wasm_bindgen]
impl Trainer {
    /// A 64-`hidden`-10 network (ReLU, softmax) compiled with Adam, and the digits in
    /// `digits_csv_gz` (scikit-learn's `digits.csv.gz`, checked against its SHA-256) split at
    /// random into training, validation (180) and test (360) parts.
    #[wasm_bindgen(constructor)]
    pub fn new(
        digits_csv_gz: &[u8],
        hidden: usize,
        learning_rate: f64,
        seed: u32,
    ) -> std::result::Result<Trainer, JsError> {
        let settings = TrainerSettings {
            hidden,
            learning_rate,
            batch_size: 32,
            seed: u64::from(seed),
        };
        Self::with(digits_csv_gz, settings).map_err(js)
    }

    /// Trains one more epoch and returns its figures.
    pub fn epoch(&mut self) -> std::result::Result<EpochReport, JsError> {
        self.train_epoch().map_err(js)
    }

    /// Scores the network on the test part.
    pub fn test(&self) -> std::result::Result<TestReport, JsError> {
        self.score().map_err(js)
    }

    /// Sizes of the three parts: training, validation, test.
    pub fn sizes(&self) -> Vec<usize> {
        vec![self.train.len(), self.validation.len(), self.test.len()]
    }
}

impl Trainer {
    /// As [`Trainer::new`], with the crate's error.
    pub fn with(digits_csv_gz: &[u8], settings: TrainerSettings) -> mlpkit::Result<Trainer> {
        let found = mlpkit::files::sha256_hex(digits_csv_gz);
        if found != uci_digits::sha256() {
            return Err(mlpkit::Error::InvalidArgument(format!(
                "the digits file is not scikit-learn's digits.csv.gz (its SHA-256 is {found}, not {})",
                uci_digits::sha256()
            )));
        }
        let digits = uci_digits::parse(Path::new(uci_digits::file_name()), digits_csv_gz)?;
        let digits = digits.map_images(|x| {
            let scaled = (x.to_dtype(DType::F32)? * (1.0 / f64::from(MAX_VALUE)))?;
            Ok(scaled.reshape((x.dim(0)?, SIDE * SIDE))?)
        })?;
        let (rest, test) = digits.random_split(TEST, settings.seed)?;
        let (train, validation) = rest.random_split(VALIDATION, settings.seed + 1)?;
        let mut model = Architecture::new(&[SIDE * SIDE])
            .add(Dense::new(settings.hidden, Activation::Relu))
            .add(Dense::new(10, Activation::Softmax))
            .build(settings.seed)?;
        model.compile(
            Adam::new(settings.learning_rate),
            Loss::SparseCategoricalCrossentropy,
        )?;
        Ok(Trainer {
            model,
            train,
            validation,
            test,
            settings,
        })
    }

    /// One epoch of `fit` on one thread, shuffled with a seed of its own.
    pub fn train_epoch(&mut self) -> mlpkit::Result<EpochReport> {
        let epoch = self.model.history().len() as u64;
        let options = Fit::epochs(1)
            .batch_size(self.settings.batch_size)
            .seed(self.settings.seed.wrapping_add(epoch))
            .validation_data(&self.validation)
            .threads(1)
            .verbose(false);
        let history = self.model.fit(&self.train, options)?;
        let log = history
            .epochs
            .last()
            .ok_or_else(|| mlpkit::Error::InvalidArgument("fit ran no epoch".into()))?;
        Ok(EpochReport {
            epoch: log.epoch,
            loss: log.loss,
            accuracy: log.accuracy,
            val_loss: log.val_loss.unwrap_or(f64::NAN),
            val_accuracy: log.val_accuracy.unwrap_or(f64::NAN),
            seconds: log.seconds,
        })
    }

    /// The test part's accuracy and confusion matrix.
    pub fn score(&self) -> mlpkit::Result<TestReport> {
        let predicted = self.model.predict_classes(self.test.images())?;
        let truth = self.test.label_vec()?;
        let names: Vec<String> = (0..10).map(|d| d.to_string()).collect();
        let matrix = ConfusionMatrix::new(&truth, &predicted, &names)?;
        let counts = matrix
            .counts()
            .iter()
            .flatten()
            .map(|&c| c as u32)
            .collect();
        Ok(TestReport {
            accuracy: matrix.accuracy(),
            counts,
        })
    }

    /// The model being trained.
    pub fn model(&self) -> &Sequential {
        &self.model
    }
}

#[wasm_bindgen]
impl TestReport {
    /// The share of test digits read right.
    #[wasm_bindgen(getter)]
    pub fn accuracy(&self) -> f64 {
        self.accuracy
    }

    /// The confusion matrix, row by row: `counts[10 * true + predicted]`.
    #[wasm_bindgen(getter)]
    pub fn counts(&self) -> Vec<u32> {
        self.counts.clone()
    }
}
