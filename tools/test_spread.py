"""Unit tests of tests/spread.py's rule for a range, its edit of tests/notebooks.toml and its
--check. Standard library only, no kernel, temporary folders only.

    python3 -m unittest discover -s tools -p 'test_*.py'      (what ./lab test tools runs)
"""

import json
import sys
import tempfile
import textwrap
import tomllib
import unittest
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import spread  # noqa: E402

D = Decimal

TOML = textwrap.dedent('''\
    # A comment that stays.

    [[check]]
    notebook = "07-x.ipynb"
    what = "test accuracy"
    basis = "spread"
    pattern = 'accuracy ([0-9.]+)%'
    min = 90.0  # why this was set
    max = 95.0
    lower = 0
    upper = 100
    [[check]]
    notebook = "07-x.ipynb"
    contains = "a text"

    [[check]]
    notebook = "07-x.ipynb"
    what = "an error by design"
    basis = "bound"
    why = "float32 rounding of one step"
    pattern = 'error ([0-9.e+-]+)'
    min = 0.0
    max = 1e-6
    [[check]]
    notebook = "08-y.ipynb"
    what = "test accuracy"
    pattern = 'accuracy ([0-9.]+)%'
    min = 1
    max = 2

    [[readme]]
    notebook = "07-x.ipynb"
    values = { a = 'b' }
    ''')


class TheRule(unittest.TestCase):
    def test_the_precision_step_is_the_finest_printed(self):
        self.assertEqual(spread.precision_step(["96.53", "96.5"]), D("0.01"))
        self.assertEqual(spread.precision_step(["10000"]), D("1"))
        self.assertEqual(spread.precision_step(["3.2e-7", "1.25e-6"]), D("1e-8"))

    def test_mean_and_four_standard_deviations_padded_and_rounded_outwards(self):
        values = ["96.53", "96.41", "96.60", "96.47", "96.50", "96.55"]
        s = spread.stats(values)
        self.assertEqual(s["mean"], D("96.51"))
        self.assertAlmostEqual(float(s["sd"]), 0.06603, places=5)  # the sample (n - 1) one
        # 96.51 - 4 * 0.06603 - 0.01 = 96.2359 -> 96.23; 96.51 + 0.26412 + 0.01 = 96.7841 -> 96.79
        self.assertEqual(spread.range_for(values), (D("96.23"), D("96.79")))

    def test_equal_values_give_one_step_either_side(self):
        self.assertEqual(spread.range_for(["0.84"] * 5), (D("0.83"), D("0.85")))
        self.assertEqual(spread.range_for(["10000"] * 5), (D("9999"), D("10001")))

    def test_the_observed_extremes_count_when_they_lie_beyond_four_deviations(self):
        # one value: no deviation, the value itself padded
        self.assertEqual(spread.range_for(["5.5"]), (D("5.4"), D("5.6")))

    def test_natural_limits_clip_last(self):
        self.assertEqual(spread.range_for(["99.90", "99.95", "100.00"], 0, 100), (D("99.74"), D("100")))
        self.assertEqual(spread.range_for(["0.01", "0.03", "0.00"], lower=0.0), (D("0.0"), D("0.09")))

    def test_numbers_as_toml_writes_them(self):
        self.assertEqual(spread.toml_number(D("96.50")), "96.50")
        self.assertEqual(spread.toml_number(D("10001")), "10001")
        self.assertEqual(spread.toml_number(D("0.0743")), "0.0743")
        self.assertEqual(spread.toml_number(D("31e-8")), "3.1e-7")
        for d in (D("96.50"), D("10001"), D("31e-8"), D("0.0")):
            self.assertEqual(D(str(tomllib.loads(f"x = {spread.toml_number(d)}")["x"])), d)

    def test_the_rule_is_written_in_the_docstring(self):
        self.assertIn("range = [min(m - 4 s, min v) - pad, max(m + 4 s, max v) + pad]", spread.__doc__)
        self.assertEqual(spread.SDS, 4)


class TheToml(unittest.TestCase):
    def test_only_the_min_and_max_lines_of_one_check_change(self):
        new = spread.set_range(TOML, "07-x.ipynb", "test accuracy", D("93.45"), D("94.10"))
        changed = [(a, b) for a, b in zip(TOML.splitlines(), new.splitlines()) if a != b]
        self.assertEqual(changed, [("min = 90.0  # why this was set", "min = 93.45  # why this was set"),
                                   ("max = 95.0", "max = 94.10")])
        self.assertEqual(len(TOML.splitlines()), len(new.splitlines()))

    def test_the_same_what_in_another_notebook_is_left_alone(self):
        new = spread.set_range(TOML, "08-y.ipynb", "test accuracy", D("3"), D("4"))
        checks = tomllib.loads(new)["check"]
        self.assertEqual((checks[0]["min"], checks[0]["max"]), (90.0, 95.0))
        self.assertEqual((checks[3]["min"], checks[3]["max"]), (3, 4))

    def test_the_block_to_paste_says_its_basis(self):
        block = spread.set_range_block(TOML, "08-y.ipynb", "test accuracy", D("3.5"), D("4"))
        self.assertEqual(block.splitlines()[:3], ["[[check]]", 'notebook = "08-y.ipynb"', 'what = "test accuracy"'])
        self.assertIn('basis = "spread"', block)
        self.assertIn("min = 3.5", block)
        self.assertNotIn("[[readme]]", block)

    def test_an_unknown_check_is_an_error(self):
        with self.assertRaises(ValueError):
            spread.set_range(TOML, "07-x.ipynb", "no such check", D(1), D(2))

    def test_write_sets_spread_checks_only(self):
        checks = spread.numeric_checks(tomllib.loads(TOML)["check"], "07-x.ipynb")
        self.assertEqual([c["what"] for c in checks], ["test accuracy", "an error by design"])
        ranges = {"test accuracy": (D("93.1"), D("94.2")), "an error by design": (D("0"), D("1e-7"))}
        new = tomllib.loads(spread.write_ranges(TOML, "07-x.ipynb", checks, ranges))["check"]
        self.assertEqual((new[0]["min"], new[0]["max"]), (93.1, 94.2))
        self.assertEqual((new[2]["min"], new[2]["max"]), (0.0, 1e-6))  # a bound is not measured


class TheConsistencyCheck(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self._tmp.cleanup)
        self.dir = Path(self._tmp.name)

    def record(self, values, threads=None):
        threads = threads or ["default"] * (len(values) - 1) + [1]
        runs = [{"shift": i, "threads": t, "cpu": "this", "values": {"test accuracy": v, "an error by design": "1e-8"}}
                for i, (v, t) in enumerate(zip(values, threads))]
        (self.dir / "07-x.json").write_text(json.dumps({"notebook": "07-x.ipynb", "runs": runs}))

    def checks(self, text=TOML):
        return tomllib.loads(text)["check"]

    def problems(self, text=TOML):
        return spread.consistency_problems(self.checks(text), self.dir)

    def test_a_range_the_rule_gives_passes_and_checks_without_basis_are_counted(self):
        values = ["93.50", "93.61", "93.42", "93.55", "93.70"]
        lo, hi = spread.range_for(values, 0, 100)
        self.record(values)
        problems, counts = self.problems(spread.set_range(TOML, "07-x.ipynb", "test accuracy", lo, hi))
        self.assertEqual(problems, [])
        self.assertEqual(counts, {"spread": 1, "bound": 1, "none": 1})

    def test_a_range_edited_by_hand_fails(self):
        self.record(["93.50", "93.61", "93.42", "93.55", "93.70"])
        problems, _ = self.problems()
        self.assertEqual(len(problems), 1)
        self.assertIn("is not [", problems[0])
        self.assertIn("--recorded --write", problems[0])

    def test_too_few_runs_or_none_at_one_thread_fail(self):
        self.record(["93.50", "93.61", "93.42", "93.55"])
        self.assertIn("4 runs of it", self.problems()[0][0])
        self.record(["93.50"] * 6, threads=["default"] * 6)
        self.assertIn("none at one thread", self.problems()[0][0])
        self.record(["93.50", None, "93.42", "93.55", "93.7"])  # a run that did not print it
        self.assertIn("4 runs of it", self.problems()[0][0])

    def test_no_record_fails(self):
        self.assertIn("07-x.json does not exist", self.problems()[0][0])

    def test_a_bound_needs_a_why_and_the_basis_a_known_name(self):
        self.record(["93.50"] * 5)
        text = TOML.replace('why = "float32 rounding of one step"\n', "").replace('basis = "spread"', 'basis = "guess"')
        problems, _ = self.problems(text)
        self.assertEqual(len(problems), 2)
        self.assertIn("basis must be one of spread, bound", problems[0])
        self.assertIn("needs a `why`", problems[1])

    def test_the_real_toml_passes(self):
        problems, counts = spread.consistency_problems(tomllib.loads(spread.TOML.read_text())["check"])
        self.assertEqual(problems, [])


class TheRuns(unittest.TestCase):
    def test_the_conditions(self):
        labels = [spread.label(c) for c in spread.conditions(3, True)]
        self.assertEqual(labels, ["shift 0", "shift 1", "shift 2", "shift 0, 1 thread", "shift 0, xeon caches"])
        self.assertEqual(len(spread.conditions(3, False)), 4)
        self.assertEqual(spread.slug(spread.conditions(1, True)[-1]), "shift0-xeoncaches")

    def test_a_run_that_did_not_get_its_shift_or_threads_is_refused(self):
        said = {"first_cell": "mlpkit is ready; tensors live on CPU (2 threads)", "caches": "L2 1024K"}
        shifted = {"shift": 2, "threads": "default", "cpu": "this"}
        self.assertIn("does not say 'every seed shifted by 2'", spread.condition_problems(shifted, said, "L2 1024K")[0])
        ok = dict(said, first_cell="mlpkit is ready; tensors live on CPU (2 threads); every seed shifted by 2 (MLPKIT_SEED_SHIFT)")
        self.assertEqual(spread.condition_problems(shifted, ok, "L2 1024K"), [])
        one = {"shift": 0, "threads": 1, "cpu": "this"}
        self.assertIn("1 thread", spread.condition_problems(one, said, "L2 1024K")[0])
        xeon = {"shift": 0, "threads": "default", "cpu": "xeon"}
        self.assertIn("saw this machine's caches", spread.condition_problems(xeon, said, "L2 1024K")[0])

    def test_the_environment_of_a_run(self):
        env = spread.run_env({"shift": 3, "threads": "default", "cpu": "this"})
        self.assertEqual(env["MLPKIT_SEED_SHIFT"], "3")
        self.assertNotIn("RAYON_NUM_THREADS", env)
        self.assertEqual(spread.run_env({"shift": 0, "threads": 1, "cpu": "this"})["RAYON_NUM_THREADS"], "1")


if __name__ == "__main__":
    unittest.main()
