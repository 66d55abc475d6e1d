"""load_digits_file: shapes, scaling, and a clear error for every kind of bad input."""

from pathlib import Path

import numpy as np
import pytest

import autoenc_helpers as h

GOOD_ROW = ",".join(["0"] * 32 + ["16"] * 32 + ["7"])


def write(tmp_path: Path, text: str, newline: str = "\n") -> Path:
    path = tmp_path / "digits.txt"
    path.write_bytes(text.replace("\n", newline).encode())
    return path


def test_shipped_file_loads_as_scaled_float32_pixels_and_int_labels():
    pixels, labels = h.load_digits_file()
    assert pixels.shape == (1797, 64) and pixels.dtype == np.float32
    assert labels.shape == (1797,) and np.issubdtype(labels.dtype, np.integer)
    assert pixels.min() == 0.0 and pixels.max() == 1.0
    assert set(np.unique(labels)) == set(range(10))


def test_data_file_path_does_not_depend_on_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert h.DATA_FILE.is_absolute() and h.DATA_FILE.is_file()
    assert h.load_digits_file()[0].shape == (1797, 64)


def test_values_are_divided_by_16_and_label_kept(tmp_path):
    pixels, labels = h.load_digits_file(write(tmp_path, GOOD_ROW + "\n"))
    assert pixels[0, 0] == 0.0 and pixels[0, 63] == 1.0
    assert labels.tolist() == [7]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_windows_line_endings_and_final_newline_are_accepted(tmp_path, newline):
    path = write(tmp_path, f"{GOOD_ROW}\n{GOOD_ROW}\n", newline)
    assert h.load_digits_file(path)[0].shape == (2, 64)


def test_file_without_final_newline_is_accepted(tmp_path):
    assert h.load_digits_file(write(tmp_path, GOOD_ROW))[0].shape == (1, 64)


def test_missing_file_raises_file_not_found_naming_the_path(tmp_path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(FileNotFoundError, match="nope.txt"):
        h.load_digits_file(missing)


def test_empty_file_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="empty"):
        h.load_digits_file(write(tmp_path, ""))


def test_empty_line_is_an_error_naming_its_line(tmp_path):
    with pytest.raises(ValueError, match="line 2: empty line"):
        h.load_digits_file(write(tmp_path, f"{GOOD_ROW}\n\n{GOOD_ROW}\n"))


def test_wrong_column_count_names_line_and_count(tmp_path):
    short = ",".join(["1"] * 64)
    with pytest.raises(ValueError, match=r"line 2: expected 65 .* found 64"):
        h.load_digits_file(write(tmp_path, f"{GOOD_ROW}\n{short}\n"))


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("abc", "non-numeric value 'abc'"),
        ("nan", "NaN value 'nan'"),
        ("3.5", "non-integer value '3.5'"),
        ("17", "pixel value 17 is outside 0-16"),
        ("-1", "pixel value -1 is outside 0-16"),
    ],
)
def test_bad_pixel_names_file_line_column_and_value(tmp_path, token, message):
    fields = GOOD_ROW.split(",")
    fields[5] = token
    path = write(tmp_path, f"{GOOD_ROW}\n{GOOD_ROW}\n{','.join(fields)}\n")
    with pytest.raises(ValueError) as info:
        h.load_digits_file(path)
    text = str(info.value)
    assert "digits.txt, line 3, column 6" in text
    assert message in text


@pytest.mark.parametrize("label", ["10", "-1"])
def test_label_outside_0_to_9_names_line_and_value(tmp_path, label):
    row = GOOD_ROW.rsplit(",", 1)[0] + "," + label
    with pytest.raises(ValueError, match=rf"line 1, column 65: label {label} is outside 0-9"):
        h.load_digits_file(write(tmp_path, row + "\n"))
