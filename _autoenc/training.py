"""What ``autoenc_helpers.train_autoencoder`` needs around its training loop.

``train_autoencoder`` itself shows the idea notebooks 04 and 10 teach (one Adam step per
mini-batch). This module holds the rest: the checks of its arguments and data, reading what
the model was compiled with (and refusing what cannot be honoured), the loss including the
model's own losses (regularizers, ``add_loss``), the compiled epoch (shuffle, mini-batches),
the callback loop as ``fit`` runs it, and the progress line.
"""

from __future__ import annotations

import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from _autoenc import checks
from _autoenc.keras_graph import output_activation

OUTPUT_RANGES = {
    "sigmoid": (0.0, 1.0), "hard_sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0),
    "tanh": (-1.0, 1.0), "softsign": (-1.0, 1.0), "relu": (0.0, math.inf),
    "softplus": (0.0, math.inf), "exponential": (0.0, math.inf), "relu6": (0.0, 6.0),
}
"""Output activations whose values cannot leave a range: (lowest, highest)."""

DEFAULT_ADAM = {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}
"""Keras's Adam defaults, used for a model that was never compiled."""

USE_FIT = "; train with model.fit instead, or compile with what train_autoencoder supports"


def compiled_settings(autoencoder: Any, callbacks: Sequence[Any]) -> tuple[Any, Any, dict]:
    """Read what ``autoencoder`` was compiled with; refuse what cannot be honoured.

    Returns ``(optimizer or None, loss function (y_true, y_pred) -> scalar, Adam settings)``.
    """
    import keras

    lr_callbacks = [c for c in callbacks if isinstance(
        c, keras.callbacks.LearningRateScheduler | keras.callbacks.ReduceLROnPlateau)]
    optimizer = getattr(autoencoder, "optimizer", None) if getattr(
        autoencoder, "compiled", False) else None
    if optimizer is None:
        if lr_callbacks:
            raise ValueError(
                f"{type(lr_callbacks[0]).__name__} changes the optimizer's learning rate, but the "
                "model is not compiled, so it has no optimizer; compile it first, e.g. "
                "model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), "
                "loss='mean_squared_error')"
            )
        return None, lambda y, p: keras.ops.mean(keras.losses.mean_squared_error(y, p)), dict(
            DEFAULT_ADAM)

    config = autoencoder._compile_config.config if getattr(
        autoencoder, "_compile_config", None) else {}
    if type(optimizer) is not keras.optimizers.Adam:
        raise ValueError(
            f"the model was compiled with the {type(optimizer).__name__} optimizer, but "
            f"train_autoencoder implements Adam only (keras.optimizers.Adam){USE_FIT}"
        )
    opt = optimizer.get_config()
    extras = {key: opt.get(key) for key in ("weight_decay", "clipnorm", "clipvalue",
                                             "global_clipnorm", "loss_scale_factor",
                                             "gradient_accumulation_steps")
              if opt.get(key) is not None}
    if opt.get("amsgrad"):
        extras["amsgrad"] = True
    if opt.get("use_ema"):
        extras["use_ema"] = True
    if extras:
        raise ValueError(f"the model's Adam optimizer uses {extras}, which train_autoencoder "
                         f"does not implement (plain Adam only){USE_FIT}")
    if isinstance(optimizer._learning_rate, keras.optimizers.schedules.LearningRateSchedule):
        raise ValueError(
            "the model's optimizer follows a LearningRateSchedule, which train_autoencoder does "
            "not implement; pass a fixed learning rate and change it per epoch with a "
            f"keras.callbacks.LearningRateScheduler callback{USE_FIT}"
        )
    for key in ("metrics", "weighted_metrics", "loss_weights"):
        if config.get(key):
            raise ValueError(
                f"the model was compiled with {key}={config[key]!r}, but train_autoencoder "
                f"computes and reports the loss only{USE_FIT}"
            )
    loss = getattr(autoencoder, "loss", None)
    if loss is None or isinstance(loss, dict | list | tuple):
        raise ValueError(f"train_autoencoder needs one loss for the model's one output; the "
                         f"model was compiled with loss={loss!r}{USE_FIT}")
    if isinstance(loss, keras.losses.Loss):
        if loss.reduction not in ("sum_over_batch_size", "mean"):
            raise ValueError(f"the loss {loss.name!r} uses reduction={loss.reduction!r}; "
                             f"train_autoencoder averages over the batch{USE_FIT}")
        loss_fn = loss
    else:
        function = keras.losses.get(loss)
        loss_fn = lambda y, p: keras.ops.mean(function(y, p))  # noqa: E731 - as compile does
    settings = {key: float(opt[key]) for key in DEFAULT_ADAM}
    return optimizer, loss_fn, settings


def input_shape(autoencoder: Any) -> tuple[int, ...] | None:
    """The shape of one item the model takes, e.g. (64,) or (8, 8, 1), or None if unknown
    (a subclassed model that was never called)."""
    try:
        shape = autoencoder.input_shape
    except (AttributeError, ValueError):
        return None
    if isinstance(shape, list):
        shape = shape[0] if len(shape) == 1 else None
    if shape is None or any(s is None for s in shape[1:]):
        return None
    return tuple(int(s) for s in shape[1:])


class Run:
    """One call of ``train_autoencoder``: its checked arguments, data, loss and settings."""

    def __init__(self, autoencoder: Any, pixels: Any, epochs: Any, batch_size: Any,
                 callbacks: Any, seed: Any, verbose: Any, progress_after: float = 60.0) -> None:
        import keras

        if keras.backend.backend() != "tensorflow":
            raise RuntimeError("train_autoencoder needs Keras's TensorFlow backend, not "
                               f"{keras.backend.backend()!r}")
        self.model = autoencoder
        self.epochs = checks.whole_number("epochs", epochs)
        self.batch_size = checks.whole_number("batch_size", batch_size)
        self.seed = checks.whole_number("seed", seed, minimum=None)
        if verbose not in (0, 1, "auto") or isinstance(verbose, bool):
            raise ValueError(f"verbose must be 0, 1 or 'auto', got {verbose!r}")
        if verbose == "auto" and os.environ.get("AUTOENC_VERBOSE", "").strip() == "0":
            verbose = 0
        self.verbose = verbose
        self.progress_after = progress_after  # seconds: "auto" shows progress for longer runs
        if isinstance(callbacks, keras.callbacks.Callback):
            callbacks = [callbacks]  # fit accepts one callback as well as a list
        self.callbacks = list(callbacks)
        self.data = self._checked_data(pixels)
        self.optimizer, loss_fn, self.adam = compiled_settings(autoencoder, self.callbacks)
        self.loss = self._with_model_losses(loss_fn)
        self._warn_about_range()
        self._warn_about_batch_hooks()

    def _checked_data(self, pixels: Any) -> np.ndarray:
        """The training data as float32, shaped as the model's input, every value finite."""
        data = checks.real_array("pixels", pixels)
        shape = input_shape(self.model)
        if shape is None and data.ndim >= 2 and len(data):
            self.model(data[:1].astype(np.float32))  # builds a subclassed model from its data
            shape = tuple(data.shape[1:])
        wanted = "(n, features)" if shape is None else f"(n, {', '.join(map(str, shape))})"
        if shape is None or data.shape[1:] != shape or len(data) == 0:
            raise ValueError(f"pixels must have shape {wanted} with n >= 1 for this model, got "
                             f"{data.shape}")
        with np.errstate(over="ignore"):  # values beyond float32 become inf, refused below
            data = data.astype(np.float32)
        checks.finite("pixels", data.reshape(len(data), -1), advice=(
            "(as float32) One such value makes every loss and weight NaN; remove or fill "
            "those values first"))
        out_shape = tuple(self.model(data[:1], training=False).shape[1:])
        if out_shape != shape:
            raise ValueError(
                f"the model's output width {out_shape[-1]} differs from its input width "
                f"{shape[-1]}, so it cannot learn to reproduce its input")
        return data

    def _with_model_losses(self, loss_fn: Callable) -> Callable:
        """The loss ``fit`` minimises: the compiled loss plus the model's own losses
        (weight and activity regularizers, ``add_loss``), as ``Model.compute_loss`` adds them."""
        import tensorflow as tf

        def loss(batch: Any, output: Any) -> Any:
            total = tf.cast(loss_fn(batch, output), tf.float32)
            extra = self.model.losses
            if extra:
                total += tf.add_n([tf.cast(tf.reduce_sum(x), tf.float32) for x in extra])
            return total

        return loss

    def _warn_about_range(self) -> None:
        """Warn when the data leave the range the output activation can produce."""
        output = output_activation(self.model)
        if output is None or output[1] not in OUTPUT_RANGES:
            return
        low, high = OUTPUT_RANGES[output[1]]
        data = self.data
        if data.min() < low or data.max() > high:
            warnings.warn(
                f"the data range from {data.min():g} to {data.max():g}, but the output layer "
                f"{output[0]!r} uses {output[1]}, which only gives values in [{low:g}, {high:g}]: "
                "the model cannot reproduce the values outside. Scale the data into that range "
                "(load_table scales to [0, 1]) or use another output activation "
                "(e.g. build_autoencoder(..., output_activation='linear'))",
                UserWarning, stacklevel=4,
            )

    def _warn_about_batch_hooks(self) -> None:
        """Warn about callbacks whose batch-level hooks will never be called."""
        import keras

        for callback in self.callbacks:
            hooks = [name for name in ("on_batch_begin", "on_batch_end", "on_train_batch_begin",
                                       "on_train_batch_end")
                     if getattr(type(callback), name, None)
                     is not getattr(keras.callbacks.Callback, name)]
            if hooks and not isinstance(callback, keras.callbacks.History):
                warnings.warn(
                    f"callback {type(callback).__name__} defines {', '.join(hooks)}, which "
                    "train_autoencoder never calls (it calls epoch-level hooks only); use fit if "
                    "the callback needs them", UserWarning, stacklevel=4)

    def epoch_function(self, train_step: Callable) -> Callable:
        """Compile one epoch: shuffle the items (by ``seed`` and the epoch number), cut them
        into mini-batches of ``batch_size`` (the last one smaller), run ``train_step`` on each,
        and return the epoch's mean loss weighted by batch size, as ``fit`` reports it."""
        import tensorflow as tf

        data, batch_size, seed = tf.constant(self.data), self.batch_size, self.seed
        n_items = len(self.data)
        n_full = n_items // batch_size  # full mini-batches per epoch; the rest form one more
        n_rest = n_items - n_full * batch_size

        def train_epoch(epoch: tf.Tensor, learning_rate: tf.Tensor) -> tf.Tensor:
            order = tf.argsort(tf.random.stateless_uniform([n_items], seed=[seed, epoch]))
            shuffled = tf.gather(data, order)
            total = tf.constant(0.0)
            if n_full:
                full = tf.reshape(shuffled[: n_full * batch_size],
                                  [n_full, batch_size, *self.data.shape[1:]])
                _, total = tf.while_loop(
                    lambda i, _: i < n_full,
                    lambda i, total: (i + 1, total + train_step(full[i], learning_rate)),
                    (tf.constant(0), total),
                )
            if n_rest:
                total += train_step(shuffled[n_full * batch_size :], learning_rate)
            return total / n_items

        # Trace once, up front, into a graph that XLA compiles on its first call.
        return tf.function(train_epoch, jit_compile=True).get_concrete_function(
            tf.TensorSpec([], tf.int64), tf.TensorSpec([], tf.float32))

    def run_epochs(self, train_epoch: Callable) -> Any:
        """Run the epochs with the callbacks as ``fit`` calls them; return the ``History``."""
        import keras
        import tensorflow as tf

        model, epochs = self.model, self.epochs
        callback_list = keras.callbacks.CallbackList(
            self.callbacks, add_history=True, model=model, epochs=epochs,
            steps=math.ceil(len(self.data) / self.batch_size), verbose=0)
        progress = Progress(epochs, time.perf_counter()) if self.verbose == 1 else None
        start_all = second_epoch_start = None
        model.stop_training = False
        self._call(callback_list.on_train_begin)
        logs: dict[str, float] | None = None
        for epoch in range(epochs):
            self._call(callback_list.on_epoch_begin, epoch)
            learning_rate = 0.001 if self.optimizer is None else float(
                self.optimizer.learning_rate)
            if not (math.isfinite(learning_rate) and learning_rate >= 0):
                raise ValueError(f"epoch {epoch}: the learning rate is {learning_rate}")
            loss = float(train_epoch(tf.constant(epoch, tf.int64),
                                     tf.constant(learning_rate, tf.float32)))
            logs = {"loss": loss}
            now = time.perf_counter()
            if epoch == 0:
                second_epoch_start = now
                start_all = progress.start if progress else now
            elif self.verbose == "auto" and progress is None:
                per_epoch = (now - second_epoch_start) / epoch  # the first epoch also compiled
                if (now - start_all) + per_epoch * (epochs - epoch - 1) > self.progress_after:
                    progress = Progress(epochs, start_all)
            if progress is not None:
                progress.update(epoch + 1, loss, now, last=epoch == epochs - 1)
            self._call(callback_list.on_epoch_end, epoch, logs)
            if model.stop_training:
                break
        if progress is not None and progress.shown_any and epoch < epochs - 1:
            progress.update(epoch + 1, loss, time.perf_counter(), last=True)
        self._call(callback_list.on_train_end, logs)
        return model.history

    def _call(self, hook: Callable, *args: Any) -> None:
        """Call a callback hook; a callback that needs the optimizer of a model that was never
        compiled gets a clear error instead of an AttributeError from inside Keras."""
        try:
            hook(*args)
        except AttributeError as error:
            if self.optimizer is not None or "optimizer" not in str(error):
                raise
            names = ", ".join(type(c).__name__ for c in self.callbacks)
            raise ValueError(
                f"a callback ({names}) reads the model's optimizer, but the model is not "
                "compiled, so it has none; compile it first, e.g. model.compile(optimizer="
                "keras.optimizers.Adam(learning_rate=0.001), loss='mean_squared_error')"
            ) from error


class Progress:
    """A one-line progress report like ``fit(verbose=1)``: epochs done, loss, time left.

    Rewrites its line with a carriage return in a terminal and in Jupyter, at most twice a
    second; elsewhere (a log file) prints a line at every tenth of the run.
    """

    def __init__(self, epochs: int, start: float) -> None:
        self.epochs, self.start = epochs, start
        self.dynamic = ("ipykernel" in sys.modules
                        or (hasattr(sys.stdout, "isatty") and sys.stdout.isatty()))
        self.last_shown = -math.inf
        self.shown_any = False

    def update(self, done: int, loss: float, now: float, last: bool = False) -> None:
        """Show the state after ``done`` epochs (if it is time to)."""
        if not last and (now - self.last_shown < 0.5
                         or (not self.dynamic and done * 10 // self.epochs
                             == (done - 1) * 10 // self.epochs)):
            return
        elapsed = now - self.start
        left = elapsed / done * (self.epochs - done)
        width = len(str(self.epochs))
        bar = "=" * (20 * done // self.epochs)
        text = (f"epoch {done:>{width}}/{self.epochs} [{bar:<20}] - loss: {loss:.4f} - "
                f"{elapsed:.0f}s elapsed" + ("" if last else f", about {left:.0f}s left"))
        end = "\n" if last or not self.dynamic else ""
        sys.stdout.write(("\r" if self.dynamic else "") + text + end)
        sys.stdout.flush()
        self.last_shown, self.shown_any = now, True
