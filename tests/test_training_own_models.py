"""train_autoencoder and split_autoencoder on models the helper did not build: everything fit
optimises is optimised (regularizers, add_loss), and what fit accepts works."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import autoenc_helpers as ah


@pytest.fixture(scope="module")
def pixels():
    return ah.load_digits_file()[0][:64]


def sparse_model(regularizers: dict) -> keras.Model:
    keras.utils.set_random_seed(1)
    inputs = keras.Input((64,))
    x = keras.layers.Dense(32, activation="sigmoid", **regularizers.get("hidden", {}))(inputs)
    x = keras.layers.Dense(2, activation="sigmoid", name="code", **regularizers.get("code", {}))(x)
    x = keras.layers.Dense(32, activation="sigmoid")(x)
    outputs = keras.layers.Dense(64, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mean_squared_error")
    return model


REGULARIZED = {
    "activity L1 on the code": {"code": {"activity_regularizer": keras.regularizers.L1(1.0)}},
    "kernel L2": {"hidden": {"kernel_regularizer": keras.regularizers.L2(10.0)}},
    "bias L1L2": {"hidden": {"bias_regularizer": keras.regularizers.L1L2(0.1, 0.1)}},
}


@pytest.mark.parametrize("name", list(REGULARIZED))
def test_the_reported_loss_includes_the_regularization_losses_as_fit_reports_it(pixels, name):
    model = sparse_model(REGULARIZED[name])
    weights = model.get_weights()
    history = ah.train_autoencoder(model, pixels, epochs=1, batch_size=len(pixels), verbose=0)
    model.set_weights(weights)
    fit_loss = model.fit(pixels, pixels, epochs=1, batch_size=len(pixels), shuffle=False,
                         verbose=0).history["loss"][0]
    assert history.history["loss"][0] == pytest.approx(fit_loss, rel=1e-4)


def test_a_kernel_penalty_shrinks_the_penalised_weights(pixels):
    model = sparse_model(REGULARIZED["kernel L2"])
    before = np.abs(model.layers[1].kernel.numpy()).sum()
    ah.train_autoencoder(model, pixels, epochs=20, verbose=0)
    assert np.abs(model.layers[1].kernel.numpy()).sum() < 0.5 * before


def test_add_loss_is_minimised_too(pixels):
    class Penalty(keras.layers.Layer):
        def call(self, x):
            self.add_loss(5.0 * keras.ops.mean(keras.ops.square(x)))
            return x

    keras.utils.set_random_seed(2)
    inputs = keras.Input((64,))
    code = Penalty()(keras.layers.Dense(2, name="code")(keras.layers.Dense(16)(inputs)))
    outputs = keras.layers.Dense(64, activation="sigmoid")(keras.layers.Dense(16)(code))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mse")
    first = ah.train_autoencoder(model, pixels, epochs=1, batch_size=len(pixels), verbose=0)
    expected = model.evaluate(pixels, pixels, verbose=0, batch_size=len(pixels))
    later = ah.train_autoencoder(model, pixels, epochs=30, verbose=0).history["loss"][-1]
    assert first.history["loss"][0] > expected * 0.5 and later < first.history["loss"][0]


def test_the_tensorflow_tutorial_subclassed_autoencoder_trains_and_splits(pixels):
    class Autoencoder(keras.Model):
        def __init__(self, latent_dim: int = 2) -> None:
            super().__init__()
            self.encoder = keras.Sequential([keras.layers.Dense(latent_dim, activation="relu")])
            self.decoder = keras.Sequential([keras.layers.Dense(64, activation="sigmoid")])

        def call(self, x):
            return self.decoder(self.encoder(x))

    model = Autoencoder()
    model.compile(optimizer="adam", loss=keras.losses.MeanSquaredError())
    history = ah.train_autoencoder(model, pixels, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3
    encoder, decoder = ah.split_autoencoder(model)
    assert ah.encode(encoder, pixels).shape == (len(pixels), 2)


def test_a_convolutional_autoencoder_on_image_shaped_data_trains(pixels):
    images = pixels.reshape(-1, 8, 8, 1)
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    outputs = keras.layers.Conv2D(1, 3, padding="same", activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    history = ah.train_autoencoder(model, images, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    with pytest.raises(ValueError, match=r"shape \(n, 8, 8, 1\).*got \(64, 64\)"):
        ah.train_autoencoder(model, pixels, epochs=1, verbose=0)


def test_layer_sizes_may_be_a_numpy_array():
    autoencoder, encoder, _ = ah.build_autoencoder(np.array([4, 8, 2, 8, 4]))
    assert encoder.output_shape == (None, 2) and autoencoder.output_shape == (None, 4)


@pytest.mark.parametrize("between", ["BatchNormalization", "LayerNormalization", "Dropout"])
def test_the_code_is_taken_after_its_activation_also_behind_a_normalization(between):
    inputs = keras.Input((64,))
    x = keras.layers.Dense(16, activation="relu")(inputs)
    x = keras.layers.Dense(2, name="code")(x)
    x = getattr(keras.layers, between)(**({"rate": 0.1} if between == "Dropout" else {}))(x)
    code = keras.layers.Activation("tanh")(x)
    outputs = keras.layers.Dense(64, activation="sigmoid")(keras.layers.Dense(16)(code))
    model = keras.Model(inputs, outputs)
    encoder, _ = ah.split_autoencoder(model)
    codes = ah.encode(encoder, np.random.default_rng(0).random((50, 64)) * 10)
    assert encoder.layers[-1].name == model.layers[4].name
    assert np.abs(codes).max() <= 1.0  # after tanh


def test_one_callback_not_in_a_list_is_accepted_as_fit_accepts_it(pixels, capsys):
    model, _, _ = ah.build_autoencoder()
    ah.train_autoencoder(model, pixels, epochs=2, callbacks=ah.EpochLogger(every=1), verbose=0)
    assert capsys.readouterr().out.count("epoch =") == 2


def test_a_callback_that_needs_the_optimizer_of_an_uncompiled_model_gets_a_clear_error(pixels):
    class NeedsOptimizer(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.steps = self.model.optimizer.iterations  # as TensorBoard does

    model, _, _ = ah.build_autoencoder()
    with pytest.raises(ValueError, match="NeedsOptimizer.*not compiled.*compile it first"):
        ah.train_autoencoder(model, pixels, epochs=1, callbacks=[NeedsOptimizer()], verbose=0)
    model.compile(optimizer="adam", loss="mean_squared_error")
    ah.train_autoencoder(model, pixels, epochs=1, callbacks=[NeedsOptimizer()], verbose=0)


@pytest.mark.parametrize("make", [
    lambda d: keras.callbacks.CSVLogger(str(d / "log.csv")),
    lambda d: keras.callbacks.EarlyStopping(monitor="loss", patience=1),
    lambda d: keras.callbacks.ModelCheckpoint(str(d / "m.keras")),
    lambda d: keras.callbacks.TerminateOnNaN(),
    lambda d: keras.callbacks.BackupAndRestore(str(d / "backup")),
])
def test_the_usual_keras_callbacks_run_with_an_uncompiled_model(pixels, tmp_path, make, recwarn):
    model, _, _ = ah.build_autoencoder()
    history = ah.train_autoencoder(model, pixels, epochs=2, callbacks=[make(tmp_path)],
                                   verbose=0)
    assert len(history.history["loss"]) == 2
