"""HTML pages from ``templates/html/``: Jinja2 with autoescape on, so every value a template interpolates is
HTML-escaped unless it is :class:`markupsafe.Markup` (HTML Tandem built itself, e.g. a message's mrkdwn rendered by
``bot.report``). The templates carry structure only; translated wording comes in as variables, rendered from
``templates/<locale>/`` by ``bot.i18n``."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.resources import resource_dir


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(resource_dir("templates") / "html")),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def macros(name: str) -> Any:
    """The macros of ``templates/html/<name>.html.j2``, to call from Python (each returns escaped HTML, Markup)."""
    return _environment().get_template(f"{name}.html.j2").module


def render(name: str, /, **context: Any) -> str:
    """``templates/html/<name>.html.j2`` rendered with ``context`` (escaped unless Markup)."""
    return _environment().get_template(f"{name}.html.j2").render(**context)
