"""Training settings and progress: train_autoencoder honours the compile settings and the callbacks
that change the learning rate, refuses non-finite data and what it cannot honour, warns about
data its output cannot reach, and shows progress only where asked or where a run is long.

With one batch per epoch the shuffles cannot matter, so losses must match fit's closely.
"""

import contextlib
import io
import warnings

import keras
import numpy as np
import pytest

import autoenc_helpers as h

N = 40


@pytest.fixture(scope="module")
def pixels():
    return h.load_digits_file()[0][:N]


def model(compile_kwargs=None, sizes=(64, 16, 2, 16, 64)):
    keras.utils.set_random_seed(1)
    autoencoder, _, _ = h.build_autoencoder(sizes, seed=1)
    if compile_kwargs is not None:
        autoencoder.compile(**compile_kwargs)
    return autoencoder


def fit_and_ours(pixels, compile_kwargs, epochs=4, callbacks=lambda: []):
    """Losses of fit and of train_autoencoder from identical models, one batch per epoch.

    ``compile_kwargs()`` makes the compile arguments: each model needs its own optimizer."""
    with_fit = model(compile_kwargs())
    expected = with_fit.fit(pixels, pixels, batch_size=N, epochs=epochs, verbose=0,
                            shuffle=False, callbacks=callbacks()).history["loss"]
    ours = model(compile_kwargs())
    got = h.train_autoencoder(ours, pixels, epochs=epochs, batch_size=N,
                              callbacks=callbacks()).history["loss"]
    return got, expected, ours, with_fit


# --- non-finite input -----------------------------------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_one_non_finite_pixel_is_refused_before_any_weight_changes(pixels, bad):
    # The reproducer: one NaN pixel made every loss and every weight NaN, without a word.
    data = pixels.copy()
    data[3, 17] = bad
    data[9, 2] = bad
    autoencoder = model()
    before = autoencoder.get_weights()
    with pytest.raises(ValueError, match=r"2 NaN or infinite value\(s\).*row 3, column 17"):
        h.train_autoencoder(autoencoder, data, epochs=1)
    for a, b in zip(before, autoencoder.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_values_beyond_float32_are_refused_too(pixels):
    data = pixels.astype(np.float64)
    data[0, 0] = 1e300  # finite in float64, infinite once trained as float32
    with pytest.raises(ValueError, match="row 0, column 0"):
        h.train_autoencoder(model(), data, epochs=1)


# --- the compile settings are honoured -----------------------------------------------------


@pytest.mark.parametrize("compile_kwargs", [
    {"optimizer": "adam", "loss": "binary_crossentropy"},  # the reproducer
    {"optimizer": keras.optimizers.Adam(learning_rate=0.01), "loss": "mse"},
    {"optimizer": keras.optimizers.Adam(beta_1=0.5, epsilon=1e-4), "loss": "mae"},
    {"optimizer": "adam", "loss": keras.losses.Huber()},
    {"optimizer": "adam", "loss": keras.losses.binary_crossentropy},
], ids=["binary_crossentropy", "learning_rate", "betas_and_mae", "loss_object", "loss_function"])
def test_the_compiled_optimizer_settings_and_loss_are_used_as_fit_uses_them(
        pixels, compile_kwargs):
    if isinstance(compile_kwargs["optimizer"], keras.optimizers.Optimizer):
        config = compile_kwargs["optimizer"].get_config()
        compile_kwargs = dict(compile_kwargs, optimizer=None)
        make = lambda: {**compile_kwargs, "optimizer": keras.optimizers.Adam.from_config(config)}  # noqa: E731
    else:
        make = lambda: compile_kwargs  # noqa: E731
    with_fit = model(make())
    expected = with_fit.fit(pixels, pixels, batch_size=N, epochs=4, verbose=0).history["loss"]
    got = h.train_autoencoder(model(make()), pixels, epochs=4, batch_size=N).history["loss"]
    np.testing.assert_allclose(got, expected, rtol=2e-5)


def test_binary_crossentropy_is_not_silently_mean_squared_error(pixels):
    bce = h.train_autoencoder(model({"optimizer": "adam", "loss": "binary_crossentropy"}),
                              pixels, epochs=1, batch_size=N).history["loss"]
    mse = h.train_autoencoder(model(), pixels, epochs=1, batch_size=N).history["loss"]
    assert bce[0] > 0.3 > 0.2 > mse[0]  # cross-entropy of [0, 1] pixels is far above their MSE


@pytest.mark.parametrize(("compile_kwargs", "message"), [
    ({"optimizer": "sgd", "loss": "mse"}, "SGD optimizer.*Adam only"),
    ({"optimizer": keras.optimizers.RMSprop(), "loss": "mse"}, "RMSprop"),
    ({"optimizer": keras.optimizers.Adam(clipnorm=1.0), "loss": "mse"}, "clipnorm"),
    ({"optimizer": keras.optimizers.Adam(weight_decay=0.01), "loss": "mse"}, "weight_decay"),
    ({"optimizer": keras.optimizers.Adam(amsgrad=True), "loss": "mse"}, "amsgrad"),
    ({"optimizer": keras.optimizers.Adam(
        keras.optimizers.schedules.ExponentialDecay(0.01, 10, 0.9)), "loss": "mse"},
     "LearningRateSchedule"),
    ({"optimizer": "adam", "loss": "mse", "metrics": ["mae"]}, "metrics"),
    ({"optimizer": "adam", "loss": keras.losses.MeanSquaredError(reduction="sum")}, "reduction"),
])
def test_what_cannot_be_honoured_is_refused_naming_it(pixels, compile_kwargs, message):
    with pytest.raises(ValueError, match=message):
        h.train_autoencoder(model(compile_kwargs), pixels, epochs=1)


# --- callbacks that change the learning rate ------------------------------------------------


def test_a_learning_rate_scheduler_is_honoured_as_in_fit(pixels):
    def schedule():
        return [keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.05 / (epoch + 1))]

    got, expected, ours, _ = fit_and_ours(pixels, lambda: {"optimizer": "adam", "loss": "mse"},
                                          epochs=5, callbacks=schedule)
    np.testing.assert_allclose(got, expected, rtol=2e-5)
    assert float(ours.optimizer.learning_rate) == pytest.approx(0.05 / 5)
    assert ours.history.history["learning_rate"][0] == pytest.approx(0.05)


def test_reduce_lr_on_plateau_is_honoured_as_in_fit(pixels):
    def plateau():
        return [keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0,
                                                  min_delta=10.0, verbose=0)]

    got, expected, ours, with_fit = fit_and_ours(
        pixels, lambda: {"optimizer": keras.optimizers.Adam(0.02), "loss": "mse"}, epochs=5,
        callbacks=plateau)
    np.testing.assert_allclose(got, expected, rtol=2e-5)
    assert float(ours.optimizer.learning_rate) == pytest.approx(0.02 / 2**4)  # not after epoch 1
    assert float(ours.optimizer.learning_rate) == float(with_fit.optimizer.learning_rate)


@pytest.mark.parametrize("callback", [
    keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr),
    keras.callbacks.ReduceLROnPlateau(monitor="loss")])
def test_learning_rate_callbacks_on_an_uncompiled_model_ask_to_compile(pixels, callback):
    with pytest.raises(ValueError, match="not compiled.*compile it first"):
        h.train_autoencoder(model(), pixels, epochs=1, callbacks=[callback])


def test_a_callback_with_batch_hooks_gets_a_warning(pixels):
    with pytest.warns(UserWarning, match="TerminateOnNaN defines on_batch_end"):
        h.train_autoencoder(model(), pixels, epochs=1, callbacks=[keras.callbacks.TerminateOnNaN()])


# --- the output activation's range ----------------------------------------------------------


def test_data_outside_a_sigmoid_outputs_range_gets_a_warning(pixels):
    with pytest.warns(UserWarning, match=r"range from 0 to 16.*'reconstruction' uses sigmoid.*"
                                         r"\[0, 1\]"):
        h.train_autoencoder(model(), pixels * 16, epochs=1)


def test_tanh_output_and_negative_data_outside_it_warns_but_linear_does_not(pixels):
    data = pixels * 4 - 2
    tanh = keras.Sequential([keras.Input((64,)), keras.layers.Dense(2),
                             keras.layers.Dense(64), keras.layers.Activation("tanh")])
    with pytest.warns(UserWarning, match=r"uses tanh.*\[-1, 1\]"):
        h.train_autoencoder(tanh, data, epochs=1)
    linear = model(sizes=(64, 2, 64))
    linear_out, _, _ = h.build_autoencoder((64, 2, 64), output_activation="linear")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h.train_autoencoder(linear_out, data, epochs=1)
        h.train_autoencoder(linear, pixels, epochs=1)  # sigmoid, and data in [0, 1]


# --- progress ------------------------------------------------------------------------------


def run_printing(pixels, monkeypatch, **kwargs):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        h.train_autoencoder(model(), pixels, batch_size=N, seed=1, **kwargs)
    return out.getvalue()


def test_verbose_1_shows_epochs_loss_and_time_left_like_fit(pixels, monkeypatch):
    text = run_printing(pixels, monkeypatch, epochs=3, verbose=1)
    last = text.strip().splitlines()[-1]
    assert last.startswith("epoch 3/3 [====================] - loss: ")
    assert "elapsed" in last
    assert "left" in text or len(text.splitlines()) == 1


def test_verbose_0_prints_nothing(pixels, monkeypatch):
    assert run_printing(pixels, monkeypatch, epochs=3, verbose=0) == ""


def test_auto_shows_progress_for_long_runs_only_and_not_when_switched_off(pixels, monkeypatch):
    monkeypatch.delenv("AUTOENC_VERBOSE", raising=False)
    assert run_printing(pixels, monkeypatch, epochs=4) == ""  # short: stable notebook outputs
    monkeypatch.setattr(h, "PROGRESS_AFTER_SECONDS", 0.0)
    assert "epoch 4/4" in run_printing(pixels, monkeypatch, epochs=4)
    monkeypatch.setenv("AUTOENC_VERBOSE", "0")
    assert run_printing(pixels, monkeypatch, epochs=4) == ""


@pytest.mark.parametrize("verbose", [2, "yes", True])
def test_a_bad_verbose_is_refused(pixels, verbose):
    with pytest.raises(ValueError, match="verbose"):
        h.train_autoencoder(model(), pixels, epochs=1, verbose=verbose)
