"""Unit tests of the workspace's Python tools: tools/datasets.py, kernel/unlock_evcxr.py and
tools/check_crate.py; and of ./lab's arguments and test parts (with the parts' work replaced,
so that nothing is built or run). Standard library only, no network, temporary folders only.

    python3 -m unittest discover -s tools -p 'test_*.py'      (what ./lab test runs)
"""

import contextlib
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest
import zipfile
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent
sys.path[:0] = [str(TOOLS), str(ROOT / "kernel")]

import check_crate  # noqa: E402
import datasets  # noqa: E402
import unlock_evcxr  # noqa: E402

PARTS = datasets.IDX_PARTS


class TempDir(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = Path(self._tmp.name)
        self.addCleanup(self._tmp.cleanup)

    def write(self, relative: str, text: str = "") -> Path:
        path = self.tmp / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path


# ----------------------------------------------------------------------------- datasets.py

def catalogue(system_dir: Path, uci_data: bytes = b"") -> dict:
    """The real catalogue with the system folder moved and, for fetch-uci, the digest of
    `uci_data`."""
    cat = datasets.load_catalogue()
    cat["system_dir"] = str(system_dir)
    cat["uci_digits"]["sha256"] = hashlib.sha256(uci_data).hexdigest()
    return cat


def fill(folder: Path, gz: bool = True, parts=PARTS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for part in parts:
        (folder / (part + ".gz" if gz else part)).write_bytes(part.encode())
    return folder


class TheCatalogue(unittest.TestCase):
    def test_the_real_catalogue_has_what_lab_reads(self):
        cat = datasets.load_catalogue()
        self.assertEqual([p["place"] for p in cat["local_search"]], ["env", "workspace", "system"])
        self.assertEqual([d["env_var"] for d in cat["idx_datasets"]], ["MNIST_DIR", "FASHION_MNIST_DIR"])
        for d in cat["idx_datasets"]:
            self.assertEqual(sorted(d["sha256"]), sorted(PARTS))
        uci = cat["uci_digits"]
        self.assertEqual(uci["wheel"], "scikit-learn==1.5.2")
        self.assertEqual(len(uci["sha256"]), 64)


class Find(TempDir):
    def setUp(self):
        super().setUp()
        self.root, self.system = self.tmp / "ws", self.tmp / "system"
        self.cat = catalogue(self.system)

    def find(self, name="mnist", env=None):
        return datasets.find(self.cat, name, self.root, env or {})

    def test_nothing_anywhere(self):
        self.assertIsNone(self.find())

    def test_system_folder(self):
        fill(self.system / "mnist")
        self.assertEqual(self.find(), self.system / "mnist")

    def test_workspace_before_system(self):
        fill(self.system / "mnist")
        fill(self.root / "data" / "mnist", gz=False)
        self.assertEqual(self.find(), self.root / "data" / "mnist")

    def test_env_var_before_workspace(self):
        fill(self.root / "data" / "mnist")
        mine = fill(self.tmp / "mine")
        self.assertEqual(self.find(env={"MNIST_DIR": str(mine)}), mine)

    def test_each_dataset_has_its_own_env_var(self):
        mine = fill(self.tmp / "mine")
        self.assertIsNone(self.find("fashion-mnist", env={"MNIST_DIR": str(mine)}))
        self.assertEqual(self.find("fashion-mnist", env={"FASHION_MNIST_DIR": str(mine)}), mine)

    def test_an_incomplete_folder_is_passed_over(self):
        fill(self.tmp / "mine", parts=PARTS[:3])
        fill(self.root / "data" / "mnist", parts=PARTS[1:])
        fill(self.system / "mnist")
        self.assertEqual(self.find(env={"MNIST_DIR": str(self.tmp / "mine")}), self.system / "mnist")

    def test_plain_and_gz_files_mix(self):
        folder = self.root / "data" / "mnist"
        fill(folder, gz=True, parts=PARTS[:2])
        fill(folder, gz=False, parts=PARTS[2:])
        self.assertEqual(self.find(), folder)

    def test_an_empty_env_var_is_no_folder(self):
        fill(self.root / "data" / "mnist")
        self.assertEqual(self.find(env={"MNIST_DIR": ""}), self.root / "data" / "mnist")

    def test_the_command_prints_the_workspace_folder_relative_and_exits_1_when_missing(self):
        cat_file = self.tmp / "datasets.json"
        cat_file.write_text(json.dumps(self.cat))
        env = {k: v for k, v in os.environ.items() if k not in ("MNIST_DIR", "FASHION_MNIST_DIR")}
        command = [sys.executable, str(TOOLS / "datasets.py"), "--root", str(self.root),
                   "--catalogue", str(cat_file), "find", "mnist"]
        missing = subprocess.run(command, capture_output=True, text=True, env=env)
        self.assertEqual((missing.returncode, missing.stdout, missing.stderr), (1, "", ""))
        fill(self.root / "data" / "mnist")
        found = subprocess.run(command, capture_output=True, text=True, env=env)
        self.assertEqual((found.returncode, found.stdout), (0, "data/mnist\n"))


class LinkShared(TempDir):
    def setUp(self):
        super().setUp()
        self.root = self.tmp / "ws"
        self.root.mkdir()
        self.shared = self.tmp / "shared" / "datasets" / "mnist"
        self.cat = catalogue(self.tmp / "system")

    def link(self, env=None):
        with contextlib.redirect_stderr(io.StringIO()):
            return datasets.link_shared(self.cat, self.root, env or {})

    def test_links_each_file_relatively(self):
        fill(self.shared)
        self.assertEqual(self.link(), ["MNIST"])
        target = self.root / "data" / "mnist"
        for part in PARTS:
            link = target / f"{part}.gz"
            self.assertTrue(link.is_symlink())
            self.assertEqual(os.readlink(link), f"../../../shared/datasets/mnist/{part}.gz")
            self.assertEqual(link.read_bytes(), part.encode())
        self.assertEqual(datasets.find(self.cat, "mnist", self.root, {}), target)
        self.assertEqual(sorted(p.name for p in target.iterdir()), sorted(f"{p}.gz" for p in PARTS))

    def test_a_second_run_changes_nothing(self):
        fill(self.shared)
        self.link()
        self.assertEqual(self.link(), [])

    def test_plain_files_are_linked_where_there_is_no_gz(self):
        fill(self.shared, gz=False)
        self.link()
        self.assertTrue((self.root / "data" / "mnist" / PARTS[0]).is_symlink())

    def test_nothing_when_the_env_var_names_a_folder(self):
        fill(self.shared)
        self.assertEqual(self.link({"MNIST_DIR": "/elsewhere"}), [])
        self.assertFalse((self.root / "data" / "mnist").exists())

    def test_nothing_when_the_workspace_holds_the_dataset(self):
        fill(self.shared)
        fill(self.root / "data" / "mnist", gz=False)
        self.assertEqual(self.link(), [])
        self.assertFalse(any(p.is_symlink() for p in (self.root / "data" / "mnist").iterdir()))

    def test_nothing_when_the_shared_copy_is_incomplete_or_missing(self):
        self.assertEqual(self.link(), [])
        fill(self.shared, parts=PARTS[:3])
        self.assertEqual(self.link(), [])
        self.assertFalse((self.root / "data" / "mnist").exists())

    def test_a_file_of_the_users_own_is_kept(self):
        fill(self.shared)
        mine = fill(self.root / "data" / "mnist", parts=PARTS[:1])
        self.link()
        self.assertFalse((mine / f"{PARTS[0]}.gz").is_symlink())
        self.assertTrue((mine / f"{PARTS[1]}.gz").is_symlink())


def fake_wheel(member: str, data: bytes):
    """A download function that writes a wheel holding `member` (or fails, for data None)."""
    calls = []

    def download(pip, spec, platform, python, dest):
        calls.append((pip, spec, platform, python))
        if data is None:
            return False
        with zipfile.ZipFile(dest / "scikit_learn-1.5.2-cp311-manylinux.whl", "w") as z:
            z.writestr(member, data)
            z.writestr("sklearn/__init__.py", "")
        return True

    return download, calls


class FetchUci(TempDir):
    DATA = b"\x1f\x8b the digits"

    def setUp(self):
        super().setUp()
        self.cat = catalogue(self.tmp / "system", self.DATA)
        self.member = self.cat["uci_digits"]["wheel_member"]
        self.target = self.tmp / "data" / "uci-digits" / "digits.csv.gz"

    def fetch(self, download, env=None):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            status = datasets.fetch_uci(self.cat, "pip", self.tmp, env or {}, download)
        return status, err.getvalue()

    def test_the_file_is_taken_out_and_written(self):
        download, calls = fake_wheel(self.member, self.DATA)
        status, _ = self.fetch(download)
        self.assertEqual(status, 0)
        self.assertEqual(self.target.read_bytes(), self.DATA)
        self.assertEqual(calls, [("pip", "scikit-learn==1.5.2", "manylinux2014_x86_64", "3.11")])
        self.assertEqual(os.listdir(self.target.parent), ["digits.csv.gz"])

    def test_a_wrong_digest_writes_nothing(self):
        download, _ = fake_wheel(self.member, b"something else")
        status, err = self.fetch(download)
        self.assertEqual(status, 1)
        self.assertIn("has SHA-256", err)
        self.assertIn("nothing was written", err)
        self.assertFalse(self.target.parent.exists())

    def test_a_wheel_without_the_file_writes_nothing(self):
        download, _ = fake_wheel("sklearn/other.csv", self.DATA)
        status, err = self.fetch(download)
        self.assertEqual(status, 1)
        self.assertIn("nothing was written", err)
        self.assertFalse(self.target.exists())

    def test_a_failed_download_says_what_to_do(self):
        download, _ = fake_wheel(self.member, None)
        status, err = self.fetch(download)
        self.assertEqual(status, 1)
        self.assertIn("Could not download scikit-learn==1.5.2", err)
        self.assertIn("run this again when PyPI is reachable", err)
        self.assertFalse(self.target.exists())

    def test_nothing_is_downloaded_when_the_file_is_there(self):
        self.target.parent.mkdir(parents=True)
        self.target.write_bytes(b"kept")
        download, calls = fake_wheel(self.member, self.DATA)
        self.assertEqual(self.fetch(download), (0, ""))
        self.assertEqual(calls, [])
        self.assertEqual(self.target.read_bytes(), b"kept")

    def test_the_env_var_names_the_folder(self):
        download, _ = fake_wheel(self.member, self.DATA)
        folder = self.tmp / "elsewhere"
        status, err = self.fetch(download, {"UCI_DIGITS_DIR": str(folder)})
        self.assertEqual(status, 0)
        self.assertEqual((folder / "digits.csv.gz").read_bytes(), self.DATA)
        self.assertIn(f"into {folder}/", err)
        self.assertFalse(self.target.exists())


# ------------------------------------------------------------------------- unlock_evcxr.py

LOCK = """\
[[package]]
name = "evcxr"
version = "0.22.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "aaaa"
dependencies = [
 "anyhow",
]

[[package]]
name = "evcxr_input"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "bbbb"

[[package]]
name = "evcxr_jupyter"
version = "0.22.0"
dependencies = [
 "evcxr",
]
"""


class UnlockEvcxr(TempDir):
    def test_only_evcxrs_source_and_checksum_go(self):
        text = unlock_evcxr.unlock(LOCK)
        self.assertEqual(text, LOCK.replace(
            'source = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "aaaa"\n', ""))
        self.assertIn('checksum = "bbbb"', text)

    def test_no_entry_or_two_entries_fail(self):
        with self.assertRaisesRegex(ValueError, "found 0"):
            unlock_evcxr.unlock(unlock_evcxr.unlock(LOCK))
        with self.assertRaisesRegex(ValueError, "found 2"):
            unlock_evcxr.unlock(LOCK + "\n" + LOCK)

    def test_the_command_rewrites_the_file_or_leaves_it(self):
        lock = self.write("Cargo.lock", LOCK)
        command = [sys.executable, str(ROOT / "kernel" / "unlock_evcxr.py"), "lock", str(lock)]
        self.assertEqual(subprocess.run(command, capture_output=True).returncode, 0)
        self.assertEqual(lock.read_text(), unlock_evcxr.unlock(LOCK))
        again = subprocess.run(command, capture_output=True, text=True)
        self.assertEqual(again.returncode, 1)
        self.assertIn("expected one registry entry for evcxr", again.stderr)
        self.assertEqual(lock.read_text(), unlock_evcxr.unlock(LOCK))

    def test_named_packages_are_unlocked_together_or_not_at_all(self):
        zeromq = ('[[package]]\nname = "zeromq"\nversion = "0.6.0"\n'
                  'source = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "cccc"\n')
        text = unlock_evcxr.unlock(LOCK + "\n" + zeromq, ("evcxr", "zeromq"))
        self.assertNotIn("aaaa", text)
        self.assertNotIn("cccc", text)
        self.assertIn('name = "zeromq"\nversion = "0.6.0"\n', text)
        self.assertIn('checksum = "bbbb"', text)
        with self.assertRaisesRegex(ValueError, "registry entry for zeromq, found 0"):
            unlock_evcxr.unlock(LOCK, ("evcxr", "zeromq"))
        lock = self.write("Cargo.lock", LOCK)
        command = [sys.executable, str(ROOT / "kernel" / "unlock_evcxr.py"), "lock", str(lock), "evcxr", "zeromq"]
        failed = subprocess.run(command, capture_output=True, text=True)
        self.assertEqual(failed.returncode, 1)
        self.assertEqual(lock.read_text(), LOCK, "nothing is written when one name is missing")

    def test_one_source_dir_from_cargo_metadata(self):
        metadata = {"packages": [{"name": "zeromq", "version": "0.6.0", "manifest_path": "/r/zeromq-0.6.0/Cargo.toml"}]}
        self.assertEqual(unlock_evcxr.source_dir(metadata, "zeromq", "0.6.0"), "/r/zeromq-0.6.0")
        with self.assertRaisesRegex(ValueError, "no zeromq 0.7.0"):
            unlock_evcxr.source_dir(metadata, "zeromq", "0.7.0")

    def test_source_dirs_from_cargo_metadata(self):
        metadata = {"packages": [
            {"name": "evcxr_jupyter", "version": "0.22.0", "manifest_path": "/r/evcxr_jupyter-0.22.0/Cargo.toml"},
            {"name": "evcxr", "version": "0.21.0", "manifest_path": "/r/evcxr-0.21.0/Cargo.toml"},
            {"name": "evcxr", "version": "0.22.0", "manifest_path": "/r/evcxr-0.22.0/Cargo.toml"},
        ]}
        self.assertEqual(unlock_evcxr.source_dirs(metadata, "0.22.0"), ["/r/evcxr-0.22.0", "/r/evcxr_jupyter-0.22.0"])
        with self.assertRaisesRegex(ValueError, "no evcxr_jupyter 0.21.0"):
            unlock_evcxr.source_dirs(metadata, "0.21.0")


# -------------------------------------------------------------------------- check_crate.py

LAYERS = [["error"], ["low", "other"], ["mid"], ["top"]]


class CheckCrate(TempDir):
    """Each test writes a small crate: src/lib.rs declaring the top-level modules, the files
    it is given, and layers.toml (error, low | other, mid, top)."""

    def crate(self, files: dict[str, str], layers=LAYERS, file_lines=500, function_lines=80, absent=()) -> Path:
        crate = self.tmp / "crate"
        layer_lines = ",\n".join("  [" + ", ".join(f'"{m}"' for m in layer) + "]" for layer in layers)
        self.write("crate/layers.toml", f"layers = [\n{layer_lines}\n]\n\n[limits]\n"
                   f"file_lines = {file_lines}\nfunction_lines = {function_lines}\n"
                   f'paths = ["src", "tests", "examples"]\n')
        files = {"src/error.rs": "pub struct Error;\n", **files}
        tops = sorted({Path(p).relative_to("src").parts[0].removesuffix(".rs") for p in files if p.startswith("src/")})
        files.setdefault("src/lib.rs", "".join(f"pub mod {m};\n" for m in tops if m != "lib"))
        for name in [m for layer in layers for m in layer if m not in absent]:
            if not any(p in files for p in (f"src/{name}.rs", f"src/{name}/mod.rs")):
                files[f"src/{name}.rs"] = ""
        for path, text in files.items():
            self.write(f"crate/{path}", textwrap.dedent(text))
        return crate

    def findings(self, files: dict[str, str], **kw) -> list[str]:
        return check_crate.check(self.crate(files, **kw))[0]

    def assertFinds(self, findings: list[str], *pieces: str):
        for piece in pieces:
            self.assertTrue(any(piece in f for f in findings), f"{piece!r} not in {findings}")

    # -- rule 1: layers

    def test_a_clean_crate_passes_with_a_summary(self):
        crate = self.crate({"src/low.rs": "use crate::error::Error;\n", "src/mid.rs": "use crate::low;\n",
                            "src/top.rs": "use crate::{mid, low::*};\n"})
        findings, summary = check_crate.check(crate)
        self.assertEqual(findings, [])
        self.assertIn("modules", summary)
        self.assertIn("longest function", summary)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(check_crate.main([str(crate)]), 0)
        self.assertTrue(out.getvalue().startswith("check_crate: "))

    def test_an_upward_arrow_in_a_use(self):
        findings = self.findings({"src/low.rs": "\nuse crate::mid::Thing;\n", "src/mid.rs": "pub struct Thing;\n"})
        self.assertEqual(len(findings), 1)
        self.assertRegex(findings[0], r"src/low\.rs:2: upward arrow: low \(layer 2\) uses mid \(layer 3\) through crate::mid::Thing")

    def test_an_upward_arrow_in_an_inline_path(self):
        findings = self.findings({"src/low.rs": "fn f() {\n    if crate::top::take_request() {}\n}\n"})
        self.assertFinds(findings, "src/low.rs:2: upward arrow: low (layer 2) uses top (layer 4) through crate::top::take_request")

    def test_grouped_use_trees(self):
        findings = self.findings({"src/low.rs": "use crate::{error::Error, mid::{self, Thing as T}, top::*};\n"})
        self.assertFinds(findings, "uses mid (layer 3) through crate::mid", "uses top (layer 4) through crate::top::*")

    def test_a_sideways_arrow(self):
        findings = self.findings({"src/low.rs": "use crate::other::X;\n"})
        self.assertFinds(findings, "src/low.rs:1: sideways arrow: low uses other, another module of its own layer 2")

    def test_downward_and_inside_a_module_are_fine(self):
        self.assertEqual(self.findings({
            "src/mid/mod.rs": "mod a;\nmod b;\npub use a::A;\n",
            "src/mid/a.rs": "use super::b::B;\nuse crate::low::L;\npub struct A;\n",
            "src/mid/b.rs": "pub struct B;\nfn f() { crate::error::Error; }\n",
            "src/low.rs": "pub struct L;\n"}), [])

    def test_the_crate_root_is_no_source_of_arrows(self):
        self.assertEqual(self.findings({"src/lib.rs": "pub mod low;\npub mod top;\nuse crate::top::X;\n"}), [])

    def test_a_module_in_no_layer_and_a_layer_without_module(self):
        findings = self.findings({"src/extra.rs": ""}, layers=[["error"], ["low", "ghost"]], absent=["ghost"])
        self.assertFinds(findings, "src/extra.rs:1: module extra is in no layer", "layers.toml:3: layer 2 lists ghost")

    def test_visibility_paths_are_no_arrows(self):
        self.assertEqual(self.findings({"src/low/mod.rs": "mod a;\n",
                                         "src/low/a.rs": "pub(crate) fn f() {}\npub(super) fn g() {}\n"
                                                         "pub(in crate::top) fn h() {}\n"}), [])

    # -- super, self and re-exports

    def test_super_in_a_file_and_in_a_mod_rs(self):
        findings = self.findings({
            "src/low/mod.rs": "mod b;\nmod c;\nuse super::top::T;\n",
            "src/low/b.rs": "use super::c::C;\nfn f() { super::super::mid::g(); }\n",
            "src/low/c.rs": "pub struct C;\n"})
        self.assertFinds(findings, "src/low/mod.rs:3: upward arrow: low (layer 2) uses top (layer 4) through super::top::T",
                         "src/low/b.rs:2: upward arrow: low (layer 2) uses mid (layer 3) through super::super::mid::g")
        self.assertEqual(len(findings), 2)

    def test_super_in_an_inline_test_module_is_the_file(self):
        crate = self.crate({"src/low/mod.rs": "mod b;\n",
                            "src/low/b.rs": "fn f() {}\n#[cfg(test)]\nmod tests {\n    use super::*;\n    use super::super::c;\n}\n",
                            "src/low/c.rs": ""})
        arrows = check_crate.Crate(crate).arrows()
        self.assertEqual([(a.line, a.target) for a in arrows], [(5, ("low", "c"))])

    def test_a_reexported_name_leads_to_the_file_that_defines_it(self):
        crate = self.crate({
            "src/low/mod.rs": "mod split;\nmod more;\nmod batches;\npub use split::Split;\n"
                              "pub use self::more::{More, Other as Renamed};\npub(crate) use more::helper;\n",
            "src/low/split.rs": "pub struct Split;\n",
            "src/low/more.rs": "pub struct More;\npub struct Other;\npub fn helper() {}\n",
            "src/low/batches.rs": "use super::Split;\nuse super::{More, Renamed};\nfn f() { super::helper(); }\n",
            "src/mid.rs": "use crate::low::Split;\n"})
        targets = {(str(a.source.path), a.line): a.target for a in check_crate.Crate(crate).arrows()}
        self.assertEqual(targets, {
            ("src/low/batches.rs", 1): ("low", "split"), ("src/low/batches.rs", 2): ("low", "more"),
            ("src/low/batches.rs", 3): ("low", "more"), ("src/mid.rs", 1): ("low", "split")})

    def test_root_reexports_and_glob_reexports(self):
        crate = self.crate({
            "src/lib.rs": "mod error;\npub mod low;\npub mod mid;\npub use error::{Error as Fault};\n",
            "src/low/mod.rs": "mod inner;\npub use inner::*;\n",
            "src/low/inner.rs": "pub struct Deep;\n",
            "src/mid.rs": "fn f() -> crate::Fault { todo!() }\nuse crate::low::Deep;\n"})
        targets = sorted((a.line, a.target) for a in check_crate.Crate(crate).arrows())
        self.assertEqual(targets, [(1, ("error",)), (2, ("low", "inner"))])

    def test_the_deepest_module_file_that_exists(self):
        crate = self.crate({"src/low/mod.rs": "mod split;\n", "src/low/split.rs": "",
                            "src/mid.rs": "use crate::low::split::Split;\nuse crate::low::gone::X;\n"})
        targets = sorted((a.line, a.target) for a in check_crate.Crate(crate).arrows())
        self.assertEqual(targets, [(1, ("low", "split")), (2, ("low",))])

    # -- rule 2: circles

    def test_a_circle_of_three_files_in_order(self):
        findings = self.findings({
            "src/mid/mod.rs": "mod fit;\nmod step;\nmod fused;\npub use fit::Fit;\npub use step::choose;\n",
            "src/mid/fit.rs": "use super::step::choose;\npub struct Fit;\n",
            "src/mid/step.rs": "use super::fused::Fused;\npub fn choose() {}\n",
            "src/mid/fused.rs": "use super::Fit;\npub struct Fused;\n"})
        self.assertEqual(findings, [f for f in findings if "circle" in f])
        self.assertEqual(len(findings), 1)
        self.assertIn("src/mid/fit.rs:1: files use each other in a circle: mid/fit.rs → mid/step.rs → mid/fused.rs → mid/fit.rs",
                      findings[0])

    def test_one_circle_per_knot_and_separate_knots(self):
        findings = self.findings({
            "src/mid/mod.rs": "mod a;\nmod b;\nmod c;\nmod x;\nmod y;\n",
            "src/mid/a.rs": "use super::b::B;\nuse super::c::C;\npub struct A;\n",
            "src/mid/b.rs": "use super::a::A;\npub struct B;\n",
            "src/mid/c.rs": "use super::a::A;\npub struct C;\n",
            "src/mid/x.rs": "fn f() { super::y::g(); }\npub fn h() {}\n",
            "src/mid/y.rs": "pub fn g() { super::x::h(); }\n"})
        self.assertEqual(len(findings), 2)
        self.assertFinds(findings, "mid/a.rs → mid/b.rs → mid/a.rs (its knot also holds mid/c.rs)",
                         "src/mid/x.rs:1: files use each other in a circle: mid/x.rs → mid/y.rs → mid/x.rs")

    def test_a_table_of_contents_is_no_arrow(self):
        self.assertEqual(self.findings({
            "src/low/mod.rs": "mod split;\npub use split::Split;\npub use self::split::{Split as S};\n"
                              "pub(crate) use split::helper;\npub struct Shared;\n",
            "src/low/split.rs": "use super::Shared;\npub struct Split;\npub fn helper() {}\n"}), [])

    def test_a_parent_using_its_child_is_an_arrow(self):
        findings = self.findings({
            "src/low/mod.rs": "mod split;\npub struct Shared;\nfn f() { split::helper(); }\n",
            "src/low/split.rs": "use super::Shared;\npub fn helper() {}\n"})
        self.assertFinds(findings, "low/mod.rs → low/split.rs → low/mod.rs")

    # -- lexing traps

    def test_comments_strings_and_chars_are_no_arrows(self):
        self.assertEqual(self.findings({"src/low.rs": r'''
            // use crate::top::A;
            /* outer /* nested crate::top::B */ still a comment crate::top::C */
            /// See [`crate::top::D`] and [crate::mid::E].
            //! crate::top::F
            /** crate::top::G */
            const S: &str = "crate::top::H \" crate::top::I";
            const R: &str = r#"a " crate::top::J "quoted" crate::top::K"#;
            const B: &[u8] = b"crate::top::L";
            const RB: &[u8] = br##"crate::top::M "# "##;
            const Q: char = '"';
            const E: char = '\'';
            const BS: char = '\\';
            const BQ: u8 = b'"';
            fn f<'a>(x: &'a str) -> &'static str { "crate::top::N" }
            '''}), [])

    def test_code_after_a_quote_char_and_lifetimes_is_seen(self):
        findings = self.findings({"src/low.rs": r'''
            const Q: char = '"';
            fn f<'a>(x: &'a str) -> &'static str { crate::top::seen_one(); x }
            const S: &str = "}";
            fn g() { crate::mid::seen_two() }
            const P: &str = r"C:\dir\";
            fn h() { crate::top::seen_three() }
            const Z: &str = "\\";
            const BQ: u8 = b'"'; fn i() { crate::mid::seen_four() } const Y: u8 = b'"';
            '''})
        self.assertFinds(findings, "src/low.rs:3: upward arrow", "through crate::top::seen_one",
                         "src/low.rs:5: upward arrow", "through crate::mid::seen_two",
                         "src/low.rs:7: upward arrow", "through crate::top::seen_three",
                         "src/low.rs:9: upward arrow", "through crate::mid::seen_four")
        self.assertEqual(len(findings), 4)

    def test_blank_code_keeps_offsets_and_lines(self):
        text = 'let a = "x\ny"; // c\n/* d\n*/ let b = \'{\'; let c: &\'static str = r#"}"#;\n'
        code = check_crate.blank_code(text)
        self.assertEqual(len(code), len(text))
        self.assertEqual(code.count("\n"), text.count("\n"))
        self.assertNotIn("{", code)
        self.assertNotIn("}", code)
        self.assertIn("&'static str", code)
        self.assertIn("let b", code)

    # -- rules 3 and 4: sizes

    def fn_lines(self, name: str, body_lines: int) -> str:
        return f"fn {name}() {{\n" + "    let x = 1;\n" * (body_lines) + "}\n"

    def test_a_function_longer_than_the_limit(self):
        text = self.fn_lines("ok", 8) + self.fn_lines("long", 9)  # 10 and 11 lines
        findings = self.findings({"src/low.rs": text}, function_lines=10)
        self.assertEqual(findings, [f for f in findings if "function" in f])
        self.assertEqual(len(findings), 1)
        self.assertIn("src/low.rs:11: function long spans 11 lines, more than the limit of 10", findings[0])

    def test_methods_defaults_and_nested_functions_count_declarations_do_not(self):
        text = ("trait T {\n    fn declared(&self);\n    fn default_method(&self) {\n" + "        ();\n" * 10 + "    }\n}\n"
                "impl S {\n    pub fn method(&self) -> u8 {\n" + "        ();\n" * 10 + "        0\n    }\n}\n"
                "fn outer() {\n    fn inner() {\n" + "        ();\n" * 10 + "    }\n}\n")
        findings = self.findings({"src/low.rs": text}, function_lines=10)
        names = sorted(f.split("function ")[1].split(" ")[0] for f in findings)
        self.assertEqual(names, ["default_method", "inner", "method", "outer"])

    def test_braces_in_strings_chars_and_comments_do_not_count(self):
        text = ("fn f<'a>(x: &'a str) -> char {\n    let _ = \"}}}\";\n    let _ = '}';\n"
                "    // }\n    /* } */\n    let _ = r#\"}\"#;\n    '{'\n}\n" + self.fn_lines("after", 1))
        self.assertEqual(check_crate.functions(text), [("f", 1, 8), ("after", 9, 3)])
        self.assertEqual(self.findings({"src/low.rs": text}, function_lines=8), [])

    def test_signatures_with_semicolons_in_array_types(self):
        self.assertEqual(check_crate.functions("fn f(x: [u8; 4]) -> [u8; 2] {\n    [0; 2]\n}\n"), [("f", 1, 3)])

    def test_file_lengths_in_src_tests_and_examples(self):
        findings = self.findings({"src/low.rs": "\n" * 20, "src/mid.rs": "\n" * 21,
                                  "tests/t.rs": "\n" * 21, "examples/e.rs": "\n" * 21, "tests/ok.rs": "\n" * 20},
                                 file_lines=20)
        self.assertEqual(sorted(f.split("crate/")[1].split(":")[0] for f in findings),
                         ["examples/e.rs", "src/mid.rs", "tests/t.rs"])
        self.assertFinds(findings, "21 lines, more than the limit of 20")

    def test_the_graph_of_top_level_modules(self):
        crate = self.crate({"src/mid.rs": "use crate::low::X;\nuse crate::error::Error;\n",
                            "src/top.rs": "use crate::mid::Y;\n"})
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(check_crate.main([str(crate), "--graph"]), 0)
        self.assertEqual(out.getvalue().splitlines(), ["error", "low", "other", "mid → low, error", "top → mid"])

    def test_the_command_exits_1_with_one_line_per_finding(self):
        crate = self.crate({"src/low.rs": "use crate::top::T;\n"})
        run = subprocess.run([sys.executable, str(TOOLS / "check_crate.py"), str(crate)], capture_output=True, text=True)
        self.assertEqual(run.returncode, 1)
        self.assertEqual(len(run.stdout.splitlines()), 1)
        self.assertRegex(run.stdout, r"^\S+/src/low\.rs:1: upward arrow: .+: .+")


# ----------------------------------------------------------------------------- ./lab

LAB = ROOT / "lab"
PARTS_IN_ORDER = ["tools", "rust", "notebooks", "kernel", "book"]


def lab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(LAB), *args], capture_output=True, text=True, timeout=60)


def lab_functions(script: str) -> subprocess.CompletedProcess:
    """Runs `script` in bash after sourcing ./lab (which then only defines its functions), with
    the prerequisites' check and every test part's work replaced by a line that names it."""
    stubs = "check_prerequisites() { :; }\n" + "".join(
        f'test_part_{p}() {{ echo "ran {p} $*"; }}\n' for p in PARTS_IN_ORDER)
    return subprocess.run(["bash", "-c", f"source {LAB}\n{stubs}{script}"], capture_output=True, text=True, timeout=60)


class LabCommand(unittest.TestCase):
    def test_an_unknown_part_exits_2_and_lists_the_parts(self):
        run = lab("test", "nonsense")
        self.assertEqual(run.returncode, 2)
        self.assertIn("has no part 'nonsense'", run.stderr)
        for part in PARTS_IN_ORDER:
            self.assertRegex(run.stderr, rf"(?m)^  {part}\b")

    def test_notebooks_takes_names_but_no_options(self):
        run = lab("test", "notebooks", "--write")
        self.assertEqual(run.returncode, 2)
        self.assertIn("not '--write'", run.stderr)

    def test_help_prints_the_usage_and_no_command_the_usage_line(self):
        run = lab("help")
        self.assertEqual(run.returncode, 0)
        for command in ("./lab open", "./lab setup", "./lab test [PART...]", "./lab spread NOTEBOOK...", "./lab book"):
            self.assertIn(command, run.stdout)
        self.assertNotIn("set -euo", run.stdout)
        run = lab()
        self.assertEqual(run.returncode, 2)
        self.assertRegex(run.stderr, r"^usage: ./lab open \| setup \| test \[PART...\] \|")

    def test_parts_run_in_their_order_and_names_go_to_notebooks(self):
        run = lab_functions("cmd_test kernel notebooks 00 03 rust")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stdout.splitlines(), ["ran rust ", "ran notebooks 00 03", "ran kernel "])
        self.assertRegex(run.stderr, r"(?m)^    rust +passed in 0 s$")
        self.assertIn("Tests passed (rust notebooks kernel) in", run.stderr)

    def test_every_part_by_default_and_one_part_without_a_summary(self):
        run = lab_functions("cmd_test")
        self.assertEqual([line.split()[1] for line in run.stdout.splitlines()], PARTS_IN_ORDER)
        self.assertIn("All tests passed in", run.stderr)
        run = lab_functions("cmd_test tools")
        self.assertNotRegex(run.stderr, r"(?m)^    tools +passed")
        self.assertIn("The tools part passed in", run.stderr)

    def test_a_failed_part_stops_the_run_and_is_named(self):
        run = lab_functions("test_part_rust() { false; echo not reached; }\ncmd_test")
        self.assertEqual(run.returncode, 1)
        self.assertEqual(run.stdout.splitlines(), ["ran tools "])
        self.assertIn("the rust part FAILED after", run.stderr)
        self.assertRegex(run.stderr, r"(?m)^    tools +passed in")

    def test_the_book_part_runs_notebook_06_first_when_its_network_is_missing(self):
        with tempfile.TemporaryDirectory() as tmp:
            python = Path(tmp) / "bin" / "python"
            python.parent.mkdir()
            python.write_text('#!/bin/sh\necho "python $*"\n')
            python.chmod(0o755)
            (Path(tmp) / "model").write_text("")
            run = lab_functions(
                "source tools/test.sh\n"  # the real parts again
                "ensure_data() { :; }\nensure_runner() { echo runner; }\ntest_book() { echo book; }\n"
                f"VENV={tmp} BOOK_MODEL={tmp}/missing; test_part_book\n"
                f"BOOK_MODEL={tmp}/model; test_part_book")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stdout.splitlines(), ["runner", "python tests/run_notebooks.py 06", "book", "book"])
        self.assertIn("which notebook 06 writes and which is missing: running notebook 06 first", run.stderr)

    def test_setup_only_warns_when_the_books_tools_cannot_be_installed(self):
        run = lab_functions(
            "rustup() { echo 'rustup: no network' >&2; return 1; }\n"
            "ensure_npm_packages() { echo npm; }\nensure_browser() { echo browser; }\n"
            "ensure_book_tools; echo done")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stdout.splitlines(), ["npm", "browser", "done"])
        self.assertIn("rustup could not add the target wasm32-unknown-unknown", run.stderr)
        self.assertIn("WARNING: some of the book's tools could not be installed", run.stderr)


if __name__ == "__main__":
    unittest.main()
