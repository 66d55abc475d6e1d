"""Own files (parsing): the files people bring, read right or refused with a message that helps.

B: the shape of a CSV (delimiters, headers, Excel exports); C: text encodings; D: numbers and
labels as written. Every reproducer from the issue is here, with more members of each kind.
The fast reader (pandas) and the exact reader agree: a test loads files both ways, with the
fast reader switched off for the second.
"""

from pathlib import Path

import numpy as np
import pytest

import autoenc_helpers as h
from _autoenc import parsing


def write(tmp_path: Path, data: str | bytes, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def error_of(path, **kwargs) -> str:
    with pytest.raises(ValueError) as info:
        h.load_table(path, **kwargs)
    return str(info.value)


# --- B: the shape of a CSV ---------------------------------------------------------------


@pytest.mark.parametrize(("delimiter", "spelled"), [(";", "';'"), ("\t", "'\\t'")])
def test_a_header_in_one_field_holding_another_delimiter_says_which_to_pass(
        tmp_path, delimiter, spelled):
    # The reproducer: 'a;b\n1;2\n' once suggested label_column='a;b', a dead end.
    path = write(tmp_path, f"a{delimiter}b\n1{delimiter}2\n")
    message = error_of(path)
    assert f"pass delimiter={spelled}" in message and "line 1" in message
    assert "label_column" not in message
    features, _, names = h.load_table(path, delimiter=delimiter)
    assert names == ["a", "b"] and features.shape == (1, 2)


def test_a_comma_file_read_with_a_semicolon_says_to_pass_a_comma(tmp_path):
    assert "pass delimiter=','" in error_of(write(tmp_path, "a,b\n1,2\n"), delimiter=";")


@pytest.mark.parametrize("text", ["1,2\n3,4\n5,6\n", "0.5,2e3\n3,4\n", "1,2,cat\n3,4,dog\n"])
def test_a_file_without_a_header_is_refused_not_read_minus_its_first_row(tmp_path, text):
    # The reproducer: '1,2\n3,4\n5,6\n' used to give 2 of 3 rows, features named '1' and '2'.
    message = error_of(write(tmp_path, text))
    assert "line 1" in message and "looks like data, not a header" in message
    assert "label_column" not in message


def test_column_names_that_are_words_with_digits_are_a_header(tmp_path):
    features, _, names = h.load_table(write(tmp_path, "x1,x2\n1,2\n3,4\n"))
    assert names == ["x1", "x2"] and features.shape == (2, 2)


def test_excels_sep_line_is_explained(tmp_path):
    message = error_of(write(tmp_path, "sep=;\na;b\n1;2\n"), delimiter=";")
    assert "Excel's delimiter line" in message and "delete" in message


def test_an_excel_export_with_bom_crlf_quotes_and_trailing_delimiters_loads(tmp_path):
    text = '\ufeff"id","height","kind",\r\n"1","1.5","a",\r\n"2","2.5","b",\r\n"3","3.5","a",\r\n'
    features, labels, names = h.load_table(write(tmp_path, text), label_column="kind")
    assert names == ["id", "height"] and labels.tolist() == ["a", "b", "a"]
    np.testing.assert_allclose(features, [[0, 0], [0.5, 0.5], [1, 1]])


def test_a_trailing_delimiter_column_that_holds_a_value_is_an_error(tmp_path):
    message = error_of(write(tmp_path, "a,b,\n1,2,\n3,4,9\n"))
    assert "line 3, column 3" in message and "'9'" in message


def test_tab_separated_and_semicolon_separated_files_load_alike(tmp_path):
    tab = h.load_table(write(tmp_path, "a\tb\tk\n1\t2\tx\n3\t4\ty\n", "t.tsv"), "k", "\t")
    semi = h.load_table(write(tmp_path, "a;b;k\n1;2;x\n3;4;y\n", "s.csv"), "k", ";")
    np.testing.assert_array_equal(tab[0], semi[0])
    assert tab[1].tolist() == semi[1].tolist() == ["x", "y"]


def test_a_decimal_comma_in_a_semicolon_file_is_named(tmp_path):
    message = error_of(write(tmp_path, "a;b\n1,5;2\n"), delimiter=";")
    assert "line 2, column 1 ('a')" in message and "decimal comma" in message


def test_the_label_hint_appears_for_a_text_column_only(tmp_path):
    typo = write(tmp_path, "a,b\n1,2\n3,about 4\n5,6\n", "typo.csv")
    message = error_of(typo)
    assert "non-numeric value 'about 4'" in message and "label_column" not in message
    words = write(tmp_path, "a,kind\n1,x\n2,y\n", "words.csv")
    assert "pass label_column='kind'" in error_of(words)
    two_text = write(tmp_path, "name,a,kind\nann,1,x\nbob,2,y\n", "two.csv")
    message = error_of(two_text, label_column="kind")
    assert "only one column can be the labels" in message and "'name'" in message


@pytest.mark.parametrize("text", ["a,b\n1,2\n\n3,4\n", "a,b\n1,2\n   \n3,4\n"])
def test_no_row_is_ever_dropped_a_blank_line_is_an_error(tmp_path, text):
    assert "line 3: empty line" in error_of(write(tmp_path, text))


@pytest.mark.parametrize(("text", "line", "found"),
                         [("a,b\n1,2,3\n3,4\n", 2, 3), ("a,b\n1,2\n3,4,5\n", 3, 3),
                          ("a,b\n1,2\n3\n", 3, 1)])
def test_a_row_with_another_field_count_is_an_error_wherever_it_is(tmp_path, text, line, found):
    # pandas alone would drop the extra fields of a first row with a mere warning.
    message = error_of(write(tmp_path, text))
    assert f"line {line}: expected 2 fields (as in the header), found {found}" in message


def test_a_missing_last_field_is_an_error_even_for_the_label(tmp_path):
    message = error_of(write(tmp_path, "a,kind\n1,x\n2\n"), label_column="kind")
    assert "line 3: expected 2 fields" in message


def test_a_multi_character_delimiter_is_refused(tmp_path):
    with pytest.raises(ValueError, match="one character"):
        h.load_table(write(tmp_path, "a,b\n1,2\n"), delimiter=", ")


# --- C: text encodings ---------------------------------------------------------------------


def test_a_latin1_file_names_the_file_and_line_and_how_to_resave(tmp_path):
    # The reproducer: a bare UnicodeDecodeError "... position 9".
    path = write(tmp_path, b"a,b,label\n1,2,caf\xe9\n")
    message = error_of(path, label_column="label")
    assert str(path) in message and "line 2" in message
    assert "not UTF-8" in message and "CSV UTF-8" in message and "'é'" in message


def test_a_cp1252_file_names_its_line(tmp_path):
    data = "a,label\n1,ok\n2,ok\n3,\u201cquoted\u201d\n".encode("cp1252")
    assert "line 4" in error_of(write(tmp_path, data), label_column="label")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_a_utf16_or_utf32_file_is_named_as_such(tmp_path, encoding):
    message = error_of(write(tmp_path, "a\tb\n1\t2\n".encode(encoding)), delimiter="\t")
    assert "UTF-16" in message or "UTF-32" in message or "zero byte" in message
    assert "CSV UTF-8" in message


def test_both_loaders_accept_a_utf8_byte_order_mark(tmp_path):
    row = ",".join(["0"] * 64 + ["3"])
    pixels, labels = h.load_digits_file(write(tmp_path, "\ufeff" + row + "\n", "d.txt"))
    assert labels.tolist() == [3] and pixels.shape == (1, 64)
    features, labels, names = h.load_table(write(tmp_path, "\ufeffa,k\n1,x\n"), "k")
    assert names == ["a"] and labels.tolist() == ["x"]


def test_the_digits_loader_names_a_non_utf8_line(tmp_path):
    row = ",".join(["0"] * 64 + ["3"])
    path = write(tmp_path, (row + "\n" + row + "\xe9\n").encode("latin-1"), "d.txt")
    with pytest.raises(ValueError, match=r"d\.txt, line 2: the digits file is not UTF-8"):
        h.load_digits_file(path)


def test_utf8_labels_with_accents_are_kept(tmp_path):
    _, labels, _ = h.load_table(write(tmp_path, "a,k\n1,café\n2,naïve\n"), "k")
    assert labels.tolist() == ["café", "naïve"]


# --- D: numbers and labels as written -------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"), [("1", "1.0"), ("01", "1"), ("007", "7"), ("1", "+1"), ("0", "-0"),
                          ("1e0", "1"), ("2.50", "2.5")])
def test_two_spellings_of_one_number_are_an_error_naming_both_and_their_lines(
        tmp_path, first, second):
    path = write(tmp_path, f"a,y\n1,{first}\n2,x\n3,{second}\n")
    message = error_of(path, label_column="y")
    assert f"{first!r} (line 2)" in message and f"{second!r} (line 4)" in message
    assert "same number" in message


def test_plain_whole_numbers_become_int_labels(tmp_path):
    _, labels, _ = h.load_table(write(tmp_path, "a,y\n1,0\n2,-3\n3,42\n"), "y")
    assert labels.dtype == np.int64 and labels.tolist() == [0, -3, 42]


def test_zero_padded_ids_stay_text_exactly_as_written(tmp_path):
    _, labels, _ = h.load_table(write(tmp_path, "a,id\n1,007\n2,008\n3,010\n"), "id")
    assert labels.dtype.kind == "U" and labels.tolist() == ["007", "008", "010"]


def test_decimal_labels_stay_text_and_never_merge(tmp_path):
    _, labels, _ = h.load_table(write(tmp_path, "a,y\n1,1.5\n2,2.5\n3,1.5\n"), "y")
    assert labels.tolist() == ["1.5", "2.5", "1.5"]


def test_quoted_numbers_as_excel_writes_them_are_numbers_and_labels(tmp_path):
    features, labels, _ = h.load_table(write(tmp_path, 'a,y\n"1","3"\n"2","4"\n'), "y")
    assert labels.tolist() == [3, 4] and features[:, 0].tolist() == [0.0, 1.0]


def test_a_label_integer_too_large_for_int64_names_its_line(tmp_path):
    path = write(tmp_path, "a,y\n1,5\n2,99999999999999999999\n")
    message = error_of(path, label_column="y")
    assert "line 3" in message and "99999999999999999999" in message and "64-bit" in message


@pytest.mark.parametrize(
    ("token", "reason"),
    [("1_000", "underscores"), ("1e999", "overflows to infinity"), ("-1e400", "overflows"),
     ("\u0661\u0662", "non-numeric"), ("0x10", "non-numeric"), ("infinity", "infinite"),
     ("NA", "missing value 'NA'"), ("1.5.2", "non-numeric"), ("\uff11", "non-numeric")])
def test_numbers_a_person_would_not_write_are_refused_with_file_line_and_value(
        tmp_path, token, reason):
    path = write(tmp_path, f"a,b\n1,2\n3,{token}\n")
    message = error_of(path)
    assert "t.csv, line 3, column 2 ('b')" in message and reason in message


@pytest.mark.parametrize("token", ["+1", ".5", "5.", "1E3", "-2.5e-3", " 7 "])
def test_numbers_people_write_are_read(tmp_path, token):
    features, _, _ = h.load_table(write(tmp_path, f"a,b\n0,0\n{token},1\n"))
    assert features.shape == (2, 2)


def test_values_spanning_more_than_the_float64_range_are_refused(tmp_path):
    assert "float64 range" in error_of(write(tmp_path, "a\n-1e308\n1e308\n"))


@pytest.mark.parametrize("label", ["07", "7.0", "+7", "seven"])
def test_the_digits_loader_keeps_the_same_label_rule(tmp_path, label):
    row = ",".join(["0"] * 64 + [label])
    with pytest.raises(ValueError, match="line 1, column 65"):
        h.load_digits_file(write(tmp_path, row + "\n", "d.txt"))


@pytest.mark.parametrize("token", ["1_6", "16e999", "nan"])
def test_the_digits_loader_refuses_odd_pixel_numbers(tmp_path, token):
    row = ",".join([token] + ["0"] * 63 + ["1"])
    with pytest.raises(ValueError, match="line 1, column 1"):
        h.load_digits_file(write(tmp_path, row + "\n", "d.txt"))


# --- the fast and the exact reader agree ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label"),
    [("a,b,k\n1,2,x\n3,4,y\n5,6,x\n", "k"), ("a,b\n 1 ,+2\n.5,5.\n1e3,-2.5e-3\n", None),
     ("k;a\n7;0.1\n8;0.2\n", "k"), ("a,b,\n1,2,\n3,4,\n", None),
     ("a,b,\n1,2,\n3,4\n", None)])
def test_the_fast_reader_and_the_exact_reader_agree(tmp_path, text, label, monkeypatch):
    delimiter = ";" if ";" in text else ","
    fast = h.load_table(write(tmp_path, text, "fast.csv"), label, delimiter)
    # A fast reader that always hands over forces the exact reader.
    monkeypatch.setattr(parsing, "read_table_fast", lambda *args: None)
    exact = h.load_table(write(tmp_path, text, "exact.csv"), label, delimiter)
    np.testing.assert_array_equal(fast[0], exact[0])
    assert fast[2] == exact[2]
    if label is not None:
        assert fast[1].tolist() == exact[1].tolist() and fast[1].dtype == exact[1].dtype


def test_a_big_table_reads_fast_and_keeps_its_checks(tmp_path):
    rng = np.random.default_rng(0)
    values = rng.random((3000, 20))
    text = "\n".join([",".join(f"c{i}" for i in range(20))]
                     + [",".join(f"{v:.4f}" for v in row) for row in values]) + "\n"
    features, _, _ = h.load_table(write(tmp_path, text))
    low, high = values.min(axis=0), values.max(axis=0)
    np.testing.assert_allclose(features, (np.round(values, 4) - low) / (high - low), atol=2e-4)
    lines = text.splitlines()
    lines[2001] = "0" + ",inf" * 19  # file line 2002
    bad = write(tmp_path, "\n".join(lines) + "\n", "bad.csv")
    assert "line 2002, column 2 ('c1'): infinite value 'inf'" in error_of(bad)
    lines[2001] = "0" + ",1_0" * 19
    bad = write(tmp_path, "\n".join(lines) + "\n", "bad.csv")
    assert "line 2002, column 2 ('c1'): non-numeric value '1_0' (underscores" in error_of(bad)


@pytest.mark.parametrize("quoting", ["R", "all"])
def test_a_quoted_csv_stays_on_the_fast_reader_and_reads_as_the_unquoted_one(
        tmp_path, quoting, monkeypatch):
    rng = np.random.default_rng(1)
    values = rng.random((200, 5)).round(4)
    kinds = rng.choice(["setosa", "versicolor", "007"], 200)
    quote = (lambda v: f'"{v}"') if quoting == "all" else str  # R quotes text, not numbers
    header = ",".join(f'"{n}"' for n in ["a", "b", "c", "d", "e", "kind"])
    plain = "a,b,c,d,e,kind\n" + "".join(
        ",".join(map(str, row)) + f",{k}\n" for row, k in zip(values, kinds, strict=True))
    quoted = header + "\n" + "".join(",".join(quote(v) for v in row) + f',"{k}"\n'
                                     for row, k in zip(values, kinds, strict=True))
    expected = h.load_table(write(tmp_path, plain, "plain.csv"), "kind")

    def no_exact_reader(*args):
        raise AssertionError("the exact reader ran")

    monkeypatch.setattr(parsing, "read_table_exact", no_exact_reader)
    got = h.load_table(write(tmp_path, quoted, "quoted.csv"), "kind")
    np.testing.assert_array_equal(got[0], expected[0])
    assert got[1].tolist() == expected[1].tolist() and got[2] == expected[2]
    assert "007" in got[1].tolist()  # a quoted id stays text, as written
