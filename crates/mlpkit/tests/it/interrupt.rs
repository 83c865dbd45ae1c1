//! An interrupt (SIGINT: Ctrl-C, the notebook's stop button) stops `fit` and the batches of
//! a hand-written loop at a batch boundary, keeps the model, and afterwards does what it did
//! before (ends the program). Each case runs in a child process that the test interrupts.
#![cfg(unix)]

use crate::util;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mlpkit::prelude::*;

const CHILD_ENV: &str = "MLPKIT_TEST_INTERRUPT_CHILD";

fn model() -> Sequential {
    let mut m = Architecture::new(&[2])
        .add(Dense::new(64, Activation::Relu))
        .add(Dense::new(4, Activation::Softmax))
        .build_on(0, &Device::Cpu)
        .unwrap();
    m.compile(Adam::new(0.001), Loss::SparseCategoricalCrossentropy)
        .unwrap();
    m
}

/// Says when an epoch ends, so that the parent interrupts after one has (however busy the
/// machine is).
struct Announce;

impl mlpkit::train::Callback for Announce {
    fn on_epoch_end(
        &mut self,
        _log: &mlpkit::train::EpochLog,
        _model: &Sequential,
    ) -> Result<mlpkit::train::Control> {
        println!("epoch done");
        Ok(mlpkit::train::Control::Continue)
    }
}

/// What the child does: train far longer than the test waits, report, then idle.
#[test]
fn interrupt_child() {
    let Ok(what) = std::env::var(CHILD_ENV) else {
        return;
    };
    // Whatever this process inherited (a shell may start it with interrupts ignored), an
    // interrupt ends it by default, so that the test can see the default come back.
    // SAFETY: setting the default action for SIGINT before any other thread uses signals.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_DFL);
    }
    let data = util::quadrants(4000);
    let mut m = model();
    println!("ready");
    let err = if what == "fit" {
        let fit = Fit::epochs(100_000).batch_size(8).verbose(false);
        m.fit(&data, fit.callback(Announce)).unwrap_err()
    } else {
        let mut batches = Batches::new(data.len(), 8).unwrap();
        let mut found = None;
        'epochs: for _ in 0..100_000 {
            for batch in batches.epoch(&data) {
                match batch {
                    Ok(batch) => {
                        m.train_step(&batch).unwrap();
                    }
                    Err(e) => {
                        found = Some(e);
                        break 'epochs;
                    }
                }
            }
        }
        found.expect("the loop ran to its end")
    };
    println!("error: {err}");
    println!("epochs kept: {}", m.history().len());
    println!("still usable: {}", m.evaluate(&data).is_ok());
    println!("waiting");
    std::thread::sleep(Duration::from_secs(60));
    println!("not ended by the second interrupt");
}

/// Starts the child for `what`, interrupts it once it trains, and returns its report and
/// whether a second interrupt ended it.
fn interrupt(what: &str) -> (String, bool) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "interrupt::interrupt_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, what)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut report = String::new();
    let mut sent = false;
    let sigint = || {
        assert!(
            Command::new("kill")
                .args(["-INT", &pid])
                .status()
                .unwrap()
                .success()
        );
    };
    for line in lines.by_ref() {
        let line = line.unwrap();
        // The test harness writes "test interrupt_child ... " before the child's first line.
        // Interrupt once training has run a while: after the first epoch of `fit`, or 1.5 s
        // into the hand-written loop.
        if line.ends_with("ready") && what != "fit" || line.ends_with("epoch done") && !sent {
            if what != "fit" {
                std::thread::sleep(Duration::from_millis(1500));
            }
            sigint();
            sent = true;
        } else if line == "waiting" {
            break;
        } else if !line.ends_with("epoch done") {
            report.push_str(&line);
            report.push('\n');
        }
    }
    sigint();
    let start = Instant::now();
    let ended = loop {
        if let Some(status) = child.try_wait().unwrap() {
            use std::os::unix::process::ExitStatusExt;
            break status.signal() == Some(libc::SIGINT);
        }
        if start.elapsed() > Duration::from_secs(10) {
            child.kill().unwrap();
            break false;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (report, ended)
}

#[test]
fn an_interrupt_stops_fit_and_keeps_the_model() {
    let (report, ended) = interrupt("fit");
    assert!(report.contains("error: interrupted in epoch"), "{report}");
    assert!(report.contains("before batch"), "{report}");
    assert!(report.contains("still usable: true"), "{report}");
    let epochs: usize = report
        .lines()
        .find_map(|l| l.strip_prefix("epochs kept: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(epochs >= 1, "{report}");
    assert!(ended, "after fit, an interrupt no longer ended the program");
}

#[test]
fn an_interrupt_stops_a_hand_written_loop() {
    let (report, ended) = interrupt("loop");
    assert!(
        report.contains("error: interrupted before batch"),
        "{report}"
    );
    assert!(report.contains("still usable: true"), "{report}");
    assert!(
        ended,
        "after the loop, an interrupt no longer ended the program"
    );
}
