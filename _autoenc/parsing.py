"""Reading text files: the digits file and your own CSV tables, with exact error messages.

Numbers are read only when a person would read them as numbers (``1_000``, ``nan``, ``inf``
and decimal commas are refused by name); every problem names the file, the line, the column
and the value. ``read_table`` lets pandas' C parser read a regular table fast and re-reads a
file with the ``csv`` module only when something needs a message.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from _autoenc.checks import N_PIXELS, PIXEL_MAX

N_CLASSES = 10

NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
"""A number as people write it: optional sign, ASCII digits, optional decimal point and exponent.

Python's ``float`` also reads ``1_000``, ``nan``, ``infinity`` and non-ASCII digits; the loaders
refuse those, so that a value is only a number when a person would read it as one."""

CANONICAL_INT = re.compile(r"-?[1-9][0-9]*|0")
"""A whole number written the one plain way: no sign but '-', no leading zero, no point."""

INT64 = np.iinfo(np.int64)


def number_problem(token: str) -> str:
    """Say why ``token`` (already stripped) is not a number a person would write."""
    if not token:
        return "missing value (empty field)"
    low = token.lower().lstrip("+-")
    if low in {"nan", "na", "n/a", "null", "none"}:
        return f"NaN value {token!r}" if low == "nan" else f"missing value {token!r}"
    if low in {"inf", "infinity"}:
        return f"infinite value {token!r}"
    if "_" in token and NUMBER.fullmatch(token.replace("_", "")):
        return f"non-numeric value {token!r} (underscores are not allowed in numbers: write " \
            f"{token.replace('_', '')})"
    if re.fullmatch(r"[+-]?[0-9]+,[0-9]+", token):
        return f"non-numeric value {token!r} (a decimal comma? write {token.replace(',', '.')})"
    return f"non-numeric value {token!r}"


def parse_number(token: str, where: str, hint: str = "") -> float:
    """Parse one field as a finite float, or raise ValueError saying where and what.

    Accepts only what ``NUMBER`` matches, after stripping surrounding spaces. ``hint`` is
    added to the message when the field is not a number at all.
    """
    text = token.strip()
    if not NUMBER.fullmatch(text):
        problem = number_problem(text)
        extra = hint if problem.startswith("non-numeric") else ""
        raise ValueError(f"{where}: {problem}{extra}")
    value = float(text)
    if math.isinf(value):
        raise ValueError(
            f"{where}: value {token.strip()!r} is too large: it overflows to infinity in "
            "64-bit floating point (largest about 1.8e308)"
        )
    return value


def read_text(path: Path, kind: str) -> str:
    """Return the whole file as text, decoded as UTF-8 (a UTF-8 byte-order mark is dropped).

    Any other encoding raises ``ValueError`` naming the file and the line of the first byte
    that is not UTF-8, and saying how to re-save the file as UTF-8. ``kind`` names the file
    kind in messages ("CSV file", "digits file").
    """
    import codecs

    data = path.read_bytes()
    resave = (
        "Re-save it as UTF-8: in Excel, File > Save As > 'CSV UTF-8 (Comma delimited)'; in "
        "LibreOffice Calc, Save As > Text CSV > 'Edit filter settings' > Character set "
        "'Unicode (UTF-8)'; in a text editor, 'Save with encoding' > UTF-8"
    )
    for bom, name in [(codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                      (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")]:
        if data.startswith(bom):
            raise ValueError(
                f"{path}: the {kind} is {name} text (it starts with a {name} byte-order mark, as "
                f"Excel's 'Unicode Text' export does), not UTF-8. {resave}"
            )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        guess = ""
        if b"\x00" in data[:4096]:
            guess = " It holds zero bytes, so it is probably UTF-16 text without a byte-order mark."
        elif byte >= 0x80:
            guess = (
                f" Byte 0x{byte:02x} is, for example, {bytes([byte]).decode('cp1252', 'replace')!r}"
                " in Windows-1252 / Latin-1, the usual encoding of files saved by older Excel"
                " versions on Windows."
            )
        raise ValueError(
            f"{path}, line {line}: the {kind} is not UTF-8 text (byte 0x{byte:02x} at byte "
            f"offset {error.start} cannot be decoded).{guess} {resave}"
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ValueError(
            f"{path}, line {line}: the {kind} holds a zero byte: it is probably UTF-16 text "
            f"without a byte-order mark, or not a text file at all. {resave}"
        )
    return text


def parse_int(token: str, path: Path, line_no: int, column: int) -> int:
    """Parse one field as a whole number, or raise ValueError naming the file, line and value."""
    where = f"{path}, line {line_no}, column {column}"
    value = parse_number(token, where)
    if value != int(value):
        raise ValueError(f"{where}: non-integer value {token!r}")
    return int(value)



def header_problem(
    path: Path, names: list[str], next_row: list[str] | None, delimiter: str
) -> str | None:
    """Say why the first line cannot be the header row, or return None when it can."""
    shown = delimiter.join(names)
    if re.fullmatch(r"sep=.", shown.strip()):
        return (
            f"{path}, line 1: {shown.strip()!r} is Excel's delimiter line, not a header: delete "
            f"that line (and pass delimiter={shown.strip()[-1]!r} if it is not a comma)"
        )
    if len(names) == 1:
        others = [(d, label) for d, label in ((";", "';'"), ("\t", "'\\t'"), (",", "','"),
                                              ("|", "'|'")) if d != delimiter and d in names[0]]
        if others:
            found, spelled = others[0]
            return (
                f"{path}, line 1: the header is one single column {names[0]!r} that holds "
                f"{spelled}: the file is probably separated by {spelled}, not by "
                f"{delimiter!r}; pass delimiter={spelled}"
            )
    numeric = [bool(NUMBER.fullmatch(name)) for name in names]
    if not any(numeric):
        return None
    below = None if next_row is None else [
        bool(NUMBER.fullmatch(field.strip())) for field in next_row]
    if all(numeric) or numeric == below:
        return (
            f"{path}, line 1: the first line {shown!r} looks like data, not a header: "
            "load_table needs a first line that names the columns (such as 'x1,x2,label'), "
            "so that no row is mistaken for names. Add such a line to the file; if line 1 "
            "really is the header, give its columns names that are not plain numbers"
        )
    return None


def labels_from_tokens(
    tokens: Sequence[str], line_of: Any, where: str
) -> np.ndarray:
    """Turn label strings (stripped, as written) into the label array; see ``load_table``.

    ``line_of(i)`` gives the file line of label ``i``; ``where`` starts every message.
    """
    first: dict[str, int] = {}
    for i, token in enumerate(tokens):
        first.setdefault(token, i)
    spellings = list(first)
    if all(CANONICAL_INT.fullmatch(s) for s in spellings):
        for s in spellings:
            if not INT64.min <= int(s) <= INT64.max:
                raise ValueError(
                    f"{where}, line {line_of(first[s])}: label {s!r} is a whole number too large "
                    "for a 64-bit integer; labels that are whole numbers must lie within "
                    f"{INT64.min} to {INT64.max} (or write them as text, e.g. with a letter)"
                )
        return np.array([int(t) for t in tokens], dtype=np.int64)
    from decimal import Decimal

    same_number: dict[Decimal, str] = {}
    for s in spellings:
        if NUMBER.fullmatch(s):
            value = Decimal(s)
            if value in same_number:
                other = same_number[value]
                raise ValueError(
                    f"{where}: labels {other!r} (line {line_of(first[other])}) and {s!r} (line "
                    f"{line_of(first[s])}) are different spellings of the same number; "
                    "load_table keeps labels exactly as written, so they would be two classes. "
                    "Write each label one way throughout the file"
                )
            same_number[value] = s
    return np.array(tokens, dtype=str)


def read_table_exact(
    path: Path, text: str, delimiter: str, names: list[str], label_index: int | None,
    feature_cols: list[int], ignored_col: int | None,
) -> tuple[np.ndarray, list[str], list[int]]:
    """Read every row with the ``csv`` module and check every field: slow, exact messages.

    Returns ``(values, label_tokens, line_numbers)``; raises ``ValueError`` at the first
    problem, naming the file, line, column and value.
    """
    import csv
    import io

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    for row in reader:
        rows.append((reader.line_num, row))
    rows = rows[1:]
    if not rows:
        raise ValueError(f"{path}: the file has a header but no data rows")
    label_name = None if label_index is None else names[label_index]

    def text_share(col: int) -> float:
        """The share of rows whose field in column ``col`` is not a number."""
        cells = [row[col].strip() for _, row in rows if len(row) > col]
        return sum(not NUMBER.fullmatch(c) for c in cells) / max(len(cells), 1)

    values = np.empty((len(rows), len(feature_cols)), dtype=np.float64)
    label_tokens: list[str] = []
    for index, (line_no, row) in enumerate(rows):
        if not row or (len(row) == 1 and not row[0].strip() and len(names) > 1):
            raise ValueError(f"{path}, line {line_no}: empty line")
        if ignored_col is not None and len(row) == len(names) - 1:
            row = [*row, ""]  # this row lacks the empty trailing column: nothing is lost
        if len(row) != len(names):
            raise ValueError(
                f"{path}, line {line_no}: expected {len(names)} fields (as in the header), "
                f"found {len(row)}"
            )
        if ignored_col is not None and row[ignored_col].strip():
            raise ValueError(
                f"{path}, line {line_no}, column {ignored_col + 1}: value "
                f"{row[ignored_col].strip()!r} in a column that has no name in the header"
            )
        for j, col in enumerate(feature_cols):
            where = f"{path}, line {line_no}, column {col + 1} ({names[col]!r})"
            token = row[col].strip()
            if NUMBER.fullmatch(token):
                values[index, j] = parse_number(token, where)
                continue
            hint = ""
            if text_share(col) >= 0.5 and not NUMBER.fullmatch(names[col]):
                hint = (f"; if this column holds labels, pass label_column={names[col]!r}"
                        if label_name is None else
                        f"; column {names[col]!r} holds text in most rows, but only one column "
                        f"can be the labels ({label_name!r}): remove it from the file")
            parse_number(token, where, hint)  # raises with the reason
        if label_index is not None:
            label = row[label_index].strip()
            if not label:
                raise ValueError(
                    f"{path}, line {line_no}, column {label_index + 1} ({label_name!r}): "
                    "missing label (empty field)"
                )
            label_tokens.append(label)
    return values, label_tokens, [line_no for line_no, _ in rows]


def read_table_fast(
    path: Path, delimiter: str, n_columns: int, label_index: int | None,
    feature_cols: list[int], ignored_col: int | None, n_rows: int,
) -> tuple[np.ndarray, list[str]] | None:
    """Read the data rows with pandas' C parser; None when anything needs a closer look.

    Returns ``(values, label_tokens)`` only when every row has every field, every feature is
    a finite number in ``NUMBER``'s syntax and every label is non-empty; the exact reader then
    agrees. Otherwise returns None, and the caller re-reads the file exactly for the message.
    """
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is in requirements.txt
        return None
    text_cols = [c for c in (label_index, ignored_col) if c is not None]
    dtypes: dict[int, Any] = {c: np.float64 for c in feature_cols}
    dtypes.update({c: str for c in text_cols})
    try:
        with warnings.catch_warnings():
            # pandas only warns when the first row has more fields than the header, and drops
            # them: let that stop the fast reader like every other irregularity.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                path, sep=delimiter, header=None, skiprows=1, names=list(range(n_columns)),
                dtype=dtypes, na_filter=False, skip_blank_lines=False, encoding="utf-8-sig",
                quotechar='"', engine="c", comment=None, index_col=False,
            )
    except (ValueError, pd.errors.ParserError, pd.errors.ParserWarning, UnicodeDecodeError,
            OverflowError):
        return None
    if len(frame) != n_rows:
        return None
    values = frame[feature_cols].to_numpy(dtype=np.float64)
    if not np.isfinite(values).all():
        return None
    tokens: list[str] = []
    if label_index is not None:
        tokens = [t.strip() for t in frame[label_index].tolist()]
        if not all(tokens):
            return None
    if ignored_col is not None and any(t.strip() for t in frame[ignored_col].tolist()):
        return None
    return values, tokens



def read_digits(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read a digits file: ``(raw pixels float32 (n, 64) 0-16, labels int64 (n,))``.

    See ``autoenc_helpers.load_digits_file`` for the format and the errors.
    """
    if not path.is_file():
        raise FileNotFoundError(f"digits file not found: {path}")
    lines = read_text(path, "digits file").splitlines()
    if not lines:
        raise ValueError(f"{path}: the file is empty")
    pixels = np.empty((len(lines), N_PIXELS), dtype=np.float32)
    labels = np.empty(len(lines), dtype=np.int64)
    for index, line in enumerate(lines):
        line_no = index + 1
        if not line.strip():
            raise ValueError(f"{path}, line {line_no}: empty line")
        fields = line.split(",")
        if len(fields) != N_PIXELS + 1:
            raise ValueError(
                f"{path}, line {line_no}: expected {N_PIXELS + 1} comma-separated values, "
                f"found {len(fields)}"
            )
        values = [parse_int(tok, path, line_no, col + 1) for col, tok in enumerate(fields[:-1])]
        for col, value in enumerate(values):
            if not 0 <= value <= PIXEL_MAX:
                raise ValueError(
                    f"{path}, line {line_no}, column {col + 1}: pixel value {value} "
                    f"is outside 0-{PIXEL_MAX}"
                )
        token = fields[-1].strip()
        where = f"{path}, line {line_no}, column {N_PIXELS + 1}"
        if not (len(token) == 1 and token in "0123456789"):
            label = parse_number(token, where)  # names NaN, empty and non-numeric values
            if label == int(label) and not 0 <= label < N_CLASSES:
                raise ValueError(f"{where}: label {int(label)} is outside 0-9")
            raise ValueError(
                f"{where}: label {token!r} is not written as a single digit 0-9; write it as "
                f"the UCI file does (labels are never guessed from other spellings)"
            )
        pixels[index] = values
        labels[index] = int(token)
    return pixels, labels


def read_table(path: Path, label_column: str | None, delimiter: str
               ) -> tuple[np.ndarray, np.ndarray | None, list[str], list[int]]:
    """Read a CSV table: ``(values float64 (rows, features), labels or None, header names,
    feature column indices)``; see ``autoenc_helpers.load_table`` for the rules and errors."""
    import csv

    if not path.is_file():
        raise FileNotFoundError(f"CSV file not found: {path}")
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in "\"\r\n":
        raise ValueError(f"delimiter must be one character (not a quote or line break), "
                         f"got {delimiter!r}")
    text = read_text(path, "CSV file")
    if not text.strip():
        raise ValueError(f"{path}: the file is empty")
    first_lines = text.split("\n", 2)
    header = next(csv.reader([first_lines[0].rstrip("\r")], delimiter=delimiter))
    second = None
    if len(first_lines) > 1 and first_lines[1].strip():
        second = next(csv.reader([first_lines[1].rstrip("\r")], delimiter=delimiter))
    names = [name.strip() for name in header]
    problem = header_problem(path, names, second, delimiter)
    if problem:
        raise ValueError(problem)
    ignored_col = None
    if len(names) > 1 and not names[-1] and all(names[:-1]):
        ignored_col = len(names) - 1  # an Excel export's trailing delimiter; checked empty below
    for col, name in enumerate(names, start=1):
        if not name and col - 1 != ignored_col:
            raise ValueError(f"{path}, line 1, column {col}: column has no name")
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        raise ValueError(f"{path}: duplicate column names in the header: {repeated}")
    if label_column is not None and label_column not in names:
        shown = [name for name in names if name]
        raise ValueError(f"{path}: no column named {label_column!r}; the columns are {shown}")
    label_index = None if label_column is None else names.index(label_column)
    feature_cols = [i for i in range(len(names)) if i not in (label_index, ignored_col)]
    if not feature_cols:
        raise ValueError(f"{path}: no feature columns (only the label column {label_column!r})")

    # Quoted fields are fine for the fast reader; a quoted line break changes the row count,
    # and the fast reader then hands over to the exact one.
    simple = text.count("\r") == text.count("\r\n")
    n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    del text, first_lines  # the fast reader reads the file itself; keep memory low
    fast = None
    if simple and n_lines > 1:
        fast = read_table_fast(path, delimiter, len(names), label_index, feature_cols,
                               ignored_col, n_lines - 1)
    if fast is not None:
        values, tokens = fast
        line_numbers = None
    else:
        values, tokens, line_numbers = read_table_exact(
            path, read_text(path, "CSV file"), delimiter, names, label_index, feature_cols,
            ignored_col)
    labels: np.ndarray | None = None
    if label_index is not None:
        def line_of(i: int) -> int:
            return i + 2 if line_numbers is None else line_numbers[i]

        labels = labels_from_tokens(tokens, line_of, f"{path}, column {label_index + 1} "
                                    f"({label_column!r})")
    return values, labels, names, feature_cols


def scale_columns(path: Path, values: np.ndarray, names: list[str], feature_cols: list[int]
                  ) -> np.ndarray:
    """Min-max scale every column of ``values`` to [0, 1] as float32, in row blocks (no
    full-size float64 temporaries); constant columns become 0. Refuses spans beyond float64."""
    low, high = values.min(axis=0), values.max(axis=0)
    with np.errstate(over="ignore"):  # an overflow is reported just below
        span = high - low
    if not np.isfinite(span).all():
        col = feature_cols[int(np.flatnonzero(~np.isfinite(span))[0])]
        raise ValueError(f"{path}, column {col + 1} ({names[col]!r}): the values span more than "
                         "the float64 range, so they cannot be scaled to [0, 1]")
    span[span == 0] = 1.0
    features = np.empty(values.shape, dtype=np.float32)
    for start in range(0, len(values), 4096):
        block = values[start : start + 4096]
        features[start : start + 4096] = (block - low) / span
    return features
