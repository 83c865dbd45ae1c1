"""Tests of tools/check_readme.py: each kind of stale statement is caught, a true one passes."""

import tempfile
import unittest
from pathlib import Path

import check_readme


class CheckReadme(unittest.TestCase):
    def found(self, text: str) -> list[str]:
        # Two levels below the root, as links from a file there climb: tools/<temporary>/README.md.
        with tempfile.TemporaryDirectory(dir=check_readme.ROOT / "tools") as d:
            path = Path(d) / "README.md"
            path.write_text(text)
            return check_readme.problems(path)

    def test_true_statements_pass(self):
        text = ("# Title\n\n## Two commands\n\nRun `./lab test rust` and `./lab open`; see\n"
                "`crates/mlpkit/src/lib.rs`, [the kernel](../../kernel/README.md#interrupting-a-cell),\n"
                "[above](#two-commands), `application/wasm`, `data/mnist/`.\n")
        self.assertEqual(self.found(text), [])

    def test_a_missing_path_is_named(self):
        found = self.found("See `crates/mlpkit/src/nowhere.rs`.\n")
        self.assertTrue(any("nowhere.rs" in p for p in found), found)

    def test_a_missing_anchor_is_named(self):
        found = self.found("# A\n\n[b](#no-such-heading)\n")
        self.assertTrue(any("#no-such-heading" in p for p in found), found)

    def test_an_unknown_command_or_part_is_named(self):
        found = self.found("Run `./lab frobnicate` and `./lab test everything`.\n")
        self.assertTrue(any("frobnicate" in p for p in found), found)
        self.assertTrue(any("everything" in p for p in found), found)

    def test_a_long_readme_is_refused(self):
        found = self.found("line\n" * (check_readme.MAX_LINES + 1))
        self.assertTrue(any("more than" in p for p in found), found)

    def test_anchors_follow_github(self):
        self.assertEqual(check_readme.anchor("The book: try it `here`"), "the-book-try-it-here")


if __name__ == "__main__":
    unittest.main()
