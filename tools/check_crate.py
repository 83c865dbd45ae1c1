#!/usr/bin/env python3
"""Checks the helper crate's layers and size limits, written in crates/mlpkit/layers.toml.

    tools/check_crate.py [CRATE]            check (default CRATE: crates/mlpkit)
    tools/check_crate.py [CRATE] --graph    print the arrows between top-level modules

It prints one line per finding, `path:line: what is wrong, and what to do`, and exits 1 when
there is any:

1. a module uses a module of a higher layer (an upward arrow), or another top-level module of
   its own layer (a sideways arrow). Arrows are the paths `crate::…`, `super::…` and
   `self::…` in the code, in `use` statements (grouped ones included) and inline, and paths
   that start with one of the module's own child modules. A module's `mod x;` lines and its
   re-exports of its own children (`pub use split::Split;`) are its table of contents, not
   arrows. The crate root, src/lib.rs, is no source of arrows;
2. files use each other in a circle (one line per strongly connected component). A path
   leads to the deepest module file that exists, and a name re-exported by a module
   (`pub use self::split::{Split, X}` in src/data/mod.rs) to the file that defines it;
3. a source file under the `[limits] paths` is longer than `file_lines` lines;
4. a function (`fn` with a body: methods, trait default methods and nested functions
   included) spans more than `function_lines` lines, from its `fn` line to its closing brace.

Comments (doc comments too: an intra-doc link is no import), string literals (raw and byte
strings too) and char literals are blanked out before anything is looked at, so a brace or a
path inside them counts for nothing; lifetimes (`'a`, `'static`) are told apart from chars.
With no findings it prints a one-line summary. Python 3.11, standard library only; tested by
tools/test_tools.py, run by `./lab test`.
"""

import argparse
import bisect
import os
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CRATE = ROOT / "crates" / "mlpkit"

# ------------------------------------------------------------------------------------ lexing

RAW_STRING = re.compile(r'(?:br|cr|r)(#*)"')


def _is_ident(c: str) -> bool:
    return c.isalnum() or c == "_"


def _char_end(text: str, i: int) -> int | None:
    """The end of the char literal starting with the quote at `i`, or None for a lifetime or a
    label (`'a`, `'static`, `'outer:`)."""
    n = len(text)
    if i + 1 < n and text[i + 1] == "\\":
        j = text.find("'", i + 3)  # past the escaped character, which may be a quote
        return j + 1 if j >= 0 else None
    if i + 2 < n and text[i + 2] == "'" and text[i + 1] != "\n":
        return i + 3
    return None


def blank_code(text: str) -> str:
    """`text` with every comment, string literal and char literal replaced by spaces; newlines
    are kept, so offsets and line numbers stay the same."""
    out = list(text)
    n = len(text)

    def blank(a: int, b: int) -> None:
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    i = 0
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, j = 0, i
            while j < n:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                    if depth == 0:
                        break
                else:
                    j += 1
        elif c in "rbc" and not (i > 0 and _is_ident(text[i - 1])) and RAW_STRING.match(text, i):
            m = RAW_STRING.match(text, i)
            close = '"' + m.group(1)
            j = text.find(close, m.end())
            j = n if j < 0 else j + len(close)
        elif c == '"':  # b"…" and c"…" too: their prefix is left as it is
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
        elif c == "'":
            j = _char_end(text, i)
            if j is None:  # a lifetime or a label
                i += 1
                continue
        else:
            i += 1
            continue
        blank(i, j)
        i = j
    return "".join(out)


def matching_braces(code: str) -> dict[int, int]:
    """The offset of the closing brace of every opening brace in blanked code."""
    pairs, stack = {}, []
    for i, c in enumerate(code):
        if c == "{":
            stack.append(i)
        elif c == "}" and stack:
            pairs[stack.pop()] = i
    return pairs


class Lines:
    """Line numbers (from 1) of offsets in a text."""

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def __call__(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


def count_lines(text: str) -> int:
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


# ----------------------------------------------------------------------------------- parsing

@dataclass
class Leaf:
    """One path of a `use` tree (or an inline path): its segments as written."""
    segments: tuple[str, ...]
    offset: int
    alias: str | None = None
    glob: bool = False
    public: bool = False

    @property
    def name(self) -> str | None:
        """The name it brings into scope."""
        if self.glob or self.alias == "_":
            return None
        return self.alias or self.segments[-1]


USE = re.compile(r"(?<![\w$#])use\b")
PUBLIC = re.compile(r"\bpub\s*(?:\([^()]*\))?\s*$")
USE_TOKEN = re.compile(r"\s*(::|\$crate|[A-Za-z_]\w*|.)", re.S)
INLINE_PATH = re.compile(r"(?<![\w$#:.])(\$crate|crate|super|self|[a-z_]\w*)((?:\s*::\s*(?:[A-Za-z_]\w*))+)")
IN_VISIBILITY = re.compile(r"\bpub\s*\(\s*in\s*$")
INLINE_MOD = re.compile(r"(?<![\w$#])mod\s+([A-Za-z_]\w*)\s*\{")
FN = re.compile(r"(?<![\w$#])fn\s+(?:r#)?([A-Za-z_]\w*)")


def _use_tokens(code: str, start: int) -> tuple[list[tuple[str, int]], int]:
    """The tokens of a use tree from `start` to its `;`, and the offset after the `;`."""
    tokens, pos = [], start
    while pos < len(code):
        m = USE_TOKEN.match(code, pos)
        if not m:
            break
        pos = m.end()
        if m.group(1) == ";":
            return tokens, pos
        tokens.append((m.group(1), m.start(1)))
    return tokens, pos


def _parse_tree(tokens, k: int, prefix: tuple[str, ...], leaves: list[Leaf], public: bool) -> int:
    """Parses one use tree at token `k` below `prefix` into `leaves`; returns the next token."""
    segments, first = list(prefix), None
    while k < len(tokens):
        tok, off = tokens[k]
        if tok == "::":
            k += 1
        elif tok == "{":
            k += 1
            while k < len(tokens) and tokens[k][0] != "}":
                k = _parse_tree(tokens, k, tuple(segments), leaves, public)
                if k < len(tokens) and tokens[k][0] == ",":
                    k += 1
            return k + 1
        elif tok == "*":
            leaves.append(Leaf(tuple(segments), off if first is None else first, glob=True, public=public))
            return k + 1
        elif tok in (",", "}"):
            break
        elif tok == "as" and segments and k + 1 < len(tokens):
            k += 2
            _add_leaf(leaves, segments, first, tokens[k - 1][0], public)
            return k
        elif _is_ident(tok[-1]):
            first = off if first is None else first
            segments.append(tok)
            k += 1
        else:
            k += 1
    if first is not None:
        _add_leaf(leaves, segments, first, None, public)
    return k


def _add_leaf(leaves: list[Leaf], segments: list[str], offset: int, alias: str | None, public: bool) -> None:
    if segments and segments[-1] == "self":  # `use a::{self, B}`: the module a itself
        segments = segments[:-1]
    if segments:
        leaves.append(Leaf(tuple(segments), offset, alias, public=public))


@dataclass
class SourceFile:
    path: Path                    # relative to the crate
    module: tuple[str, ...]       # () for the crate root
    text: str
    code: str                     # comments and literals blanked
    lines: Lines
    inline_mods: list[tuple[int, int, str]] = field(default_factory=list)
    uses: list[Leaf] = field(default_factory=list)      # every use-tree leaf, every scope
    use_spans: list[tuple[int, int]] = field(default_factory=list)

    def scope(self, offset: int) -> tuple[str, ...]:
        """The module an offset is in: the file's module and the inline `mod x { … }` around it."""
        return self.module + tuple(name for start, end, name in self.inline_mods if start < offset < end)


def module_of(relative: Path) -> tuple[str, ...]:
    """The module of a file below src/: lib.rs is the root, a.rs and a/mod.rs are `a`."""
    parts = relative.parts
    if parts in (("lib.rs",), ("main.rs",)):
        return ()
    if parts[-1] == "mod.rs":
        return tuple(parts[:-1])
    return tuple(parts[:-1]) + (relative.stem,)


def read_source(crate: Path, path: Path) -> SourceFile:
    text = path.read_text(encoding="utf-8")
    code = blank_code(text)
    rel = path.relative_to(crate)
    f = SourceFile(rel, module_of(path.relative_to(crate / "src")), text, code, Lines(text))
    braces = matching_braces(code)
    for m in INLINE_MOD.finditer(code):
        f.inline_mods.append((m.end() - 1, braces.get(m.end() - 1, len(code)), m.group(1)))
    for m in USE.finditer(code):
        public = bool(PUBLIC.search(code, max(0, m.start() - 80), m.start()))
        tokens, end = _use_tokens(code, m.end())
        leaves: list[Leaf] = []
        try:
            _parse_tree(tokens, 0, (), leaves, public)
        except IndexError:
            continue
        f.uses.extend(leaves)
        f.use_spans.append((m.start(), end))
    return f


# -------------------------------------------------------------------------------- the crate

@dataclass
class Arrow:
    source: SourceFile
    line: int
    written: str                  # the path as written, shortened
    path: tuple[str, ...]         # absolute
    target: tuple[str, ...]       # the module whose file it leads to


class Crate:
    def __init__(self, crate: Path):
        self.dir = crate
        self.files = {}
        for path in sorted((crate / "src").rglob("*.rs")):
            f = read_source(crate, path)
            self.files[f.module] = f
        self.modules = set(self.files)
        self.tops = sorted({m[0] for m in self.modules if m})
        self.reexports: dict[tuple, dict[str, tuple]] = {}
        self.globs: dict[tuple, list[tuple]] = {}
        for module, f in self.files.items():
            names, globs = {}, []
            for leaf in f.uses:
                if not leaf.public or f.scope(leaf.offset) != module:
                    continue
                path = self.absolute(leaf.segments, module)
                if path is None:
                    continue
                if leaf.glob:
                    globs.append(path)
                elif leaf.name:
                    names[leaf.name] = path
            self.reexports[module], self.globs[module] = names, globs

    def absolute(self, segments: tuple[str, ...], scope: tuple[str, ...]) -> tuple[str, ...] | None:
        """The absolute path of `segments` written in module `scope`, or None for a path into
        another crate."""
        first, rest = segments[0], list(segments[1:])
        if first in ("crate", "$crate"):
            return tuple(rest)
        if first in ("self", "super"):
            base = list(scope)
            if first == "super":
                if not base:
                    return None
                base.pop()
            while rest and rest[0] == "super":
                if not base:
                    return None
                base.pop()
                rest.pop(0)
            return tuple(base + rest)
        if scope + (first,) in self.modules:  # a child module, named as in `mod x;`
            return scope + tuple(segments)
        return None

    def resolve(self, path: tuple[str, ...], depth: int = 0) -> tuple[str, ...]:
        """The module whose file defines what `path` names: the deepest module file on the
        path, then, through re-exports, the file that defines the name."""
        k = len(path)
        while k > 0 and path[:k] not in self.modules:
            k -= 1
        module, rest = path[:k], path[k:]
        if not rest or depth > 16 or module not in self.files:
            return module
        name = rest[0]
        target = self.reexports[module].get(name)
        if target is not None and target != path:
            return self.resolve(target + rest[1:], depth + 1)
        for glob in self.globs[module]:
            found = self.resolve(glob, depth + 1)
            if found in self.files and (self.defines(found, name) or name in self.reexports[found]):
                return self.resolve(glob + rest, depth + 1)
        return module

    def defines(self, module: tuple[str, ...], name: str) -> bool:
        pattern = rf"(?<![\w$])(?:struct|enum|fn|trait|type|const|static|union|mod)\s+{re.escape(name)}\b"
        code = self.files[module].code
        return bool(re.search(pattern, code) or re.search(rf"macro_rules!\s*{re.escape(name)}\b", code))

    def arrows(self) -> list[Arrow]:
        """Every arrow out of every file but the crate root, to another file."""
        arrows = []
        for module, f in self.files.items():
            if not module:
                continue
            for leaf in f.uses:
                scope = f.scope(leaf.offset)
                path = self.absolute(leaf.segments, scope)
                if path is None or (leaf.public and self._is_child(path, scope)):
                    continue
                written = "::".join(leaf.segments) + ("::*" if leaf.glob else "")
                self._add(arrows, f, leaf.offset, written, path)
            for m in INLINE_PATH.finditer(f.code):
                if any(a <= m.start() < b for a, b in f.use_spans):
                    continue
                if IN_VISIBILITY.search(f.code, max(0, m.start() - 20), m.start()):
                    continue
                segments = (m.group(1),) + tuple(s.strip() for s in m.group(2).split("::") if s.strip())
                path = self.absolute(segments, f.scope(m.start()))
                if path is not None:
                    self._add(arrows, f, m.start(), "::".join(segments), path)
        return arrows

    def _is_child(self, path: tuple[str, ...], scope: tuple[str, ...]) -> bool:
        return len(path) > len(scope) and path[:len(scope)] == scope and path[:len(scope) + 1] in self.modules

    def _add(self, arrows: list[Arrow], f: SourceFile, offset: int, written: str, path: tuple[str, ...]) -> None:
        target = self.resolve(path)
        if target != f.module and target in self.files:
            arrows.append(Arrow(f, f.lines(offset), written, path, target))

    def top_of(self, arrow: Arrow) -> str | None:
        """The top-level module an arrow goes to, as written (`crate::Result`, an item of the
        root, goes where the root re-exports it from)."""
        if arrow.path and arrow.path[0] in self.tops:
            return arrow.path[0]
        return arrow.target[0] if arrow.target else None


# ------------------------------------------------------------------------------- the checks

class Report:
    def __init__(self, crate: Path):
        self.crate = crate
        self.findings: list[str] = []

    def shown(self, relative: Path | str) -> str:
        """A path in the crate as seen from the current folder: relative when inside it."""
        path = self.crate / relative
        for p, here in ((path, Path.cwd()), (Path(os.path.realpath(path)), Path(os.path.realpath(Path.cwd())))):
            try:
                return str(p.relative_to(here))
            except ValueError:
                pass
        return str(path)

    def add(self, relative: Path | str, line: int, message: str) -> None:
        self.findings.append(f"{self.shown(relative)}:{line}: {message}")


def load_layers(crate: Path) -> tuple[list[list[str]], dict, str]:
    text = (crate / "layers.toml").read_text(encoding="utf-8")
    config = tomllib.loads(text)
    return config["layers"], config["limits"], text


def check_layers(crate: Crate, layers: list[list[str]], layers_text: str, report: Report) -> None:
    level = {name: i + 1 for i, layer in enumerate(layers) for name in layer}
    for name, i in level.items():
        if name not in crate.tops:
            line = next((n for n, l in enumerate(layers_text.splitlines(), 1) if f'"{name}"' in l), 1)
            report.add("layers.toml", line, f"layer {i} lists {name}, which has no source file under src/:"
                       f" create the module or take it out of the list")
    for name in crate.tops:
        if name not in level:
            f = crate.files.get((name,)) or next(f for m, f in sorted(crate.files.items()) if m[:1] == (name,))
            report.add(f.path, 1, f"module {name} is in no layer of layers.toml: add it to the layer it belongs to")
    seen = set()
    for arrow in crate.arrows():
        src, dst = arrow.source.module[0], crate.top_of(arrow)
        if dst is None or dst == src or src not in level or dst not in level or level[dst] < level[src]:
            continue
        key = (arrow.source.path, arrow.line, dst)
        if key in seen:
            continue
        seen.add(key)
        defined = crate.files[arrow.target].path.relative_to("src")
        if level[dst] > level[src]:
            fix = (f"import it from {'::'.join(arrow.target)} instead, where it is defined"
                   if arrow.target[0] == src or level.get(arrow.target[0], 99) < level[src]
                   else f"move what {src} needs into a layer below {src}'s, or have {dst} pass it in")
            report.add(arrow.source.path, arrow.line,
                       f"upward arrow: {src} (layer {level[src]}) uses {dst} (layer {level[dst]})"
                       f" through {arrow.written} ({defined}): {fix}")
        else:
            report.add(arrow.source.path, arrow.line,
                       f"sideways arrow: {src} uses {dst}, another module of its own layer {level[src]},"
                       f" through {arrow.written} ({defined}): move what both need into a lower layer,"
                       f" or put one of them in a layer of its own in layers.toml")


def file_graph(crate: Crate) -> dict[tuple, dict[tuple, int]]:
    """Each file's arrows: target module -> the first line that uses it."""
    graph: dict[tuple, dict[tuple, int]] = {m: {} for m in crate.files}
    for arrow in crate.arrows():
        edges = graph[arrow.source.module]
        edges[arrow.target] = min(edges.get(arrow.target, arrow.line), arrow.line)
    return graph


def strongly_connected(graph: dict) -> list[list]:
    """Tarjan's strongly connected components, iteratively."""
    index, low, on_stack, stack, result, counter = {}, {}, set(), [], [], [0]
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(component)
    return result


def longest_circle(graph: dict, start, members: set, budget: int = 100_000) -> list:
    """The longest circle from `start` back to itself inside `members` (so that it shows as
    much of the knot as one circle can), found by a depth-first search that tries neighbours
    in order and stops after `budget` steps with the longest found so far."""
    best, path, on_path, steps = [], [start], {start}, [0]

    def visit(node) -> None:
        nonlocal best
        for child in sorted(graph[node]):
            if steps[0] >= budget or len(best) == len(members) + 1:
                return
            steps[0] += 1
            if child == start and len(path) + 1 > len(best):
                best = path + [start]
            elif child in members and child not in on_path:
                path.append(child)
                on_path.add(child)
                visit(child)
                on_path.discard(path.pop())

    visit(start)
    return best or [start, start]


def check_circles(crate: Crate, report: Report) -> None:
    graph = file_graph(crate)
    name = lambda m: str(crate.files[m].path.relative_to("src"))  # noqa: E731
    for component in strongly_connected(graph):
        if len(component) < 2:
            continue
        members = set(component)
        start = min(component, key=name)
        circle = longest_circle(graph, start, members)
        others = sorted(name(m) for m in members - set(circle))
        more = f" (its knot also holds {', '.join(others)})" if others else ""
        report.add(crate.files[start].path, graph[start][circle[1]],
                   f"files use each other in a circle: {' → '.join(name(m) for m in circle)}{more}:"
                   f" move what they share into one file that the others use, so that the arrows point one way")


def check_sizes(crate_dir: Path, limits: dict, report: Report) -> dict:
    """Rules 3 and 4; returns the longest file and function seen."""
    longest = {"file": (0, ""), "function": (0, "")}
    for base in limits["paths"]:
        for path in sorted((crate_dir / base).rglob("*.rs")):
            rel = path.relative_to(crate_dir)
            text = path.read_text(encoding="utf-8")
            n = count_lines(text)
            longest["file"] = max(longest["file"], (n, str(rel)))
            if n > limits["file_lines"]:
                report.add(rel, 1, f"{n} lines, more than the limit of {limits['file_lines']}:"
                           f" split it into smaller modules")
            for name, line, span in functions(text):
                longest["function"] = max(longest["function"], (span, f"{name} ({rel}:{line})"))
                if span > limits["function_lines"]:
                    report.add(rel, line, f"function {name} spans {span} lines, more than the limit of"
                               f" {limits['function_lines']}: split it into smaller functions")
    return longest


def functions(text: str) -> list[tuple[str, int, int]]:
    """Each function with a body: its name, the line of its `fn` and the lines it spans."""
    code = blank_code(text)
    lines, braces, result = Lines(text), matching_braces(code), []
    for m in FN.finditer(code):
        depth, i = 0, m.end()
        while i < len(code):
            c = code[i]
            if c in "([":
                depth += 1
            elif c in ")]":
                depth -= 1
            elif depth == 0 and c in "{;":
                break
            i += 1
        if i < len(code) and code[i] == "{":
            first = lines(m.start())
            end = braces.get(i, len(code) - 1)
            result.append((m.group(1), first, lines(end) - first + 1))
    return result


def graph_lines(crate: Crate, layers: list[list[str]]) -> list[str]:
    """The arrows between top-level modules, one line per module, bottom layer first."""
    level = {name: i for i, layer in enumerate(layers) for name in layer}
    order = lambda m: (level.get(m, len(layers)), m)  # noqa: E731
    uses: dict[str, set[str]] = {m: set() for m in crate.tops}
    for arrow in crate.arrows():
        dst = crate.top_of(arrow)
        if dst and dst != arrow.source.module[0]:
            uses[arrow.source.module[0]].add(dst)
    lines = []
    for m in sorted(crate.tops, key=order):
        targets = sorted(uses[m], key=order, reverse=True)
        lines.append(f"{m} → {', '.join(targets)}" if targets else m)
    return lines


def check(crate_dir: Path) -> tuple[list[str], str]:
    """The findings, and the summary line for when there are none."""
    crate = Crate(crate_dir)
    layers, limits, layers_text = load_layers(crate_dir)
    report = Report(crate_dir)
    check_layers(crate, layers, layers_text, report)
    check_circles(crate, report)
    longest = check_sizes(crate_dir, limits, report)
    summary = (f"check_crate: {len(crate.modules - {()})} modules ({len(crate.tops)} top-level, in {len(layers)} layers),"
               f" {len(crate.files)} files in src/; longest file {longest['file'][1]} ({longest['file'][0]} lines),"
               f" longest function {longest['function'][1]}, {longest['function'][0]} lines;"
               f" no upward, sideways or circular arrows")
    return report.findings, summary


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tools/check_crate.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("crate", nargs="?", type=Path, default=CRATE, help="default: crates/mlpkit")
    parser.add_argument("--graph", action="store_true", help="print the arrows between top-level modules")
    args = parser.parse_args(argv)
    if args.graph:
        print("\n".join(graph_lines(Crate(args.crate), load_layers(args.crate)[0])))
        return 0
    findings, summary = check(args.crate)
    if findings:
        print("\n".join(findings))
        print(f"check_crate: {len(findings)} finding(s) in {Report(args.crate).shown('')}"
              f" (layers and limits: {Report(args.crate).shown('layers.toml')})", file=sys.stderr)
        return 1
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
