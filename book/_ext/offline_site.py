"""Sphinx extension for the series' website: a page loads nothing from outside the site.

Jupyter Book's theme and extensions may add scripts or style sheets with absolute ``http(s)://``
(or protocol-relative ``//``) addresses. This extension drops each such file from every page
and logs a warning naming it (``make book`` turns warnings into errors), so a new theme version
that starts fetching something from the internet fails the build instead of silently needing
the network.

It also serves MathJax 3 from the site: Sphinx would load it from a CDN. The files come from the
PyPI package ``django-static-mathjax`` (MathJax 3.2.2, Apache-2.0): the ``es5`` TeX-to-CommonHTML
bundle, its woff fonts and the TeX extensions it may load on demand, copied to
``_static/mathjax/``; ``mathjax_path`` points there. Without that package the build stops with a
message saying what to install.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)


def is_external(address: str) -> bool:
    """Return True if ``address`` points outside the site."""
    return address.startswith(("http://", "https://", "//"))


def _filename(asset: Any) -> str:
    return str(getattr(asset, "filename", asset))


def drop_external_assets(app: Sphinx, pagename: str, templatename: str,
                         context: dict[str, Any], doctree: Any) -> None:
    """Remove external scripts and style sheets from one page's context, with a warning."""
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if not assets:
            continue
        kept = []
        for asset in assets:
            if is_external(_filename(asset)):
                logger.warning("offline site: dropped %s from %s (it would load from outside)",
                               _filename(asset), pagename)
            else:
                kept.append(asset)
        context[key] = kept


MATHJAX_SCRIPT = "tex-chtml.js"
# Inside the package's es5/ folder: what tex-chtml.js loads (fonts) or may load (extensions).
MATHJAX_PARTS = (MATHJAX_SCRIPT, "output/chtml/fonts/woff-v2", "input/tex/extensions")


def mathjax_source() -> Path:
    """Return the es5/ folder of the installed MathJax 3 (django-static-mathjax)."""
    try:
        import mathjax  # the django-static-mathjax package
    except ImportError as error:
        raise ExtensionError("offline site: MathJax is not installed; `pip install "
                             "django-static-mathjax` (it is in requirements-dev.txt)") from error
    es5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (es5 / MATHJAX_SCRIPT).is_file():
        raise ExtensionError(f"offline site: {es5 / MATHJAX_SCRIPT} is missing")
    return es5


def use_local_mathjax(app: Sphinx, config: Any) -> None:
    """Point ``mathjax_path`` at the site's own copy (relative paths are under _static/)."""
    mathjax_source()
    config.mathjax_path = f"mathjax/{MATHJAX_SCRIPT}"


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    """Copy MathJax's script, fonts and TeX extensions to the built site's _static/mathjax/."""
    if exception is not None or app.builder.format != "html":
        return
    source, target = mathjax_source(), Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        (target / part).parent.mkdir(parents=True, exist_ok=True)
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part, dirs_exist_ok=True)
        else:
            shutil.copy2(source / part, target / part)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension with Sphinx."""
    app.connect("html-page-context", drop_external_assets, priority=900)
    app.connect("config-inited", use_local_mathjax)
    app.connect("build-finished", copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
