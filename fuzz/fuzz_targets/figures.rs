//! Arbitrary numbers into the figure builders: every figure renders or gives an error, and
//! returns (no unbounded tick search, no overflowing size).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use mlpkit::prelude::*;
use mlpkit::train::EpochLog;

#[derive(Debug, Arbitrary)]
struct Input {
    values: Vec<f64>,
    ylim: (f64, f64),
    probabilities: Vec<f32>,
    truth: u32,
    size: (u32, u32),
    zoom: u32,
}

fuzz_target!(|input: Input| {
    let values: Vec<f64> = input.values.iter().copied().take(12).collect();
    let labels: Vec<String> = (0..values.len()).map(|i| format!("v{i}")).collect();
    let (w, h) = (input.size.0 % 4000, input.size.1 % 4000);
    if let Ok(chart) = BarChart::new(&labels, &values) {
        let _ = chart.clone().figure().png();
        let _ = chart
            .ylim(input.ylim.0, input.ylim.1)
            .figure()
            .size(w, h)
            .png();
    }
    if !values.is_empty() {
        let history = History {
            epochs: values
                .iter()
                .enumerate()
                .map(|(i, &v)| EpochLog {
                    epoch: i + 1,
                    loss: v,
                    accuracy: -v,
                    val_loss: Some(v * 2.0),
                    val_accuracy: None,
                    seconds: 0.0,
                    learning_rate: 0.0,
                    fused: false,
                })
                .collect(),
            stopped_early: None,
        };
        if let Ok(curves) = LearningCurves::new(&history) {
            let _ = curves
                .ylim(Metric::Loss, input.ylim.0, input.ylim.1)
                .figure()
                .png();
        }
    }
    let probabilities: Vec<f32> = input.probabilities.iter().copied().take(12).collect();
    let names: Vec<String> = (0..probabilities.len()).map(|i| i.to_string()).collect();
    if let Ok(bars) = ProbabilityBars::new(&probabilities, &names) {
        let _ = bars.truth(input.truth).figure().png();
    }
    if let Ok(images) = Tensor::zeros((2, 28, 28), DType::U8, &Device::Cpu) {
        if let Ok(grid) = ImageGrid::new(&images) {
            let _ = grid.zoom(input.zoom).figure().size(w, h).png();
        }
    }
});
