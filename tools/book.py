#!/usr/bin/env python3
"""Renders every notebook, with its saved outputs, to HTML in one folder with an index page:
a book of the lessons that can be read, or hosted, without a kernel.

    .venv/bin/python tools/book.py [OUT]      # default OUT: book/

`./lab book` runs it. Figures are embedded in the pages (they are PNG outputs), so the folder
is self-contained apart from the maths, which the pages typeset with MathJax from its CDN.
"""

import html
import json
import re
import sys
from pathlib import Path

from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


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
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "book"
    out.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(template_name="lab")
    entries = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = json.loads(path.read_text())
        title, summary = title_and_summary(nb)
        body, _ = exporter.from_filename(str(path))
        page = path.with_suffix(".html").name
        (out / page).write_text(body)
        entries.append((page, path.stem, title, summary))
        print(f"    {page}: {title}")
    items = "\n".join(
        f'<li><a href="{html.escape(page)}"><b>{html.escape(stem[:2])}</b> {html.escape(title)}</a>'
        f"<p>{html.escape(summary)}</p></li>"
        for page, stem, title, summary in entries
    )
    (out / "index.html").write_text(
        f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
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
Rust notebooks. Each page is a notebook as it last ran, outputs and figures included.</p>
<ul>
{items}
</ul>
</body></html>
"""
    )
    print(f"    index.html: {len(entries)} notebooks -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
