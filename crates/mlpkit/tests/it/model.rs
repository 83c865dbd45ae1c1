//! Models: architectures, summaries, the forward pass, initialisers, layer specs as JSON.

use mlpkit::model::LayerSpec;
use mlpkit::prelude::*;

use crate::util::cpu;

fn mlp(hidden: &[usize], activation: Activation) -> Architecture {
    let mut arch = Architecture::new(&[28, 28]).add(Flatten);
    for &h in hidden {
        arch = arch.add(Dense::new(h, activation));
    }
    arch.add(Dense::new(10, Activation::Softmax))
}

#[test]
fn parameter_counts_match_keras() {
    assert_eq!(
        mlp(&[300, 100], Activation::Relu).param_count().unwrap(),
        266_610
    );
    assert_eq!(
        mlp(&[128, 128], Activation::Relu).param_count().unwrap(),
        118_282
    );
    assert_eq!(
        mlp(&[50, 50], Activation::Tanh).param_count().unwrap(),
        42_310
    );
    assert_eq!(
        mlp(&[64, 64], Activation::Relu).param_count().unwrap(),
        55_050
    );
    assert_eq!(
        mlp(&[200], Activation::Relu).param_count().unwrap(),
        159_010
    );
    let model = mlp(&[300, 100], Activation::Relu)
        .build_on(0, &cpu())
        .unwrap();
    assert_eq!(model.param_count(), 266_610);
    let n: usize = model.vars().iter().map(|v| v.elem_count()).sum();
    assert_eq!(n, 266_610, "the weights really are that many numbers");
}

#[test]
fn summary_reads_like_keras() {
    let model = mlp(&[300, 100], Activation::Relu)
        .build_on(0, &cpu())
        .unwrap();
    let s = model.summary();
    let names: Vec<String> = s
        .rows
        .iter()
        .map(|r| format!("{} ({})", r.name, r.type_name))
        .collect();
    assert_eq!(
        names,
        [
            "flatten (Flatten)",
            "dense (Dense)",
            "dense_1 (Dense)",
            "dense_2 (Dense)"
        ]
    );
    let shapes: Vec<&str> = s.rows.iter().map(|r| r.output_shape.as_str()).collect();
    assert_eq!(
        shapes,
        ["(None, 784)", "(None, 300)", "(None, 100)", "(None, 10)"]
    );
    let params: Vec<usize> = s.rows.iter().map(|r| r.params).collect();
    assert_eq!(params, [0, 235_500, 30_100, 1_010]);
    let text = s.to_string();
    assert!(text.contains("Total params: 266,610"), "{text}");
    assert!(
        text.contains("Trainable params: 266,610") && text.contains("Non-trainable params: 0"),
        "{text}"
    );
    let html = s.to_html();
    assert!(
        html.starts_with("<table>") && html.contains("dense_1 (Dense)") && html.contains("235,500"),
        "{html}"
    );
}

#[test]
fn architecture_errors_are_explained() {
    let no_flatten = Architecture::new(&[28, 28]).add(Dense::new(10, Activation::Softmax));
    let msg = no_flatten.resolve().unwrap_err().to_string();
    assert!(msg.contains("put a Flatten layer before it"), "{msg}");
    let bad_rate = Architecture::new(&[784]).add(Dropout::new(1.5));
    assert!(
        bad_rate
            .resolve()
            .unwrap_err()
            .to_string()
            .contains("dropout rate")
    );
    assert!(
        Architecture::new(&[784])
            .add(Dense::new(0, Activation::Relu))
            .resolve()
            .is_err()
    );
}

#[test]
fn forward_shapes_and_probabilities() {
    let model = mlp(&[50, 50], Activation::Tanh)
        .build_on(1, &cpu())
        .unwrap();
    let x = Tensor::rand(0f32, 1f32, (5, 28, 28), &cpu()).unwrap();
    let p = model.forward(&x).unwrap();
    assert_eq!(p.dims(), &[5, 10]);
    for row in p.to_vec2::<f32>().unwrap() {
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        assert!(row.iter().all(|&v| v > 0.0));
    }
    // Flat inputs of the right size are accepted too.
    assert_eq!(
        model.forward(&x.reshape((5, 784)).unwrap()).unwrap().dims(),
        &[5, 10]
    );
    assert_eq!(model.predict_classes(&x).unwrap().len(), 5);
    // Wrong sizes and raw bytes are explained.
    let msg = model
        .forward(&Tensor::zeros((2, 100), DType::F32, &cpu()).unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("[28, 28]") && msg.contains("[2, 100]"),
        "{msg}"
    );
    let msg = model
        .forward(&Tensor::zeros((2, 784), DType::U8, &cpu()).unwrap())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("scale("), "{msg}");
}

#[test]
fn initialisers_have_the_keras_spread() {
    use rand::SeedableRng;
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let stats = |v: &[f32]| {
        let n = v.len() as f64;
        let mean = v.iter().map(|&x| x as f64).sum::<f64>() / n;
        let var = v.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / n;
        (
            mean,
            var.sqrt(),
            v.iter().fold(0f32, |m, &x| m.max(x.abs())) as f64,
        )
    };
    let (fi, fo) = (784, 300);
    let glorot_limit = (6.0 / (fi + fo) as f64).sqrt();
    let (m, s, max) = stats(
        &Init::GlorotUniform
            .sample(fi * fo, fi, fo, &mut rng)
            .unwrap(),
    );
    assert!(
        m.abs() < 1e-3 && (s - glorot_limit / 3f64.sqrt()).abs() < 1e-3 && max <= glorot_limit,
        "{m} {s} {max}"
    );
    let (_, s, _) = stats(&Init::HeUniform.sample(fi * fo, fi, fo, &mut rng).unwrap());
    assert!((s - (6.0 / fi as f64).sqrt() / 3f64.sqrt()).abs() < 1e-3);
    let (_, s, _) = stats(
        &Init::GlorotNormal
            .sample(fi * fo, fi, fo, &mut rng)
            .unwrap(),
    );
    assert!((s - (2.0 / (fi + fo) as f64).sqrt()).abs() < 1e-3, "{s}");
    let (_, s, _) = stats(&Init::HeNormal.sample(fi * fo, fi, fo, &mut rng).unwrap());
    assert!((s - (2.0 / fi as f64).sqrt()).abs() < 1e-3, "{s}");
    let (m, s, max) = stats(
        &Init::TruncatedNormal { std: 0.01 }
            .sample(200_000, 1, 1, &mut rng)
            .unwrap(),
    );
    assert!(
        m.abs() < 1e-4 && (s - 0.01 * 0.8796).abs() < 2e-4 && max <= 0.02,
        "{m} {s} {max}"
    );
    assert!(
        Init::Zeros
            .sample(5, 1, 1, &mut rng)
            .unwrap()
            .iter()
            .all(|&v| v == 0.0)
    );
    assert_eq!(
        Init::Constant { value: 0.5 }
            .sample(2, 1, 1, &mut rng)
            .unwrap(),
        [0.5, 0.5]
    );
    // Biases start at zero by default.
    let model = mlp(&[20], Activation::Relu).build_on(0, &cpu()).unwrap();
    let b = model
        .dense_params("dense")
        .unwrap()
        .bias
        .as_ref()
        .unwrap()
        .to_vec1::<f32>()
        .unwrap();
    assert!(b.iter().all(|&v| v == 0.0));
    assert_eq!(
        model.dense_params("dense").unwrap().kernel.dims(),
        &[784, 20]
    );
    assert!(
        model
            .dense_params("nope")
            .unwrap_err()
            .to_string()
            .contains("dense_1")
    );
}

#[test]
fn layer_specs_serialise_to_readable_json() {
    let arch = mlp(&[50], Activation::Tanh).add(Dropout::new(0.5));
    let json = serde_json::to_string(&arch).unwrap();
    assert!(
        json.contains("\"type\":\"dense\"") && json.contains("\"activation\":\"tanh\""),
        "{json}"
    );
    let back: Architecture = serde_json::from_str(&json).unwrap();
    assert_eq!(back, arch);
    assert!(matches!(back.layers[0], LayerSpec::Flatten));
}
