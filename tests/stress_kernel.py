#!/usr/bin/env python3
"""Stress check of the Rust kernel's start, as a person meets it: JupyterLab in headless Chromium.

Not part of `./lab test` (it needs a browser and takes about an hour), except `--mode churn`
(below), which `./lab test` runs on five kernels. It repeats two kinds of
cycle on a copy of notebook 06 and says, per cycle, how long "Run All" took to run every cell,
or HANG with what the page and the kernel showed:

  open      open the notebook (JupyterLab starts its kernel), choose "Run All Cells" from the
            Run menu a few seconds later, while the kernel is still starting and preloading
            mlpkit; wait until every code cell has run; shut the kernel down;
  restart   with the notebook open, clear its outputs, choose "Restart Kernel and Run All
            Cells" from the Kernel menu, and wait until every code cell has run again.
  churn     (no browser, seconds) what jupyter_server does each time it connects to a
            kernel, 1,000 times per kernel (--exchanges): a short-lived shell channel asks
            for kernel_info and closes, three new channels connect and ask at once; a
            channel without a reply within 10 s is a hang (kernel/README.md, "A kernel that
            never answered").

A cycle in which no cell has finished for --timeout seconds (default 300) is a hang: the
script then saves JupyterLab's log (the kernel's standard error is in it), a screenshot, the
kernel's and its child processes' thread stacks (`gdb -batch -ex 'thread apply all bt'`) and
their /proc/PID/task/*/{comm,wchan,stack,syscall} into a folder under /tmp, ends that kernel,
and goes on. It exits with status 1 if any cycle hung or failed.

Set-up, once (selenium goes into a throw-away venv outside the repository):

    apt-get install -y chromium chromium-driver gdb
    python3 -m venv /tmp/selenium-venv && /tmp/selenium-venv/bin/pip install selenium

then, after `./lab setup`:

    /tmp/selenium-venv/bin/python tests/stress_kernel.py [--cycles 20] [--mode both]
        [--delay 1,4] [--busy] [--timeout 300]

--delay MIN,MAX: seconds between the notebook appearing and "Run All" (uniform at random,
seeded by --seed); --busy keeps one core busy (`yes > /dev/null`) during the cycles, as when
something else runs on the machine.

The notebook is a copy of notebooks/06-your-own-digits.ipynb in a temporary folder (with its
`:dep mlpkit` path made absolute, the path the kernel's preload uses, a copy of the saved
network it loads from notebooks/models/ and of the pictures it reads from
notebooks/my-digits/), served by a JupyterLab of its own (from .venv/, with
the kernel `rust-mlpkit` as `./lab open` starts it) on 127.0.0.1:--port. That JupyterLab keeps
its user settings and workspaces in the temporary folder; there the notebook is not windowed
(`windowingMode: none`), so that every cell is in the page to be read.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

try:
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
except ImportError:  # --mode churn needs no browser
    webdriver = None

    class WebDriverException(Exception):
        pass

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "06-your-own-digits.ipynb"
SAVED_MODELS = ROOT / "notebooks" / "models"
KERNEL = "rust-mlpkit"
TOKEN = "stress-kernel"

# The state of the page in one round trip: the status bar, each code cell's prompt, and the
# errors shown (an "error" output or a stderr stream that says "Error").
PAGE_STATE_JS = """
const bar = document.getElementById('jp-main-statusbar');
const cells = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-CodeCell')];
const prompts = cells.map(c => {
  const p = c.querySelector('.jp-InputArea-prompt');
  return p ? p.textContent.trim() : '';
});
const errors = [...document.querySelectorAll(
  '.jp-NotebookPanel:not(.lm-mod-hidden) [data-mime-type="application/vnd.jupyter.error"]')]
  .map(e => e.textContent.slice(0, 400));
const dialog = document.querySelector('.jp-Dialog');
return {status: bar ? bar.textContent : '', prompts: prompts, errors: errors,
        dialog: dialog ? dialog.textContent.slice(0, 300) : null};
"""


# Run with .venv's Python on a hung kernel's connection file: asks for kernel_info on the control
# and the shell channel and says what came back within 5 s each, and what iopub said meanwhile.
PROBE = r"""
import sys, time
from jupyter_client import BlockingKernelClient
c = BlockingKernelClient(connection_file=sys.argv[1])
c.load_connection_file()
c.start_channels()
time.sleep(1)
for name in ("control", "shell"):
    chan = getattr(c, name + "_channel")
    msg = c.session.msg("kernel_info_request")
    chan.send(msg)
    t0 = time.time()
    try:
        reply = chan.get_msg(timeout=5)
        print(f"{name}: kernel_info_reply after {time.time() - t0:.2f} s ({reply['content'].get('status')})")
    except Exception as e:
        print(f"{name}: no kernel_info_reply within 5 s ({type(e).__name__})")
while True:
    try:
        m = c.iopub_channel.get_msg(timeout=1)
    except Exception:
        break
    print("iopub:", m["msg_type"], m["content"])
print("heartbeat beating:", c.hb_channel.is_beating())
c.stop_channels()
"""


def log(*args):
    print(*args, flush=True)


class Lab:
    """A JupyterLab of our own on a temporary folder with a copy of notebook 06."""

    def __init__(self, port: int, debug_log: bool):
        self.port = port
        self.debug_log = debug_log
        self.base = f"http://127.0.0.1:{port}"
        self.dir = Path(tempfile.mkdtemp(prefix="stress-kernel-"))
        self.notebooks = self.dir / "notebooks"
        self.runtime = self.dir / "runtime"
        self.log_path = self.dir / "jupyter-server.log"
        self.notebook_name = NOTEBOOK.name
        self.proc = None

    def prepare(self):
        self.notebooks.mkdir()
        self.runtime.mkdir()
        crate = os.path.realpath(ROOT / "crates" / "mlpkit")
        nb = json.loads(NOTEBOOK.read_text())
        rewritten = 0
        for cell in nb["cells"]:
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            new = re.sub(r'(:dep mlpkit = \{ path = )"[^"]*"', lambda m: f'{m.group(1)}"{crate}"', src)
            if new != src:
                rewritten += 1
                cell["source"] = new
            if cell["cell_type"] == "code":
                cell["outputs"], cell["execution_count"] = [], None
                # A folded cell (a solution) shows no prompt; unfolded, its "[n]:" can be read.
                cell.get("metadata", {}).get("jupyter", {}).pop("source_hidden", None)
        if rewritten != 1:
            raise SystemExit(f"expected one `:dep mlpkit` line in {NOTEBOOK}, found {rewritten}")
        (self.notebooks / self.notebook_name).write_text(json.dumps(nb, indent=1))
        # The network the notebook trains once and then loads, as in notebooks/.
        if SAVED_MODELS.is_dir():
            shutil.copytree(SAVED_MODELS, self.notebooks / "models")
        # The pictures of digits the notebook reads from files, as in notebooks/.
        shutil.copytree(NOTEBOOK.parent / "my-digits", self.notebooks / "my-digits")
        # Every cell in the page (not windowed), so that the prompts can be read.
        settings = self.dir / "user-settings" / "@jupyterlab" / "notebook-extension"
        settings.mkdir(parents=True)
        (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
        (self.dir / "workspaces").mkdir()
        return sum(c["cell_type"] == "code" for c in nb["cells"])

    def start(self):
        env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(self.runtime))
        cmd = [
            str(ROOT / ".venv" / "bin" / "jupyter"), "lab", f"--notebook-dir={self.notebooks}",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0", f"--ServerApp.token={TOKEN}", "--no-browser",
            f"--MappingKernelManager.default_kernel_name={KERNEL}",
            f"--LabApp.user_settings_dir={self.dir / 'user-settings'}",
            f"--LabApp.workspaces_dir={self.dir / 'workspaces'}",
        ]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        self.log_file = open(self.log_path, "wb")
        if self.debug_log:
            cmd.append("--ServerApp.log_level=DEBUG")
        self.proc = subprocess.Popen(cmd, stdout=self.log_file, stderr=subprocess.STDOUT,
                                     env=env, start_new_session=True)
        for _ in range(120):
            try:
                self.api("GET", "/api/status")
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise SystemExit(f"JupyterLab exited; see {self.log_path}")
                time.sleep(0.5)
        raise SystemExit(f"JupyterLab did not answer on port {self.port}; see {self.log_path}")

    def api(self, method, path, timeout=10):
        req = urllib.request.Request(f"{self.base}{path}", method=method,
                                     headers={"Authorization": f"token {TOKEN}"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            body = r.read()
        return json.loads(body) if body else None

    def sessions(self):
        return self.api("GET", "/api/sessions")

    def kernel_pids(self):
        """{kernel id: pid} of the evcxr_jupyter processes started by this JupyterLab."""
        found = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                args = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if not args or not args[0].endswith(b"evcxr_jupyter"):
                continue
            for a in args:
                m = re.search(rb"kernel-([0-9a-f-]+)\.json$", a)
                if m and a.startswith(str(self.runtime).encode()):
                    found[m.group(1).decode()] = int(entry.name)
        return found

    def shut_down_kernels(self, wait=30):
        pids = self.kernel_pids()
        for s in self.sessions():
            try:
                self.api("DELETE", f"/api/sessions/{s['id']}", timeout=60)
            except OSError as e:
                log(f"    (deleting session {s['id']}: {e})")
        deadline = time.time() + wait
        while time.time() < deadline and any(alive(p) for p in pids.values()):
            time.sleep(0.5)
        for kid, pid in pids.items():
            if alive(pid):
                log(f"    kernel {kid} (pid {pid}) still running after its shutdown; killing it")
                kill_tree(pid)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            try:
                self.shut_down_kernels()
            except OSError:
                pass
            self.proc.terminate()  # JupyterLab shuts its kernels down on SIGTERM
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        for pid in self.kernel_pids().values():
            kill_tree(pid)


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[-1][0] != "Z"
    except OSError:
        return False


def descendants(pid):
    """pid and every process under it, parents first."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(") ", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop(0)
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def kill_tree(pid):
    for p in reversed(descendants(pid)):
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass


def read(path):
    try:
        return Path(path).read_text(errors="replace").strip()
    except OSError as e:
        return f"({e.strerror})"


def save_evidence(folder: Path, lab: Lab, driver, what: str):
    """Everything that says where a hung kernel waits."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "what.txt").write_text(what + "\n")
    try:
        driver.save_screenshot(str(folder / "screenshot.png"))
        (folder / "page-state.json").write_text(json.dumps(driver.execute_script(PAGE_STATE_JS), indent=1))
        console = driver.get_log("browser")
        (folder / "browser-console.txt").write_text(
            "\n".join(f"{e.get('timestamp')} {e.get('level')} {e.get('message')}" for e in console) + "\n")
    except WebDriverException as e:
        (folder / "screenshot-failed.txt").write_text(str(e))
    try:
        (folder / "sessions.json").write_text(json.dumps(lab.sessions(), indent=1))
    except OSError as e:
        (folder / "sessions.json").write_text(str(e))
    shutil.copy(lab.log_path, folder / "jupyter-server.log")
    pids = lab.kernel_pids()
    if not pids:
        (folder / "no-kernel-process.txt").write_text(
            f"no evcxr_jupyter process with a connection file in {lab.runtime}\n"
            + subprocess.run(["ps", "-eo", "pid,ppid,stat,etime,args"], capture_output=True, text=True).stdout)
    for kid, pid in pids.items():
        save_process_evidence(folder, pid, f"kernel {kid}", lab.runtime / f"kernel-{kid}.json")
    return folder


def save_process_evidence(folder: Path, pid: int, what: str, connection_file: Path):
    """The threads of a kernel and of its child processes: where each waits (gdb, /proc), then
    whether the kernel still answers kernel_info on its control and shell channels."""
    tree = descendants(pid)
    ps = subprocess.run(["ps", "-o", "pid,ppid,stat,etime,time,wchan:32,args", "-p",
                         ",".join(map(str, tree))], capture_output=True, text=True).stdout
    (folder / f"kernel-{pid}-ps.txt").write_text(f"{what}\n{ps}")
    for p in tree:
        lines = [f"pid {p}: {read(f'/proc/{p}/cmdline').replace(chr(0), ' ')}"]
        for task in sorted(Path(f"/proc/{p}/task").glob("*"), key=lambda t: int(t.name)):
            lines.append(f"--- tid {task.name} {read(task / 'comm')} "
                         f"state={read(task / 'stat').rsplit(') ', 1)[-1][:1]} "
                         f"wchan={read(task / 'wchan')} syscall={read(task / 'syscall')}")
            lines.append(read(task / "stack"))
        fds = []
        for fd in sorted(Path(f"/proc/{p}/fd").glob("*"), key=lambda f: int(f.name)):
            try:
                fds.append(f"{fd.name} -> {os.readlink(fd)}")
            except OSError:
                pass
        lines.append("--- fds\n" + "\n".join(fds))
        (folder / f"proc-{p}.txt").write_text("\n".join(lines) + "\n")
        if shutil.which("gdb") is None:
            (folder / f"gdb-{p}.txt").write_text("gdb is not installed (apt-get install gdb): no thread stacks\n")
            continue
        bt = subprocess.run(["gdb", "-p", str(p), "-batch", "-ex", "set pagination off",
                             "-ex", "thread apply all bt"],
                            capture_output=True, text=True, timeout=300)
        (folder / f"gdb-{p}.txt").write_text(bt.stdout + bt.stderr)
    # Then (the stacks are saved): does the kernel still answer kernel_info on its sockets?
    probe = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", PROBE, str(connection_file)],
                           capture_output=True, text=True, timeout=60)
    (folder / f"kernel-{pid}-probe.txt").write_text(probe.stdout + probe.stderr)


def churn(args) -> int:
    """--mode churn: at the kernel's level, what jupyter_server does each time it connects to a
    kernel, many times over. A short-lived shell channel asks for kernel_info; as soon as the
    reply is in, it is closed and three new channels connect and ask at once (shell with an
    identity, as the websocket's; shell and control without, as the nudge's). A channel that gets
    no reply within 10 s means the kernel has stopped answering."""
    try:
        import zmq
        from jupyter_client import KernelManager
    except ImportError:
        venv_python = ROOT / ".venv" / "bin" / "python"
        if os.environ.get("STRESS_KERNEL_REEXEC"):
            raise
        os.environ["STRESS_KERNEL_REEXEC"] = "1"
        os.execv(venv_python, [str(venv_python), __file__, *sys.argv[1:]])

    evidence_root = Path(tempfile.mkdtemp(prefix=f"stress-kernel-evidence-{time.strftime('%Y%m%d-%H%M%S')}-"))
    work = Path(tempfile.mkdtemp(prefix="stress-kernel-churn-"))
    env = dict(os.environ, LAB_PRELOAD="1" if args.preload else "0")
    log(f"stress check: {args.cycles} kernel(s), {args.exchanges} connection rounds each"
        f"{' (preload on)' if args.preload else ''}{', one core kept busy' if args.busy else ''}; "
        f"evidence of hangs goes to {evidence_root}")
    busy = subprocess.Popen(["sh", "-c", "exec yes > /dev/null"], start_new_session=True) if args.busy else None
    results = []
    try:
        for k in range(1, args.cycles + 1):
            km = KernelManager(kernel_name=KERNEL)
            km.start_kernel(env=env, cwd=str(work))
            try:
                kc = km.client()
                kc.start_channels()
                kc.wait_for_ready(timeout=300)
                kc.stop_channels()
                session, pid = km.session, km.provisioner.process.pid

                def ask_all(socks):
                    for sock in socks:
                        session.send(sock, "kernel_info_request")
                    poller = zmq.Poller()
                    for sock in socks:
                        poller.register(sock, zmq.POLLIN)
                    pending, deadline = set(socks), time.time() + 10
                    while pending and time.time() < deadline:
                        for sock, _ in poller.poll(100):
                            session.recv(sock)
                            pending.discard(sock)
                    return not pending

                t0, hung = time.time(), None
                for i in range(1, args.exchanges + 1):
                    first = km.connect_shell()
                    ok = ask_all([first])
                    first.close(linger=0)
                    if not ok:
                        hung = f"round {i}: no kernel_info_reply on a new shell channel within 10 s"
                        break
                    socks = [km.connect_shell(identity=os.urandom(16).hex().encode()),
                             km.connect_shell(), km.connect_control()]
                    ok = ask_all(socks)
                    for sock in socks:
                        sock.close(linger=0)
                    if not ok:
                        hung = f"round {i}: no kernel_info_reply within 10 s after the channels were replaced"
                        break
                if hung:
                    folder = evidence_root / f"churn-{k:02d}"
                    folder.mkdir(parents=True)
                    (folder / "what.txt").write_text(f"kernel {k} (pid {pid}): {hung}\n")
                    save_process_evidence(folder, pid, f"kernel {k}", Path(km.connection_file))
                    log(f"  kernel {k:2d}: HANG in {hung}; evidence in {folder}")
                    results.append("hang")
                else:
                    log(f"  kernel {k:2d}: {args.exchanges} rounds answered in {time.time() - t0:.1f} s")
                    results.append("ok")
            finally:
                km.shutdown_kernel(now=True)
    finally:
        if busy:
            os.killpg(busy.pid, signal.SIGKILL)
            busy.wait()
        shutil.rmtree(work, ignore_errors=True)
    hangs = results.count("hang")
    log(f"summary: churn: {len(results) - hangs}/{len(results)} kernels answered every round; {hangs} hang")
    return 1 if hangs else 0


class Browser:
    def __init__(self, lab: Lab):
        self.lab = lab
        options = webdriver.ChromeOptions()
        for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000",
                    "--disable-dev-shm-usage"]:
            options.add_argument(arg)
        options.binary_location = "/usr/bin/chromium"
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.d = webdriver.Chrome(service=webdriver.ChromeService("/usr/bin/chromedriver"),
                                  options=options)

    def state(self):
        return self.d.execute_script(PAGE_STATE_JS)

    def wait(self, pred, timeout, step=0.25):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                value = pred()
            except WebDriverException:
                value = None
            if value:
                return value
            time.sleep(step)
        return None

    def open_notebook(self):
        self.d.get(f"{self.lab.base}/lab/tree/{self.lab.notebook_name}?reset&token={TOKEN}")
        panel = self.wait(lambda: [e for e in self.d.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-CodeCell")
                                   if e.is_displayed()], 120)
        if not panel:
            raise RuntimeError("the notebook did not appear within 120 s")

    def menu(self, menu_name, item_label):
        """Clicks an item of JupyterLab's menu bar, as a person does."""
        top = self.wait(lambda: self.d.find_elements(
            By.XPATH, f"//div[contains(@class,'lm-MenuBar-itemLabel') and text()='{menu_name}']"), 30)
        top[0].click()
        item = self.wait(lambda: [e for e in self.d.find_elements(
            By.XPATH, "//li[contains(@class,'lm-Menu-item')]"
                      f"//div[contains(@class,'lm-Menu-itemLabel') and starts-with(text(),'{item_label}')]")
            if e.is_displayed()], 10)
        if not item:
            raise RuntimeError(f"no menu item {menu_name} > {item_label}")
        item[0].click()

    def accept_dialog(self, timeout=10):
        button = self.wait(lambda: [b for b in self.d.find_elements(By.CSS_SELECTOR, ".jp-Dialog .jp-mod-accept")
                                    if b.is_displayed()], timeout)
        if button:
            button[0].click()
        return bool(button)


def all_ran(state, n_cells):
    prompts = state["prompts"]
    return len(prompts) == n_cells and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts) \
        and "Idle" in state["status"]


def cells_ran(state):
    return sum(bool(re.fullmatch(r"\[\d+\]:", p)) for p in state["prompts"])


def wait_for_run(browser: Browser, n_cells, timeout):
    """Waits until every code cell has run. Returns (outcome, detail): outcome is "ok", "error"
    (a cell failed, so the queue stopped), "died" (JupyterLab says the kernel died) or "hang" (no
    cell finished for `timeout` seconds: a busy machine makes a run slower, not stuck)."""
    progress_at, ran = time.time(), -1
    settled_since = None
    last = None
    while time.time() - progress_at < timeout:
        try:
            last = browser.state()
        except WebDriverException as e:
            last = {"status": f"(page unreadable: {e.msg})", "prompts": [], "errors": [], "dialog": None}
        if all_ran(last, n_cells):
            return "ok", last
        if cells_ran(last) != ran:
            progress_at, ran = time.time(), cells_ran(last)
        # JupyterLab says the kernel died (its process ended; jupyter_server restarts it).
        if last.get("dialog") and "appears to have died" in last["dialog"]:
            return "died", last
        # Idle with no cell running or queued, but some not run: a cell failed and the kernel
        # aborted the rest. Give it a few seconds to be sure it is settled.
        if last["errors"] and "Idle" in last["status"] and not any("*" in p for p in last["prompts"]):
            settled_since = settled_since or time.time()
            if time.time() - settled_since > 5:
                return "error", last
        else:
            settled_since = None
        time.sleep(1)
    return "hang", last


def describe(state):
    prompts = state["prompts"] if state else []
    ran = cells_ran(state) if state else 0
    queued = sum("*" in p for p in prompts)
    text = f"status {state['status']!r}, {ran}/{len(prompts)} cells ran, {queued} running or queued"
    if state and state.get("dialog"):
        text += f", dialog: {state['dialog']!r}"
    return text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cycles", type=int, default=20, help="cycles of each mode (default 20)")
    ap.add_argument("--mode", choices=["open", "restart", "both", "churn"], default="both")
    ap.add_argument("--delay", default="1,4",
                    help="MIN[,MAX] seconds from the notebook appearing to Run All (default 1,4)")
    ap.add_argument("--timeout", type=float, default=300,
                    help="seconds without a cell finishing before a cycle is a hang (default 300)")
    ap.add_argument("--busy", action="store_true", help="keep one core busy during the cycles")
    ap.add_argument("--port", type=int, default=8897)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--server-debug", action="store_true",
                    help="JupyterLab logs at DEBUG level (every message to and from the kernel)")
    ap.add_argument("--exchanges", type=int, default=1000,
                    help="--mode churn: connection rounds per kernel (default 1000)")
    ap.add_argument("--preload", action="store_true",
                    help="--mode churn: keep the kernel's preload of mlpkit on (off by default)")
    args = ap.parse_args()
    # `kill PID` stops it as Ctrl-C does: the browser, JupyterLab and its kernels are ended.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.mode == "churn":
        return churn(args)
    if webdriver is None:
        raise SystemExit("selenium is missing: run this with the venv that has it (see the set-up above)")
    lo, _, hi = args.delay.partition(",")
    delay_range = (float(lo), float(hi or lo))
    rng = random.Random(args.seed)
    evidence_root = Path(tempfile.mkdtemp(prefix=f"stress-kernel-evidence-{time.strftime('%Y%m%d-%H%M%S')}-"))

    lab = Lab(args.port, args.server_debug)
    n_cells = lab.prepare()
    log(f"stress check: {args.cycles} cycle(s) of {args.mode}, Run All {args.delay} s after opening, "
        f"timeout {args.timeout:.0f} s{', one core kept busy' if args.busy else ''}")
    log(f"  notebook copy: {lab.notebooks / lab.notebook_name} ({n_cells} code cells)")
    log(f"  JupyterLab log: {lab.log_path}; evidence of hangs goes to {evidence_root}")
    busy = None
    browser = None
    results = {"open": [], "restart": []}
    try:
        lab.start()
        if args.busy:
            busy = subprocess.Popen(["sh", "-c", "exec yes > /dev/null"], start_new_session=True)
        browser = Browser(lab)

        def on_hang(mode, i, detail):
            folder = save_evidence(evidence_root / f"{mode}-{i:02d}", lab, browser.d,
                                   f"{mode} cycle {i}: {describe(detail)}")
            lab.shut_down_kernels()
            return folder

        def report(mode, i, outcome, detail, took, how=""):
            """Logs one cycle's outcome (with evidence for a hang) and records it."""
            if outcome == "ok":
                log(f"  {mode} {i:2d}: {how}all {n_cells} cells ran in {took:.0f} s")
            elif outcome in ("hang", "died"):
                folder = on_hang(mode, i, detail)
                log(f"  {mode} {i:2d}: {outcome.upper()} ({how}after {took:.0f} s: {describe(detail)}); "
                    f"evidence in {folder}")
            elif outcome == "error":
                log(f"  {mode} {i:2d}: ERROR after {took:.0f} s: {describe(detail)}; "
                    f"first error: {detail['errors'][0][:200]!r}")
            results[mode].append((outcome, took))

        if args.mode in ("open", "both"):
            for i in range(1, args.cycles + 1):
                delay = rng.uniform(*delay_range)
                try:
                    lab.shut_down_kernels()
                    browser.open_notebook()
                    time.sleep(delay)
                    browser.menu("Run", "Run All Cells")
                    t0 = time.time()
                    outcome, detail = wait_for_run(browser, n_cells, args.timeout)
                except (RuntimeError, WebDriverException) as e:
                    outcome, detail, t0 = "failed", None, time.time()
                    log(f"  open {i:2d}: FAILED to drive the page: {e}")
                report("open", i, outcome, detail, time.time() - t0, f"Run All {delay:.1f} s after opening, ")
                browser.d.get("about:blank")
            lab.shut_down_kernels()

        if args.mode in ("restart", "both"):
            # One full run first, so that each restart comes after a finished run, as a reader's.
            browser.open_notebook()
            browser.wait(lambda: "Idle" in browser.state()["status"], 120)
            browser.menu("Run", "Run All Cells")
            outcome, detail = wait_for_run(browser, n_cells, args.timeout)
            log(f"  restart: first run before the restarts: {outcome} ({describe(detail)})")
            if outcome in ("hang", "died"):
                log(f"    evidence in {on_hang('restart', 0, detail)}")
                browser.d.get("about:blank")
                browser.open_notebook()
            for i in range(1, args.cycles + 1):
                try:
                    before = set(lab.kernel_pids().values())
                    browser.menu("Edit", "Clear Outputs of All Cells")
                    browser.wait(lambda: all(p in ("[ ]:", "") for p in browser.state()["prompts"]), 10)
                    browser.menu("Kernel", "Restart Kernel and Run All Cells")
                    if not browser.accept_dialog():
                        raise RuntimeError("no restart dialog")
                    t0 = time.time()
                    outcome, detail = wait_for_run(browser, n_cells, args.timeout)
                    after = set(lab.kernel_pids().values())
                    if outcome == "ok" and after & before:
                        log(f"    (the kernel process did not change: {sorted(before)} -> {sorted(after)})")
                except (RuntimeError, WebDriverException) as e:
                    outcome, detail, t0 = "failed", None, time.time()
                    log(f"  restart {i:2d}: FAILED to drive the page: {e}")
                report("restart", i, outcome, detail, time.time() - t0)
                if outcome in ("hang", "died"):
                    browser.d.get("about:blank")
                    browser.open_notebook()
    finally:
        if browser:
            try:
                browser.d.quit()
            except WebDriverException:
                pass
        if busy:
            os.killpg(busy.pid, signal.SIGKILL)
            busy.wait()
        lab.stop()
        if not args.keep:
            shutil.copy(lab.log_path, evidence_root / "jupyter-server.log")
            shutil.rmtree(lab.dir, ignore_errors=True)

    bad = 0
    log("summary:")
    for mode, rs in results.items():
        if not rs:
            continue
        ok = [t for o, t in rs if o == "ok"]
        counts = {o: sum(1 for x, _ in rs if x == o) for o in ("hang", "died", "error", "failed")}
        bad += sum(counts.values())
        spread = f", {min(ok):.0f}-{max(ok):.0f} s (median {sorted(ok)[len(ok) // 2]:.0f} s)" if ok else ""
        log(f"  {mode}: {len(ok)}/{len(rs)} ran every cell{spread}; "
            + ", ".join(f"{n} {o}" for o, n in counts.items()))
    log(f"  JupyterLab's log: {evidence_root / 'jupyter-server.log'}" if not args.keep else
        f"  JupyterLab's log: {lab.log_path}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
