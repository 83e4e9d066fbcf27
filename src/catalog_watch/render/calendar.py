"""The deprecation calendar as an iCalendar feed (``.ics``), so a team can subscribe to it.

One all-day ``VEVENT`` per announced retirement date (a models.dev deprecation dated only by
the day the ledger first saw it is not a retirement date, and is left out). Made with the
``icalendar`` library, which does the format's escaping and line folding; the text it is given
(summary, description, UID) first goes through ``inert`` (no control character, no reordering
mark: ``xml.xml_text``, then ``terminal.one_line``).

Deterministic, so the same inputs give byte-identical files: the UID is
``<provider>/<model id>/<date>@catalog-watch`` (stable across runs; a moved date is a new
event), every ``DTSTAMP`` is the ``stamp`` the caller takes from its data (the site's newest
run, the command's ``--now``), never the clock, and events are sorted by date and UID.

An event ends with ``DTEND``, the next day; on ``9999-12-31``, which has no next day, it has
none, which RFC 5545 (3.6.1) reads as the same one-day event. A retirement whose date is
unusable (``Retirement.unusable``) has no day to put an event on and is left out (the command
says so on stderr).

``icalendar`` is in the ``site`` extra: imported at the top when it is there, None when not (so
every module of the package imports without the extra); the command and the site call
``site.extra`` first, which turns its absence into one line naming the extra.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

from catalog_watch.analysis.deprecations import Retirement
from catalog_watch.inert.terminal import one_line
from catalog_watch.inert.xml import xml_text
from catalog_watch.render.deprecations import offering_name, source_name

try:
    import icalendar
except ImportError:  # the site extra is not installed: site.extra says so before any use
    icalendar = None  # type: ignore[assignment]

__all__ = ["PRODID", "render_calendar", "uid"]

PRODID = "-//catalog-watch//deprecation calendar//EN"
NAME = "Model retirements (catalog-watch)"


def uid(item: Retirement) -> str:
    """``openai/gpt-4-0613/2025-06-06@catalog-watch``; only dated retirements have one."""
    assert item.date is not None
    return _inert(f"{item.provider}/{item.model_id}/{item.date.isoformat()}@catalog-watch")


def render_calendar(
    items: Sequence[Retirement],
    *,
    stamp: datetime,
    places: Mapping[tuple[str, str], tuple[str, ...]] | None = None,
) -> bytes:
    """The ``.ics`` bytes of every announced retirement in ``items``; ``stamp`` is every
    event's ``DTSTAMP`` (UTC); ``places`` adds where the code uses each offering."""
    if icalendar is None:
        raise RuntimeError("icalendar is not installed (site.extra.require_ics checks first)")
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", NAME)
    moment = stamp.astimezone(UTC).replace(microsecond=0)
    events: dict[tuple[date, str], icalendar.Event] = {}
    for item in items:
        if item.announced is None:
            continue
        key = (item.announced, uid(item))
        if key not in events:
            used = (places or {}).get((item.provider, item.model_id), ())
            events[key] = _event(item, key[1], moment, used)
    for key in sorted(events):
        calendar.add_component(events[key])
    data: bytes = calendar.to_ical()
    return data


def _event(item: Retirement, key: str, moment: datetime, used: Sequence[str]) -> icalendar.Event:
    assert item.date is not None
    event = icalendar.Event()
    event.add("uid", key)
    event.add("dtstamp", moment)
    event.add("dtstart", item.date)
    if item.date < date.max:
        event.add("dtend", item.date + timedelta(days=1))
    event.add("summary", _inert(f"{offering_name(item)} retires"))
    event.add("description", _inert(_description(item, used)))
    event.add("transp", "TRANSPARENT")
    return event


def _description(item: Retirement, used: Sequence[str]) -> str:
    words = (
        f"{offering_name(item)} (model {item.group}) retires on {item.date}: "
        f"{source_name(item.source)}'s date, status {item.status}"
    )
    if used:
        words += f"; used in {', '.join(used)}"
    return words + "."


def _inert(text: str) -> str:
    return one_line(xml_text(text))
