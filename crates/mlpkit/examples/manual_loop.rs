//! The training loop written out by hand, as the low-level tutorial does, with the
//! crate's public pieces: `Batches`, `forward_logits`, `Loss::compute`, `Optim`.
//!
//! ```text
//! cargo run --release -p mlpkit --example manual_loop
//! ```

use mlpkit::prelude::*;
use mlpkit::train::Outputs;

fn main() -> Result<()> {
    let mnist = Dataset::load(DatasetKind::Mnist)?;
    let prep = |s: &Split| -> Result<Split> {
        s.map_images(|x| flatten(&scale(x, PixelRange::ZeroOne)?))?
            .map_labels(|y| one_hot(y, NUM_CLASSES))
    };
    let (train, valid) = prep(&mnist.train)?.split_first(5_000)?;
    let test = prep(&mnist.test)?;

    let init = Init::TruncatedNormal { std: 0.01 };
    let mut model = Architecture::new(&[784])
        .add(Dense::new(200, Activation::Relu).kernel_init(init))
        .add(Dense::new(NUM_CLASSES, Activation::Linear).kernel_init(init))
        .build(1)?;
    let mut optimizer = Optimizer::new(model.vars(), Adam::new(0.001))?;
    let loss_fn = Loss::CategoricalCrossentropy;

    // The loop itself.
    let mut batches = Batches::new(train.len(), 100)?.shuffle(7);
    for epoch in 1..=3 {
        for (i, batch) in batches.epoch(&train).enumerate() {
            let batch = batch?;
            let (logits, _) = model.forward_logits(batch.images(), true)?;
            let loss = loss_fn.compute(&logits, batch.labels(), Outputs::Logits)?;
            optimizer.backward_step(&loss)?;
            if i % 100 == 0 {
                let hits = logits
                    .argmax(1)?
                    .eq(&batch.labels().argmax(1)?)?
                    .to_dtype(DType::F32)?
                    .mean_all()?;
                println!(
                    "iter {i:3}: loss {:.2}, batch accuracy {:.1}%",
                    loss.to_scalar::<f32>()?,
                    100.0 * hits.to_scalar::<f32>()?
                );
            }
        }
        let (logits, _) = model.logits(valid.images())?;
        let val_loss = loss_fn
            .compute(&logits, valid.labels(), Outputs::Logits)?
            .to_scalar::<f32>()?;
        println!("epoch {epoch}: validation loss {val_loss:.3}");
    }

    model.compile(Adam::new(0.001), loss_fn)?; // only to use evaluate()
    println!("test: {}", model.evaluate(&test)?);
    Ok(())
}
