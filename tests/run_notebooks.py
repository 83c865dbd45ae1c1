#!/usr/bin/env python3
"""Runs every notebook in notebooks/ top to bottom through the real Rust kernel.

A notebook fails when any cell reports an error or a panic, when a figure it shows is not
a decodable PNG image, or when one of its key results (tests/notebooks.toml) is missing or
out of its tolerance. For each notebook it prints the time from kernel start to the end of
the first cell, the slowest cell that does not train (cells tagged "training" train), and
the total.

    python tests/run_notebooks.py [--write] [--warm] [NAME ...]
    python tests/run_notebooks.py --interrupt-only

--write saves the executed notebooks (with outputs) in place; otherwise they are left as
they are. --warm only compiles the notebooks' dependencies once. NAME filters notebooks
by a part of their file name.

--interrupt-only checks what an interrupt does in the kernel instead (`./lab test kernel`
runs it): training stops, the cell queued behind it is not run, and the model is still there
afterwards.

tests/spread.py imports the functions that run a notebook and read its checked numbers.
"""

import argparse
import base64
import contextlib
import fcntl
import re
import sys
import time
import tomllib
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
KERNEL = "rust-mlpkit"
FIRST_CELL = (
    ':dep mlpkit = { path = "../crates/mlpkit" }\n'
    "use mlpkit::prelude::*;\n"
    "let device = default_device()?;\n"
    'println!("mlpkit is ready; tensors live on {}", mlpkit::device::describe(&device));'
)
CELL_TIMEOUT = 1200


def cell_text(cell) -> str:
    """All the text a cell showed: printed lines, values, HTML tables."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif out.get("output_type") in ("execute_result", "display_data"):
            data = out.get("data", {})
            for mime in ("text/plain", "text/html"):
                if mime in data:
                    parts.append(data[mime] if isinstance(data[mime], str) else "".join(data[mime]))
        elif out.get("output_type") == "error":
            parts.append("\n".join(out.get("traceback", [])) or out.get("evalue", ""))
    return "".join(parts)


def cell_problems(cell) -> list[str]:
    problems = []
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "error":
            problems.append(f"error: {out.get('ename', '')}: {out.get('evalue', '')}".strip())
        elif kind == "stream" and out.get("name") == "stderr":
            text = out.get("text", "")
            if "panicked" in text or re.search(r"^error(\[E\d+\])?:", text, re.M):
                problems.append("stderr: " + text.strip()[:2000])
        if kind in ("execute_result", "display_data") and "image/png" in out.get("data", {}):
            png = base64.b64decode(out["data"]["image/png"])
            if not png.startswith(b"\x89PNG\r\n\x1a\n") or len(png) < 1000:
                problems.append("a figure is not a real PNG image")
    return problems


def images_in(cell) -> int:
    return sum(
        1
        for out in cell.get("outputs", [])
        if out.get("output_type") in ("execute_result", "display_data") and "image/png" in out.get("data", {})
    )


# One notebook run at a time on this machine. A kernel started while another holds the
# notebooks' build folder compiles every dependency again in a folder of its own (./lab
# kernel); several such runs at once on two cores took over 15 minutes each to compile, and
# failed. So runs of this script (and of tests/spread.py, which calls `run`) wait their turn.
RUN_LOCK = ROOT / ".lab" / "notebook-run.lock"


@contextlib.contextmanager
def one_run_at_a_time():
    RUN_LOCK.parent.mkdir(exist_ok=True)
    with open(RUN_LOCK, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("    waiting for another notebook run on this machine to finish "
                  f"({RUN_LOCK.relative_to(ROOT)})", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def run(nb, path: Path):
    """Executes `nb` cell by cell; returns (seconds to end of first cell, per-cell seconds, total)."""
    with one_run_at_a_time():
        return run_alone(nb, path)


def run_alone(nb, path: Path):
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=CELL_TIMEOUT,
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.monotonic()
    durations = []
    first = None
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                durations.append(0.0)
                continue
            t = time.monotonic()
            client.execute_cell(cell, index)
            durations.append(time.monotonic() - t)
            if first is None:
                first = time.monotonic() - start
    return first or 0.0, durations, time.monotonic() - start


def printed_value(check: dict, text: str) -> str | None:
    """The number a `pattern` check reads, as the notebook printed it: the first group of the
    pattern's last match; None when nothing matches."""
    found = re.findall(check["pattern"], text)
    return found[-1] if found else None


CHECKERS = ROOT / "crates" / "mlpkit" / "src" / "check"


def exercise_problems(nb, name: str) -> list[str]:
    """Every exercise of the notebook has a checker (crates/mlpkit/src/check/exNN.rs), every
    checker is called by a solution cell, whose output says the answer is right, and every
    solution cell hides its source and its outputs."""
    number = name.split("-")[0]  # "06" for 06-your-own-digits, "01b" for 01b-…
    checker_file = CHECKERS / f"ex{number}.rs"
    ids = re.findall(r'id: "(\d\d[a-z]?\.\d+)"', checker_file.read_text()) if checker_file.exists() else []
    problems = []
    listed = 0
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("## Exercises"):
            listed = len(re.findall(r"(?m)^\d+\. \*\*", cell.source))
    if listed != len(ids):
        problems.append(f"the notebook lists {listed} exercises and {checker_file.name} has {len(ids)} checkers")
    for id_ in ids:
        calls = [c for c in nb.cells if c.cell_type == "code" and f'check::exercise("{id_}"' in c.source]
        if not calls:
            problems.append(f"no solution cell checks exercise {id_}")
            continue
        for cell in calls:
            hidden = cell.metadata.get("jupyter", {})
            if not (hidden.get("source_hidden") and hidden.get("outputs_hidden")):
                problems.append(f"the solution of {id_} does not hide its source and its outputs")
            if f"Right ({id_}" not in cell_text(cell):
                problems.append(f"the solution of {id_} was not judged right: {cell_text(cell)[-300:]!r}")
    return problems


def check_results(name: str, text: str, checks: list[dict]) -> list[str]:
    problems = []
    for check in checks:
        if check["notebook"] != name:
            continue
        if "contains" not in check and "pattern" not in check:
            continue
        if "contains" in check:
            if check["contains"] not in text:
                problems.append(f"expected to show {check['contains']!r}")
            else:
                print(f"    ok  shows {check['contains']!r}")
            continue
        printed = printed_value(check, text)
        if printed is None:
            problems.append(f"no output matches {check['pattern']!r}")
            continue
        value = float(printed)
        if not check["min"] <= value <= check["max"]:
            problems.append(
                f"{check['what']}: {value} is outside [{check['min']}, {check['max']}] (pattern {check['pattern']!r})"
            )
        else:
            print(f"    ok  {check['what']}: {value} (expected {check['min']}..{check['max']})")
    return problems


def interrupt_check() -> list[str]:
    """Interrupts a training cell the way JupyterLab's stop button does; returns problems."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name=KERNEL, cwd=str(NOTEBOOKS))
    problems = []
    texts = {}  # msg_id -> text of every output that request has had so far

    def reply_and_output(msg_id, on_output=None):
        """Waits for the request's reply; returns (status, text of its outputs so far)."""
        while True:
            msg = kc.get_iopub_msg(timeout=CELL_TIMEOUT)
            parent = msg["parent_header"].get("msg_id")
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                texts[parent] = texts.get(parent, "") + content["text"]
                if on_output and parent == msg_id:
                    on_output(texts[parent])
            elif kind == "error":
                texts[parent] = texts.get(parent, "") + content["evalue"] + "\n"
            elif kind == "status" and content["execution_state"] == "idle" and parent == msg_id:
                break
        while True:
            reply = kc.get_shell_msg(timeout=CELL_TIMEOUT)
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply["content"]["status"], texts.get(msg_id, "")

    try:
        setup = FIRST_CELL + (
            "\nlet mnist = Dataset::load(DatasetKind::Mnist)?;"
            "\nlet train = mnist.train.head(5000)?.map_images(|x| scale(x, PixelRange::ZeroOne))?;"
            "\nlet test = mnist.test.head(2000)?.map_images(|x| scale(x, PixelRange::ZeroOne))?;"
            "\nlet mut model = Architecture::new(&[28, 28]).add(Flatten)"
            ".add(Dense::new(64, Activation::Relu)).add(Dense::new(10, Activation::Softmax)).build(0)?;"
            "\nmodel.compile(Adam::default(), Loss::SparseCategoricalCrossentropy)?;"
        )
        status, text = reply_and_output(kc.execute(setup))
        if status != "ok":
            return [f"setting up the interrupt check failed: {text}"]
        # verbose(2): a line per epoch, which this check watches for (the live view, the default in
        # the kernel, shows a display instead; tests/browser_lab.py interrupts that one).
        training = kc.execute("model.fit(&train, Fit::epochs(10000).verbose(2))?;")
        queued = kc.execute('println!("the queued cell ran");')
        interrupted = []

        def interrupt_once(text):
            if not interrupted and "Epoch 2/" in text:
                interrupted.append(time.monotonic())
                km.interrupt_kernel()

        status, text = reply_and_output(training, interrupt_once)
        if not interrupted:
            problems.append("the training cell ended before it could be interrupted")
        else:
            took = time.monotonic() - interrupted[0]
            print(f"    interrupt: training stopped {took:.2f} s after the interrupt")
            if took > 3:
                problems.append(f"training took {took:.1f} s to stop after the interrupt")
        if status != "error":
            problems.append(f"the interrupted cell ended with status {status!r}: {text[-300:]!r}")
        status, text = reply_and_output(queued)
        if status != "aborted" or "queued cell ran" in text:
            problems.append(f"the cell queued behind the interrupted one was not aborted ({status}): {text!r}")
        status, text = reply_and_output(kc.execute('println!("after the interrupt: {}", model.evaluate(&test)?);'))
        # The error's text travels on stderr and may arrive after the reply: look at it last.
        if "interrupted in epoch" not in texts.get(training, ""):
            problems.append(f"the interrupted cell does not say where training stopped: {texts.get(training, '')[-300:]!r}")
        if status != "ok" or "after the interrupt: loss" not in text:
            problems.append(f"the model was not usable after the interrupt ({status}): {text!r}")
        else:
            print(f"    {text.strip()}")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return problems


def warm() -> int:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(FIRST_CELL)]
    first, _, _ = run(nb, NOTEBOOKS / "warm.ipynb")
    problems = cell_problems(nb.cells[0])
    if problems:
        print("compiling the notebooks' dependencies failed:\n" + "\n".join(problems))
        return 1
    print(f"    dependencies compiled in {first:.0f} s")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="save executed notebooks in place")
    parser.add_argument("--warm", action="store_true", help="only compile the dependencies")
    parser.add_argument("--interrupt-only", action="store_true", help="only check an interrupt in a training cell")
    parser.add_argument("names", nargs="*")
    args = parser.parse_args()
    if args.warm:
        return warm()
    if args.interrupt_only:
        return interrupt_main()

    checks = tomllib.loads((ROOT / "tests" / "notebooks.toml").read_text())["check"]
    paths = sorted(p for p in NOTEBOOKS.glob("*.ipynb") if not args.names or any(n in p.name for n in args.names))
    if not paths:
        print("no notebook to run")
        return 1
    failures = 0
    rows = []
    suite_start = time.monotonic()
    for path in paths:
        print(f"--- {path.name}", flush=True)
        nb = nbformat.read(path, as_version=4)
        first_cell = next((c for c in nb.cells if c.cell_type == "code"), None)
        if first_cell is None or not first_cell.source.startswith(FIRST_CELL.splitlines()[0]):
            print(f"    FAIL: the first code cell must start with {FIRST_CELL.splitlines()[0]!r}")
            failures += 1
            continue
        first, durations, total = run(nb, path)
        problems = []
        text = ""
        images = 0
        slowest = (0.0, None)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            for p in cell_problems(cell):
                problems.append(f"cell {index + 1}: {p}")
            text += cell_text(cell)
            images += images_in(cell)
            is_first = cell is first_cell
            if not is_first and "training" not in cell.metadata.get("tags", []) and durations[index] > slowest[0]:
                slowest = (durations[index], index + 1)
        problems += check_results(path.name, text, checks)
        problems += exercise_problems(nb, path.name)
        for check in checks:
            if check["notebook"] == path.name and "min_images" in check and images < check["min_images"]:
                problems.append(f"shows {images} figures, expected at least {check['min_images']}")
        rows.append((path.name, first, slowest, total, images))
        print(
            f"    first cell done {first:.1f} s after kernel start; slowest non-training cell "
            f"{slowest[0]:.1f} s (cell {slowest[1]}); total {total:.0f} s; {images} figures"
        )
        if problems:
            failures += 1
            print("    FAIL:\n      " + "\n      ".join(problems))
        if args.write:
            nbformat.write(nb, path)
            print(f"    saved with outputs: {path.relative_to(ROOT)}")
    print("\n| notebook | first cell (s) | slowest non-training cell (s) | total (s) | figures |")
    print("|---|---|---|---|---|")
    for name, first, slowest, total, images in rows:
        print(f"| {name} | {first:.1f} | {slowest[0]:.1f} | {total:.0f} | {images} |")
    print(f"\nall notebooks: {time.monotonic() - suite_start:.0f} s")
    print(f"notebooks: {len(paths) - failures} passed, {failures} failed")
    return 1 if failures else 0


def interrupt_main() -> int:
    print("--- interrupting a training cell", flush=True)
    try:
        problems = interrupt_check()
    except Exception as e:  # a timeout or a dead kernel is a failed check, not a crash
        problems = [f"{type(e).__name__}: {e}"]
    if problems:
        print("    FAIL:\n      " + "\n      ".join(problems))
        return 1
    print("    interrupt check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
