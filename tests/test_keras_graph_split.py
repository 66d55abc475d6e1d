"""Keras graph: split_autoencoder finds the code by the model's structure, for every usual build.

Every split is checked the same way: decoder(encoder(x)) must equal autoencoder(x), the encoder
must end at the code (after its activation) and share its layers with the autoencoder.
"""

import keras
import numpy as np
import pytest

import autoenc_helpers as h

X = np.random.default_rng(0).random((5, 6), dtype=np.float32)


def check_split(autoencoder, code_width, width=6):
    encoder, decoder = h.split_autoencoder(autoencoder)
    x = np.random.default_rng(1).random((5, width), dtype=np.float32)
    np.testing.assert_allclose(
        decoder(encoder(x)).numpy(), np.asarray(autoencoder(x)), rtol=1e-5, atol=1e-6)
    assert encoder.output_shape == (None, code_width)
    assert decoder.input_shape == (None, code_width) and decoder.output_shape == (None, width)
    return encoder, decoder


def dense(units, name=None, activation=None):
    return keras.layers.Dense(units, activation=activation, name=name)


def test_a_one_feature_model_splits_at_its_2d_code_not_at_the_output():
    # The reproducer: (1, 8, 2, 8, 1) used to give an "encoder" ending at the width-1 output.
    autoencoder, encoder, decoder = h.build_autoencoder((1, 8, 2, 8, 1))
    assert encoder.output_shape == (None, 2)
    assert [layer.name for layer in decoder.layers[1:]] == ["dense_3", "reconstruction"]
    check_split(autoencoder, 2, width=1)


def test_a_sequential_model_that_was_never_called_splits():
    # The reproducer: AttributeError "The layer sequential has never been called".
    model = keras.Sequential([dense(4, activation="relu"), dense(2), dense(4), dense(6)])
    assert not model.built
    check_split(model, 2)


def test_a_sequential_model_with_an_input_splits():
    model = keras.Sequential([keras.Input((6,)), dense(4, activation="relu"), dense(3),
                              dense(4), dense(6, activation="sigmoid")])
    check_split(model, 3)


def test_an_activation_layer_after_the_code_belongs_to_the_encoder():
    model = keras.Sequential([keras.Input((6,)), dense(4), keras.layers.Activation("relu"),
                              dense(2), keras.layers.Activation("tanh"), dense(4),
                              dense(6), keras.layers.Activation("sigmoid")])
    encoder, _ = check_split(model, 2)
    assert isinstance(encoder.layers[-1], keras.layers.Activation)
    codes = encoder(X * 100).numpy()
    assert np.abs(codes).max() <= 1.0  # after tanh, not before
    leaky = keras.Sequential([keras.Input((6,)), dense(2), keras.layers.LeakyReLU(),
                              dense(6)])
    encoder, _ = check_split(leaky, 2)
    assert isinstance(encoder.layers[-1], keras.layers.LeakyReLU)


def test_a_functional_model_splits_at_the_narrowest_hidden_layer():
    inputs = keras.Input((6,))
    x = dense(5)(inputs)
    x = dense(3)(x)
    x = keras.layers.Dropout(0.2)(x)
    x = dense(5)(x)
    check_split(keras.Model(inputs, dense(6)(x)), 3)


def test_a_layer_named_code_wins_over_the_narrowest():
    inputs = keras.Input((6,))
    x = dense(2)(inputs)
    x = dense(4, name="code")(x)
    check_split(keras.Model(inputs, dense(6)(x)), 4)


def test_a_functional_model_of_an_encoder_and_a_decoder_model_splits_between_them():
    encoder_part = keras.Sequential([keras.Input((6,)), dense(4), dense(2)], name="enc")
    decoder_part = keras.Sequential([keras.Input((2,)), dense(4), dense(6)], name="dec")
    inputs = keras.Input((6,))
    model = keras.Model(inputs, decoder_part(encoder_part(inputs)))
    check_split(model, 2)


def test_a_subclassed_model_with_encoder_and_decoder_attributes_splits():
    class Autoencoder(keras.Model):
        def __init__(self):
            super().__init__()
            self.encoder = keras.Sequential([keras.Input((6,)), dense(3), dense(2)])
            self.decoder = keras.Sequential([dense(3), dense(6)])

        def call(self, x):
            return self.decoder(self.encoder(x))

    check_split(Autoencoder(), 2)


def test_a_subclassed_model_without_encoder_and_decoder_is_refused_with_the_supported_shapes():
    class Opaque(keras.Model):
        def __init__(self):
            super().__init__()
            self.a, self.b = dense(2), dense(6)

        def call(self, x):
            return self.b(self.a(x))

    with pytest.raises(ValueError, match="subclassed.*encoder.*supports one chain"):
        h.split_autoencoder(Opaque())


def test_a_subclassed_model_whose_call_is_not_its_encoder_then_decoder_is_refused():
    class Skip(keras.Model):
        def __init__(self):
            super().__init__()
            self.encoder = keras.Sequential([keras.Input((6,)), dense(2)])
            self.decoder = keras.Sequential([keras.Input((2,)), dense(6)])

        def call(self, x):
            return self.decoder(self.encoder(x)) + x  # a skip connection

    with pytest.raises(ValueError, match=r"decoder\(encoder\(x\)\) differs"):
        h.split_autoencoder(Skip())


def test_a_branching_model_is_refused_with_the_supported_shapes():
    inputs = keras.Input((6,))
    merged = keras.layers.Add()([dense(2)(inputs), dense(2)(inputs)])
    with pytest.raises(ValueError, match="branches.*supports one chain"):
        h.split_autoencoder(keras.Model(inputs, dense(6)(merged)))


def test_a_model_with_two_outputs_is_refused():
    inputs = keras.Input((6,))
    code = dense(2)(inputs)
    with pytest.raises(ValueError, match="2 outputs"):
        h.split_autoencoder(keras.Model(inputs, [dense(6)(code), dense(6)(code)]))


@pytest.mark.parametrize("hidden", [[], [keras.layers.Activation("relu")]])
def test_a_model_without_a_hidden_layer_is_refused(hidden):
    model = keras.Sequential([keras.Input((6,)), *hidden, dense(6)])
    with pytest.raises(ValueError, match="no hidden layer"):
        h.split_autoencoder(model)


def test_a_model_whose_output_is_not_as_wide_as_its_input_is_refused():
    model = keras.Sequential([keras.Input((6,)), dense(2), dense(3)])
    with pytest.raises(ValueError, match="maps 6 inputs to 3 outputs"):
        h.split_autoencoder(model)


def test_a_convolutional_model_is_refused_naming_the_layer():
    model = keras.Sequential([keras.Input((6,)), keras.layers.Reshape((6, 1)),
                              keras.layers.Conv1D(2, 3), keras.layers.Flatten(), dense(6)])
    with pytest.raises(ValueError, match="reshape.*not \\(n, width\\)"):
        h.split_autoencoder(model)


def test_splitting_twice_and_after_loading_gives_the_same_split(tmp_path):
    autoencoder, _, _ = h.build_autoencoder((6, 3, 2, 3, 6))
    check_split(autoencoder, 2)
    check_split(autoencoder, 2)
    autoencoder.save(tmp_path / "a.keras")
    check_split(keras.models.load_model(tmp_path / "a.keras"), 2)


def test_the_encoder_shares_weights_with_the_autoencoder():
    autoencoder = keras.Sequential([keras.Input((6,)), dense(2), dense(6)])
    encoder, decoder = h.split_autoencoder(autoencoder)
    autoencoder.layers[0].kernel.assign(autoencoder.layers[0].kernel + 1.0)
    np.testing.assert_allclose(decoder(encoder(X)).numpy(), autoencoder(X).numpy(), rtol=1e-5)
