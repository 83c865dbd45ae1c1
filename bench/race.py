"""The training race: mlpkit against Keras (TensorFlow, CPU) and PyTorch (CPU).

Run it through `bench/race`, which installs the frameworks into .bench-venv/ and builds
our side first. Each of the five tutorial configurations is trained for a few epochs by each
framework, in a fresh process per framework and configuration, on the same data with the
same preprocessing, network, initialisation, optimizer, batch size and validation.

    python bench/race.py [--epochs 5] [--configs 1,2,3,4,5] [--json results.json]
    python bench/race.py worker keras|torch CONFIG EPOCHS   (one run; used by the driver)

Reported per configuration: seconds per epoch (median of epochs 2 onwards; training plus
the validation pass), the ratios ours/PyTorch and ours/Keras, the test accuracy after the
last epoch, the peak resident memory of each process, and our training throughput
(6 x parameters x samples / second) beside the machine's matmul peak from the same run.
"""

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = ROOT / "target" / "release" / "examples" / "race"

# The five tutorial set-ups, as mlpkit::tutorials has them.
CONFIGS = {
    1: dict(name="784-50-50-10 tanh, SGD momentum, batch 64", data="mnist", hidden=[50, 50],
            act="tanh", out="softmax", init="glorot", opt=("sgd", 0.001, 0.9, 1e-7), batch=64,
            pixels="minus_one_one", standardize=True, val=("split", 0.1), onehot=True),
    2: dict(name="784-64-64-10 relu, Adam, batch 32", data="mnist", hidden=[64, 64], act="relu",
            out="softmax", init="glorot", opt=("adam", 0.001), batch=32, pixels="minus_half_half",
            standardize=False, val=None, onehot=True),
    3: dict(name="784-300-100-10 relu, SGD, batch 32 (Fashion)", data="fashion-mnist",
            hidden=[300, 100], act="relu", out="softmax", init="glorot", opt=("sgd", 0.01, 0.0, 0.0),
            batch=32, pixels="zero_one", standardize=False, val=("first", 5000), onehot=False),
    4: dict(name="784-128-128-10 relu, RMSprop, batch 64", data="mnist", hidden=[128, 128],
            act="relu", out="softmax", init="glorot", opt=("rmsprop", 0.001), batch=64,
            pixels="zero_one", standardize=False, val=("first", 10000), onehot=True),
    5: dict(name="784-200-10 relu, Adam, batch 100", data="mnist", hidden=[200], act="relu",
            out="linear", init="truncated_normal", opt=("adam", 0.001), batch=100,
            pixels="zero_one", standardize=False, val=("first", 5000), onehot=True),
}


def peak_rss_mb():
    """This process's own peak resident memory (VmHWM, which starts afresh at exec)."""
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def params(cfg):
    sizes = [784] + cfg["hidden"] + [10]
    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))


# ---------------------------------------------------------------- data (numpy only)

def data_dir(kind):
    env = "MNIST_DIR" if kind == "mnist" else "FASHION_MNIST_DIR"
    candidates = [os.environ.get(env), ROOT / "data" / kind]
    if kind == "mnist":
        candidates.append(ROOT.parent / "shared" / "datasets" / "mnist")
    else:
        candidates.append("/usr/share/datasets/fashion-mnist")
    for c in candidates:
        if c and (Path(c) / "train-images-idx3-ubyte.gz").is_file():
            return Path(c)
    sys.exit(f"race: no {kind} IDX files found (set {env}, or see data/README.md)")


def read_idx(path):
    import numpy as np
    raw = gzip.open(path).read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def prepared(cfg):
    """(x_train, y_train, validation or None, x_test, y_test), float32 inputs, int64 labels."""
    import numpy as np
    d = data_dir(cfg["data"])
    xtr = read_idx(d / "train-images-idx3-ubyte.gz").reshape(-1, 784)
    ytr = read_idx(d / "train-labels-idx1-ubyte.gz").astype(np.int64)
    xte = read_idx(d / "t10k-images-idx3-ubyte.gz").reshape(-1, 784)
    yte = read_idx(d / "t10k-labels-idx1-ubyte.gz").astype(np.int64)

    def scale(x):
        unit = x.astype(np.float32) / np.float32(255)
        return {"zero_one": unit, "minus_half_half": unit - np.float32(0.5),
                "minus_one_one": (unit - np.float32(0.5)) * np.float32(2)}[cfg["pixels"]]

    xtr, xte = scale(xtr), scale(xte)
    if cfg["standardize"]:
        mean = xtr.astype(np.float64).mean(axis=0).astype(np.float32)
        std = np.float32(xtr.astype(np.float64).std())
        xtr, xte = (xtr - mean) / std, (xte - mean) / std
    val = None
    if cfg["val"] and cfg["val"][0] == "first":
        n = cfg["val"][1]
        val = (xtr[:n], ytr[:n])
        xtr, ytr = xtr[n:], ytr[n:]
    elif cfg["val"] and cfg["val"][0] == "split":
        # Keras's validation_split: the last fraction, before shuffling.
        n = int(len(xtr) * (1 - cfg["val"][1]))
        val = (xtr[n:], ytr[n:])
        xtr, ytr = xtr[:n], ytr[:n]
    return (np.ascontiguousarray(xtr), ytr, val, np.ascontiguousarray(xte), yte)


# ---------------------------------------------------------------- Keras

def run_keras(cfg, epochs):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import numpy as np
    import keras
    import tensorflow as tf

    threads = int(os.environ.get("RACE_THREADS", os.cpu_count()))
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    keras.utils.set_random_seed(42)
    xtr, ytr, val, xte, yte = prepared(cfg)
    if cfg["init"] == "glorot":
        init = lambda: keras.initializers.GlorotUniform()
    else:
        init = lambda: keras.initializers.TruncatedNormal(stddev=0.01)
    layers = [keras.Input((784,))]
    layers += [keras.layers.Dense(h, activation=cfg["act"], kernel_initializer=init()) for h in cfg["hidden"]]
    layers.append(keras.layers.Dense(10, activation=None if cfg["out"] == "linear" else "softmax",
                                     kernel_initializer=init()))
    model = keras.Sequential(layers)
    kind, lr = cfg["opt"][0], cfg["opt"][1]
    if kind == "sgd":
        momentum, decay = cfg["opt"][2], cfg["opt"][3]
        rate = keras.optimizers.schedules.InverseTimeDecay(lr, 1, decay) if decay else lr
        opt = keras.optimizers.SGD(learning_rate=rate, momentum=momentum)
    elif kind == "adam":
        opt = keras.optimizers.Adam(learning_rate=lr)
    else:
        opt = keras.optimizers.RMSprop(learning_rate=lr)
    logits = cfg["out"] == "linear"
    if cfg["onehot"]:
        loss = keras.losses.CategoricalCrossentropy(from_logits=logits)
        enc = lambda y: keras.utils.to_categorical(y, 10)
    else:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=logits)
        enc = lambda y: y
    model.compile(optimizer=opt, loss=loss, metrics=["accuracy"])

    seconds = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):  # after the validation pass
            seconds.append(time.perf_counter() - self.t)

    kwargs = {}
    if val is not None:
        kwargs["validation_data"] = (val[0], enc(val[1]))
    model.fit(xtr, enc(ytr), batch_size=cfg["batch"], epochs=epochs, shuffle=True, verbose=0,
              callbacks=[Timer()], **kwargs)
    acc = model.evaluate(xte, enc(yte), batch_size=1024, verbose=0)[1]
    return seconds, float(acc), len(xtr), f"Keras {keras.__version__} / TensorFlow {tf.__version__}"


# ---------------------------------------------------------------- PyTorch

def run_torch(cfg, epochs):
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.manual_seed(42)
    # Set explicitly, as an expert would: on these machines PyTorch's own default (the same
    # number of threads) trains about 1.5 times slower.
    torch.set_num_threads(int(os.environ.get("RACE_THREADS", os.cpu_count())))
    xtr, ytr, val, xte, yte = prepared(cfg)
    X, Y = torch.from_numpy(xtr), torch.from_numpy(ytr)
    act = {"tanh": nn.Tanh, "relu": nn.ReLU}[cfg["act"]]
    sizes = [784] + cfg["hidden"]
    layers = []
    for a, b in zip(sizes, sizes[1:]):
        layers += [nn.Linear(a, b), act()]
    layers.append(nn.Linear(sizes[-1], 10))
    model = nn.Sequential(*layers)
    with torch.no_grad():  # the tutorial's initialisation, not PyTorch's default
        for m in model:
            if isinstance(m, nn.Linear):
                if cfg["init"] == "glorot":
                    nn.init.xavier_uniform_(m.weight)
                else:
                    nn.init.trunc_normal_(m.weight, std=0.01, a=-0.02, b=0.02)
                nn.init.zeros_(m.bias)
    kind, lr = cfg["opt"][0], cfg["opt"][1]
    decay = 0.0
    if kind == "sgd":
        decay = cfg["opt"][3]
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=cfg["opt"][2])
    elif kind == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr, eps=1e-7)
    else:
        opt = torch.optim.RMSprop(model.parameters(), lr=lr, alpha=0.9, eps=1e-7)
    n, bs, step = len(X), cfg["batch"], 0
    seconds = []
    for _ in range(epochs):
        t = time.perf_counter()
        model.train()
        perm = torch.randperm(n)
        for i in range(0, n, bs):
            idx = perm[i:i + bs]
            if decay:
                for g in opt.param_groups:
                    g["lr"] = lr / (1 + decay * step)
            loss = F.cross_entropy(model(X[idx]), Y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
        if val is not None:
            model.eval()
            with torch.no_grad():
                xv, yv = torch.from_numpy(val[0]), torch.from_numpy(val[1])
                out = model(xv)
                F.cross_entropy(out, yv).item()
                (out.argmax(1) == yv).float().mean().item()
        seconds.append(time.perf_counter() - t)
    model.eval()
    with torch.no_grad():
        acc = (model(torch.from_numpy(xte)).argmax(1) == torch.from_numpy(yte)).float().mean().item()
    return seconds, float(acc), n, f"PyTorch {torch.__version__}"


# ---------------------------------------------------------------- driver

def run_process(cmd, env=None):
    """Runs `cmd` and returns its last JSON line (which reports the process's peak memory)."""
    log = open(ROOT / "target" / "race.log", "a")
    log.write(f"\n$ {' '.join(map(str, cmd))}\n")
    log.flush()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, cwd=ROOT,
                         env=dict(os.environ, **(env or {})))
    out = p.stdout.read().decode()
    status = p.wait()
    if status != 0:
        sys.exit(f"race: {' '.join(map(str, cmd))} failed (status {status}); see target/race.log")
    line = [l for l in out.splitlines() if l.startswith("{")][-1]
    return json.loads(line)


def best_rival(framework, config, epochs):
    """The rival's faster run of two: on one thread and on every core. On 2-core machines
    neither setting wins everywhere (TensorFlow is often faster on one)."""
    runs = []
    for threads in sorted({1, os.cpu_count() or 1}):
        r = run_process([sys.executable, __file__, "worker", framework, str(config), str(epochs)],
                        env={"RACE_THREADS": str(threads)})
        r["threads"] = threads
        runs.append(r)
    return min(runs, key=lambda r: per_epoch(r["epoch_seconds"]))


def per_epoch(seconds):
    later = seconds[1:] or seconds
    return statistics.median(later)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        framework, config, epochs = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        run = {"keras": run_keras, "torch": run_torch}[framework]
        seconds, acc, n, version = run(CONFIGS[config], epochs)
        print(json.dumps({"framework": framework, "config": config, "epoch_seconds": seconds,
                          "test_accuracy": acc, "train_examples": n, "version": version,
                          "peak_rss_mb": peak_rss_mb()}))
        return

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--configs", default="1,2,3,4,5")
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args()
    configs = [int(c) for c in args.configs.split(",")]

    # The driver imports no framework: it stays small and each run is measured on its own.
    peak = run_process([OURS, "peak"])
    print(f"{os.cpu_count()} CPU cores")
    print(f"Matmul peak (1024x1024x1024 f32 through Candle's CPU matmul, {peak['threads']} threads): "
          f"{peak['peak_gflops']:.1f} GFLOP/s\n")
    rows = []
    for c in configs:
        cfg = CONFIGS[c]
        ours = run_process([OURS, str(c), str(args.epochs)])
        torch_run = best_rival("torch", c, args.epochs)
        keras_run = best_rival("keras", c, args.epochs)
        if c == configs[0]:
            print(f"{torch_run['version']}; {keras_run['version']}\n")
        ours_mb, torch_mb, keras_mb = (r["peak_rss_mb"] for r in (ours, torch_run, keras_run))
        s_ours, s_torch, s_keras = (per_epoch(r["epoch_seconds"]) for r in (ours, torch_run, keras_run))
        gflops = 6 * params(cfg) * ours["train_examples"] / s_ours / 1e9
        row = dict(config=c, name=cfg["name"], seconds=dict(mlpkit=s_ours, torch=s_torch, keras=s_keras),
                   accuracy=dict(mlpkit=ours["test_accuracy"], torch=torch_run["test_accuracy"],
                                 keras=keras_run["test_accuracy"]),
                   peak_rss_mb=dict(mlpkit=ours_mb, torch=torch_mb, keras=keras_mb),
                   threads=dict(mlpkit=ours["threads"], torch=torch_run["threads"], keras=keras_run["threads"]),
                   gflops=gflops, peak_share=gflops / peak["peak_gflops"], fused=ours.get("fused"))
        rows.append(row)
        print(f"{c}. {cfg['name']}: ours {s_ours:.2f} s/epoch, PyTorch {s_torch:.2f}, Keras {s_keras:.2f}; "
              f"accuracy {100 * ours['test_accuracy']:.2f} / {100 * torch_run['test_accuracy']:.2f} / "
              f"{100 * keras_run['test_accuracy']:.2f}; peak RSS {ours_mb:.0f} / {torch_mb:.0f} / {keras_mb:.0f} MB; "
              f"threads {ours['threads']} / {torch_run['threads']} / {keras_run['threads']}",
              flush=True)

    print(f"\nSeconds per epoch (median of epochs 2-{args.epochs}, validation pass included; PyTorch and Keras "
          f"at the faster of 1 thread and {os.cpu_count()}), test accuracy after {args.epochs} epochs, "
          f"peak resident memory of each process:\n")
    print("| # | configuration | mlpkit s/epoch | PyTorch | Keras | ours/PyTorch | ours/Keras "
          "| test accuracy mlpkit / PyTorch / Keras | peak RSS MB mlpkit / PyTorch / Keras | our GFLOP/s (% of peak) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        s, a, m = r["seconds"], r["accuracy"], r["peak_rss_mb"]
        print(f"| {r['config']} | {r['name']} | {s['mlpkit']:.2f} | {s['torch']:.2f} | {s['keras']:.2f} "
              f"| {s['mlpkit'] / s['torch']:.2f} | {s['mlpkit'] / s['keras']:.2f} "
              f"| {100 * a['mlpkit']:.2f} / {100 * a['torch']:.2f} / {100 * a['keras']:.2f} "
              f"| {m['mlpkit']:.0f} / {m['torch']:.0f} / {m['keras']:.0f} "
              f"| {r['gflops']:.1f} ({100 * r['peak_share']:.0f}%) |")
    print("\nTargets: ours/PyTorch <= 1.0, ours/Keras <= 0.33, accuracy within 0.5 point of both, "
          "peak RSS <= PyTorch's, configuration 3 at >= 40% of the matmul peak.")
    misses = []
    for r in rows:
        s, a, m = r["seconds"], r["accuracy"], r["peak_rss_mb"]
        if s["mlpkit"] > s["torch"]:
            misses.append(f"{r['config']}: slower than PyTorch")
        if s["mlpkit"] > 0.33 * s["keras"]:
            misses.append(f"{r['config']}: not 3x faster than Keras")
        for other in ("torch", "keras"):
            if a["mlpkit"] < a[other] - 0.005:
                misses.append(f"{r['config']}: accuracy more than 0.5 point below {other}")
        if m["mlpkit"] > m["torch"]:
            misses.append(f"{r['config']}: more memory than PyTorch")
        if r["config"] == 3 and r["peak_share"] < 0.4:
            misses.append("3: under 40% of the matmul peak")
    print("All targets met." if not misses else "Missed: " + "; ".join(misses))
    if args.json:
        Path(args.json).write_text(json.dumps(dict(peak=peak, epochs=args.epochs, rows=rows), indent=2))


if __name__ == "__main__":
    main()
