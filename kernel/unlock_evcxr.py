#!/usr/bin/env python3
"""Two steps of the kernel's build (kernel/build.sh), on evcxr_jupyter's published sources.

    cargo metadata --format-version 1 ... | kernel/unlock_evcxr.py sources VERSION
        prints the source folders of evcxr and evcxr_jupyter VERSION, one a line, in that order;

    kernel/unlock_evcxr.py lock CARGO_LOCK
        rewrites evcxr_jupyter's Cargo.lock so that evcxr's entry points at the patched copy
        beside it instead of the registry: its `source` and `checksum` lines go, and nothing
        else changes, so every other dependency stays at the version evcxr_jupyter was
        published with. Fails, writing nothing, unless there is exactly one registry entry
        for evcxr.

Python 3.11, standard library only; tested by tools/test_tools.py.
"""

import json
import os
import re
import sys

PACKAGES = ("evcxr", "evcxr_jupyter")
EVCXR_ENTRY = re.compile(
    r'(\[\[package\]\]\nname = "evcxr"\nversion = "[^"]+"\n)source = "[^"]+"\nchecksum = "[^"]+"\n')


def source_dirs(metadata: dict, version: str) -> list[str]:
    """The folders of evcxr's and evcxr_jupyter's sources at `version`, from cargo's metadata."""
    dirs = []
    for name in PACKAGES:
        found = [p for p in metadata["packages"] if p["name"] == name and p["version"] == version]
        if not found:
            raise ValueError(f"cargo metadata lists no {name} {version}")
        dirs.append(os.path.dirname(found[0]["manifest_path"]))
    return dirs


def unlock(text: str) -> str:
    """Cargo.lock's text with evcxr's registry `source` and `checksum` removed."""
    text, count = EVCXR_ENTRY.subn(r"\1", text)
    if count != 1:
        raise ValueError(f"expected one registry entry for evcxr, found {count}")
    return text


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "sources":
        try:
            print("\n".join(source_dirs(json.load(sys.stdin), argv[1])))
        except ValueError as e:
            sys.exit(f"unlock_evcxr.py: {e}")
        return 0
    if len(argv) == 2 and argv[0] == "lock":
        path = argv[1]
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            text = unlock(text)
        except ValueError as e:
            sys.exit(f"{path}: {e}")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return 0
    sys.exit("usage: unlock_evcxr.py sources VERSION < METADATA | unlock_evcxr.py lock CARGO_LOCK")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
