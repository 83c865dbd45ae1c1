#!/usr/bin/env python3
"""The book in a real browser: headless Chromium, driven by selenium, reading the book that
`./lab book` builds (part of `./lab test`).

    .venv/bin/python tests/book_browser.py BOOK_DIR

It serves BOOK_DIR on 127.0.0.1 and checks, failing on any error in the browser's console and
on any request that leaves the machine:

- "Read my digit": the first MNIST test digits, drawn into the page's canvas as dark ink on
  white paper (each pixel a 10 × 10 square), are read by the page with the probabilities the
  same model gives in Rust (crates/mlpkit-web/examples/read_drawings.rs) on the same pixels;
  a blank pad gives no answer; strokes drawn with the mouse give an answer. It prints the
  budgets of issue 26: the size of the module and of the network, the time until the page
  answers, the time per reading.
- "Train it here": a short training run in the page reaches a stated test accuracy, and the
  page draws its confusion matrix.
- A notebook's page typesets its formulas with the MathJax the book carries.
- A page opened from a file (no server) says what to run instead of staying blank.
"""

import base64
import functools
import gzip
import http.server
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By

ROOT = Path(__file__).resolve().parent.parent
SIDE = 280  # the page's canvas
DIGITS = 20  # MNIST test digits replayed
MODEL = "models/06-mnist-and-uci-like.safetensors"
# Budgets (issue 26), measured here and printed; the test fails beyond them.
MAX_MEGABYTES = 3.0  # module and network together
MAX_FIRST_ANSWER_MS = 1000.0
MAX_READ_MS = 50.0
# "Train it here": 30 epochs of a 64-32-10 network, seed 1.
TRAIN = {"hidden": 32, "rate": 0.003, "epochs": 30, "seed": 1}
MIN_TEST_ACCURACY = 0.90


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(folder))
    QuietHandler.extensions_map[".wasm"] = "application/wasm"
    QuietHandler.extensions_map[".mjs"] = "text/javascript"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def browser() -> webdriver.Chrome:
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not chromedriver:
        raise SystemExit("book_browser.py needs chromium and chromedriver on PATH "
                         "(Debian: apt-get install chromium chromium-driver; ./lab test installs them as root)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                "--disable-background-networking", "--disable-component-update", "--no-first-run"]:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.set_script_timeout(300)  # a training run in the page on a busy machine
    return driver


def console_errors(driver) -> list[str]:
    return [f"{e['level']}: {e['message']}" for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def requests_leaving(driver) -> list[str]:
    """URLs the page asked for that are not on this machine (from Chromium's network log)."""
    away = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") != "Network.requestWillBeSent":
            continue
        url = message["params"]["request"]["url"]
        host = urlparse(url).hostname
        if url.startswith(("data:", "blob:", "file:")) or host in {"127.0.0.1", "localhost"}:
            continue
        away.append(url)
    return away


def wait_for(driver, script: str, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {seconds:.0f} s")


def mnist_test_digits(n: int) -> list[bytes]:
    """The first n MNIST test images, 28 × 28 bytes each (ink bright)."""
    # The workspace's own finder (data/, the environment), as ./lab uses it.
    folder = ROOT / subprocess.run([sys.executable, str(ROOT / "tools" / "datasets.py"), "find", "mnist"],
                                   check=True, capture_output=True, text=True, cwd=ROOT).stdout.strip()
    path = folder / "t10k-images-idx3-ubyte.gz"
    raw = gzip.open(path).read() if path.exists() else (folder / "t10k-images-idx3-ubyte").read_bytes()
    return [raw[16 + 784 * i: 16 + 784 * (i + 1)] for i in range(n)]


def as_drawing(digit: bytes) -> bytes:
    """A 28 × 28 digit as the canvas would hold it: RGBA, 280 × 280, dark ink on white."""
    scale = SIDE // 28
    out = bytearray(SIDE * SIDE * 4)
    for y in range(SIDE):
        row = digit[28 * (y // scale): 28 * (y // scale) + 28]
        for x in range(SIDE):
            v = 255 - row[x // scale]
            i = 4 * (y * SIDE + x)
            out[i: i + 4] = bytes((v, v, v, 255))
    return bytes(out)


def native_readings(book: Path, drawings: list[bytes]) -> list[list[float] | None]:
    with tempfile.NamedTemporaryFile(suffix=".rgba") as f:
        f.write(b"".join(drawings))
        f.flush()
        out = subprocess.run(
            ["cargo", "run", "--quiet", "--release", "--locked", "-p", "mlpkit-web", "--example", "read_drawings", "--",
             str(book / MODEL), f.name, str(SIDE), str(SIDE)],
            cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True).stdout  # cargo's errors show
    return [None if line == "none" else [float(v) for v in line.split()] for line in out.splitlines()]


def check_read_page(driver, base: str, book: Path) -> list[str]:
    problems = []
    driver.get(f"{base}/read-my-digit.html")
    wait_for(driver, "return window.book && (window.book.readyMs || window.book.error)", 30, "the page getting ready")
    error = driver.execute_script("return window.book.error")
    if error:
        return [f"read-my-digit.html could not start: {error}"]
    ready_ms = driver.execute_script("return window.book.readyMs")

    digits = mnist_test_digits(DIGITS)
    drawings = [as_drawing(d) for d in digits] + [bytes([255] * (SIDE * SIDE * 4))]
    page = []
    for drawing in drawings:
        page.append(driver.execute_script(
            """
            const bytes = Uint8ClampedArray.from(atob(arguments[0]), c => c.charCodeAt(0));
            const pad = document.getElementById('pad');
            pad.getContext('2d').putImageData(new ImageData(bytes, pad.width, pad.height), 0, 0);
            const ms = window.book.read();
            return { ms, last: window.book.last };
            """,
            base64.b64encode(drawing).decode()))
    native = native_readings(book, drawings)
    worst = 0.0
    for i, (p, n) in enumerate(zip(page, native)):
        got = p["last"]["probabilities"] if p["last"] else None
        if (got is None) != (n is None):
            problems.append(f"drawing {i}: the page answered {got}, Rust {n}")
            continue
        if got is None:
            continue
        diff = max(abs(a - b) for a, b in zip(got, n))
        worst = max(worst, diff)
        if diff > 1e-4 or max(range(10), key=got.__getitem__) != max(range(10), key=n.__getitem__):
            problems.append(f"drawing {i}: the page's probabilities differ from Rust's by {diff:.2e}")
    if page[-1]["last"] is not None:
        problems.append("a blank pad got an answer")
    right = sum(1 for p in page[:-1] if p["last"])
    print(f"    read-my-digit: {len(native) - 1} MNIST test digits drawn into the page; its probabilities match Rust's "
          f"on the same pixels to {worst:.1e} (largest difference); {right} answered")

    # A stroke with the mouse, as a person draws: a vertical line should be read as a 1.
    driver.find_element(By.ID, "clear").click()
    pad = driver.find_element(By.ID, "pad")
    chain = ActionChains(driver).move_to_element_with_offset(pad, 0, -90).click_and_hold()
    for dy in range(-80, 100, 20):
        chain = chain.move_to_element_with_offset(pad, 0, dy)
    chain.release().perform()
    driver.execute_script("window.book.read()")  # the whole stroke, whatever frames are pending
    wait_for(driver, "return window.book.last", 5, "an answer to a mouse stroke")
    stroke = driver.execute_script("return window.book.last.digit")
    print(f"    read-my-digit: a vertical stroke drawn with the mouse is read as {stroke}")
    if stroke != 1:
        problems.append(f"a vertical stroke drawn with the mouse was read as {stroke}, not 1")

    # The page reads the (blank) pad once when it is ready; the first drawing is the next.
    reads = driver.execute_script("return window.book.readMs")[1:]
    first = ready_ms + reads[0]
    slowest = max(reads)
    # The budget holds for a typical stroke: the median of the warm readings (the first one
    # also compiles the module's code paths, and a busy machine can delay any single one).
    typical = sorted(reads[1:])[len(reads[1:]) // 2]
    sizes = {name: (book / name).stat().st_size for name in ["pkg/mlpkit_web_bg.wasm", "pkg/mlpkit_web.js", MODEL]}
    megabytes = sum(sizes.values()) / 1e6
    print(f"    budgets: module {sizes['pkg/mlpkit_web_bg.wasm'] / 1e6:.2f} MB + glue {sizes['pkg/mlpkit_web.js'] / 1e3:.0f} kB "
          f"+ network {sizes[MODEL] / 1e6:.2f} MB = {megabytes:.2f} MB (budget {MAX_MEGABYTES} MB); "
          f"ready {ready_ms:.0f} ms after the page started, first answer at {first:.0f} ms (budget {MAX_FIRST_ANSWER_MS:.0f}); "
          f"a reading takes {typical:.1f} ms (median; budget {MAX_READ_MS:.0f}), {slowest:.1f} ms at most")
    if megabytes > MAX_MEGABYTES:
        problems.append(f"module and network take {megabytes:.2f} MB, over the {MAX_MEGABYTES} MB budget")
    if first > MAX_FIRST_ANSWER_MS:
        problems.append(f"the first answer came {first:.0f} ms after the page started, over {MAX_FIRST_ANSWER_MS:.0f} ms")
    if typical > MAX_READ_MS:
        problems.append(f"a reading takes {typical:.1f} ms (median), over {MAX_READ_MS:.0f} ms")
    return problems


def check_train_page(driver, base: str) -> list[str]:
    driver.get(f"{base}/train-it-here.html")
    wait_for(driver, "return window.book && (window.book.ready || window.book.error)", 30, "the page getting ready")
    if driver.execute_script("return window.book.error"):
        return [f"train-it-here.html could not start: {driver.execute_script('return window.book.error')}"]
    run = driver.execute_async_script(
        "const done = arguments[arguments.length - 1]; window.book.train(arguments[0]).then(done);", TRAIN)
    problems = []
    if driver.execute_script("return window.book.error"):
        return [f"training in the page failed: {driver.execute_script('return window.book.error')}"]
    last = run["epochs"][-1]
    cells = len(driver.find_elements(By.CSS_SELECTOR, "#confusion td"))
    print(f"    train-it-here: {len(run['epochs'])} epochs of a 64-{TRAIN['hidden']}-10 network in {run['seconds']:.1f} s "
          f"({1000 * run['seconds'] / len(run['epochs']):.0f} ms per epoch), validation accuracy {100 * last['val_accuracy']:.1f}%, "
          f"test accuracy {100 * run['test']:.1f}% (at least {100 * MIN_TEST_ACCURACY:.0f}% expected)")
    if len(run["epochs"]) != TRAIN["epochs"]:
        problems.append(f"the page trained {len(run['epochs'])} epochs, not {TRAIN['epochs']}")
    if run["test"] < MIN_TEST_ACCURACY:
        problems.append(f"test accuracy {run['test']:.3f} after {TRAIN['epochs']} epochs, below {MIN_TEST_ACCURACY}")
    if cells != 100:
        problems.append(f"the confusion matrix has {cells} cells, not 100")
    return problems


def check_formulas(driver, base: str) -> list[str]:
    driver.get(f"{base}/02-mlp-from-raw-files.html")
    typeset = wait_for(driver, "return document.querySelectorAll('.MJXc-display, .mjx-chtml').length", 30,
                       "MathJax typesetting the formulas of 02-mlp-from-raw-files.html")
    raw = driver.execute_script(
        "return [...document.querySelectorAll('.jp-RenderedMarkdown')].some(e => e.innerText.includes('$a^{(in)}$'))")
    print(f"    02-mlp-from-raw-files.html: {typeset} formulas typeset by the book's own MathJax")
    return ["raw TeX ($a^{(in)}$) is still visible in 02-mlp-from-raw-files.html"] if raw else []


def check_link_from_notebook(book: Path) -> list[str]:
    page = (book / "06-your-own-digits.html").read_text()
    return [] if 'href="read-my-digit.html"' in page else ["06-your-own-digits.html does not link to read-my-digit.html"]


def check_from_file(driver, book: Path) -> list[str]:
    driver.get((book / "read-my-digit.html").resolve().as_uri())
    text = wait_for(driver, "const n = document.querySelector('.needs-server'); return n && n.innerText", 10,
                    "the note a page opened from a file shows")
    driver.get_log("browser")  # a module refused from file:// is the expected error here
    driver.get_log("performance")
    return [] if "./lab book --serve" in text else [f"the note for a page opened from a file does not say what to run: {text!r}"]


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    book = Path(sys.argv[1])
    server, base = serve(book)
    driver = browser()
    problems = []
    try:
        for name, check in [
            ("read-my-digit.html", lambda: check_read_page(driver, base, book)),
            ("train-it-here.html", lambda: check_train_page(driver, base)),
            ("02-mlp-from-raw-files.html", lambda: check_formulas(driver, base)),
            ("opened from a file", lambda: check_from_file(driver, book)),
            ("06-your-own-digits.html", lambda: check_link_from_notebook(book)),
        ]:
            try:
                found = check()
            except (AssertionError, WebDriverException, subprocess.CalledProcessError) as error:
                found = [f"{type(error).__name__}: {error}"]
            found += [f"console: {e}" for e in console_errors(driver)]
            found += [f"a request left the machine: {url}" for url in requests_leaving(driver)]
            problems += [f"{name}: {p}" for p in found]
    finally:
        driver.quit()
        server.shutdown()
    if problems:
        print("book in the browser: FAIL")
        for p in problems:
            print(f"    {p}")
        return 1
    print("book in the browser: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
