//! `fit`: Keras's training loop. Epochs of batches, each batch one step through the
//! [`Step`](super::step::Step) interface (the fused engine or Candle's autograd, chosen once),
//! callbacks after each batch and epoch, and a line of history per epoch.

use crate::device::Instant;

use candle_core::Device;

use super::autograd::AutogradStep;
use super::callbacks::Control;
use super::checks::{check_data, check_weights};
use super::fused::FusedStep;
use super::options::{Fit, Validation};
use super::report::{Lines, Outcome, Report, Silent, Verbosity, live_displays_work};
use super::step::Step;
use crate::data::{Batches, Split};
use crate::device::{AUTOGRAD_THREADS, training_threads};
use crate::error::{Error, Result};
use crate::history::{EpochLog, History, Monitor};
use crate::interrupt::{InterruptGuard, take_request};
use crate::math::Score;
use crate::model::Sequential;

/// Trains `model` on `train` (see [`Train::fit`](super::Train::fit)) and returns this run's
/// history; every epoch also goes into the model's own history as soon as it ends.
pub(crate) fn fit(model: &mut Sequential, train: &Split, mut options: Fit) -> Result<History> {
    let (train, validation) = prepare(model, train, &options)?;
    let mut batches = options.batches(train.len())?;
    let mut step = choose(model, &train, validation.as_ref(), &options)?;
    let mut report = for_fit(&options);
    let first = model.history().len() + 1;
    let header = announce(
        model,
        &train,
        validation.as_ref(),
        &batches,
        &options,
        step.as_ref(),
    )?;
    report.begin(&header, first, first + options.epochs - 1, batches.len());
    let mut run = History::default();
    let result = train_epochs(
        model,
        step.as_mut(),
        &mut batches,
        &mut options,
        report.as_mut(),
        &mut run,
    );
    let failure = result.as_ref().err().map(|e| match e {
        Error::Interrupted { during, .. } => (true, during.clone()),
        other => (false, other.to_string()),
    });
    let outcome = match (&failure, &run.stopped_early) {
        (Some((true, during)), _) => Outcome::Interrupted(during),
        (Some((false, error)), _) => Outcome::Failed(error),
        (None, Some(why)) => Outcome::Stopped(why),
        (None, None) => Outcome::Finished,
    };
    report.end(&run, &outcome);
    result?;
    Ok(run)
}

/// The epochs of one `fit`, each recorded in `run` and the model's history as it ends.
fn train_epochs(
    model: &mut Sequential,
    step: &mut dyn Step,
    batches: &mut Batches,
    options: &mut Fit,
    report: &mut dyn Report,
    run: &mut History,
) -> Result<()> {
    for cb in options.callbacks.iter_mut() {
        cb.on_train_begin(model)?;
    }
    // From here on, an interrupt stops training at the next batch boundary.
    let _interrupt = InterruptGuard::install();
    let first = model.history().len() + 1;
    model.history_mut().stopped_early = None;
    for epoch in first..first + options.epochs {
        let start = Instant::now();
        let (score, mut stop) = run_epoch(model, step, batches, options, report, first, epoch)?;
        let log = end_epoch(model, step, epoch, score, start)?;
        run.epochs.push(log.clone());
        report.epoch(&log, run);
        for cb in options.callbacks.iter_mut() {
            if let Control::Stop(why) = cb.on_epoch_end(&log, model)? {
                stop.get_or_insert(why);
            }
        }
        if let Some(why) = stop {
            run.stopped_early = Some(why.clone());
            model.history_mut().stopped_early = Some(why);
            break;
        }
    }
    for cb in options.callbacks.iter_mut() {
        cb.on_train_end(model)?;
    }
    Ok(())
}

/// The end of an epoch: validation, the check that the weights are still numbers, and the
/// epoch's log, added to the model's history.
fn end_epoch(
    model: &mut Sequential,
    step: &mut dyn Step,
    epoch: usize,
    score: Score,
    start: Instant,
) -> Result<EpochLog> {
    let validation = step.validate(model)?;
    check_weights(model, epoch)?;
    let log = EpochLog {
        epoch,
        loss: score.loss(),
        accuracy: score.accuracy(),
        val_loss: validation.map(|v| v.loss),
        val_accuracy: validation.map(|v| v.accuracy),
        seconds: start.elapsed().as_secs_f64(),
        learning_rate: model.compiled()?.optimizer.current_learning_rate(),
        fused: step.fused(),
    };
    model.history_mut().epochs.push(log.clone());
    Ok(log)
}

/// One epoch's batches: a step each, the batch log, the callbacks. Returns the epoch's
/// summed score and why a callback stopped training, if one did.
fn run_epoch(
    model: &mut Sequential,
    step: &mut dyn Step,
    batches: &mut Batches,
    options: &mut Fit,
    report: &mut dyn Report,
    first: usize,
    epoch: usize,
) -> Result<(Score, Option<String>)> {
    let (mut score, n) = (Score::default(), batches.len());
    for (b, ids) in batches.next_epoch_indices().iter().enumerate() {
        if take_request() {
            return Err(interrupted(model, first, epoch, b + 1, n));
        }
        let result = step.step(model, ids)?;
        let loss = result.loss();
        if !loss.is_finite() {
            return Err(Error::Diverged {
                epoch,
                batch: b + 1,
                batches: n,
                loss,
            });
        }
        score.add(result);
        report.batch(epoch, b + 1, result, &score);
        let mut stop = None;
        for cb in options.callbacks.iter_mut() {
            if let Control::Stop(why) = cb.on_batch_end(epoch, b + 1, loss) {
                stop = Some(why);
            }
        }
        if stop.is_some() {
            return Ok((score, stop));
        }
    }
    Ok((score, None))
}

/// Everything checked before the first step, once, for both kinds of step: the model is
/// compiled, the data trains, callbacks watch what this run computes. Returns the training
/// and validation data of the run.
fn prepare(model: &mut Sequential, train: &Split, options: &Fit) -> Result<(Split, Option<Split>)> {
    model.compiled()?;
    // Fresh variables made here cannot share a tensor id with anything this call creates
    // (see `Sequential::renew_vars`).
    let vars = model.renew_vars()?;
    model.training_parts()?.0.optimizer.set_vars(vars)?;
    if options.epochs == 0 {
        return Err(Error::InvalidArgument(
            "fit needs at least one epoch".into(),
        ));
    }
    let (train, validation) = match &options.validation {
        Validation::None => (train.clone(), None),
        Validation::Split(f) => {
            let (t, v) = train.validation_split(*f)?;
            (t, Some(v))
        }
        Validation::Data(v) => (train.clone(), Some(v.clone())),
    };
    let loss = model.loss()?;
    check_data(model, loss, &train, "the training data")?;
    if let Some(v) = &validation {
        check_data(model, loss, v, "the validation data")?;
    }
    let watched = options.callbacks.iter().filter_map(|cb| cb.monitor());
    for m in watched.filter(|m| matches!(m, Monitor::ValLoss | Monitor::ValAccuracy)) {
        if validation.is_none() {
            return Err(Error::InvalidArgument(format!(
                "a callback watches `{}`, which needs validation data: add \
                 `.validation_split(0.1)` or `.validation_data(&valid)` to the Fit options, \
                 or watch `{}`",
                m.name(),
                if m == Monitor::ValLoss {
                    "loss"
                } else {
                    "accuracy"
                }
            )));
        }
    }
    Ok((train, validation))
}

/// The step for this `fit`: the fused engine when it is allowed (`Fit::fused`) and covers
/// the model, its loss and both datasets; Candle's autograd otherwise.
pub(crate) fn choose(
    model: &Sequential,
    train: &Split,
    validation: Option<&Split>,
    options: &Fit,
) -> Result<Box<dyn Step>> {
    let cpu = matches!(model.device(), Device::Cpu);
    if options.fused && cpu {
        let threads = options.threads.unwrap_or_else(training_threads);
        if let Some(fused) = FusedStep::for_model(model, train, validation, threads)? {
            return Ok(Box::new(fused));
        }
    }
    let threads = cpu.then(|| options.threads.unwrap_or(AUTOGRAD_THREADS));
    Ok(Box::new(AutogradStep::new(train, validation, threads)?))
}

/// The line `fit` starts with: the data, the batches, the optimizer and how steps run.
fn announce(
    model: &Sequential,
    train: &Split,
    validation: Option<&Split>,
    batches: &Batches,
    options: &Fit,
    step: &dyn Step,
) -> Result<String> {
    let val = validation
        .map(|v| format!(", validate on {}", v.len()))
        .unwrap_or_default();
    Ok(format!(
        "Train on {} samples{val}; {} batches of {} per epoch; {}; {}",
        train.len(),
        batches.len(),
        options.batch_size,
        model.compiled()?.optimizer.rule().describe(),
        step.describe()
    ))
}

/// The error `fit` returns when interrupted before batch `batch` of epoch `epoch`; the
/// history records where.
fn interrupted(
    model: &mut Sequential,
    first: usize,
    epoch: usize,
    batch: usize,
    batches: usize,
) -> Error {
    let done = model.history().len() + 1 - first;
    let during = format!("in epoch {epoch}, before batch {batch} of {batches}");
    model.history_mut().stopped_early = Some(format!("interrupted {during}"));
    Error::Interrupted {
        during,
        kept: format!(
            " (model.history() has the {done} epoch{} this run completed)",
            if done == 1 { "" } else { "s" }
        ),
    }
}

/// The report `options` asks for, where this process runs.
pub(crate) fn for_fit(options: &Fit) -> Box<dyn Report> {
    let live = live_displays_work();
    match options.verbose {
        Verbosity::Silent => Box::new(Silent),
        Verbosity::Live | Verbosity::Auto if live => live_report(options),
        _ => Box::new(Lines::new(options.log_every)),
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn live_report(options: &Fit) -> Box<dyn Report> {
    let _ = options;
    Box::new(super::live::Live::to_stdout())
}

#[cfg(target_arch = "wasm32")]
fn live_report(options: &Fit) -> Box<dyn Report> {
    Box::new(Lines::new(options.log_every))
}
