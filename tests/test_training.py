"""train_autoencoder (the fast stand-in for fit) and get_trained_book_model."""

import contextlib
import io
import json
import math
import random
import warnings
import zipfile

import keras
import numpy as np
import pytest

import autoenc_helpers as h

N_ITEMS = 203  # 25 full batches of 8 and a last one of 3, as fit would cut them


@pytest.fixture(scope="module")
def pixels():
    return h.load_digits_file()[0][:N_ITEMS]


def fresh_model(seed=1):
    keras.utils.set_random_seed(seed)
    return h.build_autoencoder(seed=seed)


def fit_losses(pixels, epochs, batch_size):
    autoencoder, _, _ = fresh_model()
    autoencoder.compile(optimizer="adam", loss="mean_squared_error")
    history = autoencoder.fit(pixels, pixels, batch_size=batch_size, epochs=epochs, verbose=0)
    return history.history["loss"], autoencoder.get_weights()


class WeightRecorder(keras.callbacks.Callback):
    """Remember the first kernel as it is at the end of every epoch."""

    def __init__(self):
        super().__init__()
        self.kernels = []

    def on_epoch_end(self, epoch, logs=None):
        self.kernels.append(self.model.layers[1].kernel.numpy().copy())


@pytest.fixture(scope="module")
def run(pixels):
    """One 6-epoch run with an EpochLogger(every=4) and a WeightRecorder, stdout captured."""
    autoencoder, encoder, _ = fresh_model()
    before = autoencoder.get_weights()
    codes_before = encoder.predict(pixels, verbose=0)
    recorder = WeightRecorder()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        history = h.train_autoencoder(
            autoencoder, pixels, epochs=6, callbacks=[h.EpochLogger(every=4), recorder]
        )
    return {"autoencoder": autoencoder, "encoder": encoder, "before": before,
            "codes_before": codes_before, "recorder": recorder, "history": history,
            "printed": out.getvalue()}


def test_full_batch_training_follows_fit_epoch_by_epoch(pixels):
    # With one batch per epoch the shuffle cannot matter, so Adam and MSE must match fit's.
    expected, expected_weights = fit_losses(pixels, epochs=15, batch_size=N_ITEMS)
    autoencoder, _, _ = fresh_model()
    history = h.train_autoencoder(autoencoder, pixels, epochs=15, batch_size=N_ITEMS)
    np.testing.assert_allclose(history.history["loss"], expected, rtol=1e-5)
    for got, want in zip(autoencoder.get_weights(), expected_weights, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


def test_mini_batch_training_reaches_fits_loss(pixels):
    # Only the shuffles differ from fit's, so the losses agree closely but not exactly.
    expected, _ = fit_losses(pixels, epochs=8, batch_size=8)
    autoencoder, _, _ = fresh_model()
    got = h.train_autoencoder(autoencoder, pixels, epochs=8).history["loss"]
    np.testing.assert_allclose(got, expected, rtol=0.03)
    assert got[-1] < got[0]


def test_seeded_runs_repeat_exactly_and_another_seed_differs(pixels, run):
    autoencoder, _, _ = fresh_model()
    again = h.train_autoencoder(autoencoder, pixels, epochs=6)
    assert again.history["loss"] == run["history"].history["loss"]
    for a, b in zip(autoencoder.get_weights(), run["autoencoder"].get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    other, _, _ = fresh_model()
    shuffled_otherwise = h.train_autoencoder(other, pixels, epochs=6, seed=2)
    assert shuffled_otherwise.history["loss"] != run["history"].history["loss"]


def test_history_has_one_float_loss_per_epoch_and_fits_params(run):
    history = run["history"]
    assert history.epoch == list(range(6))
    assert len(history.history["loss"]) == 6
    assert all(isinstance(loss, float) and math.isfinite(loss) for loss in history.history["loss"])
    assert history.params == {"epochs": 6, "steps": math.ceil(N_ITEMS / 8), "verbose": 0}
    assert run["autoencoder"].history is history


def test_epoch_logger_prints_every_nth_epoch_and_the_last(run):
    losses = run["history"].history["loss"]
    assert run["printed"].splitlines() == [
        f"epoch = {epoch:4d} loss = {losses[epoch]:0.6f}" for epoch in (0, 4, 5)
    ]


def test_weights_change_in_place_and_callbacks_see_each_epochs_weights(run):
    autoencoder = run["autoencoder"]
    after = autoencoder.get_weights()
    assert all(not np.array_equal(a, b) for a, b in zip(run["before"], after, strict=True))
    codes_after = run["encoder"].predict(h.load_digits_file()[0][:N_ITEMS], verbose=0)
    assert not np.allclose(codes_after, run["codes_before"])
    kernels = run["recorder"].kernels
    assert len(kernels) == 6
    assert all(not np.array_equal(a, b) for a, b in zip(kernels, kernels[1:], strict=False))
    np.testing.assert_array_equal(kernels[-1], after[0])


def test_a_batch_larger_than_the_data_is_one_batch_like_fit(pixels):
    expected, _ = fit_losses(pixels[:12], epochs=3, batch_size=32)
    autoencoder, _, _ = fresh_model()
    history = h.train_autoencoder(autoencoder, pixels[:12], epochs=3, batch_size=32)
    np.testing.assert_allclose(history.history["loss"], expected, rtol=1e-5)
    assert history.params["steps"] == 1


def test_setting_stop_training_ends_after_that_epoch(pixels):
    class StopAfterEpoch1(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    autoencoder, _, _ = fresh_model()
    history = h.train_autoencoder(autoencoder, pixels[:16], epochs=5, callbacks=[StopAfterEpoch1()])
    assert history.epoch == [0, 1]


def test_a_compiled_model_keeps_its_optimizer_untouched(pixels):
    autoencoder, _, _ = fresh_model()
    optimizer = keras.optimizers.Adam(learning_rate=0.01)
    autoencoder.compile(optimizer=optimizer, loss="mean_squared_error")
    h.train_autoencoder(autoencoder, pixels[:16], epochs=1)
    assert autoencoder.optimizer is optimizer
    assert int(optimizer.iterations.numpy()) == 0
    assert autoencoder.fit(pixels[:16], pixels[:16], epochs=1, verbose=0).history["loss"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"epochs": 0}, "epochs"), ({"epochs": -3}, "epochs"), ({"epochs": 2.5}, "epochs"),
     ({"epochs": True}, "epochs"), ({"batch_size": 0}, "batch_size"),
     ({"seed": None}, "seed"), ({"seed": 1.5}, "seed"),
     ({"pixels": np.zeros((10, 63), "float32")}, r"shape \(n, 64\)"),
     ({"pixels": np.zeros(64, "float32")}, r"shape \(n, 64\)"),
     ({"pixels": np.zeros((0, 64), "float32")}, r"shape \(n, 64\)")],
)
def test_bad_arguments_raise_value_error_naming_the_problem(pixels, kwargs, message):
    autoencoder, _, _ = h.build_autoencoder()
    arguments = {"pixels": pixels[:16], **kwargs}
    with pytest.raises(ValueError, match=message):
        h.train_autoencoder(autoencoder, **arguments)


def draw_from_global_generators():
    """One number from each global generator that keras.utils.set_random_seed seeds."""
    legacy_numpy = np.random.random()  # noqa: NPY002 - the global state is what is checked
    return random.random(), legacy_numpy, float(keras.random.uniform(())[()])


def test_book_model_is_trained_and_saved_once_then_loaded_silently(tmp_path, monkeypatch, capfd):
    monkeypatch.setattr(h, "MODELS_DIR", tmp_path / "models")
    saved = tmp_path / "models" / "book_autoencoder_e2_s1.keras"

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        autoencoder, encoder, decoder = h.get_trained_book_model(epochs=2)
        assert saved.is_file()
        assert sorted(p.name for p in saved.parent.iterdir()) == [saved.name]
        first_draw = draw_from_global_generators()
        again, encoder_again, decoder_again = h.get_trained_book_model(epochs=2)
        second_draw = draw_from_global_generators()

    assert capfd.readouterr() == ("", "")
    # Keras's own DeprecationWarnings (from saving) are hidden in notebooks; nothing else may show.
    shown = [w for w in caught if not issubclass(w.category, DeprecationWarning)]
    assert [str(w.message) for w in shown] == []
    assert again is not autoencoder
    for a, b in zip(autoencoder.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    # Either way the global generators end up seeded alike, so later cells behave alike.
    assert first_draw == second_draw
    digits = h.load_digits_file()[0][:5]
    np.testing.assert_allclose(
        encoder_again.predict(digits, verbose=0), encoder.predict(digits, verbose=0), rtol=1e-6
    )
    assert decoder_again.input_shape == (None, 2) and decoder.output_shape == (None, 64)
    # The first call returns the model as loaded from its file too, so what a notebook prints
    # about it cannot depend on whether the file existed (05 compares its saved config).
    assert autoencoder.to_json() == again.to_json()
    first_copy, second_copy = tmp_path / "first.keras", tmp_path / "second.keras"
    autoencoder.save(first_copy)
    again.save(second_copy)
    configs = []
    for copy in (first_copy, second_copy):
        with zipfile.ZipFile(copy) as archive:
            configs.append(json.loads(archive.read("config.json")))
    assert configs[0] == configs[1] == json.loads(autoencoder.to_json())


def test_a_model_whose_output_differs_from_its_input_is_rejected(pixels):
    inputs = keras.Input(shape=(64,))
    not_an_autoencoder = keras.Model(inputs, keras.layers.Dense(10)(inputs))
    with pytest.raises(ValueError, match="output width 10"):
        h.train_autoencoder(not_an_autoencoder, pixels[:16], epochs=1)
