#!/usr/bin/env python3
"""Two steps of the kernel's build (kernel/build.sh), on evcxr_jupyter's published sources.

    cargo metadata --format-version 1 ... | kernel/unlock_evcxr.py sources VERSION
        prints the source folders of evcxr and evcxr_jupyter VERSION, one a line, in that order;

    kernel/unlock_evcxr.py lock CARGO_LOCK [NAME ...]
        rewrites evcxr_jupyter's Cargo.lock so that the entries of evcxr (or of the packages
        NAME ...) point at the patched copies beside it instead of the registry: their
        `source` and `checksum` lines go, and nothing else changes, so every other dependency
        stays at the version evcxr_jupyter was published with. Fails, writing nothing, unless
        there is exactly one registry entry for each.

    kernel/unlock_evcxr.py dir NAME VERSION < METADATA
        prints the source folder of the package NAME at VERSION (the copy to patch).

Python 3.11, standard library only; tested by tools/test_tools.py.
"""

import json
import os
import re
import sys

PACKAGES = ("evcxr", "evcxr_jupyter")
def registry_entry(name: str) -> re.Pattern:
    """A Cargo.lock entry of `name` from a registry, its `source` and `checksum` lines apart."""
    return re.compile(
        rf'(\[\[package\]\]\nname = "{re.escape(name)}"\nversion = "[^"]+"\n)source = "[^"]+"\nchecksum = "[^"]+"\n')


def source_dir(metadata: dict, name: str, version: str) -> str:
    """The folder of `name`'s sources at `version`, from cargo's metadata."""
    found = [p for p in metadata["packages"] if p["name"] == name and p["version"] == version]
    if not found:
        raise ValueError(f"cargo metadata lists no {name} {version}")
    return os.path.dirname(found[0]["manifest_path"])


def source_dirs(metadata: dict, version: str) -> list[str]:
    """The folders of evcxr's and evcxr_jupyter's sources at `version`, from cargo's metadata."""
    return [source_dir(metadata, name, version) for name in PACKAGES]


def unlock(text: str, names: tuple[str, ...] = ("evcxr",)) -> str:
    """Cargo.lock's text with the registry `source` and `checksum` of each of `names` removed."""
    for name in names:
        text, count = registry_entry(name).subn(r"\1", text)
        if count != 1:
            raise ValueError(f"expected one registry entry for {name}, found {count}")
    return text


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "sources":
        try:
            print("\n".join(source_dirs(json.load(sys.stdin), argv[1])))
        except ValueError as e:
            sys.exit(f"unlock_evcxr.py: {e}")
        return 0
    if len(argv) == 3 and argv[0] == "dir":
        try:
            print(source_dir(json.load(sys.stdin), argv[1], argv[2]))
        except ValueError as e:
            sys.exit(f"unlock_evcxr.py: {e}")
        return 0
    if len(argv) >= 2 and argv[0] == "lock":
        path = argv[1]
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            text = unlock(text, tuple(argv[2:]) or ("evcxr",))
        except ValueError as e:
            sys.exit(f"{path}: {e}")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return 0
    sys.exit("usage: unlock_evcxr.py sources VERSION < METADATA | unlock_evcxr.py dir NAME VERSION < METADATA"
             " | unlock_evcxr.py lock CARGO_LOCK [NAME ...]")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
