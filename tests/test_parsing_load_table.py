"""load_table: features scaled per column, labels kept, and a clear error for every bad input.

Also checks the shipped data/iris.csv: it is scikit-learn's bundled Iris, with the checksum and
class counts that data/README.md records.
"""

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_iris

import autoenc_helpers as h

IRIS = h.DATA_DIR / "iris.csv"
GOOD = "a,b,kind\n1,10,x\n3,30,y\n2,20,x\n"


def write(tmp_path: Path, text: str, newline: str = "\n", name: str = "table.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode())
    return path


def iris_readme_section() -> str:
    readme = (h.DATA_DIR / "README.md").read_text()
    match = re.search(r"^## iris\.csv$(.*?)(?=^## |\Z)", readme, flags=re.MULTILINE | re.DOTALL)
    assert match, "data/README.md needs a '## iris.csv' section"
    return match.group(1)


# --- the happy path ------------------------------------------------------------------------


def test_features_labels_and_names_come_back_in_file_order(tmp_path):
    features, labels, names = h.load_table(write(tmp_path, GOOD), label_column="kind")
    assert features.dtype == np.float32 and features.shape == (3, 2)
    assert names == ["a", "b"]
    assert labels.tolist() == ["x", "y", "x"]


def test_each_column_is_scaled_to_0_1_by_its_own_min_and_max(tmp_path):
    text = "a,b\n1,-10\n3,30\n2,10\n"
    features, _, _ = h.load_table(write(tmp_path, text))
    np.testing.assert_allclose(features, [[0, 0], [1, 1], [0.5, 0.5]])
    assert features.min() == 0.0 and features.max() == 1.0


def test_a_constant_column_becomes_zeros(tmp_path):
    features, _, _ = h.load_table(write(tmp_path, "a,b\n5,1\n5,2\n5,3\n"))
    assert features[:, 0].tolist() == [0.0, 0.0, 0.0]
    assert features[:, 1].tolist() == [0.0, 0.5, 1.0]


def test_without_a_label_column_every_column_is_a_feature_and_labels_are_none(tmp_path):
    features, labels, names = h.load_table(write(tmp_path, "a,b,c\n1,2,3\n4,5,6\n"))
    assert labels is None
    assert names == ["a", "b", "c"] and features.shape == (2, 3)


def test_label_column_may_be_anywhere_in_the_row(tmp_path):
    text = "kind,a,b\nx,1,2\ny,3,4\n"
    features, labels, names = h.load_table(write(tmp_path, text), label_column="kind")
    assert names == ["a", "b"] and labels.tolist() == ["x", "y"]
    np.testing.assert_array_equal(features, [[0, 0], [1, 1]])


def test_whole_number_labels_become_integers_and_other_labels_stay_strings(tmp_path):
    _, labels, _ = h.load_table(write(tmp_path, "a,y\n1,10\n2,2\n"), label_column="y")
    assert np.issubdtype(labels.dtype, np.integer) and labels.tolist() == [10, 2]
    _, labels, _ = h.load_table(write(tmp_path, "a,y\n1,1.5\n2,2\n"), label_column="y")
    assert labels.dtype.kind == "U" and labels.tolist() == ["1.5", "2"]


def test_quoted_fields_spaces_and_other_delimiters_are_read(tmp_path):
    text = 'a;"b";name\n" 1.5";2;"Smith; J."\n2.5 ;4;Doe\n'
    features, labels, names = h.load_table(write(tmp_path, text), "name", delimiter=";")
    assert names == ["a", "b"] and labels.tolist() == ["Smith; J.", "Doe"]
    np.testing.assert_array_equal(features, [[0, 0], [1, 1]])


def test_scientific_notation_and_negative_numbers_are_numbers(tmp_path):
    features, _, _ = h.load_table(write(tmp_path, "a\n-1e2\n1E2\n0\n"))
    assert features[:, 0].tolist() == [0.0, 1.0, 0.5]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_windows_line_endings_and_final_newline_are_accepted(tmp_path, newline):
    features, labels, _ = h.load_table(write(tmp_path, GOOD, newline), label_column="kind")
    assert features.shape == (3, 2) and labels.tolist() == ["x", "y", "x"]


def test_file_without_final_newline_and_with_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffa,kind\n1,x\n2,y".encode())
    features, labels, names = h.load_table(path, label_column="kind")
    assert names == ["a"] and labels.tolist() == ["x", "y"]


def test_path_may_be_a_string(tmp_path):
    assert h.load_table(str(write(tmp_path, GOOD)), "kind")[0].shape == (3, 2)


# --- errors: each names the file and where the problem is --------------------------------


def test_missing_file_raises_file_not_found_naming_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        h.load_table(tmp_path / "nope.csv")


def test_empty_file_is_an_error(tmp_path):
    with pytest.raises(ValueError, match=r"table\.csv: the file is empty"):
        h.load_table(write(tmp_path, ""))


def test_header_only_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="header but no data rows"):
        h.load_table(write(tmp_path, "a,b,kind\n"), label_column="kind")


def test_empty_line_is_an_error_naming_its_line(tmp_path):
    with pytest.raises(ValueError, match=r"table\.csv, line 3: empty line"):
        h.load_table(write(tmp_path, "a,b\n1,2\n\n3,4\n"))


@pytest.mark.parametrize(("row", "found"), [("1,2", 2), ("1,2,x,9", 4)])
def test_wrong_number_of_fields_names_the_line_and_counts(tmp_path, row, found):
    path = write(tmp_path, f"a,b,kind\n1,2,x\n{row}\n")
    with pytest.raises(ValueError, match=rf"line 3: expected 3 fields .*found {found}"):
        h.load_table(path, label_column="kind")


def test_missing_value_names_line_column_number_and_name(tmp_path):
    path = write(tmp_path, "a,b,kind\n1,2,x\n3,,y\n")
    with pytest.raises(ValueError) as info:
        h.load_table(path, label_column="kind")
    assert "table.csv, line 3, column 2 ('b'): missing value" in str(info.value)


def test_missing_label_names_line_and_column(tmp_path):
    path = write(tmp_path, "a,b,kind\n1,2,x\n3,4, \n")
    with pytest.raises(ValueError, match=r"line 3, column 3 \('kind'\): missing label"):
        h.load_table(path, label_column="kind")


def test_non_numeric_feature_names_line_column_and_value(tmp_path):
    path = write(tmp_path, "a,b,kind\n1,2,x\n3,four,y\n")
    with pytest.raises(ValueError) as info:
        h.load_table(path, label_column="kind")
    assert "table.csv, line 3, column 2 ('b'): non-numeric value 'four'" in str(info.value)


def test_text_column_without_label_column_suggests_passing_it(tmp_path):
    with pytest.raises(ValueError) as info:
        h.load_table(write(tmp_path, GOOD))
    text = str(info.value)
    assert "line 2, column 3 ('kind'): non-numeric value 'x'" in text
    assert "label_column='kind'" in text


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("nan", "NaN value 'nan'"),
        ("NaN", "NaN value 'NaN'"),
        ("inf", "infinite value 'inf'"),
        ("-Infinity", "infinite value '-Infinity'"),
    ],
)
def test_nan_and_infinity_name_line_column_and_value(tmp_path, token, message):
    path = write(tmp_path, f"a,b\n1,2\n3,4\n5,{token}\n")
    with pytest.raises(ValueError) as info:
        h.load_table(path)
    assert f"table.csv, line 4, column 2 ('b'): {message}" in str(info.value)


def test_unknown_label_column_lists_the_columns_there_are(tmp_path):
    with pytest.raises(ValueError) as info:
        h.load_table(write(tmp_path, GOOD), label_column="species")
    text = str(info.value)
    assert "no column named 'species'" in text and "['a', 'b', 'kind']" in text


def test_duplicate_column_names_are_an_error(tmp_path):
    with pytest.raises(ValueError, match=r"duplicate column names .*\['a'\]"):
        h.load_table(write(tmp_path, "a,b,a\n1,2,3\n"))


def test_column_without_a_name_is_an_error(tmp_path):
    with pytest.raises(ValueError, match=r"line 1, column 1: column has no name"):
        h.load_table(write(tmp_path, ",a\n0,1\n"))


def test_a_label_column_alone_leaves_no_features(tmp_path):
    with pytest.raises(ValueError, match="no feature columns"):
        h.load_table(write(tmp_path, "kind\nx\ny\n"), label_column="kind")


def test_line_numbers_count_physical_lines_when_a_quoted_field_spans_lines(tmp_path):
    path = write(tmp_path, 'a,note\n1,"two\nlines"\nbad,ok\n')
    with pytest.raises(ValueError, match=r"line 4, column 1 \('a'\): non-numeric value 'bad'"):
        h.load_table(path, label_column="note")


# --- the shipped iris.csv -------------------------------------------------------------------


def test_iris_csv_loads_to_150_by_4_features_and_species_names():
    features, labels, names = h.load_table(IRIS, label_column="species")
    assert features.shape == (150, 4) and features.dtype == np.float32
    assert names == ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    assert features.min() == 0.0 and features.max() == 1.0
    assert sorted(set(labels.tolist())) == ["setosa", "versicolor", "virginica"]


def test_iris_csv_matches_scikit_learn_bundled_iris():
    iris = load_iris()
    features, labels, _ = h.load_table(IRIS, label_column="species")
    low, high = iris.data.min(axis=0), iris.data.max(axis=0)
    np.testing.assert_allclose(features, (iris.data - low) / (high - low), atol=1e-6)
    np.testing.assert_array_equal(labels, iris.target_names[iris.target])
    rows = [line.split(",") for line in IRIS.read_text().splitlines()[1:]]
    np.testing.assert_array_equal(np.array([r[:4] for r in rows], dtype=float), iris.data)


def test_iris_csv_sha256_matches_the_one_recorded_in_data_readme():
    recorded = re.search(r"SHA-256[^`]*`([0-9a-f]{64})`", iris_readme_section())
    assert recorded, "the iris.csv section of data/README.md must record its SHA-256"
    assert hashlib.sha256(IRIS.read_bytes()).hexdigest() == recorded.group(1)


def test_iris_class_counts_in_data_readme_match_the_file():
    _, labels, _ = h.load_table(IRIS, label_column="species")
    section = iris_readme_section()
    for name, count in zip(*np.unique(labels, return_counts=True), strict=True):
        assert re.search(rf"\|\s*{name}\s*\|\s*{count}\s*\|", section), (name, count)
