#!/usr/bin/env python3
"""Renders every notebook, with its saved outputs, to HTML in one folder with an index page,
and adds the two pages that run the workspace's Rust in the reader's browser: a book of the
lessons that can be read, or hosted, without a kernel.

    .venv/bin/python tools/book.py [--notebooks-only] OUT VENDOR

`./lab book` runs it, after it has built the WebAssembly module into OUT/pkg/ and installed
MathJax 2 and require.js from the npm registry into VENDOR (a node_modules folder). The book
carries everything its pages load: figures are embedded in the pages (PNG outputs), MathJax
and require.js are copied into OUT/vendor/, the pages of web/ and their network and digits
into OUT/. Nothing is fetched from another site, so it reads the same offline, from a file
and hosted (the two interactive pages need a web server; opened from a file they say so).
"""

import html
import json
import re
import shutil
import sys
from pathlib import Path

from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
WEB = ROOT / "web"
# The network "Read my digit" uses: notebook 06 saves it (trained on MNIST and UCI-like copies).
MODEL = NOTEBOOKS / "models" / "06-mnist-and-uci-like.safetensors"
# The UCI digits "Train it here" trains on: ./lab puts them here (data/README.md).
DIGITS = ROOT / "data" / "uci-digits" / "digits.csv.gz"
# What the pages need of MathJax 2 (nbconvert's pages are written for it): the loader, the
# configuration the pages name, the TeX input, the CommonHTML output and its web fonts.
MATHJAX_PARTS = [
    "MathJax.js",
    "LICENSE",
    "config/TeX-AMS_CHTML-full.js",
    "config/Safe.js",
    "extensions",
    "jax/input/TeX",
    "jax/output/CommonHTML",
    "jax/element",
    "localization/en",
    "fonts/HTML-CSS/TeX/woff",
]
PAGES = [
    ("read-my-digit.html", "Read my digit", "Draw a digit; the network notebook 06 trained reads it as you draw, in your browser, and shows the picture it sees."),
    ("train-it-here.html", "Train it here", "Train a small network on 1,797 handwritten digits in your browser, with its learning curve drawn epoch by epoch and its confusion matrix at the end."),
]


def copy_vendor(vendor: Path, out: Path) -> None:
    """MathJax 2 and require.js, from an npm node_modules folder into OUT/vendor/."""
    mathjax = vendor / "mathjax"
    for part in MATHJAX_PARTS:
        source = mathjax / part
        if not source.exists():
            raise SystemExit(f"book: {source} is missing; ./lab book installs MathJax 2 from the npm registry")
        target = out / "vendor" / "mathjax" / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)
    require = vendor / "requirejs" / "require.js"
    if not require.exists():
        raise SystemExit(f"book: {require} is missing; ./lab book installs require.js from the npm registry")
    shutil.copy2(require, out / "vendor" / "require.js")


def copy_web(out: Path) -> list[str]:
    """The interactive pages, their network and their digits; returns what is missing."""
    missing = []
    for path in WEB.iterdir():
        if path.suffix in {".html", ".js", ".css"}:
            shutil.copy2(path, out / path.name)
    for source, target, why in [
        (MODEL, out / "models" / MODEL.name, "run ./lab notebooks (notebook 06 trains and saves it)"),
        (DIGITS, out / "data" / DIGITS.name, "run ./lab setup (it takes the file out of scikit-learn's package)"),
    ]:
        if source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        else:
            missing.append(f"{source.relative_to(ROOT)} is missing: {why}")
    if not (out / "pkg" / "mlpkit_web_bg.wasm").exists():
        missing.append("pkg/mlpkit_web_bg.wasm is missing: ./lab book builds it")
    return missing


def what_each_teaches() -> dict[str, str]:
    """The "what it teaches" column of the README's table of notebooks, by notebook name: the
    index says what the README says."""
    found = {}
    for line in (ROOT / "README.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"`\d\d-[\w-]+`", cells[0]):
            found[cells[0].strip("`")] = re.sub(r"`|\*", "", cells[2])
    return found


def title_and_summary(nb: dict) -> tuple[str, str]:
    """The notebook's first heading and the paragraph after it."""
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"]).strip()
        match = re.match(r"#\s+(.+?)\n+(.*?)(\n\n|$)", text, re.S)
        if match:
            # Plain text for the index: without Markdown's emphasis and code marks.
            summary = re.sub(r"\*+|`", "", " ".join(match.group(2).split()))
            return match.group(1).strip(), summary
    return "untitled", ""


def main() -> int:
    args = sys.argv[1:]
    notebooks_only = "--notebooks-only" in args  # ./lab test, where the module cannot be built
    args = [a for a in args if a != "--notebooks-only"]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out, vendor = Path(args[0]), Path(args[1])
    out.mkdir(parents=True, exist_ok=True)
    copy_vendor(vendor, out)
    exporter = HTMLExporter(
        template_name="lab",
        mathjax_url="vendor/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
        require_js_url="vendor/require.js",
    )
    entries = []
    teaches = what_each_teaches()
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = json.loads(path.read_text())
        title, summary = title_and_summary(nb)
        summary = teaches.get(path.stem, summary)
        summary = summary[:1].upper() + summary[1:]
        body, _ = exporter.from_filename(str(path))
        # No icon of its own: without this line a browser asks the server for /favicon.ico.
        body = body.replace("<head>", '<head>\n<link rel="icon" href="data:,">', 1)
        if not notebooks_only:
            # Where a lesson names one of the interactive pages (notebook 06 names *Read my
            # digit*), the book links to it; in JupyterLab the name stays plain text.
            for web_page, web_title, _ in PAGES:
                body = body.replace(f"<em>{web_title}</em>", f'<a href="{web_page}"><em>{web_title}</em></a>')
        page = path.with_suffix(".html").name
        (out / page).write_text(body)
        entries.append((page, path.stem, title, summary))
        print(f"    {page}: {title}")
    for page, title, summary in [] if notebooks_only else PAGES:
        entries.append((page, "▶ ", title, summary))
    extra = "" if notebooks_only else "; the last two pages run the workspace's Rust in your browser"
    items = "\n".join(
        f'<li><a href="{html.escape(page)}"><b>{html.escape(stem[:2])}</b> {html.escape(title)}</a>'
        f"<p>{html.escape(summary)}</p></li>"
        for page, stem, title, summary in entries
    )
    (out / "index.html").write_text(
        f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>MLP tutorials in Rust</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 46rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; color: #222; }}
li {{ margin-bottom: 1.2rem; list-style: none; }}
ul {{ padding: 0; }}
a {{ font-size: 1.15rem; text-decoration: none; color: #1f5fa8; }}
p {{ margin: 0.3rem 0 0; color: #444; }}
</style></head>
<body>
<h1>MLP tutorials in Rust</h1>
<p>The classic multilayer-perceptron lessons (MNIST and Fashion-MNIST), run with Candle in
Rust notebooks. Each page is a notebook as it last ran, outputs and figures included{extra}.</p>
<ul>
{items}
</ul>
</body></html>
"""
    )
    missing = [] if notebooks_only else copy_web(out)
    pages = 0 if notebooks_only else len(PAGES)
    print(f"    index.html: {len(entries) - pages} notebooks and {pages} pages that run in the browser -> {out}")
    for line in missing:
        print(f"    book: {line}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
