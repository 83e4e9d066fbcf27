"""The one Jinja2 environment every page is rendered by, and the filters its templates use.

The markup is in ``templates/`` (``base.html`` is the document every page shares). Autoescape is
on and every printed value goes through :func:`_finalize` first: a string is catalog text, and
reaches the page only through ``inert.xml.html_text`` (characters XML forbids replaced, markup
escaped: model ids may hold ``<``, ``&`` or quotes); a template may not print anything but text,
numbers and the markup of its own macros and includes. ``StrictUndefined`` makes a misspelt
variable an error, not an empty cell. The one ``|safe`` is the inline SVG chart in
``model.html``: markup this environment rendered from ``chart.svg``, its texts made inert
(``chart.literal``) and escaped here.

Links are relative (``root`` is ``""`` on the top-level pages and ``"../"`` one folder down), so
the site works from any base URL and from ``file://``. The only absolute link is the plain anchor
to https://models.dev in the footer. A Content-Security-Policy forbids every fetch but the site's
own stylesheet, so a page cannot reach the network even by mistake, and an empty ``data:`` icon
spares the browser its ``/favicon.ico`` request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from catalog_watch.inert.xml import html_text

if TYPE_CHECKING:
    from jinja2 import Environment

_AFTER_SEPARATOR = re.compile(r"(?<=[/._:@-])(?=.)")
_AFTER_COMMA = re.compile(r"(?<=,)(?=\S)")


@dataclass(frozen=True, slots=True)
class Filters:
    """The values the filter bar offers, each with its page's file name (relative to root)."""

    providers: Mapping[str, str]
    kinds: Mapping[str, str]
    severities: Mapping[str, str]

    @property
    def kind_words(self) -> dict[str, str]:
        """The kinds as the bar names them: ``price changed``."""
        return {kind.replace("_", " "): path for kind, path in self.kinds.items()}


def render(template: str, /, **values: object) -> str:
    """``templates/<template>`` filled with ``values``."""
    return _environment().get_template(template).render(**values)


def render_markup(template: str, /, **values: object) -> str:
    """``templates/<template>`` filled with ``values``, as markup another template may print
    as it is."""
    return as_markup(render(template, **values))


def as_markup(html: str) -> str:
    """``html`` (markup this module's templates wrote) as a ``Markup``, which the finalize lets
    through unescaped; markupsafe comes with jinja2, the ``site`` extra."""
    from markupsafe import Markup

    return Markup(html)


def breakable(text: str, separators: re.Pattern[str] = _AFTER_SEPARATOR) -> str:
    """An id escaped, with a line-break opportunity (``<wbr>``) after each ``/ . _ : @ -``:
    a narrow column wraps ``google/gemini-3.1-`` | ``flash``, never inside a word."""
    return "<wbr>".join(html_text(part) for part in separators.split(text))


def breakable_value(text: str) -> str:
    """A change's words: they wrap at their spaces, and a long JSON value after its commas."""
    return breakable(text, _AFTER_COMMA)


def thousands(number: int) -> str:
    return f"{number:,}"


@cache
def _environment() -> Environment:
    """Made once per process. jinja2 (and its markupsafe) is the ``site`` extra, so it is
    imported here, the first time a page is rendered: after ``build_site``'s
    ``require_site_extra``, the same rule as feedgen's import (``extra.py``)."""
    import jinja2
    from markupsafe import Markup

    def finalize(value: object) -> object:
        if isinstance(value, Markup):  # a macro's or an include's output, or a filter's below
            return value
        if isinstance(value, str):
            return Markup(html_text(value))
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise TypeError(f"a template printed a {type(value).__name__}; give it text")

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("catalog_watch.site", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=finalize,
        keep_trailing_newline=True,
        auto_reload=False,  # templates do not change under a build: no stat per page and row
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        breakable=lambda text: Markup(breakable(text)),
        breakable_value=lambda text: Markup(breakable_value(text)),
        thousands=thousands,
    )
    return environment
