// "Read my digit": wires the canvas to the WebAssembly module (mlpkit's `Reader`). Everything
// that touches the picture or the network is in the module.
import init, { Reader } from "./pkg/mlpkit_web.js";

const MODEL = "models/06-mnist-and-uci-like.safetensors";
const INK = 22; // stroke width in canvas pixels: a pen on a 280-pixel pad, as MNIST's strokes on 28

const status = document.getElementById("status");
const pad = document.getElementById("pad");
const pen = pad.getContext("2d", { willReadFrequently: true });
const seen = document.getElementById("seen").getContext("2d");
const answer = document.getElementById("answer");

// For the browser tests and the curious: timings (ms from the page's start) and the last reading.
const book = (window.book = { readyMs: null, readMs: [], last: null, error: null, read: readNow });

const rows = [];
for (let digit = 0; digit < 10; digit++) {
  const row = document.createElement("div");
  row.className = "bar-row";
  row.innerHTML = `<span>${digit}</span><div class="bar-track"><div class="bar"></div></div><span class="value"></span>`;
  document.getElementById("bars").append(row);
  rows.push({ row, bar: row.querySelector(".bar"), value: row.querySelector(".value") });
}

let reader = null;

function clearPad() {
  pen.fillStyle = "#fff";
  pen.fillRect(0, 0, pad.width, pad.height);
  show(null);
}

function show(reading) {
  const probabilities = reading ? reading.probabilities : null;
  const top = reading ? reading.digit : -1;
  rows.forEach(({ row, bar, value }, digit) => {
    const p = probabilities ? probabilities[digit] : 0;
    bar.style.width = `${(100 * p).toFixed(1)}%`;
    value.textContent = probabilities ? `${(100 * p).toFixed(1)}%` : "";
    row.classList.toggle("top", digit === top);
  });
  answer.textContent = reading ? `${top}` : "";
  answer.setAttribute("aria-label", reading ? `the network reads ${top}` : "no digit drawn");
  const picture = seen.createImageData(28, 28);
  if (reading) {
    reading.picture.forEach((v, i) => picture.data.set([v, v, v, 255], 4 * i));
  } else {
    for (let i = 0; i < 28 * 28; i++) picture.data.set([0, 0, 0, 255], 4 * i);
  }
  seen.putImageData(picture, 0, 0);
  book.last = reading ? { digit: top, probabilities: Array.from(probabilities), picture: Array.from(reading.picture) } : null;
}

// Reads what is on the pad now; returns the milliseconds it took (pixels, module, display).
function readNow() {
  if (!reader) return null;
  const start = performance.now();
  let reading;
  try {
    const { data, width, height } = pen.getImageData(0, 0, pad.width, pad.height);
    reading = reader.read(data, width, height); // undefined while there is no ink
    show(reading ? { digit: reading.digit, probabilities: reading.probabilities, picture: reading.picture } : null);
  } catch (error) {
    // The module failed (a bug): say so, and stop calling it.
    reader = null;
    fail("The network could not read the drawing", error);
    return null;
  } finally {
    if (reading) reading.free();
  }
  const ms = performance.now() - start;
  book.readMs.push(ms);
  return ms;
}

function fail(what, error) {
  book.error = String((error && error.message) || error);
  status.className = "error";
  status.textContent = `${what}: ${book.error}. Reload the page to start again.`;
  console.error(error);
}

let queued = false;
function readSoon() {
  if (queued) return;
  queued = true;
  requestAnimationFrame(() => {
    queued = false;
    readNow();
  });
}

let last = null;
function at(event) {
  const box = pad.getBoundingClientRect();
  return [((event.clientX - box.left) * pad.width) / box.width, ((event.clientY - box.top) * pad.height) / box.height];
}
function stroke(from, to) {
  pen.strokeStyle = "#111";
  pen.lineWidth = INK;
  pen.lineCap = "round";
  pen.lineJoin = "round";
  pen.beginPath();
  pen.moveTo(...from);
  pen.lineTo(...to);
  pen.stroke();
}
pad.addEventListener("pointerdown", (event) => {
  pad.setPointerCapture(event.pointerId);
  last = at(event);
  stroke(last, last);
  readSoon();
});
pad.addEventListener("pointermove", (event) => {
  if (last === null) return;
  const next = at(event);
  stroke(last, next);
  last = next;
  readSoon();
});
for (const end of ["pointerup", "pointercancel"]) {
  pad.addEventListener(end, () => {
    last = null;
    readSoon();
  });
}
document.getElementById("clear").addEventListener("click", clearPad);

async function start() {
  clearPad();
  if (location.protocol === "file:") return; // needs-server.js explains
  try {
    const [, model] = await Promise.all([
      init(),
      fetch(MODEL).then((response) => {
        if (!response.ok) {
          throw new Error(`the network's file ${MODEL} is missing (HTTP ${response.status}): build the book after ./lab notebooks, which trains and saves it`);
        }
        return response.arrayBuffer();
      }),
    ]);
    reader = new Reader(new Uint8Array(model));
    document.getElementById("layers").textContent = `a ${reader.layers()} multilayer perceptron`;
    book.readyMs = performance.now();
    status.textContent = `Ready (the module and the network loaded in ${Math.round(book.readyMs)} ms). Draw a digit.`;
    readNow(); // anything drawn while the page was loading
  } catch (error) {
    fail("The page could not start", error);
  }
}
start();
