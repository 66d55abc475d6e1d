"""The shipped data file is exactly scikit-learn's bundled digits, with a recorded checksum."""

import hashlib
import re

import numpy as np
from sklearn.datasets import load_digits

import autoenc_helpers as h


def test_data_file_matches_scikit_learn_bundled_digits():
    pixels, labels = h.load_digits_file()
    bundled = load_digits()
    np.testing.assert_array_equal(pixels * 16, bundled.data)
    np.testing.assert_array_equal(labels, bundled.target)


def digits_section() -> str:
    """The digits file's section of data/README.md (other files have sections of their own)."""
    readme = (h.DATA_DIR / "README.md").read_text()
    return readme.split("## digits_uci_test_1797.txt", 1)[1].split("\n## ", 1)[0]


def test_data_file_sha256_matches_the_one_recorded_in_data_readme():
    recorded = re.search(r"SHA-256[^`]*`([0-9a-f]{64})`", digits_section())
    assert recorded, "data/README.md must record the file's SHA-256 in backticks"
    actual = hashlib.sha256(h.DATA_FILE.read_bytes()).hexdigest()
    assert actual == recorded.group(1)


def test_class_counts_in_data_readme_match_the_file():
    _, labels = h.load_digits_file()
    readme = digits_section()
    for digit, count in enumerate(np.bincount(labels)):
        assert re.search(rf"\|\s*{digit}\s*\|\s*{count}\s*\|", readme), (digit, count)
