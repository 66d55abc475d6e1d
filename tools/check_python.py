"""Refuse, with a clear message, a Python or platform that TensorFlow 2.21 has no wheels for.

``make setup`` (and so ``make lab`` / ``make test``) runs this with the Python it is about to
build ``.venv`` from, before installing anything. TensorFlow 2.21 (checked on PyPI with
``pip index versions tensorflow --python-version X --platform P --only-binary=:all:``) has
wheels for CPython 3.11, 3.12 and 3.13 (also 3.10, but NumPy 2.4 needs 3.11) on Linux x86-64 and
aarch64, macOS on Apple silicon (arm64) and Windows x86-64; none for Python 3.14 and none for
Intel macOS (its last wheels are TensorFlow 2.16). README, "Versions", says the same.

Usage: ``python3 tools/check_python.py`` -- exit status 0 and no output when supported, else 1
and a message on stderr. Runs on any Python from 3.6 on, so that it can say what is wrong with
an old one.
"""

import platform
import sys

SUPPORTED = ((3, 11), (3, 12), (3, 13))


def problem(version=None, system=None, machine=None):
    """Return why this Python cannot run the series (a sentence), or None if it can."""
    version = tuple(version or sys.version_info[:2])
    system = system or platform.system()
    machine = (machine or platform.machine()).lower()
    found = "Python {}.{}".format(*version)
    if version not in SUPPORTED:
        return (f"{found} found, but TensorFlow 2.21 has wheels for Python 3.11, 3.12 and "
                "3.13 only. Install one of those and run, e.g., `make setup PYTHON=python3.13` "
                "(see README, Versions).")
    if system == "Darwin" and machine in ("x86_64", "amd64", "i386"):
        return ("Intel macOS found: TensorFlow 2.21 has no wheels for it (the last are 2.16), "
                "so the series cannot be installed here. Use a Mac with Apple silicon, Linux or "
                "Windows, or your class's JupyterHub (see README, Versions).")
    return None


def main():
    message = problem()
    if message:
        sys.stderr.write(message + "\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
