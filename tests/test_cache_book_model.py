"""Book-model cache: a damaged cached model is detected and retrained with a warning naming the
file, and a crash while saving never leaves a file at the final path."""

import shutil
import zipfile

import keras
import numpy as np
import pytest

import autoenc_helpers as h

EPOCHS = 2


@pytest.fixture(scope="module")
def good_file(tmp_path_factory):
    """A correct cache file, trained once for the module."""
    folder = tmp_path_factory.mktemp("good")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(h, "MODELS_DIR", folder)
        h.get_trained_book_model(epochs=EPOCHS)
    return folder / f"book_autoencoder_e{EPOCHS}_s1.keras"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setattr(h, "MODELS_DIR", tmp_path)
    return tmp_path / f"book_autoencoder_e{EPOCHS}_s1.keras"


def damage(path, good_file, how):
    if how == "empty":
        path.write_bytes(b"")
    elif how == "truncated":
        path.write_bytes(good_file.read_bytes()[: good_file.stat().st_size // 2])
    elif how == "not a zip":
        path.write_text("<html>404 Not Found</html>")
    elif how == "corrupt member":
        data = bytearray(good_file.read_bytes())
        middle = len(data) // 2
        data[middle : middle + 64] = bytes(64)
        path.write_bytes(bytes(data))
    elif how == "other architecture":
        other, _, _ = h.build_autoencoder((64, 16, 3, 16, 64))
        other.save(path)
    elif how == "nan weights":
        model = keras.models.load_model(good_file)
        model.layers[1].kernel.assign(np.full(model.layers[1].kernel.shape, np.nan))
        model.save(path)


@pytest.mark.parametrize("how", ["empty", "truncated", "not a zip", "corrupt member",
                                 "other architecture", "nan weights"])
def test_a_damaged_cache_is_retrained_with_a_warning_naming_the_file(good_file, cache, how):
    # The reproducer: a zero-byte file made every notebook from 05 on stop with Keras's
    # "File not found" for a file that exists.
    damage(cache, good_file, how)
    with pytest.warns(UserWarning, match=rf"{cache.name} is damaged: .*Retraining"):
        autoencoder, encoder, decoder = h.get_trained_book_model(epochs=EPOCHS)
    assert zipfile.is_zipfile(cache)
    assert sorted(p.name for p in cache.parent.iterdir()) == [cache.name]
    reference = keras.models.load_model(good_file)
    for a, b in zip(autoencoder.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert encoder.output_shape == (None, 2) and decoder.output_shape == (None, 64)


def test_a_good_cache_is_loaded_without_a_warning(good_file, cache, recwarn):
    shutil.copy(good_file, cache)
    h.get_trained_book_model(epochs=EPOCHS)
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]


def test_a_crash_while_saving_leaves_no_file_at_the_final_path(cache, monkeypatch):
    def crash(self, filepath, *args, **kwargs):
        with open(filepath, "wb") as half:
            half.write(b"PK\x03\x04 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(keras.Model, "save", crash)
    with pytest.raises(OSError, match="disk full"):
        h.get_trained_book_model(epochs=EPOCHS)
    assert list(cache.parent.iterdir()) == []
