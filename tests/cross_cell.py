"""A hand-written training loop split across notebook cells, through the real kernel.

The kernel links every cell with its own copy of mlpkit and Candle, and each copy numbers its
tensors on its own (crates/mlpkit/src/copies.rs), so variables made in one cell can have the
numbers of tensors made in the next and their gradients get mixed up silently. This check
runs, in one kernel:

1. a loop of `model.train_step` over two epochs in one cell, and the same loop with the model
   built and compiled in one cell and each epoch in a cell of its own: the losses must be
   the same, to the last printed digit, and must fall;
2. notebook 05's way, Candle variables and an optimizer made in one cell and the loop in the
   next: the loop's cell must fail with the crate's error that names the cause (never train
   silently wrong); and the same code in one cell must train.

Run by `./lab test` after the notebooks; by hand: `.venv/bin/python tests/cross_cell.py`.
"""

import re
import sys
import time
from pathlib import Path

from jupyter_client.manager import KernelManager

ROOT = Path(__file__).resolve().parent.parent

SETUP = """:dep mlpkit = { path = "../crates/mlpkit" }
use mlpkit::prelude::*;
use mlpkit::candle_core::Var;
use mlpkit::train::Outputs;
let mnist = Dataset::load(DatasetKind::Mnist)?;
let data = mnist.train.head(3000)?.map_images(|x| flatten(&scale(x, PixelRange::ZeroOne)?))?;
fn build() -> Result<Sequential> {
    let mut m = Architecture::new(&[784]).add(Dense::new(32, Activation::Relu))
        .add(Dense::new(10, Activation::Softmax)).build(7)?;
    m.compile(Adam::new(0.01), Loss::SparseCategoricalCrossentropy)?;
    Ok(m)
}
fn epoch(model: &mut Sequential, data: &Split, seed: u64) -> Result<f64> {
    let mut batches = Batches::new(data.len(), 100)?.shuffle(seed);
    let mut total = 0.0;
    for batch in batches.epoch(data) {
        total += model.train_step(&batch?)?.loss();
    }
    Ok(total / batches.len() as f64)
}"""

ONE_CELL = """let mut one = build()?;
let a = epoch(&mut one, &data, 1)?;
let b = epoch(&mut one, &data, 2)?;
println!("one cell: {a:.6} {b:.6}");"""

SPLIT = [
    "let mut split = build()?;",
    'println!("split epoch 1: {:.6}", epoch(&mut split, &data, 1)?);',
    'println!("split epoch 2: {:.6}", epoch(&mut split, &data, 2)?);',
]

RAW_MAKE = """let w = Var::from_tensor(&Init::GlorotUniform.kernel(784, 10, &mut mlpkit::rand::SeedableRng::seed_from_u64(3), &Device::Cpu)?)?;
let b = Var::zeros(10, DType::F32, &Device::Cpu)?;
let mut optimizer = Optimizer::new(vec![w.clone(), b.clone()], Adam::new(0.01))?;"""

RAW_LOOP = """let mut losses = Vec::new();
for batch in Batches::new(data.len(), 100)?.shuffle(5).epoch(&data) {
    let batch = batch?;
    let logits = batch.images().matmul(w.as_tensor())?.broadcast_add(b.as_tensor())?;
    let loss = Loss::SparseCategoricalCrossentropy.compute(&logits, batch.labels(), Outputs::Logits)?;
    optimizer.backward_step(&loss)?;
    losses.push(loss.to_scalar::<f32>()?);
}
println!("raw loop: first {:.4}, last {:.4}", losses[0], losses[losses.len() - 1]);"""


def run(kc, code, expect_ok=True):
    out, errors = [], []

    def hook(msg):
        kind = msg["msg_type"]
        if kind == "stream":
            out.append(msg["content"]["text"])
        elif kind == "error":
            errors.append(msg["content"]["evalue"])

    reply = kc.execute_interactive(code, timeout=900, output_hook=hook, stop_on_error=False)
    ok = reply["content"]["status"] == "ok"
    if ok != expect_ok:
        sys.exit(f"cross-cell check: a cell {'failed' if expect_ok else 'ran'} unexpectedly:\n"
                 f"{code}\n{''.join(out)}{' '.join(errors)}")
    return "".join(out), " ".join(errors)


def main() -> int:
    km = KernelManager(kernel_name="rust-mlpkit")
    started = time.monotonic()
    km.start_kernel(cwd=str(ROOT / "notebooks"))
    kc = km.client()
    kc.start_channels()
    problems = []
    try:
        kc.wait_for_ready(timeout=600)
        run(kc, SETUP)
        text, _ = run(kc, ONE_CELL)
        one = [float(x) for x in re.search(r"one cell: (\S+) (\S+)", text).groups()]
        split = []
        for code in SPLIT:
            text, _ = run(kc, code)
            split += [float(x) for x in re.findall(r"split epoch \d: (\S+)", text)]
        print(f"train_step loop, one cell: {one}; split over three cells: {split}")
        if split != one or not one[1] < one[0]:
            problems.append("the split loop's losses differ from the one-cell loop's, or do not fall")
        run(kc, RAW_MAKE)
        text, error = run(kc, RAW_LOOP, expect_ok=False)
        error = " ".join((text + " " + error).split())
        print(f"Candle variables from another cell: {error[:150]}…")
        if "another notebook cell" not in error:
            problems.append(f"the loop over another cell's variables did not fail with the crate's error: {error}")
        text, _ = run(kc, RAW_MAKE + "\n" + RAW_LOOP)
        first, last = (float(x) for x in re.search(r"first (\S+), last (\S+)", text).groups())
        print(f"the same in one cell: loss {first} → {last}")
        if not last < first / 2:
            problems.append("the one-cell raw loop did not learn")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    for p in problems:
        print("FAIL:", p)
    print(f"cross-cell check {'failed' if problems else 'passed'} in {time.monotonic() - started:.0f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
