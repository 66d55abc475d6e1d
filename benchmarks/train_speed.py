"""Time the book's training run three ways, from the same seed and the same initial weights.

(a) plain ``fit``, as in the chapter; (b) ``fit`` after ``compile(..., steps_per_execution=...)``
with one execution per epoch; (c) ``autoenc_helpers.train_autoencoder``. Prints one table row per
method (wall seconds, CPU seconds, speed-up against plain ``fit``, final loss and the quality of
the 2-D map), then, as the last line, ``speedup_vs_fit=<ratio>`` for (c) against (a).

Run from the repository root:  .venv/bin/python benchmarks/train_speed.py [--epochs 500]
Set TF_CPP_MIN_LOG_LEVEL=3 and TF_ENABLE_ONEDNN_OPTS=0 first, as the Makefile does.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable

import keras
import numpy as np

import autoenc_helpers as ah

BATCH_SIZE = 8


def fresh_model(seed: int) -> tuple[keras.Model, keras.Model]:
    """Seed everything, then build the book's model: the same initial weights every time."""
    keras.utils.set_random_seed(seed)
    autoencoder, encoder, _ = ah.build_autoencoder(seed=seed)
    return autoencoder, encoder


def fit(autoencoder: keras.Model, pixels: np.ndarray, epochs: int, steps_per_execution: int = 1
        ) -> float:
    """Compile with Adam and MSE, train with ``fit`` and return the final epoch's loss."""
    autoencoder.compile(optimizer="adam", loss="mean_squared_error",
                        steps_per_execution=steps_per_execution)
    history = autoencoder.fit(pixels, pixels, batch_size=BATCH_SIZE, epochs=epochs, verbose=0)
    return history.history["loss"][-1]


def helper(autoencoder: keras.Model, pixels: np.ndarray, epochs: int, seed: int) -> float:
    """Train with ``ah.train_autoencoder`` and return the final epoch's loss."""
    history = ah.train_autoencoder(
        autoencoder, pixels, epochs=epochs, batch_size=BATCH_SIZE, seed=seed
    )
    return history.history["loss"][-1]


METHODS: dict[str, Callable[[keras.Model, np.ndarray, int, int], float]] = {
    "fit": lambda model, pixels, epochs, seed: fit(model, pixels, epochs),
    # one execution per epoch: ceil(1797 / 8) = 225 steps
    "fit, steps_per_execution=225": lambda model, pixels, epochs, seed: fit(
        model, pixels, epochs, steps_per_execution=math.ceil(len(pixels) / BATCH_SIZE)),
    "train_autoencoder": helper,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=500, help="epochs per method (500)")
    parser.add_argument("--seed", type=int, default=1, help="seed for weights and shuffles (1)")
    args = parser.parse_args()
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")

    pixels, labels = ah.load_digits_file()
    print(f"{len(pixels)} digits, batch size {BATCH_SIZE}, {args.epochs} epochs, seed {args.seed}")
    header = f"{'method':<30} {'epochs':>6} {'wall s':>8} {'cpu s':>8} {'ratio':>6} "
    header += f"{'final loss':>10} {'trust@5':>7} {'kNN@5':>6}"
    print(header)
    wall: dict[str, float] = {}
    for name, train in METHODS.items():
        autoencoder, encoder = fresh_model(args.seed)
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        loss = train(autoencoder, pixels, args.epochs, args.seed)
        wall[name] = time.perf_counter() - start_wall
        cpu = time.process_time() - start_cpu
        scores = ah.embedding_scores(pixels, encoder.predict(pixels, verbose=0), labels)
        ratio = wall["fit"] / wall[name]
        print(
            f"{name:<30} {args.epochs:>6} {wall[name]:>8.1f} {cpu:>8.1f} {ratio:>6.1f} "
            f"{loss:>10.6f} {scores['trustworthiness']:>7.3f} {scores['knn_accuracy']:>6.3f}",
            flush=True,
        )
    print(f"speedup_vs_fit={wall['fit'] / wall['train_autoencoder']:.1f}")


if __name__ == "__main__":
    main()
