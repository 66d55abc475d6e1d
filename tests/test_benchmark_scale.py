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
