"""Sphinx extension for the series' website: a page loads nothing from outside the site.

Jupyter Book's theme and extensions may add scripts or style sheets with absolute ``http(s)://``
(or protocol-relative ``//``) addresses. This extension drops each such file from every page
and logs a warning naming it (``make book`` turns warnings into errors), so a new theme version
that starts fetching something from the internet fails the build instead of silently needing
the network.

It also registers the math renderer ``tex_source`` (book/_config.yml selects it): instead of
MathJax, which Sphinx loads from a CDN, each formula is shown as its TeX source in a
``<code class="math">`` element, inline or as a block.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
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


def visit_inline_math(self: Any, node: nodes.Element) -> None:
    """Write an inline formula as its TeX source."""
    self.body.append(self.starttag(node, "code", "", CLASS="math tex-source")
                     + self.encode(node.astext()) + "</code>")
    raise nodes.SkipNode


def visit_block_math(self: Any, node: nodes.Element) -> None:
    """Write a displayed formula as its TeX source, in a block of its own."""
    self.body.append(self.starttag(node, "div", "", CLASS="math-block")
                     + '<code class="math tex-source">' + self.encode(node.astext())
                     + "</code></div>\n")
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension with Sphinx."""
    app.connect("html-page-context", drop_external_assets, priority=900)
    app.add_html_math_renderer("tex_source", (visit_inline_math, None),
                               (visit_block_math, None))
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
