"""digit_to_hex, plot_digit and plot_digit_grid."""

import numpy as np
import pytest

import autoenc_helpers as h


def test_hex_grid_has_8_lines_of_8_symbols():
    pixels, _ = h.load_digits_file()
    lines = h.digit_to_hex(pixels[0]).splitlines()
    assert len(lines) == 8
    assert all(len(line.split()) == 8 for line in lines)


def test_hex_shows_0_to_15_as_hex_digits_and_16_as_g():
    raw = np.array(list(range(17)) + [0] * 47)
    symbols = h.digit_to_hex(raw).split()
    assert symbols[:17] == list("0123456789ABCDEFG")


def test_hex_gives_the_same_grid_for_raw_and_scaled_pixels():
    pixels, _ = h.load_digits_file()
    assert h.digit_to_hex(pixels[3]) == h.digit_to_hex(pixels[3] * 16)


def test_hex_of_first_shipped_digit_reads_row_by_row():
    pixels, _ = h.load_digits_file()
    assert h.digit_to_hex(pixels[0]).splitlines()[0] == "0 0 5 D 9 1 0 0"


@pytest.mark.parametrize("bad", [np.zeros(63), np.full(64, 17.0), np.full(64, np.nan)])
def test_hex_rejects_wrong_length_or_out_of_range_rows(bad):
    with pytest.raises(ValueError):
        h.digit_to_hex(bad)


def test_plot_digit_draws_an_8x8_image_with_title():
    pixels, _ = h.load_digits_file()
    ax = h.plot_digit(pixels[0], title="a zero")
    image = ax.get_images()[0].get_array()
    assert image.shape == (8, 8)
    assert image[0, 2] == 5 and image[0, 3] == 13
    assert ax.get_title() == "a zero"


def test_plot_digit_grid_titles_each_digit_with_its_label():
    pixels, labels = h.load_digits_file()
    fig = h.plot_digit_grid(pixels[:12], labels[:12], ncols=5)
    drawn = [ax for ax in fig.axes if ax.get_images()]
    assert len(drawn) == 12
    assert [ax.get_title() for ax in drawn] == [str(v) for v in labels[:12]]
    assert len(fig.axes) == 15  # three rows of five; the last three stay blank


def test_plot_digit_grid_rejects_mismatched_labels():
    pixels, labels = h.load_digits_file()
    with pytest.raises(ValueError, match="3 rows but 2 labels"):
        h.plot_digit_grid(pixels[:3], labels[:2])
