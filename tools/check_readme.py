#!/usr/bin/env python3
"""Checks that the README says nothing stale about the workspace.

    python3 tools/check_readme.py [FILE]      (./lab test tools runs it on README.md)

- At most MAX_LINES lines: the README is read in five minutes; measurements belong in
  bench/README.md, history in CHANGELOG.md, kernel details in kernel/README.md.
- Every path it names exists: each `code span` that looks like a path in the workspace
  (it has a slash or a file extension, and no spaces), and each Markdown link to a file.
  Paths under folders that only exist once something is built or downloaded (`.venv/`,
  `.tools/`, `data/…/`, `book/`, `target/`, `notebooks/models/`) are accepted.
- Every link's `#anchor` names a heading of the file it points at (GitHub's anchors:
  lower case, punctuation dropped, spaces as hyphens).
- Every `./lab …` command it shows is one ./lab has, and every `./lab test PART` a part
  that tools/test.sh defines.

Needs only Python 3: it runs before anything is installed.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 220
# Made by ./lab or by a build, so absent from a fresh clone.
GENERATED = (".venv", ".tools", ".lab", "book", "target", "data/mnist", "data/fashion-mnist",
             "data/uci-digits", "notebooks/models")
CODE = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
LAB = re.compile(r"\./lab(?: ([a-z-]+))?(?: ([a-z-]+))?")
HEADING = re.compile(r"^#{1,6} (.+?)\s*$", re.M)
EXTENSIONS = (".rs", ".py", ".md", ".toml", ".json", ".sh", ".ipynb", ".txt", ".lock", ".in",
              ".patch", ".html", ".safetensors")


def lab_commands() -> set[str]:
    """The subcommands ./lab dispatches on (`  open) ...` lines of its final case)."""
    text = (ROOT / "lab").read_text()
    names = set()
    for alternatives in re.findall(r"^  ([a-z][a-z| -]*)\)", text, re.M):
        names.update(a.strip() for a in alternatives.split("|") if a.strip()[:1].isalpha())
    return names


def test_parts() -> set[str]:
    text = (ROOT / "tools" / "test.sh").read_text()
    found = re.search(r"^TEST_PARTS=\(([^)]*)\)", text, re.M)
    return set(found.group(1).split()) if found else set()


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading's text."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {anchor(h) for h in HEADING.findall(path.read_text())}


def looks_like_path(span: str) -> bool:
    if " " in span or span.startswith(("-", "http")) or "::" in span:
        return False
    if span.startswith(("application/", "image/", "text/")):  # a MIME type
        return False
    if re.search(r"[(){}<>=,;!?*\"'|&$]", span):
        return False
    return "/" in span or span.endswith(EXTENSIONS)


def exists(relative: str, base: Path) -> bool:
    relative = relative.rstrip("/")
    if any(relative == g or relative.startswith(g + "/") for g in GENERATED):
        return True
    for where in (base, ROOT, ROOT / "crates" / "mlpkit"):
        if (where / relative).exists():
            return True
    return False


def problems(readme: Path) -> list[str]:
    text = readme.read_text()
    found = []
    lines = text.count("\n")
    if lines > MAX_LINES:
        found.append(f"{readme.name} has {lines} lines, more than {MAX_LINES}: move measurements "
                     "to bench/README.md, history to CHANGELOG.md, kernel details to kernel/README.md")
    in_fence = False
    prose = []
    for line in text.splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
            continue
        if not in_fence:
            prose.append(line)
    for line in prose:
        spans = CODE.findall(line)
        # In a table row whose first cell is a folder (`tests/`), a bare file name is in it.
        row_folder = ""
        if line.startswith("|") and spans and spans[0].endswith("/"):
            row_folder = spans[0]
        for span in spans:
            if not looks_like_path(span):
                continue
            if exists(span, readme.parent) or ("/" not in span.rstrip("/") and row_folder
                                               and exists(row_folder + span, readme.parent)):
                continue
            found.append(f"`{span}`: no such file or folder in the workspace")
    own = anchors(readme)
    for target in LINK.findall(text):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, fragment = target.partition("#")
        file = (readme.parent / path) if path else readme
        if path and not exists(path, readme.parent):
            found.append(f"link to {target}: {path} does not exist")
            continue
        if fragment and file.suffix == ".md" and file.exists():
            names = own if not path else anchors(file)
            if fragment not in names:
                found.append(f"link to {target}: {file.relative_to(ROOT)} has no heading #{fragment}")
    commands, parts = lab_commands(), test_parts()
    for command, argument in LAB.findall(text):
        if not command:
            continue
        if command not in commands:
            found.append(f"`./lab {command}`: ./lab has no command {command!r} (it has {', '.join(sorted(commands))})")
        elif command == "test" and argument and argument not in parts:
            found.append(f"`./lab test {argument}`: no such part (tools/test.sh has {', '.join(sorted(parts))})")
    return found


def main() -> int:
    readme = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT / "README.md"
    found = problems(readme)
    if found:
        print(f"{readme.name}: FAIL")
        for p in found:
            print(f"    {p}")
        return 1
    print(f"{readme.name}: ok ({readme.read_text().count(chr(10))} lines; every command, path and anchor it names exists)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
