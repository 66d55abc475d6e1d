"""The default class palette stays readable with a colour-vision deficiency.

Each of the 10 digit colours is passed through colorspacious's simulation of deuteranomaly,
protanomaly and tritanomaly at severity 100 (Machado, Oliveira and Fernandes 2009), then the
smallest CAM02-UCS distance between any two of them is measured. The book's nipy_spectral is
measured too, so the test shows the difference it makes.
"""

import itertools

import numpy as np
import pytest
from colorspacious import cspace_convert

import autoenc_helpers as h

DEFICIENCIES = ["deuteranomaly", "protanomaly", "tritanomaly"]
MIN_DISTANCE = 12.0


def smallest_distance(cmap_name: str, deficiency: str | None, n: int = 10) -> float:
    rgb = h.get_colormap(cmap_name, n)(np.arange(n))[:, :3]
    if deficiency is not None:
        space = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}
        rgb = np.clip(cspace_convert(rgb, space, "sRGB1"), 0, 1)
    ucs = cspace_convert(rgb, "sRGB1", "CAM02-UCS")
    return min(float(np.linalg.norm(a - b)) for a, b in itertools.combinations(ucs, 2))


@pytest.mark.parametrize("deficiency", [None, *DEFICIENCIES])
def test_default_palette_keeps_ten_digits_apart(deficiency):
    distance = smallest_distance(h.DEFAULT_CMAP, deficiency)
    print(f"{h.DEFAULT_CMAP} {deficiency or 'normal vision'}: {distance:.1f}")
    assert distance >= MIN_DISTANCE


def test_books_nipy_spectral_falls_short_under_deuteranomaly():
    assert smallest_distance("nipy_spectral", "deuteranomaly") < MIN_DISTANCE


def test_plot_embedding_uses_the_default_palette_and_accepts_the_books_by_name():
    points = np.random.default_rng(0).normal(size=(20, 2))
    labels = np.repeat(np.arange(10), 2)
    assert h.plot_embedding(points, labels).collections[0].get_cmap().name == h.DEFAULT_CMAP
    ax = h.plot_embedding(points, labels, cmap="nipy_spectral")
    assert ax.collections[0].get_cmap().name.startswith("nipy_spectral")
