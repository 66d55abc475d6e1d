"""Score 2-D maps that can place new digits, on the series' fixed held-out split, in one run.

Fits each method on the 1,257 training digits of ``ah.heldout_split(labels, seed=0)``, lets it
place the 540 held-out digits, and prints one line per method:

    NAME heldout_knn=0.xxx trust=0.xxx fit_s=... place_ms=...

``heldout_knn``: ``ah.heldout_knn_accuracy`` (5 neighbours) of the held-out digits among the
training digits on the map; ``trust``: scikit-learn's trustworthiness (5 neighbours) of all
1,797 digits as placed (training digits where the fitted method puts them, held-out digits where
it places them); ``fit_s``: seconds to fit on the training digits; ``place_ms``: milliseconds
per held-out digit to place all 540 of them. Methods: PCA, the book's autoencoder (64-32-2-32-64
sigmoid, ``train_autoencoder`` for 500 epochs on the training digits), ``best_parametric``
(``ah.fit_parametric_map``, the series' best parametric map), openTSNE (fit + transform) and
UMAP (fit + transform). The line ``reference_s=...`` times a fixed NumPy loop in the same run,
so that seconds from busy and quiet machines can be compared as ratios.

Run from the repository root:  make map-benchmark   (installs benchmarks/requirements.txt)
or  .venv/bin/python benchmarks/map_quality.py [--seeds 3] [--skip-anchors]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

import autoenc_helpers as ah  # noqa: E402

INSTALL_HINT = (
    "not installed: run `make map-benchmark` (it installs benchmarks/requirements.txt into .venv "
    "and runs this script), or `.venv/bin/python -m pip install -r benchmarks/requirements.txt`"
)

# A method fits on the training digits and returns a function that places any digits.
Fitter = Callable[[np.ndarray, int], Callable[[np.ndarray], np.ndarray]]


def reference_seconds() -> float:
    """Seconds for a fixed NumPy loop: the machine's speed right now, to compare timings."""
    a = np.random.default_rng(0).random((300, 300))
    start = time.perf_counter()
    for _ in range(200):
        a = np.tanh(a @ a / 300)
    return time.perf_counter() - start


def fit_pca(train: np.ndarray, seed: int) -> Callable[[np.ndarray], np.ndarray]:
    from sklearn.decomposition import PCA

    pca = PCA(n_components=2).fit(train)
    return pca.transform


def fit_book_autoencoder(train: np.ndarray, seed: int) -> Callable[[np.ndarray], np.ndarray]:
    import keras

    keras.utils.set_random_seed(1)
    autoencoder, encoder, _ = ah.build_autoencoder(seed=1)
    ah.train_autoencoder(autoencoder, train, epochs=500, batch_size=8, seed=1)
    return lambda data: ah.encode(encoder, data)


def fit_best_parametric(train: np.ndarray, seed: int) -> Callable[[np.ndarray], np.ndarray]:
    encoder = ah.fit_parametric_map(train, seed=seed)
    return lambda data: ah.encode(encoder, data)


def fit_opentsne(train: np.ndarray, seed: int) -> Callable[[np.ndarray], np.ndarray]:
    from openTSNE import TSNE

    embedding = TSNE(random_state=seed, n_jobs=1).fit(train)
    return lambda data: np.asarray(embedding.transform(data))


def fit_umap(train: np.ndarray, seed: int) -> Callable[[np.ndarray], np.ndarray]:
    import umap

    model = umap.UMAP(random_state=seed).fit(train)
    return model.transform


def score(fitter: Fitter, pixels: np.ndarray, labels: np.ndarray, train_idx: np.ndarray,
          test_idx: np.ndarray, seed: int) -> dict[str, float]:
    """Fit on the training digits, place the held-out ones, and score the map of all digits."""
    from _autoenc.scores import trustworthiness

    start = time.perf_counter()
    place = fitter(pixels[train_idx], seed)
    train_points = np.asarray(place(pixels[train_idx]))  # where the fitted map puts them
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    test_points = np.asarray(place(pixels[test_idx]))
    place_ms = (time.perf_counter() - start) / len(test_idx) * 1000
    points = np.empty((len(pixels), 2))
    points[train_idx], points[test_idx] = train_points, test_points
    return {
        "heldout_knn": ah.heldout_knn_accuracy(
            train_points, labels[train_idx], test_points, labels[test_idx]),
        "trust": float(trustworthiness(pixels, points, n_neighbors=5)),
        "fit_s": fit_s,
        "place_ms": place_ms,
    }


def line(name: str, row: dict[str, float]) -> str:
    return (f"{name} heldout_knn={row['heldout_knn']:.3f} trust={row['trust']:.3f} "
            f"fit_s={row['fit_s']:.1f} place_ms={row['place_ms']:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1,
                        help="fit best_parametric with seeds 0..N-1 and report the spread")
    parser.add_argument("--skip-anchors", action="store_true",
                        help="leave out openTSNE and UMAP (no extra packages needed)")
    args = parser.parse_args()

    pixels, labels = ah.load_digits_file()
    train_idx, test_idx = ah.heldout_split(labels, test_size=0.3, seed=0)
    print(f"split: {len(train_idx)} training digits, {len(test_idx)} held out; "
          f"reference_s={reference_seconds():.2f} (a fixed NumPy loop, timed now)", flush=True)

    methods: list[tuple[str, Fitter | None, str]] = [
        ("pca", fit_pca, ""),
        ("book_autoencoder", fit_book_autoencoder, ""),
        ("best_parametric", fit_best_parametric, ""),
    ]
    if not args.skip_anchors:
        for name, module, fitter in [("opentsne", "openTSNE", fit_opentsne),
                                     ("umap", "umap", fit_umap)]:
            try:
                __import__(module)
            except ImportError:
                methods.append((name, None, f"{name}: {module} {INSTALL_HINT}"))
            else:
                methods.append((name, fitter, ""))

    best_rows = []
    for name, fitter, message in methods:
        if fitter is None:
            print(message, flush=True)
            continue
        seeds = range(args.seeds) if name == "best_parametric" else [0]
        for seed in seeds:
            row = score(fitter, pixels, labels, train_idx, test_idx, seed)
            label = name if len(seeds) == 1 else f"{name} seed={seed}"
            if name == "best_parametric" and seed == 0:
                label = name  # the line that states the series' best map
            print(line(label, row), flush=True)
            if name == "best_parametric":
                best_rows.append(row)
    if len(best_rows) > 1:
        knn = [row["heldout_knn"] for row in best_rows]
        trust = [row["trust"] for row in best_rows]
        print(f"best_parametric spread over {len(best_rows)} seeds: heldout_knn "
              f"{min(knn):.3f}-{max(knn):.3f} trust {min(trust):.3f}-{max(trust):.3f}")
    print(f"reference_s={reference_seconds():.2f} (the same loop again, at the end)")


if __name__ == "__main__":
    main()
