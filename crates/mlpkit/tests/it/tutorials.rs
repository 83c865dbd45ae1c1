//! The five tutorial recipes prepare the data and networks the tutorials describe.

use crate::util;

use mlpkit::prelude::*;
use mlpkit::tutorials::Tutorial;

fn range(x: &Tensor) -> (f32, f32) {
    let flat = x.flatten_all().unwrap();
    (
        flat.min(0).unwrap().to_scalar().unwrap(),
        flat.max(0).unwrap().to_scalar().unwrap(),
    )
}

#[test]
fn recipes_match_the_tutorials() {
    let Some(mnist) = util::mnist() else { return };
    let Some(fashion_dir) = util::fashion_dir() else {
        return;
    };
    let fashion = Dataset::from_dir(DatasetKind::FashionMnist, fashion_dir).unwrap();
    for t in Tutorial::ALL {
        let data = if t.dataset() == DatasetKind::FashionMnist {
            &fashion
        } else {
            &mnist
        };
        let r = t.prepare_with(data, 1).unwrap();
        let val = r.validation.as_ref().map(|v| v.len());
        let (lo, hi) = range(r.train.images());
        match t {
            Tutorial::MlpFromRawFiles => check_mlp_from_raw_files(&r, &mnist, val),
            Tutorial::FirstNetwork => {
                assert_eq!((r.train.len(), val), (60_000, None));
                assert_eq!(r.model.param_count(), 55_050);
                assert_eq!((lo, hi), (-0.5, 0.5));
                assert_eq!((r.epochs, r.batch_size), (5, 32));
            }
            Tutorial::FashionClassifier => {
                assert_eq!((r.train.len(), val), (55_000, Some(5_000)));
                assert_eq!(r.model.param_count(), 266_610);
                assert_eq!(r.train.images().dims(), &[55_000, 28, 28]);
                assert_eq!((lo, hi), (0.0, 1.0));
                // the first 5,000 are the validation set: its first labels are Fashion-MNIST's first
                assert_eq!(
                    r.validation.as_ref().unwrap().label_vec().unwrap()[..9],
                    [9, 0, 0, 3, 0, 2, 7, 2, 5]
                );
                assert_eq!((r.epochs, r.batch_size), (30, 32));
            }
            Tutorial::CurvesAndConfusion => {
                assert_eq!((r.train.len(), val), (50_000, Some(10_000)));
                assert_eq!(r.model.param_count(), 118_282);
                assert_eq!((r.epochs, r.batch_size), (21, 64));
            }
            Tutorial::LowLevelLoop => {
                assert_eq!(
                    (r.train.len(), val, r.test.len()),
                    (55_000, Some(5_000), 10_000)
                );
                assert_eq!(r.model.param_count(), 159_010);
                assert_eq!(
                    r.model.output_activation(),
                    Activation::Linear,
                    "the network outputs logits"
                );
                let w = r
                    .model
                    .dense_params("dense")
                    .unwrap()
                    .kernel
                    .flatten_all()
                    .unwrap();
                let (wlo, whi) = range(&w);
                assert!(
                    wlo >= -0.02 && whi <= 0.02,
                    "truncated at two standard deviations"
                );
                assert_eq!((r.epochs, r.batch_size), (10, 100));
            }
        }
    }
}

#[test]
fn one_epoch_of_the_first_network_learns_mnist() {
    let Some(mnist) = util::mnist() else { return };
    let mut r = Tutorial::FirstNetwork.prepare_with(&mnist, 42).unwrap();
    let history = r
        .model
        .fit(&r.train, r.fit_options(Some(1), 42).verbose(false))
        .unwrap();
    let test = r.model.evaluate(&r.test).unwrap();
    assert!(history.last().unwrap().accuracy > 0.85, "{history}");
    assert!(test.accuracy > 0.93, "{test}");
    assert_eq!(
        r.model
            .predict_classes(&r.test.images().narrow(0, 0, 5).unwrap())
            .unwrap()
            .len(),
        5
    );
}

/// The first tutorial's recipe: 54,000 of 60,000 for training, standardised inputs, one-hot
/// labels.
fn check_mlp_from_raw_files(r: &mlpkit::tutorials::Recipe, mnist: &Dataset, val: Option<usize>) {
    assert_eq!(
        (r.train.len(), r.train_examples(), val, r.validation_split),
        (60_000, 54_000, None, Some(0.1))
    );
    assert_eq!(r.model.param_count(), 42_310);
    // standardised: every pixel centred, divided by the global std of the [-1, 1] pixels
    let per_pixel = r
        .train
        .images()
        .mean(0)
        .unwrap()
        .abs()
        .unwrap()
        .max(0)
        .unwrap()
        .to_scalar::<f32>()
        .unwrap();
    assert!(per_pixel < 1e-4, "{per_pixel}");
    let raw = scale(mnist.train.images(), PixelRange::MinusOneToOne)
        .unwrap()
        .flatten_from(1)
        .unwrap();
    let (_, sigma) = mean_std(&raw).unwrap();
    let centred = raw.broadcast_sub(&raw.mean(0).unwrap()).unwrap();
    let (_, s) = mean_std(&centred).unwrap();
    let (_, got) = mean_std(r.train.images()).unwrap();
    assert!((got - s / sigma).abs() < 1e-4, "{got} vs {}", s / sigma);
    assert_eq!(r.train.labels().dims(), &[60_000, 10], "one-hot labels");
    assert_eq!((r.epochs, r.batch_size), (50, 64));
}
