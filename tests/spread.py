#!/usr/bin/env python3
"""How far each number a notebook's checks read moves between runs, and the ranges that implies.

    ./lab spread NOTEBOOK... [--runs N] [--write]        (makes the kernel ready, then this)
    .venv/bin/python tests/spread.py NOTEBOOK... [--runs N] [--write]
    .venv/bin/python tests/spread.py NOTEBOOK... --recorded [--write]
    python3 tests/spread.py --check                       (./lab test tools runs it)

Why: the key results in tests/notebooks.toml (a `pattern` whose first group is a number, which
must lie in [min, max]) were set from one run on one machine, and the same seed gives other
weights on another kind of processor: the matrix kernel sizes its blocks from the processor's
caches, so sums round differently, and training amplifies it. A range has to hold wherever
the notebooks run, so this measures how far each checked number moves.

The runs. For each NOTEBOOK (a part of a file name in notebooks/, as run_notebooks.py takes):
- N runs (--runs, default 5) with MLPKIT_SEED_SHIFT=k for k = 0 .. N-1 (the crate replaces
  every seed the notebook gives with one derived from it and k; the first cell then says
  "every seed shifted by k"), with the default thread count;
- one run with k = 0 and RAYON_NUM_THREADS=1 (one training thread: another summation order);
- one run with k = 0 under `tools/other_cpu.sh xeon` (an Intel Xeon's cache sizes, so that
  the matrix kernel blocks and rounds as there), when that works here (root and unshare).
Each run is a child process (`--one-run`) whose kernel inherits its environment, in a scratch
copy, target/spread/<notebook stem>-<run>/: notebooks/ holds a copy of the notebook and of
notebooks/my-digits/, data/ is a link to the workspace's, and crates/ a link to one copy of
crates/mlpkit taken when the measurement starts (target/spread/snapshot/), so that the
notebook's `:dep mlpkit = { path = "../crates/mlpkit" … }` resolves and every run of one
measurement builds the same code, whatever is edited meanwhile (the kernel's preload of the
workspace's own crate is off for these runs, LAB_PRELOAD=0). Nothing a notebook saved before
(notebook 06's networks in notebooks/models/) is there to reload. The executed copy is left
there to look at. A run whose cells fail, or whose first cell does not say the shift or the
thread count it was given, stops the measurement and nothing is written.

What it writes. tests/spread/<notebook stem>.json: one list of runs, each with its conditions
(shift, threads, cpu) and the value of every numeric check of the notebook as the notebook
printed it (null where its pattern did not match). It prints a table (check, n, mean, standard
deviation, min, max, the range the rule gives, the range now) and each check's block with the
rule's range, to paste into tests/notebooks.toml; with --write it sets min and max of the
notebook's checks with `basis = "spread"` there itself (editing those lines only: comments and
order stay) and prints the diff. --recorded reads the runs from tests/spread/ instead of
running the notebook. A check whose pattern did not match in some run is reported, gets no
range, and makes the exit status 1.

The rule for a range (range_for). Each numeric check in notebooks.toml has a `basis`:
- "spread": its range comes from the measurement. With the values v of every recorded run
  (mean m, sample standard deviation s, over n runs) and pad the step of the precision the
  values are printed with (0.01 for 96.53; the finest among the runs),
      range = [min(m - 4 s, min v) - pad, max(m + 4 s, max v) + pad],
  each end rounded outwards to a multiple of pad, then clipped to the check's natural limits
  where it gives them (`lower`, `upper`: 0 and 100 for a percentage). In scientific notation
  the pad follows the mantissa (1e-8 for 3.2e-7), so a check that only ever prints 0.0e0 gets
  0.1: such a check is a bound.
- "bound": a limit by design, with a `why` (a gradient check's error at most 1e-6, a p-value
  in [0, 1], a count that must be 10000); not measured.
--check fails unless every spread check has at least 5 recorded runs (one of them at one
thread) in tests/spread/<stem>.json and exactly the range the rule gives for them, so that a
measured range cannot be edited by hand, and unless every bound says why. Checks without a
`basis` are not measured yet: it counts them and skips them.
"""

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
TOML = TESTS / "notebooks.toml"
SPREAD = TESTS / "spread"
NOTEBOOKS = ROOT / "notebooks"
SCRATCH = ROOT / "target" / "spread"
SNAPSHOT = SCRATCH / "snapshot"
OTHER_CPU = ROOT / "tools" / "other_cpu.sh"
OTHER_PROFILE = "xeon"

SDS = 4  # standard deviations on each side of the mean
MIN_RUNS = 5  # recorded runs a spread check's range must come from
BASES = ("spread", "bound")
SEED_SHIFT = "MLPKIT_SEED_SHIFT"
THREADS = "RAYON_NUM_THREADS"


# ------------------------------------------------------------------------- the rule


def precision_step(printed: list[str]) -> Decimal:
    """The step of the finest precision among numbers as printed: 0.01 for "96.53", 1 for
    "10000", 1e-8 for "3.2e-7"."""
    return min(Decimal(1).scaleb(Decimal(p).as_tuple().exponent) for p in printed)


def stats(printed: list[str]) -> dict:
    """n, mean, sample standard deviation (0 for one value), min and max, as Decimals."""
    values = [Decimal(p) for p in printed]
    n = len(values)
    mean = sum(values) / n
    sd = (sum((v - mean) ** 2 for v in values) / (n - 1)).sqrt() if n > 1 else Decimal(0)
    return {"n": n, "mean": mean, "sd": sd, "min": min(values), "max": max(values)}


def range_for(printed: list[str], lower=None, upper=None) -> tuple[Decimal, Decimal]:
    """The range the rule gives for a spread check's values as printed (module docstring)."""
    s, pad = stats(printed), precision_step(printed)
    lo = min(s["mean"] - SDS * s["sd"], s["min"]) - pad
    hi = max(s["mean"] + SDS * s["sd"], s["max"]) + pad
    lo = (lo / pad).to_integral_value(rounding=ROUND_FLOOR) * pad
    hi = (hi / pad).to_integral_value(rounding=ROUND_CEILING) * pad
    if lower is not None:
        lo = max(lo, Decimal(str(lower)))
    if upper is not None:
        hi = min(hi, Decimal(str(upper)))
    return lo, hi


def toml_number(d: Decimal) -> str:
    """A number as TOML writes it, at the precision it has: 10000, 96.52, 0.0743, 3.1e-7."""
    if d.as_tuple().exponent >= 0:
        return str(int(d))
    if d == 0 or d.adjusted() >= -4:
        return format(d, "f")
    return format(d, "e")


# ------------------------------------------------------------------------- tests/notebooks.toml


def numeric_checks(checks: list[dict], notebook: str) -> list[dict]:
    return [c for c in checks if c["notebook"] == notebook and "pattern" in c]


def blocks(text: str) -> list[tuple[int, int, dict | None]]:
    """The file's tables as (first line, line after the last, the [[check]] it holds or None)."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.lstrip().startswith("[")]
    found = []
    for start, end in zip(starts, starts[1:] + [len(lines)]):
        chunk = "".join(lines[start:end])
        parsed = tomllib.loads(chunk).get("check") if lines[start].strip() == "[[check]]" else None
        found.append((start, end, parsed[0] if parsed else None))
    return found


def find_block(text: str, notebook: str, what: str) -> tuple[int, int]:
    hits = [(s, e) for s, e, c in blocks(text) if c and c["notebook"] == notebook and c.get("what") == what]
    if len(hits) != 1:
        raise ValueError(f"{len(hits)} checks of {notebook} with what = {what!r} in tests/notebooks.toml, expected one")
    return hits[0]


KEY_LINE = re.compile(r"^(\s*(min|max)\s*=\s*)([^#\n]*?)(\s*#[^\n]*)?(\n?)$")


def set_range(text: str, notebook: str, what: str, lo: Decimal, hi: Decimal, add_basis: bool = False) -> str:
    """`text` with the min and max of one check set to lo and hi; every other line as it was."""
    lines = text.splitlines(keepends=True)
    start, end = find_block(text, notebook, what)
    new = {"min": toml_number(lo), "max": toml_number(hi)}
    seen = set()
    for i in range(start, end):
        m = KEY_LINE.match(lines[i])
        if m:
            lines[i] = f"{m.group(1)}{new[m.group(2)]}{m.group(4) or ''}{m.group(5)}"
            seen.add(m.group(2))
    if seen != {"min", "max"}:
        raise ValueError(f"the check {what!r} of {notebook} has no {' and no '.join(sorted({'min', 'max'} - seen))} line to set")
    if add_basis and not any(re.match(r"\s*basis\s*=", lines[i]) for i in range(start, end)):
        at = next(i for i in range(start, end) if re.match(r"\s*what\s*=", lines[i]))
        lines.insert(at + 1, 'basis = "spread"\n')
    out = "".join(lines)
    again = {(c["notebook"], c.get("what")): c for c in tomllib.loads(out)["check"]}[(notebook, what)]
    assert Decimal(str(again["min"])) == lo and Decimal(str(again["max"])) == hi, "the edit did not read back"
    return out


def block_text(text: str, notebook: str, what: str) -> str:
    start, end = find_block(text, notebook, what)
    return "".join(text.splitlines(keepends=True)[start:end]).rstrip() + "\n"


def read_record(stem: str, spread_dir: Path = SPREAD) -> dict | None:
    path = spread_dir / f"{stem}.json"
    return json.loads(path.read_text()) if path.exists() else None


def recorded_values(record: dict, what: str) -> tuple[list[str], list[dict]]:
    """The values of one check in a record's runs, and the runs where it is missing."""
    values = [r["values"][what] for r in record["runs"] if r["values"].get(what) is not None]
    missing = [r for r in record["runs"] if r["values"].get(what) is None]
    return values, missing


def consistency_problems(checks: list[dict], spread_dir: Path = SPREAD) -> tuple[list[str], dict]:
    """What --check finds wrong, and how many checks of each basis it saw."""
    problems, counts, records = [], {"spread": 0, "bound": 0, "none": 0}, {}
    for check in checks:
        if "pattern" not in check:
            continue
        nb, what, basis = check["notebook"], check.get("what"), check.get("basis")
        where = f"{nb}: {what or check['pattern']!r}"
        if basis is None:
            counts["none"] += 1
            continue
        if basis not in BASES or not what:
            problems.append(f"{where}: basis must be one of {', '.join(BASES)} (not {basis!r}) and the check needs a `what`")
            continue
        counts[basis] += 1
        if basis == "bound":
            if not str(check.get("why", "")).strip():
                problems.append(f'{where}: basis = "bound" needs a `why` saying why the limit holds by design')
            continue
        stem = Path(nb).stem
        if stem not in records:
            records[stem] = read_record(stem, spread_dir)
        record = records[stem]
        if record is None:
            problems.append(f'{where}: basis = "spread" but tests/spread/{stem}.json does not exist: run ./lab spread {stem[:2]} --write')
            continue
        values, _ = recorded_values(record, what)
        runs = [r for r in record["runs"] if r["values"].get(what) is not None]
        if len(values) < MIN_RUNS or not any(r["threads"] == 1 for r in runs):
            problems.append(
                f"{where}: tests/spread/{stem}.json has {len(values)} runs of it"
                f"{'' if any(r['threads'] == 1 for r in runs) else ', none at one thread'}; a range needs at least"
                f" {MIN_RUNS} and one at one thread: run ./lab spread {stem[:2]} --write"
            )
            continue
        lo, hi = range_for(values, check.get("lower"), check.get("upper"))
        if Decimal(str(check["min"])) != lo or Decimal(str(check["max"])) != hi:
            problems.append(
                f"{where}: its range [{check['min']}, {check['max']}] is not [{toml_number(lo)}, {toml_number(hi)}],"
                f" what the rule gives for its {len(values)} recorded runs; a measured range is set by"
                f" ./lab spread {stem[:2]} --recorded --write, not by hand"
            )
    return problems, counts


def check_main() -> int:
    checks = tomllib.loads(TOML.read_text())["check"]
    problems, counts = consistency_problems(checks)
    for p in problems:
        print(f"    FAIL: {p}")
    print(
        f"    {counts['spread']} measured ranges (basis = \"spread\"), {counts['bound']} bounds by design;"
        f" {counts['none']} numeric checks without a basis yet, skipped"
    )
    return 1 if problems else 0


# ------------------------------------------------------------------------- the runs


def conditions(runs: int, other_cpu: bool) -> list[dict]:
    found = [{"shift": k, "threads": "default", "cpu": "this"} for k in range(runs)]
    found.append({"shift": 0, "threads": 1, "cpu": "this"})
    if other_cpu:
        found.append({"shift": 0, "threads": "default", "cpu": OTHER_PROFILE})
    return found


def label(c: dict) -> str:
    """shift 2; shift 0, 1 thread; shift 0, xeon caches."""
    parts = [f"shift {c['shift']}"]
    if c["threads"] != "default":
        parts.append(f"{c['threads']} thread{'s' if c['threads'] != 1 else ''}")
    if c["cpu"] != "this":
        parts.append(f"{c['cpu']} caches")
    return ", ".join(parts)


def slug(c: dict) -> str:
    return label(c).replace(", ", "-").replace(" ", "")


def other_cpu_works() -> tuple[bool, str]:
    try:
        done = subprocess.run([str(OTHER_CPU), OTHER_PROFILE, "true"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, str(e)
    return done.returncode == 0, done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""


KIND_LETTER = {"Data": "d", "Instruction": "i"}


def caches() -> str:
    """The caches this process sees (tools/other_cpu.sh changes them): L1d 32K, L2 1024K, …"""
    found = []
    for d in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        try:
            level, kind, size = ((d / f).read_text().strip() for f in ("level", "type", "size"))
        except OSError:
            continue
        found.append(f"L{level}{KIND_LETTER.get(kind, '')} {size}")
    return ", ".join(found) or "unknown"


def machine() -> str:
    name = "unknown processor"
    try:
        name = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{name}, {os.cpu_count()} cores, caches {caches()}"


def prepare(notebook: Path, run_dir: Path) -> Path:
    """A clean scratch copy of the notebook's folder (module docstring); the copy's path."""
    if run_dir.exists():
        shutil.rmtree(run_dir)  # removes the links, never what they point at
    notebooks = run_dir / "notebooks"
    notebooks.mkdir(parents=True)
    shutil.copy2(notebook, notebooks / notebook.name)
    shutil.copytree(NOTEBOOKS / "my-digits", notebooks / "my-digits")
    (run_dir / "data").symlink_to(ROOT / "data", target_is_directory=True)
    (run_dir / "crates").symlink_to(SNAPSHOT, target_is_directory=True)
    return notebooks / notebook.name


def take_snapshot() -> None:
    """Copies crates/mlpkit into SNAPSHOT/mlpkit (without build output), replacing an older copy."""
    if SNAPSHOT.exists():
        shutil.rmtree(SNAPSHOT)
    SNAPSHOT.mkdir(parents=True)
    shutil.copytree(ROOT / "crates" / "mlpkit", SNAPSHOT / "mlpkit", ignore=shutil.ignore_patterns("target"))


def run_env(c: dict) -> dict:
    env = dict(os.environ)
    env[SEED_SHIFT] = str(c["shift"])
    env["LAB_PRELOAD"] = "0"  # the preload would build the workspace's crate, not the snapshot
    env.pop(THREADS, None)
    if c["threads"] != "default":
        env[THREADS] = str(c["threads"])
    return env


def run_one(notebook: Path, c: dict) -> dict:
    """Runs the notebook once under condition c in a child process; its result."""
    copy = prepare(notebook, SCRATCH / f"{notebook.stem}-{slug(c)}")
    command = [sys.executable, str(Path(__file__).resolve()), "--one-run", str(copy)]
    if c["cpu"] != "this":
        command = [str(OTHER_CPU), c["cpu"]] + command
    done = subprocess.run(command, env=run_env(c), cwd=ROOT)
    result_path = copy.parent / "result.json"
    if done.returncode != 0 or not result_path.exists():
        return {"problems": [f"the run's process failed (exit status {done.returncode}); its output is above"]}
    return json.loads(result_path.read_text())


def one_run_main(copy: Path) -> int:
    """--one-run: runs the copy once with this process's environment; writes result.json beside it."""
    import nbformat

    import run_notebooks

    nb = nbformat.read(copy, as_version=4)
    _, _, total = run_notebooks.run(nb, copy)
    code = [c for c in nb.cells if c.cell_type == "code"]
    problems = [f"cell {i + 1}: {p}" for i, c in enumerate(nb.cells) if c.cell_type == "code" for p in run_notebooks.cell_problems(c)]
    nbformat.write(nb, copy)
    result = {
        "first_cell": run_notebooks.cell_text(code[0]).strip() if code else "",
        "text": "".join(run_notebooks.cell_text(c) for c in code),
        "problems": problems,
        "seconds": round(total),
        "caches": caches(),
    }
    (copy.parent / "result.json").write_text(json.dumps(result))
    return 0


def condition_problems(c: dict, result: dict, here: str) -> list[str]:
    """What says that a run did not run as it was told."""
    first, problems = result.get("first_cell", ""), []
    shown_first = short(re.sub(r"\x1b\[[0-9;]*m", "", first).strip().splitlines()[0] if first.strip() else "", 160)
    said = re.search(r"every seed shifted by (\d+) ", first)
    if c["shift"] and not (said and int(said.group(1)) == c["shift"]):
        problems.append(
            f"its first cell does not say 'every seed shifted by {c['shift']}' ({shown_first!r}): the mlpkit the kernel"
            f" built does not read {SEED_SHIFT} (crates/mlpkit/src/random.rs), so this run is not the one asked for"
        )
    if not c["shift"] and said:
        problems.append(f"its first cell says the seeds are shifted ({shown_first!r}), though {SEED_SHIFT} was 0")
    if c["threads"] == 1 and "(1 thread" not in first:
        problems.append(f"its first cell does not say it trains with 1 thread ({shown_first!r})")
    if c["cpu"] != "this" and result.get("caches") == here:
        problems.append(f"it saw this machine's caches ({here}), not those of tools/other_cpu.sh {c['cpu']}")
    return problems


def measure(notebook: Path, checks: list[dict], runs: int) -> tuple[dict, list[str]]:
    """Every run of one notebook; the record for tests/spread/ and the problems of its runs."""
    from run_notebooks import printed_value

    works, why = other_cpu_works()
    if not works:
        print(f"    tools/other_cpu.sh does not work here ({why or 'no message'}): no run with another processor's caches")
    todo = conditions(runs, works)
    here, record, problems = caches(), {"runs": []}, []
    for i, c in enumerate(todo, 1):
        print(f"--- {notebook.name}: run {i} of {len(todo)} ({label(c)})", flush=True)
        result = run_one(notebook, c)
        found = result.get("problems") or condition_problems(c, result, here)
        problems += [f"run {label(c)}: {p}" for p in found]
        if found:
            print("    FAIL:\n      " + "\n      ".join(found))
            break
        values = {check["what"]: printed_value(check, result["text"]) for check in checks}
        record["runs"].append({**c, "says": result["first_cell"], "caches": result["caches"], "seconds": result["seconds"], "values": values})
        print(f"    {result['seconds']} s; " + ", ".join(f"{v}" for v in values.values()))
    return record, problems


# ------------------------------------------------------------------------- the report


def short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def shown(x: Decimal, step: Decimal) -> str:
    """A mean or standard deviation, one digit finer than the values are printed."""
    if step.adjusted() < -4 or step.adjusted() > 4:
        return f"{float(x):.3g}"
    return f"{float(x):.{max(0, -step.as_tuple().exponent) + 1}f}"


def report(record: dict, checks: list[dict], text: str) -> tuple[dict, list[str]]:
    """Prints the table and the blocks to paste; returns {what: (lo, hi)} for the checks the
    rule gives a range for, and the checks missing in some run."""
    runs, ranges, missing_report = record["runs"], {}, []
    print(f"\n{record['notebook']}: {len(runs)} runs ({'; '.join(label(r) for r in runs)})")
    print(f"{'check':<52} {'basis':<6} {'n':>2} {'mean':>9} {'sd':>8} {'min':>9} {'max':>9}  {'range by the rule':<22} now")
    for check in checks:
        what = check["what"]
        values, missing = recorded_values(record, what)
        basis = check.get("basis", "—")
        now = f"[{check['min']}, {check['max']}]"
        if missing:
            missing_report.append(f"{what!r} (pattern {check['pattern']!r}) did not match in the runs {'; '.join(label(r) for r in missing)}")
        if not values:
            print(f"{short(what, 52):<52} {basis:<6} {0:>2}  (no run printed it)")
            continue
        s, step = stats(values), precision_step(values)
        outside = sum(not check["min"] <= float(v) <= check["max"] for v in values)
        if basis == "bound":
            implied = "(a bound, not measured)"
        elif missing:
            implied = "(missing in some run)"
        else:
            lo, hi = range_for(values, check.get("lower"), check.get("upper"))
            ranges[what] = (lo, hi)
            implied = f"[{toml_number(lo)}, {toml_number(hi)}]"
        flag = f"  {outside} of {len(values)} outside it" if outside else ""
        print(
            f"{short(what, 52):<52} {basis:<6} {s['n']:>2} {shown(s['mean'], step):>9} {shown(s['sd'], step):>8}"
            f" {toml_number(s['min']):>9} {toml_number(s['max']):>9}  {implied:<22} {now}{flag}"
        )
    for line in missing_report:
        print(f"    NOT FOUND: {line}")
    if ranges:
        print(
            "\nThe checks with the rule's ranges, to paste into tests/notebooks.toml (--write sets those with"
            ' basis = "spread" itself). A check without a basis is shown with basis = "spread"; a limit by'
            ' design (an error at most 1e-6, a p-value in [0, 1]) takes basis = "bound" and a why instead.\n'
        )
        for what, (lo, hi) in ranges.items():
            print(set_range_block(text, record["notebook"], what, lo, hi))
    return ranges, missing_report


def set_range_block(text: str, notebook: str, what: str, lo: Decimal, hi: Decimal) -> str:
    return block_text(set_range(text, notebook, what, lo, hi, add_basis=True), notebook, what)


def write_ranges(text: str, notebook: str, checks: list[dict], ranges: dict) -> str:
    """`text` with the rule's ranges set for the notebook's spread checks."""
    for check in checks:
        if check.get("basis") == "spread" and check["what"] in ranges:
            text = set_range(text, notebook, check["what"], *ranges[check["what"]])
    return text


def find_notebook(name: str) -> Path | None:
    found = sorted(p for p in NOTEBOOKS.glob("*.ipynb") if name in p.name)
    if len(found) != 1:
        print(f"{name!r} names {len(found)} notebooks in notebooks/ ({', '.join(p.name for p in found) or 'none'}); give a part of one file name")
        return None
    return found[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK")
    parser.add_argument("--runs", type=int, default=5, help="runs with shifted seeds (default 5), before the 1-thread and other-processor runs")
    parser.add_argument("--write", action="store_true", help="set the spread checks' ranges in tests/notebooks.toml")
    parser.add_argument("--recorded", action="store_true", help="take the runs from tests/spread/ instead of running")
    parser.add_argument("--check", action="store_true", help="check tests/notebooks.toml's ranges against tests/spread/")
    parser.add_argument("--one-run", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_run:
        return one_run_main(args.one_run)
    if args.check:
        return check_main()
    if not args.notebooks or args.runs < 1:
        parser.error("give at least one NOTEBOOK (e.g. 07), and --runs of at least 1")
    failed = False
    if not args.recorded:
        take_snapshot()
    for name in args.notebooks:
        notebook = find_notebook(name)
        if notebook is None:
            failed = True
            continue
        text = TOML.read_text()
        checks = numeric_checks(tomllib.loads(text)["check"], notebook.name)
        if not checks:
            print(f"{notebook.name} has no numeric checks in tests/notebooks.toml (a `pattern` with min and max): nothing to measure")
            continue
        if args.recorded:
            record = read_record(notebook.stem)
            if record is None:
                print(f"tests/spread/{notebook.stem}.json does not exist: run ./lab spread {name} first")
                failed = True
                continue
        else:
            if args.runs + 1 < MIN_RUNS:
                print(f"    (a trial: {args.runs + 1} runs or so; --check wants at least {MIN_RUNS} runs of a spread check)")
            record, problems = measure(notebook, checks, args.runs)
            if problems:
                print(f"{notebook.name}: a run failed, so nothing is written; its executed copy is in {SCRATCH.relative_to(ROOT)}/")
                failed = True
                continue
            record = {
                "about": "Values of this notebook's numeric checks (tests/notebooks.toml), as printed, in runs under other"
                " seeds, thread counts and processors' caches; written by tests/spread.py, read by its --check.",
                "notebook": notebook.name,
                "machine": machine(),
                "measured": date.today().isoformat(),
                "runs": record["runs"],
            }
            SPREAD.mkdir(exist_ok=True)
            (SPREAD / f"{notebook.stem}.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
            print(f"    recorded in tests/spread/{notebook.stem}.json")
        ranges, missing = report(record, checks, text)
        failed |= bool(missing)
        without = [c["what"] for c in checks if "basis" not in c]
        if without:
            print(f'{len(without)} of these checks have no basis yet: add basis = "spread" to those whose range the measurement should set, or basis = "bound" with a why')
        if args.write:
            new = write_ranges(text, notebook.name, checks, ranges)
            if new == text:
                print("tests/notebooks.toml: nothing to change (no spread check's range differs from the rule's)")
            else:
                sys.stdout.writelines(difflib.unified_diff(text.splitlines(True), new.splitlines(True), "tests/notebooks.toml", "tests/notebooks.toml"))
                TOML.write_text(new)
                print("tests/notebooks.toml: written")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
