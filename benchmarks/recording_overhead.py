"""How much does recording the map (``autoenc_helpers.MapRecorder``) slow training down?

Trains the book's model (64-32-2-32-64, sigmoid, Adam, mean squared error, batch size 8) with
``autoenc_helpers.train_autoencoder`` for ``--epochs`` epochs, once without and once with a
``MapRecorder(encoder, pixels, every=10)``, alternating the two ``--repeats`` times from the same
seed and initial weights, so that both see the same machine load. For each run it prints the
wall-clock seconds of the whole call and of the epochs after the first (the first epoch also
compiles the training step), then the median of each and ``overhead=<ratio - 1>`` of the
median steady-state times (recording / plain - 1). It also times the recorder's own work inside
each recording run and prints, as the last line, ``in_run_overhead`` (the recorder's seconds
over the other seconds of the same epochs; median over the runs), which a busy machine disturbs
far less. The issue's target is an overhead of at most 0.20 when
recording every 10 epochs.

Run from the repository root:
    TF_CPP_MIN_LOG_LEVEL=3 TF_ENABLE_ONEDNN_OPTS=0 .venv/bin/python benchmarks/recording_overhead.py
"""

from __future__ import annotations

import argparse
import statistics
import time

import keras

import autoenc_helpers as ah

BATCH_SIZE = 8


def one_run(pixels, epochs: int, every: int | None, seed: int
            ) -> tuple[float, float, int, float]:
    """Train a fresh model; return (total seconds, seconds after epoch 1, snapshots kept,
    seconds the recorder itself spent after epoch 1)."""
    keras.utils.set_random_seed(seed)
    autoencoder, encoder, _ = ah.build_autoencoder(seed=seed)
    autoencoder.compile(optimizer="adam", loss="mean_squared_error")
    marks: list[float] = []
    clock = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: marks.append(time.perf_counter()))
    callbacks = [clock]
    recorder = None
    spent: list[float] = []  # the recorder's own seconds at the end of epochs 2, 3, ...
    if every is not None:
        recorder = ah.MapRecorder(encoder, pixels, every=every)
        record = recorder.on_epoch_end

        def timed(epoch: int, logs: dict | None = None) -> None:
            start = time.perf_counter()
            record(epoch, logs)
            if epoch >= 1:
                spent.append(time.perf_counter() - start)

        recorder.on_epoch_end = timed
        callbacks.insert(0, recorder)  # its work lands before the clock's mark
    start = time.perf_counter()
    ah.train_autoencoder(autoencoder, pixels, epochs=epochs, batch_size=BATCH_SIZE,
                         callbacks=callbacks, verbose=0)
    total = time.perf_counter() - start
    return total, marks[-1] - marks[0], len(recorder.epochs) if recorder else 0, sum(spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    pixels, _ = ah.load_digits_file()
    times: dict[str, list[tuple[float, float]]] = {"plain": [], "recording": []}
    in_run: list[float] = []
    print(f"{args.epochs} epochs, batch size {BATCH_SIZE}, recording every {args.every} epochs")
    print("run        total_s  after_epoch1_s  snapshots  recorder_s")
    for _ in range(args.repeats):
        for name, every in (("plain", None), ("recording", args.every)):
            total, steady, kept, spent = one_run(pixels, args.epochs, every, args.seed)
            times[name].append((total, steady))
            if every is not None:
                in_run.append(spent / (steady - spent))
            print(f"{name:10s} {total:7.2f} {steady:15.2f} {kept:10d} {spent:11.3f}")
    med = {name: (statistics.median(t for t, _ in runs), statistics.median(s for _, s in runs))
           for name, runs in times.items()}
    for name, (total, steady) in med.items():
        print(f"median {name:10s} total {total:.2f} s, after epoch 1 {steady:.2f} s")
    print(f"total_overhead={med['recording'][0] / med['plain'][0] - 1:.3f}")
    print(f"overhead={med['recording'][1] / med['plain'][1] - 1:.3f}")
    # Within each recording run: the recorder's seconds over the rest of that run's epochs.
    # Robust to a machine whose load changes between runs (the ratio above is not).
    print(f"in_run_overhead={statistics.median(in_run):.3f}")


if __name__ == "__main__":
    main()
