"""fit's live view, through the real kernel: one output that updates in place while it trains.

In one kernel this runs a training cell and watches what Jupyter receives, as JupyterLab
would: the cell must send one `display_data` and then at least three `update_display_data`
of the same display id before its reply (the bar and the curve redrawn while it trains), the
last state must be the summary with the learning curve as a PNG, and the cell must print no
line of training log. Then an interrupted run: its last state must say where it stopped. Then
`verbose(2)` in the same kernel: a line per epoch and no display.

Run by `./lab test kernel`; by hand: `.venv/bin/python tests/live_view.py`.
"""

import sys
import time
from pathlib import Path

from jupyter_client.manager import KernelManager

ROOT = Path(__file__).resolve().parent.parent

SETUP = """:dep mlpkit = { path = "../crates/mlpkit" }
use mlpkit::prelude::*;
let mnist = Dataset::load(DatasetKind::Mnist)?;
let data = mnist.train.head(12000)?.map_images(|x| flatten(&scale(x, PixelRange::ZeroOne)?))?;
fn build() -> Result<Sequential> {
    let mut m = Architecture::new(&[784]).add(Dense::new(256, Activation::Relu))
        .add(Dense::new(10, Activation::Softmax)).build(7)?;
    m.compile(Adam::default(), Loss::SparseCategoricalCrossentropy)?;
    Ok(m)
}"""

TRAIN = """let mut model = build()?;
model.fit(&data, Fit::epochs(4).batch_size(16).validation_split(0.1))?;"""

LONG = """let mut long = build()?;
long.fit(&data, Fit::epochs(1000).batch_size(16))?;"""

LINES = """let mut quiet = build()?;
quiet.fit(&data.head(2000)?, Fit::epochs(2).verbose(2))?;"""


def execute(kc, code, on_message=None, interrupt_after=None, km=None):
    """Runs code; returns (reply status, every iopub message of the request, stdout text)."""
    msg_id = kc.execute(code, stop_on_error=False)
    messages, stdout = [], []
    started = time.monotonic()
    interrupted = False
    while True:
        msg = kc.get_iopub_msg(timeout=900)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        messages.append(msg)
        if kind == "stream" and msg["content"]["name"] == "stdout":
            stdout.append(msg["content"]["text"])
        if interrupt_after and not interrupted and kind == "update_display_data" and time.monotonic() - started > interrupt_after:
            km.interrupt_kernel()
            interrupted = True
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            break
    while True:
        reply = kc.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]["status"], messages, "".join(stdout)


def displays(messages):
    return [m for m in messages if m["msg_type"] in ("display_data", "update_display_data")]


def main() -> int:
    km = KernelManager(kernel_name="rust-mlpkit")
    started = time.monotonic()
    km.start_kernel(cwd=str(ROOT / "notebooks"))
    kc = km.client()
    kc.start_channels()
    problems = []
    try:
        kc.wait_for_ready(timeout=600)
        status, _, text = execute(kc, SETUP)
        if status != "ok":
            return print(f"live view check: setting up failed: {text}") or 1
        status, messages, text = execute(kc, TRAIN)
        shown = displays(messages)
        ids = {m["content"]["transient"]["display_id"] for m in shown}
        updates = sum(m["msg_type"] == "update_display_data" for m in shown)
        print(f"    training cell: {len(shown)} states of {len(ids)} display(s), {updates} of them updates; stdout {text!r}")
        if status != "ok":
            problems.append(f"the training cell failed: {text}")
        if not shown or shown[0]["msg_type"] != "display_data" or len(ids) != 1:
            problems.append("the cell did not show one display that it then updates")
        if updates < 3:
            problems.append(f"the display was updated {updates} times while training, not at least 3")
        last = shown[-1]["content"]["data"] if shown else {}
        if "Trained 4 epochs" not in last.get("text/plain", "") or len(last.get("image/png", "")) < 1000:
            problems.append(f"the last state is not the summary with the curve: {last.get('text/plain', '')!r}")
        if "Epoch" in text:
            problems.append(f"the live view also printed a training log: {text!r}")
        status, messages, _ = execute(kc, LONG, interrupt_after=3.0, km=km)
        shown = displays(messages)
        last = shown[-1]["content"]["data"].get("text/plain", "") if shown else ""
        print(f"    interrupted cell: status {status}; last state {last.splitlines()[-2:]!r}")
        if status != "error" or "interrupted in epoch" not in last:
            problems.append(f"an interrupted run's view does not say where it stopped: {last!r}")
        status, messages, text = execute(kc, LINES)
        print(f"    verbose(2): {len(displays(messages))} displays, {text.count('Epoch ')} epoch lines")
        if displays(messages) or text.count("Epoch ") != 2:
            problems.append(f"verbose(2) did not print one line per epoch without a display: {text!r}")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    for p in problems:
        print("FAIL:", p)
    print(f"live view check {'failed' if problems else 'passed'} in {time.monotonic() - started:.0f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
