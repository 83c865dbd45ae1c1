//! The live view of `fit` in a notebook: one output that updates in place while training runs,
//! as Keras's progress bar does, with the learning curve redrawn after every epoch (as d2l's
//! and fast.ai's notebooks draw theirs).
//!
//! Each state of the view is a line `EVCXR_LIVE_DISPLAY {json}` on standard output; the
//! workspace's kernel sends the first as a Jupyter `display_data` with a display id and the
//! others as `update_display_data` of it (`kernel/README.md`, patch item 8), so JupyterLab
//! redraws the one output, and a notebook saved after the run (or rendered into the book)
//! keeps its last state: the summary and the curve.
//!
//! What a state costs: the bar is redrawn at most twice a second, from numbers `fit` has
//! anyway; the curve is drawn once per epoch, as SVG text (no pixels), and once as a PNG at
//! the end.

use std::io::Write;

use serde_json::{Value, json};

use super::report::{Outcome, Report};
use crate::device::Instant;
use crate::drawing::LearningCurves;
use crate::history::{EpochLog, History};
use crate::math::Score;
use crate::table::escape_html;

/// The shortest time between two states of the bar (seconds).
const BAR_EVERY: f64 = 0.5;
/// The curve's size while training and at the end, in screen pixels.
const CURVE_SIZE: (u32, u32) = (720, 270);

/// The live view of one `fit`.
pub(crate) struct Live {
    out: Box<dyn Write + Send>,
    id: String,
    header: String,
    last: usize,
    batches: usize,
    started: Instant,
    shown: Option<Instant>,
    epoch_started: Instant,
    /// The last finished epoch, in words.
    last_epoch: Option<String>,
    /// The learning curve so far, as SVG.
    curve: Option<String>,
}

impl Live {
    /// A view printed to standard output (for the kernel to pass on).
    pub(crate) fn to_stdout() -> Self {
        Self::to(Box::new(std::io::stdout()))
    }

    /// A view written to `out`, one state per line.
    pub(crate) fn to(out: Box<dyn Write + Send>) -> Self {
        static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // The display id must differ between cells: Jupyter updates every output that has the
        // id, so a second cell's fit with the first's id would overwrite the first's view. A
        // counter alone does not do it, since each notebook cell links its own copy of the
        // crate and so of this static (kernel/README.md); the clock's nanoseconds do.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Self {
            out,
            id: format!("mlpkit-fit-{}-{nanos}-{run}", std::process::id()),
            header: String::new(),
            last: 0,
            batches: 0,
            started: Instant::now(),
            shown: None,
            epoch_started: Instant::now(),
            last_epoch: None,
            curve: None,
        }
    }

    /// Sends one state: `lines` as text (and, in HTML, the first in bold), with `extra` HTML
    /// below them and `png` as the output's picture for viewers that show no HTML.
    fn show(
        &mut self,
        lines: &[String],
        bar: Option<(usize, usize)>,
        extra: &str,
        png: Option<&[u8]>,
    ) {
        let mut html = String::from(
            "<div style=\"font-family: var(--jp-code-font-family, monospace); font-size: 13px; line-height: 1.6\">",
        );
        for (i, line) in lines.iter().enumerate() {
            let text = escape_html(line);
            html.push_str(&if i == 0 {
                format!("<div><b>{text}</b></div>")
            } else {
                format!("<div>{text}</div>")
            });
        }
        if let Some((done, of)) = bar {
            html.push_str(&format!(
                "<div><progress value=\"{done}\" max=\"{of}\" style=\"width: 24em; vertical-align: middle\"></progress></div>"
            ));
        }
        html.push_str(extra);
        html.push_str("</div>");
        let mut data = json!({ "text/plain": lines.join("\n"), "text/html": html });
        let mut metadata = json!({});
        if let Some(png) = png {
            use base64::Engine as _;
            data["image/png"] = Value::from(base64::engine::general_purpose::STANDARD.encode(png));
            metadata = json!({ "image/png": { "width": CURVE_SIZE.0, "height": CURVE_SIZE.1 } });
        }
        let state = json!({ "id": self.id, "update": self.shown.is_some(), "data": data, "metadata": metadata });
        // A view that cannot be written is not worth stopping training for.
        let _ = writeln!(self.out, "EVCXR_LIVE_DISPLAY {state}");
        let _ = self.out.flush();
        self.shown = Some(Instant::now());
    }

    fn curve_html(&self) -> String {
        self.curve
            .as_ref()
            .map(|svg| format!("<div>{svg}</div>"))
            .unwrap_or_default()
    }

    fn elapsed(&self) -> String {
        format!("{:.1} s", self.started.elapsed().as_secs_f64())
    }
}

impl Report for Live {
    fn begin(&mut self, header: &str, first: usize, last: usize, batches: usize) {
        (self.header, self.last, self.batches) = (header.to_string(), last, batches);
        self.epoch_started = Instant::now();
        let lines = [format!("Epoch {first}/{last}"), header.to_string()];
        self.show(&lines, Some((0, batches)), "", None);
    }

    fn batch(&mut self, epoch: usize, batch: usize, _this: Score, so_far: &Score) {
        let due = self
            .shown
            .is_none_or(|t| t.elapsed().as_secs_f64() >= BAR_EVERY);
        if !due || batch == self.batches {
            return;
        }
        let mut lines = vec![
            format!("Epoch {epoch}/{}", self.last),
            format!(
                "batch {batch}/{} · {:.1} s · loss {:.4} · accuracy {:.4}",
                self.batches,
                self.epoch_started.elapsed().as_secs_f64(),
                so_far.loss(),
                so_far.accuracy()
            ),
        ];
        lines.extend(self.last_epoch.iter().cloned());
        lines.push(self.header.clone());
        let curve = self.curve_html();
        self.show(&lines, Some((batch, self.batches)), &curve, None);
    }

    fn epoch(&mut self, log: &EpochLog, run: &History) {
        self.last_epoch = Some(format!("Epoch {}/{} - {log}", log.epoch, self.last));
        self.curve = LearningCurves::new(run)
            .and_then(|c| c.figure().size(CURVE_SIZE.0, CURVE_SIZE.1).svg())
            .ok();
        let lines = [
            format!(
                "Epoch {}/{} done ({})",
                log.epoch,
                self.last,
                self.elapsed()
            ),
            self.last_epoch.clone().unwrap_or_default(),
            self.header.clone(),
        ];
        let curve = self.curve_html();
        self.show(&lines, Some((self.batches, self.batches)), &curve, None);
        self.epoch_started = Instant::now();
    }

    fn end(&mut self, run: &History, outcome: &Outcome<'_>) {
        let epochs = run.len();
        let mut lines = vec![
            format!(
                "Trained {epochs} epoch{} in {}",
                if epochs == 1 { "" } else { "s" },
                self.elapsed()
            ),
            self.header.clone(),
        ];
        lines.extend(self.last_epoch.iter().cloned());
        match outcome {
            Outcome::Finished => {}
            Outcome::Stopped(why) => lines.push(format!("Stopped: {why}")),
            Outcome::Interrupted(during) => lines.push(format!("Stopped: interrupted {during}")),
            Outcome::Failed(error) => lines.push(format!("Failed: {error}")),
        }
        lines.push("Every epoch's figures: the history fit returns (or model.history()).".into());
        let png = LearningCurves::new(run)
            .and_then(|c| c.figure().size(CURVE_SIZE.0, CURVE_SIZE.1).png())
            .ok();
        let picture = match &png {
            Some(png) => {
                use base64::Engine as _;
                format!(
                    "<div><img width=\"{}\" src=\"data:image/png;base64,{}\"></div>",
                    CURVE_SIZE.0,
                    base64::engine::general_purpose::STANDARD.encode(png)
                )
            }
            None => String::new(),
        };
        self.show(&lines, None, &picture, png.as_deref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A writer that keeps what it is given, for a test to read.
    #[derive(Clone, Default)]
    struct Kept(Arc<Mutex<Vec<u8>>>);
    impl Write for Kept {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn log(epoch: usize) -> EpochLog {
        EpochLog {
            epoch,
            loss: 1.0 / epoch as f64,
            accuracy: 0.5 + 0.1 * epoch as f64,
            val_loss: Some(1.1 / epoch as f64),
            val_accuracy: Some(0.45 + 0.1 * epoch as f64),
            seconds: 0.1,
            learning_rate: 0.001,
            fused: true,
        }
    }

    #[test]
    fn states_update_one_display_and_the_last_has_the_curve() {
        let kept = Kept::default();
        let mut live = Live::to(Box::new(kept.clone()));
        live.begin("Train on 10 samples", 1, 2, 3);
        let mut run = History::default();
        for e in 1..=2 {
            run.epochs.push(log(e));
            live.epoch(&log(e), &run);
        }
        live.end(&run, &Outcome::Stopped("a callback said so"));
        let text = String::from_utf8(kept.0.lock().unwrap().clone()).unwrap();
        let states: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l.strip_prefix("EVCXR_LIVE_DISPLAY ").unwrap()).unwrap())
            .collect();
        assert_eq!(states.len(), 4);
        assert!(
            states.iter().all(|s| s["id"] == states[0]["id"]),
            "one display"
        );
        assert_eq!(states[0]["update"], false);
        assert!(states[1..].iter().all(|s| s["update"] == true));
        assert!(
            states[1]["data"]["text/html"]
                .as_str()
                .unwrap()
                .contains("<svg")
        );
        let last = &states[3]["data"];
        assert!(
            last["text/plain"]
                .as_str()
                .unwrap()
                .contains("Trained 2 epochs")
        );
        assert!(
            last["text/plain"]
                .as_str()
                .unwrap()
                .contains("Stopped: a callback said so")
        );
        assert!(last["image/png"].as_str().is_some_and(|p| p.len() > 1000));
        assert_eq!(states[3]["metadata"]["image/png"]["width"], CURVE_SIZE.0);
    }

    #[test]
    fn the_bar_is_redrawn_at_most_twice_a_second() {
        let kept = Kept::default();
        let mut live = Live::to(Box::new(kept.clone()));
        live.begin("h", 1, 1, 1000);
        for b in 1..1000 {
            live.batch(1, b, Score::default(), &Score::default());
        }
        let states = String::from_utf8(kept.0.lock().unwrap().clone())
            .unwrap()
            .lines()
            .count();
        assert_eq!(
            states, 1,
            "a thousand fast batches, no redraw within half a second"
        );
    }
}
