"""Draw the README's picture: the book's 64-32-2-32-64 autoencoder map of all 1,797 digits.

Run from the repository root with `make readme-figure` (or `.venv/bin/python
tools/make_readme_figure.py`). It uses the same trained model as the notebooks
(`get_trained_book_model`, trained and saved to models/ on first use) and writes
docs/digit_map.png, the one generated image that is committed, because README.md shows it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import autoenc_helpers as ah  # noqa: E402


def main() -> None:
    """Train or load the book's model, encode every digit and save the coloured map."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ah.ROOT / "docs" / "digit_map.png")
    args = parser.parse_args()
    pixels, labels = ah.load_digits_file()
    _, encoder, _ = ah.get_trained_book_model()
    codes = encoder.predict(pixels, verbose=0)
    fig, ax = plt.subplots(figsize=(6.4, 5.2))
    ah.plot_embedding(codes, labels, ax=ax, title="1,797 digits, 64 pixels each, drawn in 2-D")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=100, bbox_inches="tight", metadata={"Software": None})
    print(f"wrote {args.out.relative_to(ah.ROOT)}")


if __name__ == "__main__":
    main()
