"""benchmarks/scale.py on small data: the stand-in images, the cache and one measured helper."""

from __future__ import annotations

import numpy as np
from support import ROOT, load_module

scale = load_module(ROOT / "benchmarks" / "scale.py")


def test_the_stand_in_is_28_by_28_digits_with_their_labels():
    import autoenc_helpers as ah

    images, labels = scale.standin(2000)
    assert images.shape == (2000, 784) and images.dtype == np.float32
    assert 0 <= images.min() and images.max() <= 1
    digits = ah.load_digits_file()[1]
    np.testing.assert_array_equal(labels[:1797], digits)
    np.testing.assert_array_equal(labels[1797:], digits[:203])
    assert not np.array_equal(images[0], images[1797])  # the repeat has new jitter


def test_one_helper_is_measured_in_its_own_process(tmp_path, monkeypatch):
    monkeypatch.setattr(scale, "CACHE", tmp_path)
    path = scale.cached("standin", 60)
    assert path.exists()
    result = scale.run_child("plot_map_with_digits", path, 1, timeout=300)
    assert set(result) == {"cpu_s", "wall_s", "peak_mib"} and result["cpu_s"] > 0
    assert "error" in scale.run_child("load_table", tmp_path / "missing.npz", 1, timeout=300)


def test_copies_counts_items_on_a_training_point_whatever_the_map_size():
    grid = np.stack(np.meshgrid(np.arange(300.0), np.arange(300.0)), -1).reshape(-1, 2)
    on_point = grid[:10] + 1e-4  # practically on a training point
    between = grid[:10] + 0.5  # half-way to the next point: not a copy
    counted = scale.copies(np.vstack([on_point, between]), grid)
    assert counted["copies"] == 0.5
    # The map's spread is about 87 here, so 1e-3 of it (0.087) counts points 0.05 away as well,
    # though they are a twentieth of the spacing from a point: near, not on it.
    assert scale.copies(grid[:10] + 0.05, grid)["near_1e3"] == 1.0
    assert scale.copies(grid[:10] + 0.05, grid)["copies"] == 0.0
