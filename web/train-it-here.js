// "Train it here": starts the module's `Trainer` one epoch at a time and draws what it returns.
// The network, the training and the scoring are all mlpkit's, in the WebAssembly module.
import init, { Trainer } from "./pkg/mlpkit_web.js";

const DIGITS = "data/digits.csv.gz";

const $ = (id) => document.getElementById(id);
const status = $("status");
const curve = $("curve").getContext("2d");

// For the browser tests: the last run's epochs, test accuracy and timings.
const book = (window.book = { ready: false, error: null, run: null, train });

let digits = null;
let stopping = false;

function drawCurve(epochs, total) {
  const { width, height } = curve.canvas;
  const left = 48, right = 110, top = 12, bottom = 36;
  const w = width - left - right, h = height - top - bottom;
  curve.clearRect(0, 0, width, height);
  curve.font = "12px system-ui, sans-serif";
  curve.fillStyle = "#444";
  curve.strokeStyle = "#ddd";
  curve.lineWidth = 1;
  for (let p = 0; p <= 100; p += 20) {
    const y = top + h - (p / 100) * h;
    curve.beginPath(); curve.moveTo(left, y); curve.lineTo(left + w, y); curve.stroke();
    curve.fillText(`${p}%`, 8, y + 4);
  }
  const x = (epoch) => left + (total > 1 ? ((epoch - 1) / (total - 1)) * w : w / 2);
  const step = Math.max(1, Math.ceil(total / 10));
  for (let e = 1; e <= total; e += step) curve.fillText(`${e}`, x(e) - 4, top + h + 16);
  curve.fillText("epoch", left + w / 2 - 16, height - 4);
  const lines = [
    ["training", "#1f77b4", (e) => e.accuracy],
    ["validation", "#ff7f0e", (e) => e.val_accuracy],
  ];
  lines.forEach(([name, colour, value], i) => {
    curve.strokeStyle = colour;
    curve.lineWidth = 2;
    curve.beginPath();
    epochs.forEach((e, k) => {
      const y = top + h - value(e) * h;
      if (k === 0) curve.moveTo(x(e.epoch), y); else curve.lineTo(x(e.epoch), y);
    });
    curve.stroke();
    curve.fillStyle = colour;
    curve.fillRect(left + w + 12, top + 8 + 20 * i, 14, 3);
    curve.fillStyle = "#222";
    curve.fillText(name, left + w + 32, top + 12 + 20 * i);
  });
}

function showConfusion(counts) {
  let html = '<table class="confusion"><tr><th></th>';
  for (let p = 0; p < 10; p++) html += `<th>${p}</th>`;
  html += "</tr>";
  for (let t = 0; t < 10; t++) {
    const row = counts.slice(10 * t, 10 * t + 10);
    const total = row.reduce((a, b) => a + b, 0) || 1;
    html += `<tr><th>${t}</th>`;
    row.forEach((n, p) => {
      const share = n / total;
      const colour = t === p ? `rgba(31,95,168,${0.15 + 0.6 * share})` : n ? `rgba(214,39,40,${0.15 + 0.85 * Math.sqrt(share)})` : "transparent";
      html += `<td style="background:${colour}">${n || ""}</td>`;
    });
    html += "</tr>";
  }
  html += "</table><p class=\"small\">Rows: the true digit; columns: the network's answer. Blue: read right; red: mistakes.</p>";
  $("confusion").innerHTML = html;
}

const nextFrame = () => new Promise((resolve) => setTimeout(resolve, 0));

// Trains with the page's settings (or `settings`), one epoch per turn of the event loop, so that
// the page redraws and the Stop button works between epochs.
async function train(settings = {}) {
  const hidden = settings.hidden ?? Number($("hidden").value);
  const rate = settings.rate ?? Number($("rate").value);
  const total = settings.epochs ?? Math.max(1, Math.min(500, Math.floor(Number($("epochs").value)) || 1));
  const seed = settings.seed ?? Number($("seed").value);
  status.className = "";
  book.error = null;
  if (!Number.isInteger(seed) || seed < 0 || seed > 4294967295) {
    status.className = "error";
    status.textContent = "The seed must be a whole number from 0 to 4294967295.";
    return null;
  }
  status.textContent = "Training…";
  stopping = false;
  $("train").disabled = true;
  $("stop").disabled = false;
  $("confusion").innerHTML = "";
  $("test-result").textContent = "Training…";
  const started = performance.now();
  const run = { hidden, rate, seed, epochs: [], test: null, seconds: null, stopped: false };
  book.run = run;
  let trainer = null;
  try {
    trainer = new Trainer(digits, hidden, rate, seed);
    const [nTrain, nVal, nTest] = trainer.sizes();
    for (let k = 0; k < total && !stopping; k++) {
      const e = trainer.epoch();
      run.epochs.push({ epoch: e.epoch, loss: e.loss, accuracy: e.accuracy, val_loss: e.val_loss, val_accuracy: e.val_accuracy, seconds: e.seconds });
      e.free();
      drawCurve(run.epochs, total);
      const last = run.epochs[run.epochs.length - 1];
      $("epoch-line").textContent = `epoch ${last.epoch}/${total}: training accuracy ${(100 * last.accuracy).toFixed(1)}%, validation accuracy ${(100 * last.val_accuracy).toFixed(1)}% (${nTrain} training, ${nVal} validation digits)`;
      await nextFrame();
    }
    run.stopped = run.epochs.length < total;
    const report = trainer.test();
    run.test = report.accuracy;
    const counts = Array.from(report.counts);
    report.free();
    run.seconds = (performance.now() - started) / 1000;
    $("test-result").textContent = `${(100 * run.test).toFixed(1)}% of the ${nTest} test digits read right, after ${run.epochs.length} epochs${run.stopped ? " (stopped)" : ""}; training took ${run.seconds.toFixed(1)} s in this browser.`;
    status.textContent = "Done. Change the settings and train again, or draw your own digit on the Read my digit page.";
    showConfusion(counts);
  } catch (error) {
    book.error = String((error && error.message) || error);
    status.className = "error";
    status.textContent = `Training failed: ${book.error}. Reload the page to start again.`;
    $("test-result").textContent = "No result: training failed.";
    console.error(error);
  } finally {
    $("train").disabled = false;
    $("stop").disabled = true;
    // After a failure inside the module it may refuse to free the trainer; the page is
    // reloaded then anyway.
    try {
      if (trainer) trainer.free();
    } catch (error) {
      console.warn(error);
    }
  }
  return run;
}

$("train").addEventListener("click", () => train());
$("stop").addEventListener("click", () => { stopping = true; });

async function start() {
  if (location.protocol === "file:") return; // needs-server.js explains
  try {
    const [, bytes] = await Promise.all([
      init(),
      fetch(DIGITS).then((response) => {
        if (!response.ok) throw new Error(`the digits file ${DIGITS} is missing (HTTP ${response.status}): build the book with ./lab book`);
        return response.arrayBuffer();
      }),
    ]);
    digits = new Uint8Array(bytes);
    book.ready = true;
    $("train").disabled = false;
    status.textContent = "Ready. Choose the settings and press Train.";
    drawCurve([], Number($("epochs").value) || 40);
  } catch (error) {
    book.error = String(error.message || error);
    status.className = "error";
    status.textContent = `The page could not start: ${book.error}`;
    console.error(error);
  }
}
start();
