//! `evaluate`: the compiled loss and the accuracy on a dataset, in inference (no dropout),
//! chunk by chunk through the model's forward pass.

use super::checks::check_data;
use crate::data::Split;
use crate::error::Result;
use crate::math::answers::count_correct_tensors;
use crate::math::{Evaluation, Score};
use crate::model::Sequential;
use crate::storage::CHUNK_ROWS;

/// Loss and accuracy of `model` on `data`, after checking that the data fits it.
pub(crate) fn evaluate(model: &Sequential, data: &Split) -> Result<Evaluation> {
    check_data(model, model.loss()?, data, "the data to evaluate")?;
    evaluate_checked(model, data)
}

/// [`evaluate`] on data that [`check_data`] has accepted.
pub(crate) fn evaluate_checked(model: &Sequential, data: &Split) -> Result<Evaluation> {
    let loss_fn = model.loss()?;
    let mut total = Score::default();
    for start in (0..data.len()).step_by(CHUNK_ROWS) {
        let chunk = data.slice(start, CHUNK_ROWS.min(data.len() - start))?;
        let (logits, act) = model.logits(chunk.images())?;
        let mean = loss_fn
            .compute_for(&logits, act, chunk.labels())?
            .to_scalar::<f32>()? as f64;
        let outputs = logits.dims().last().copied().unwrap_or(1);
        let terms = loss_fn.terms(chunk.len(), outputs) as f64;
        let (right, answers) = count_correct_tensors(&logits, act, chunk.labels())?;
        total.add(Score {
            loss_sum: mean * terms,
            loss_terms: terms,
            right,
            answers,
        });
    }
    Ok(total.evaluation())
}
