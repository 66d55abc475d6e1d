"""build_autoencoder, split_autoencoder and EpochLogger."""

import numpy as np
import pytest

import autoenc_helpers as h


def test_book_model_has_4354_parameters_and_a_2d_code():
    autoencoder, encoder, decoder = h.build_autoencoder()
    assert autoencoder.count_params() == 64 * 32 + 32 + 32 * 2 + 2 + 2 * 32 + 32 + 32 * 64 + 64
    assert autoencoder.count_params() == 4354
    assert encoder.output_shape == (None, 2)
    assert decoder.input_shape == (None, 2) and decoder.output_shape == (None, 64)


def test_encoder_and_decoder_share_weights_with_the_autoencoder():
    autoencoder, encoder, decoder = h.build_autoencoder((6, 3, 2, 3, 6))
    x = np.random.default_rng(0).random((4, 6)).astype("float32")
    first = autoencoder.layers[1]
    first.kernel.assign(first.kernel.numpy() + 1.0)
    assert encoder.layers[1] is first
    np.testing.assert_allclose(
        decoder.predict(encoder.predict(x, verbose=0), verbose=0),
        autoencoder.predict(x, verbose=0),
        rtol=1e-5,
    )


def test_every_layer_gets_its_own_initial_kernel():
    autoencoder, _, _ = h.build_autoencoder()
    kernels = [layer.kernel.numpy() for layer in autoencoder.layers[1:]]
    assert not np.array_equal(kernels[0].ravel(), kernels[3].ravel())
    assert not np.array_equal(kernels[1].ravel(), kernels[2].ravel())


def test_same_seed_builds_the_same_weights_and_another_seed_does_not():
    a = h.build_autoencoder(seed=1)[0].get_weights()
    b = h.build_autoencoder(seed=1)[0].get_weights()
    c = h.build_autoencoder(seed=2)[0].get_weights()
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])


def test_activations_can_differ_at_the_bottleneck_and_output():
    autoencoder, _, _ = h.build_autoencoder(
        (64, 16, 2, 16, 64), activation="relu", bottleneck_activation="linear",
        output_activation="sigmoid",
    )
    names = [layer.activation.__name__ for layer in autoencoder.layers[1:]]
    assert names == ["relu", "linear", "relu", "sigmoid"]


@pytest.mark.parametrize(
    ("sizes", "message"),
    [((64, 2, 2, 64), "odd length"), ((64, 64), "at least 3"), ((64, 32, 2, 16, 64), "symmetric"),
     ((4, 0, 4), "positive")],
)
def test_bad_layer_sizes_are_rejected_with_a_reason(sizes, message):
    with pytest.raises(ValueError, match=message):
        h.build_autoencoder(sizes)


def test_split_autoencoder_finds_the_narrowest_layer_as_the_code():
    autoencoder, _, _ = h.build_autoencoder((8, 5, 3, 5, 8))
    encoder, decoder = h.split_autoencoder(autoencoder)
    assert encoder.output_shape == (None, 3) and decoder.input_shape == (None, 3)


def test_epoch_logger_prints_every_n_epochs_and_the_last(capsys):
    logger = h.EpochLogger(every=2)
    logger.set_params({"epochs": 5})
    for epoch, loss in enumerate([0.5, 0.4, 0.3, 0.2, 0.1]):
        logger.on_epoch_end(epoch, {"loss": loss})
    assert capsys.readouterr().out.splitlines() == [
        "epoch =    0 loss = 0.500000",
        "epoch =    2 loss = 0.300000",
        "epoch =    4 loss = 0.100000",
    ]


def test_epoch_logger_works_with_fit(capsys):
    autoencoder, _, _ = h.build_autoencoder((6, 3, 2, 3, 6))
    autoencoder.compile(optimizer="adam", loss="mean_squared_error")
    x = np.random.default_rng(0).random((16, 6)).astype("float32")
    autoencoder.fit(x, x, epochs=3, batch_size=8, verbose=0, callbacks=[h.EpochLogger(every=10)])
    lines = capsys.readouterr().out.splitlines()
    assert [line[:12] for line in lines] == ["epoch =    0", "epoch =    2"]


def test_epoch_logger_rejects_every_below_one():
    with pytest.raises(ValueError):
        h.EpochLogger(every=0)


def test_importing_the_module_does_not_import_keras():
    import subprocess
    import sys

    code = "import sys, autoenc_helpers; print('keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_encode_matches_predict_in_batches_and_prints_nothing(capsys):
    _, encoder, _ = h.build_autoencoder(seed=3)
    data = np.random.default_rng(0).random((2500, 64), dtype=np.float32)
    codes = h.encode(encoder, data, batch_size=1000)
    assert codes.shape == (2500, 2) and codes.dtype == np.float32
    np.testing.assert_allclose(codes, encoder.predict(data, verbose=0), rtol=1e-5, atol=1e-6)
    assert capsys.readouterr().out == ""


def test_encode_refuses_data_of_the_wrong_width():
    _, encoder, _ = h.build_autoencoder(seed=3)
    with pytest.raises(ValueError, match=r"shape \(n, 64\)"):
        h.encode(encoder, np.zeros((3, 8)))
