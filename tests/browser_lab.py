#!/usr/bin/env python3
"""fit's live view and the interrupt, checked as a person meets them: JupyterLab in headless Chromium.

Run by `./lab test kernel` (which installs Chromium, ChromeDriver and selenium, as for the
book's checks); by hand, after `./lab setup`: `.venv/bin/python tests/browser_lab.py`.

It writes a small notebook into notebooks/ (removed afterwards), starts JupyterLab on port
8899, and in the browser: "Run All Cells"; while the training cell runs, it reads the cell's
output every 0.2 s and counts how many different states it shows (the live view redraws one
output in place: the epoch, the bar, the curve); after at least three, "Interrupt Kernel";
then it runs the last cell on its own. It passes when the output took at least three states
while training, all in one output, training stopped with its "interrupted in epoch …"
message in that output, the cell queued behind it did not run, and the last cell printed the
model's test accuracy. Screenshots go to target/browser-*.png.
"""

import ast
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

ROOT = Path(__file__).resolve().parent.parent
# The notebooks' first cell and the kernel's name, read from the notebook runner's source
# (importing it would need its packages in this browser-only environment).
_RUNNER = ast.parse((ROOT / "tests" / "run_notebooks.py").read_text())
_CONSTANTS = {
    target.id: ast.literal_eval(node.value)
    for node in _RUNNER.body
    if isinstance(node, ast.Assign)
    for target in node.targets
    if isinstance(target, ast.Name) and target.id in ("FIRST_CELL", "KERNEL")
}
FIRST_CELL, KERNEL = _CONSTANTS["FIRST_CELL"], _CONSTANTS["KERNEL"]

NOTEBOOK = ROOT / "notebooks" / "browser-lab-check.ipynb"
PORT, TOKEN = 8899, "browser-check"
CELLS = [
    FIRST_CELL,
    "let mnist = Dataset::load(DatasetKind::Mnist)?;\n"
    "let train = mnist.train.head(5000)?.map_images(|x| scale(x, PixelRange::ZeroOne))?;\n"
    "let test = mnist.test.head(2000)?.map_images(|x| scale(x, PixelRange::ZeroOne))?;\n"
    "let mut model = Architecture::new(&[28, 28]).add(Flatten).add(Dense::new(64, Activation::Relu))\n"
    "    .add(Dense::new(10, Activation::Softmax)).build(0)?;\n"
    "model.compile(Adam::default(), Loss::SparseCategoricalCrossentropy)?;",
    "model.fit(&train, Fit::epochs(10000))?;",
    'println!("the queued cell ran");',
    'println!("after the interrupt: {}", model.evaluate(&test)?);',
]


def write_notebook():
    cells = [
        {"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {}, "outputs": [], "source": c}
        for i, c in enumerate(CELLS)
    ]
    kernelspec = {"display_name": "Rust (mlpkit)", "language": "rust", "name": KERNEL}
    nb = {"cells": cells, "metadata": {"kernelspec": kernelspec}, "nbformat": 4, "nbformat_minor": 5}
    NOTEBOOK.write_text(json.dumps(nb, indent=1))


def check(d) -> bool:
    def status():
        found = d.find_elements(By.ID, "jp-main-statusbar")
        return found[0].text if found else ""

    def wait(pred, what, timeout=300):
        start = time.time()
        while time.time() - start < timeout:
            if pred():
                return
            time.sleep(0.3)
        d.save_screenshot(str(ROOT / "target" / "browser-timeout.png"))
        raise SystemExit(f"timed out waiting for {what}; status bar: {status()!r}")

    def palette(command):
        keys = ActionChains(d).key_down(Keys.CONTROL).key_down(Keys.SHIFT).send_keys("c")
        keys.key_up(Keys.SHIFT).key_up(Keys.CONTROL).perform()
        time.sleep(0.5)
        box = d.find_element(By.CSS_SELECTOR, ".lm-CommandPalette-input")
        box.send_keys(command)
        time.sleep(0.5)
        box.send_keys(Keys.ENTER)

    def cells():
        return d.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell")

    def text(cell, part):
        found = cell.find_elements(By.CSS_SELECTOR, part)
        return found[0].text if found else ""

    def output_of(source):
        cell = next(c for c in cells() if source in text(c, ".jp-InputArea-editor"))
        return cell, text(cell, ".jp-Cell-outputWrapper")

    d.get(f"http://127.0.0.1:{PORT}/lab/tree/{NOTEBOOK.name}?token={TOKEN}")
    wait(lambda: "Idle" in status(), "the kernel to start")
    d.find_element(By.CSS_SELECTOR, ".jp-Notebook").click()
    palette("Run All Cells")
    wait(lambda: "/10000" in output_of("model.fit")[1], "training to start", 600)
    states, outputs = set(), set()
    start = time.time()
    while len(states) < 4 and time.time() - start < 120:
        cell, shown = output_of("model.fit")
        states.add(shown)
        outputs.add(len(cell.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-child")))
        time.sleep(0.2)
    d.save_screenshot(str(ROOT / "target" / "browser-live-view.png"))
    print(f"while training: {len(states)} states of the output seen, in {max(outputs)} output(s)")
    palette("Interrupt Kernel")
    wait(lambda: "Idle" in status(), "the kernel to be idle after the interrupt", 60)
    time.sleep(2)
    d.save_screenshot(str(ROOT / "target" / "browser-after-interrupt.png"))
    training, queued = output_of("model.fit")[1], output_of("queued cell")[1]
    print("training cell ends with:", training.splitlines()[-2:] if training else "(nothing)")
    print("queued cell output:", repr(queued))
    last, _ = output_of("after the interrupt")
    d.execute_script("arguments[0].scrollIntoView();", last)
    last.find_element(By.CSS_SELECTOR, ".jp-InputArea-editor").click()
    ActionChains(d).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()
    wait(lambda: "after the interrupt:" in output_of("after the interrupt")[1], "the last cell", 120)
    d.save_screenshot(str(ROOT / "target" / "browser-after-last-cell.png"))
    after = output_of("after the interrupt")[1]
    print("last cell:", after)
    live = len(states) >= 3 and max(outputs) == 1
    return live and "interrupted in epoch" in training and "queued cell ran" not in queued and "accuracy" in after


def main() -> int:
    (ROOT / "target").mkdir(exist_ok=True)
    write_notebook()
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "jupyter"), "lab", f"--notebook-dir={NOTEBOOK.parent}",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={PORT}", f"--ServerApp.token={TOKEN}",
         "--no-browser", "--allow-root"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    options = webdriver.ChromeOptions()
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"]:
        options.add_argument(arg)
    options.binary_location = "/usr/bin/chromium"
    driver = None
    try:
        for _ in range(60):  # until the server answers
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/status?token={TOKEN}", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        driver = webdriver.Chrome(service=webdriver.ChromeService("/usr/bin/chromedriver"), options=options)
        ok = check(driver)
    finally:
        if driver:
            driver.quit()
        server.terminate()
        server.wait()
        NOTEBOOK.unlink(missing_ok=True)
    print("JupyterLab check (live view, interrupt):", "passed" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
