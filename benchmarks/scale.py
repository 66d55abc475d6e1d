"""How every helper copes with bigger data: N x 784 items, from 1,797 to 70,000, side by side.

Data, made or read once into a cache folder (``benchmarks/results/scale/``, gitignored):

- ``standin``: the shipped 1,797 digits upscaled to 28 x 28 (each pixel a 3 x 3 block, padded
  by 2), shifted by up to 2 pixels and with a little noise, repeated with new jitter until N
  items, labels kept;
- ``fashion``: the real Fashion-MNIST (70,000 images of 28 x 28, 10 classes), read from Debian's
  ``dataset-fashion-mnist`` package (``/usr/share/datasets/fashion-mnist``) when it is
  installed; it is never downloaded. Left out with a note when absent.

For each data set and size, each measurement runs in a fresh Python process, so that its peak
memory is its own: ``load_table`` (the N x 785 table as a CSV file), ``train_autoencoder``
(784-128-2-128-784, ``--epochs`` epochs of batch 8; 1 epoch at 70,000 rows),
``fit_parametric_map`` (fitted on a stratified 70 %, placing the other 30 %), openTSNE
``fit`` + ``transform`` and UMAP ``fit`` + ``transform`` on the same split (the anchors),
``embedding_scores`` (trustworthiness and 5-fold kNN of a PCA map of all N), ``plot_embedding``,
``interactive_map`` + ``save_interactive`` and ``plot_map_with_digits``. One line each::

    NAME data=... n=... cpu_s=... wall_s=... peak_mib=... heldout_knn=... copies=... near_1e3=...

``cpu_s`` counts the process's CPU time over all threads and ``wall_s`` the elapsed time, both
from after the data is loaded and the libraries the helper runs on (Keras, openTSNE, UMAP) are
imported; ``peak_mib`` the rise of the process's peak resident memory over what it held before the
measurement (the data and the imports), ``heldout_knn`` the held-out 5-NN accuracy where a map
places new items, ``copies`` the share of placed items that land on a training item's point
(closer to it than 1 % of the median distance between neighbouring training points on the map),
``near_1e3`` the share closer than 1e-3 of the map's spread (the standard deviation of the
training points: an earlier threshold, which counts items placed merely near a point once the
map holds tens of thousands, even for openTSNE's optimised placements). A line ``error=...``
reports a helper that failed. At the end, the growth exponent of each helper's CPU time over the
sizes (the slope of log cpu_s against log n).

Run (not in CI; it takes tens of minutes at 70,000):
    make scale-benchmark                                    # all sizes, both data sets
    .venv/bin/python benchmarks/scale.py --sizes 1797 5000 --data standin
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / "results" / "scale"
FASHION = Path("/usr/share/datasets/fashion-mnist")
SIZES = (1797, 5000, 20000, 70000)
LIBRARIES = {"train_autoencoder": ("keras",), "fit_parametric_map": ("keras", "openTSNE"),
             "opentsne": ("openTSNE",), "umap": ("umap",)}
HELPERS = ("load_table", "train_autoencoder", "fit_parametric_map", "opentsne", "umap",
           "embedding_scores", "plot_embedding", "interactive_map", "plot_map_with_digits")


# --- the data ---------------------------------------------------------------------------------


def standin(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` 28 x 28 stand-ins made from the shipped digits: upscaled, shifted, noisy."""
    sys.path.insert(0, str(ROOT))
    import autoenc_helpers as ah

    pixels, labels = ah.load_digits_file()
    big = np.pad(np.kron(pixels.reshape(-1, 8, 8), np.ones((3, 3), np.float32)),
                 ((0, 0), (2, 2), (2, 2)))
    rng = np.random.default_rng(0)
    picks = np.arange(n) % len(pixels)
    shifts = rng.integers(-2, 3, size=(n, 2))
    images = np.empty((n, 28, 28), np.float32)
    for i, (pick, (dy, dx)) in enumerate(zip(picks, shifts, strict=True)):
        images[i] = np.roll(big[pick], (dy, dx), axis=(0, 1))
    images += rng.normal(0, 0.05, images.shape).astype(np.float32)
    return np.clip(images, 0, 1).reshape(n, 784), labels[picks]


def fashion(n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The first ``n`` of Fashion-MNIST's 70,000 images (train then test), scaled to [0, 1]."""
    if not FASHION.is_dir():
        return None
    parts = []
    for kind in ("train", "t10k"):
        with gzip.open(FASHION / f"{kind}-images-idx3-ubyte.gz") as f:
            images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)
        with gzip.open(FASHION / f"{kind}-labels-idx1-ubyte.gz") as f:
            labels = np.frombuffer(f.read(), np.uint8, offset=8)
        parts.append((images, labels))
    images = np.concatenate([p[0] for p in parts])[:n].astype(np.float32) / 255
    return images, np.concatenate([p[1] for p in parts])[:n].astype(np.int64)


def cached(data: str, n: int) -> Path | None:
    """The .npz file holding ``data`` at size ``n`` (made on first use), or None if absent."""
    path = CACHE / f"{data}_{n}.npz"
    if not path.exists():
        made = standin(n) if data == "standin" else fashion(n)
        if made is None:
            return None
        CACHE.mkdir(parents=True, exist_ok=True)
        np.savez(path, pixels=made[0], labels=made[1])
    return path


# --- one measurement, in its own process -------------------------------------------------------


def copies(placed: np.ndarray, train_points: np.ndarray) -> dict[str, float]:
    """``copies`` and ``near_1e3`` of the docstring."""
    from sklearn.neighbors import NearestNeighbors

    index = NearestNeighbors(n_neighbors=2).fit(train_points)
    spacing = float(np.median(index.kneighbors(train_points)[0][:, 1]))
    gap = index.kneighbors(placed, n_neighbors=1)[0][:, 0]
    return {"copies": float((gap < 0.01 * spacing).mean()),
            "near_1e3": float((gap < 1e-3 * train_points.std()).mean())}


def measure(helper: str, path: Path, epochs: int) -> dict:
    """Run one helper on the cached data; return its figures (in the child process)."""
    sys.path.insert(0, str(ROOT))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import autoenc_helpers as ah

    arrays = np.load(path)
    pixels, labels = arrays["pixels"], arrays["labels"]
    len(pixels)
    train, test = ah.heldout_split(labels, seed=0)
    extra: dict = {}
    work = path.parent / f"work_{os.getpid()}"
    work.mkdir(exist_ok=True)
    if helper == "load_table":  # the table is written before the clock starts
        table = work / "table.csv"
        header = ",".join([f"p{i}" for i in range(784)] + ["label"])
        np.savetxt(table, np.column_stack([np.round(pixels, 4), labels]), fmt="%g",
                   delimiter=",", header=header, comments="")
    points = None  # the plotting helpers draw a PCA map of all items
    if helper in ("embedding_scores", "plot_embedding", "interactive_map",
                  "plot_map_with_digits"):
        from sklearn.decomposition import PCA

        points = PCA(2, random_state=0).fit_transform(pixels)
    # The libraries a helper runs on are imported before the clock starts, for every helper
    # alike: a learner's session has them loaded already (Keras and TensorFlow alone take
    # seconds of CPU, which would otherwise count against the helpers that use Keras).
    for library in LIBRARIES.get(helper, ()):
        importlib.import_module(library)

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu, wall = time.process_time(), time.perf_counter()
    if helper == "load_table":
        ah.load_table(table, label_column="label")
    elif helper == "train_autoencoder":
        import keras

        keras.utils.set_random_seed(1)
        model, _, _ = ah.build_autoencoder((784, 128, 2, 128, 784))
        ah.train_autoencoder(model, pixels, epochs=epochs, verbose=0)
    elif helper in ("fit_parametric_map", "opentsne", "umap"):
        if helper == "fit_parametric_map":
            encoder = ah.fit_parametric_map(pixels[train])
            train_points, placed = ah.encode(encoder, pixels[train]), ah.encode(encoder,
                                                                                 pixels[test])
        elif helper == "opentsne":
            from openTSNE import TSNE

            embedding = TSNE(random_state=0, n_jobs=-1).fit(pixels[train])
            train_points, placed = np.asarray(embedding), np.asarray(
                embedding.transform(pixels[test]))
        else:
            import umap

            model = umap.UMAP(random_state=0).fit(pixels[train])
            train_points, placed = model.embedding_, model.transform(pixels[test])
        extra["heldout_knn"] = ah.heldout_knn_accuracy(train_points, labels[train], placed,
                                                       labels[test])
        extra.update(copies(placed, train_points))
    elif helper == "embedding_scores":
        extra.update(ah.embedding_scores(pixels, points, labels))
    elif helper == "plot_embedding":
        ah.plot_embedding(points, labels).figure.savefig(work / "map.png")
    elif helper == "interactive_map":
        ah.save_interactive(ah.interactive_map(points, labels, pixels), work / "map.html")
    elif helper == "plot_map_with_digits":
        ah.plot_map_with_digits(points, labels, pixels).figure.savefig(work / "digits.png")
    result = {"cpu_s": time.process_time() - cpu, "wall_s": time.perf_counter() - wall,
              "peak_mib": max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base, 0)
              / 1024, **extra}
    plt.close("all")
    for leftover in work.iterdir():
        leftover.unlink()
    work.rmdir()
    return result


def run_child(helper: str, path: Path, epochs: int, timeout: float) -> dict:
    """Run ``measure`` in a fresh Python process; return its figures or ``{"error": ...}``."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
    command = [sys.executable, __file__, "--child", helper, str(path), str(epochs)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {done.returncode}: {last[:200]}"}
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--data", nargs="+", default=["standin", "fashion"],
                        choices=["standin", "fashion"])
    parser.add_argument("--helpers", nargs="+", default=list(HELPERS), choices=HELPERS)
    parser.add_argument("--epochs", type=int, default=3, help="train_autoencoder epochs (3)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run (1800)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        helper, path, epochs = args.child
        print(json.dumps(measure(helper, Path(path), int(epochs))))
        return

    cpu_by: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for data in args.data:
        for n in sorted(args.sizes):
            path = cached(data, n)
            if path is None:
                print(f"# {data}: not installed (Debian package dataset-fashion-mnist); skipped")
                break
            for helper in args.helpers:
                epochs = args.epochs if n < 70000 else 1
                result = run_child(helper, path, epochs, args.timeout)
                fields = " ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                                  for k, v in result.items())
                print(f"{helper} data={data} n={n} {fields}", flush=True)
                if "cpu_s" in result:
                    per_epoch = result["cpu_s"] / epochs if helper == "train_autoencoder" \
                        else result["cpu_s"]
                    cpu_by.setdefault((data, helper), []).append((n, per_epoch))
    print("# growth exponent of CPU time over n (train_autoencoder: per epoch)")
    for (data, helper), pairs in cpu_by.items():
        if len(pairs) >= 2:
            logs = np.log([[n, max(c, 1e-6)] for n, c in pairs])
            slope = np.polyfit(logs[:, 0], logs[:, 1], 1)[0]
            print(f"growth {helper} data={data} exponent={slope:.2f} over n="
                  f"{pairs[0][0]}..{pairs[-1][0]}")


if __name__ == "__main__":
    main()
