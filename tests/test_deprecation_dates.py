"""Retirement dates that are not usable days, and days at the edge of the calendar: only
``YYYY-MM-DD`` (from 2000 on) is a date; any other text is listed with the text named (left
out of the ``.ics``, with a note on stderr), and a ``--now`` or a date near ``9999-12-31``
still gives a calendar."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest

from catalog_watch.analysis.deprecations import SCHEDULED, Retirement, due_lead, retirements
from catalog_watch.cli.app import main
from catalog_watch.render.calendar import render_calendar
from catalog_watch.sources.litellm import parse_litellm
from catalog_watch.store.outbox import KEEP_DELIVERED
from tests.factories import document, model, provider, write_json
from tests.test_deprecations import by_label, catalog, litellm_entry

TODAY = date(2026, 8, 1)


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-30",  # no such day
        "20260901",  # basic format: date.fromisoformat reads it on 3.11
        "2026-W36-1",  # an ISO week date: read as 2026-08-31 before
        "2026-09-01T12:00:00Z",
        "2026/09/01",
        " 2026-09-01",
        "2026-09-01\n",
        "0001-01-01",  # a zero value, not a retirement 2,025 years ago
        "1999-12-31",
    ],
)
def test_only_a_yyyy_mm_dd_day_from_2000_on_is_a_date_the_rest_is_named(text: str) -> None:
    dated = catalog("litellm", {"openai": {"m": {"deprecation_date": text}}})
    [item] = retirements([dated], today=TODAY)
    assert (item.date, item.unusable, item.status) == (None, text, SCHEDULED)
    assert item.to_json()["unusable_date"] == text and item.to_json()["date"] is None


def test_a_usable_date_is_read_and_has_no_unusable_text() -> None:
    dated = catalog("openrouter", {"openrouter": {"a/b": {"expiration_date": "2026-09-01"}}})
    [item] = retirements([dated], today=TODAY)
    assert (item.date, item.unusable) == (date(2026, 9, 1), None)
    assert "unusable_date" not in item.to_json()


def test_a_usable_date_from_another_source_wins_over_an_unusable_one() -> None:
    models_dev = catalog("models.dev", {"openrouter": {"z-ai/glm-4.5": {}}})
    bad = catalog(
        "litellm", {"openrouter": {"openrouter/z-ai/glm-4.5": {"deprecation_date": "2026/09/01"}}}
    )
    good = catalog(
        "openrouter", {"openrouter": {"z-ai/glm-4.5": {"expiration_date": "2026-12-31"}}}
    )
    glm = by_label(retirements([models_dev, bad, good], today=TODAY))[
        "models.dev:openrouter/z-ai/glm-4.5"
    ]
    assert (glm.date, glm.source, glm.unusable) == (date(2026, 12, 31), "openrouter", None)


# -- the command ----------------------------------------------------------------------------------

HOSTILE = "2026-09-01<b>\u202e"


@pytest.fixture(name="dates")
def fixture_dates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A models.dev catalog and a LiteLLM file with one usable date and two unusable ones."""
    models_dev = write_json(
        tmp_path / "api.json", document(provider("openai", model("gpt-4o"), model("gpt-4")))
    )
    litellm: dict[str, Any] = {
        "gpt-4o": litellm_entry("openai", "2026-09-01"),
        "gpt-4": litellm_entry("openai", "20260901"),
        "gpt-3.5-turbo": litellm_entry("openai", HOSTILE),
    }
    monkeypatch.chdir(tmp_path)
    return ["--catalog", str(models_dev), str(write_json(tmp_path / "litellm.json", litellm))]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["deprecations", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_text_lists_an_unusable_date_quoted_and_inert(
    dates: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *dates, "--now", "2026-08-01T00:00:00Z")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "3 retirements as of 2026-08-01: 1 ahead, 0 past, "
        "0 deprecated without a retirement date, 2 with an unusable date",
        "2026-09-01  openai/gpt-4o  retires in 31 days (LiteLLM)",
        '----------  openai/gpt-3.5-turbo  unusable date "2026-09-01<b>\\u202e" (LiteLLM)',
        '----------  openai/gpt-4  unusable date "20260901" (LiteLLM)',
    ]


def test_markdown_and_json_name_the_unusable_date_too(
    dates: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, *dates, "--now", "2026-08-01T00:00:00Z", "--format", "markdown")
    assert '| - | `openai/gpt-4` | unusable date "20260901" | LiteLLM | scheduled |  |' in out
    row = next(line for line in out.splitlines() if "gpt-3.5-turbo" in line)
    # markdown shows the spelled mark as text (its backslash escaped), the tag as text
    assert '"2026-09-01&lt;b&gt;\\\\u202e"' in row and "\u202e" not in out
    _, out, _ = run(capsys, *dates, "--now", "2026-08-01T00:00:00Z", "--format", "json")
    listed = {entry["model"]: entry for entry in json.loads(out)["retirements"]}
    assert listed["gpt-4"]["unusable_date"] == "20260901" and listed["gpt-4"]["date"] is None
    assert listed["gpt-3.5-turbo"]["unusable_date"] == HOSTILE
    assert "unusable_date" not in listed["gpt-4o"]


def test_ics_leaves_an_unusable_date_out_and_says_so_on_stderr(
    dates: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "r.ics"
    args = ("--now", "2026-08-01T00:00:00Z", "--format", "ics", "--output", str(target))
    code, out, err = run(capsys, *dates, *args)
    assert (code, out) == (0, "")
    events = list(icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT"))
    assert [str(event["uid"]) for event in events] == ["openai/gpt-4o/2026-09-01@catalog-watch"]
    assert err.splitlines() == [
        'catalog-watch: note: openai/gpt-3.5-turbo: LiteLLM\'s date "2026-09-01<b>\\u202e" is '
        "not a YYYY-MM-DD day from 2000 on; left out of the calendar feed",
        'catalog-watch: note: openai/gpt-4: LiteLLM\'s date "20260901" is not a YYYY-MM-DD day '
        "from 2000 on; left out of the calendar feed",
    ]


# -- the edge of the calendar ---------------------------------------------------------------------


@pytest.mark.parametrize("now", ["9995-06-01T00:00:00Z", "9999-12-31T00:00:00Z"])
def test_a_now_near_the_last_day_still_gives_a_calendar(
    dates: list[str], capsys: pytest.CaptureFixture[str], now: str
) -> None:
    code, out, err = run(capsys, *dates, "--now", now)
    assert (code, err) == (0, "")
    assert (
        out.splitlines()[1]
        == f"2026-09-01  openai/gpt-4o  retired {_days_since(now)} ago (LiteLLM)"
    )


def _days_since(now: str) -> str:
    return f"{(date.fromisoformat(now[:10]) - date(2026, 9, 1)).days:,} days"


def test_a_retirement_on_9999_12_31_is_a_one_day_event_without_dtend(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    litellm = {"gpt-4o": litellm_entry("openai", "9999-12-31")}
    path = write_json(tmp_path / "litellm.json", litellm)
    target = tmp_path / "last.ics"
    args = ("--now", "9995-06-01T00:00:00Z", "--format", "ics", "--output", str(target))
    code, _, err = run(capsys, "--catalog", str(path), *args)
    assert (code, err) == (0, "")
    [event] = icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert event.decoded("dtstart") == date(9999, 12, 31)
    assert "DTEND" not in event and "DURATION" not in event  # RFC 5545: a one-day event


def test_a_retirement_before_9999_12_31_keeps_its_dtend() -> None:
    item = Retirement("openai", "m", "m", date(9999, 12, 30), "litellm", SCHEDULED, "litellm")
    data = render_calendar([item], stamp=datetime(9999, 1, 1, tzinfo=UTC))
    [event] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert event.decoded("dtend") == date(9999, 12, 31)


def test_lead_times_are_counted_at_both_ends_of_the_calendar() -> None:
    keep = KEEP_DELIVERED
    assert due_lead(date.max, date.max, (7, 0), keep) == 0
    assert due_lead(date.max, date.max - timedelta(days=7), (7, 0), keep) == 7
    assert due_lead(date(1, 1, 5), date.min, (30, 7, 1), keep) == 7
    assert due_lead(date(1, 1, 5), date(1, 1, 5), (30, 7, 1), keep) is None


@pytest.mark.parametrize("day", ["20200101", "2020-W01-1", "2020-02-30"])
def test_the_adapters_derive_no_deprecated_status_from_a_date_that_is_not_yyyy_mm_dd(
    day: str,
) -> None:
    """The status the LiteLLM adapter writes follows the calendar's own reading of a date."""
    from_litellm = parse_litellm(
        {"old-model": litellm_entry("openai", day)}, today=date(2026, 8, 1)
    )
    record = from_litellm.providers["openai"].models["old-model"]
    assert record.get("status") != "deprecated"
    assert [(w.field, w.value) for w in from_litellm.warnings] == [("deprecation_date", day)]


def test_a_past_yyyy_mm_dd_date_still_marks_the_offering_deprecated() -> None:
    from_litellm = parse_litellm(
        {"old-model": litellm_entry("openai", "2020-01-01")},
        today=date(2026, 8, 1),
    )
    assert from_litellm.providers["openai"].models["old-model"]["status"] == "deprecated"
