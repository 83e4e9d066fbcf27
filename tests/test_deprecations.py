"""The deprecation calendar: the join of every source's dates onto the offerings (small
catalogs and the real LiteLLM, OpenRouter and models.dev files), the lead-time rule, and
``catalog-watch deprecations`` in each format, the ``.ics`` parsed back with icalendar."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest

from catalog_watch.analysis.deprecations import (
    DEPRECATED,
    RETIRED,
    SCHEDULED,
    Retirement,
    deprecated_since,
    due_lead,
    retirements,
)
from catalog_watch.cli.app import main
from catalog_watch.model.catalog import Catalog, Provider
from catalog_watch.model.ledger_line import LedgerLine
from catalog_watch.render.calendar import render_calendar
from catalog_watch.settings.config import Config
from catalog_watch.store.catalog_files import load_catalog
from catalog_watch.store.outbox import KEEP_DELIVERED
from tests.factories import REAL_DATA, document, model, provider, write_json

TODAY = date(2026, 5, 1)


def catalog(source: str, offerings: dict[str, dict[str, dict[str, Any]]]) -> Catalog:
    """A catalog of ``{provider: {model id: record}}``; only the fields the calendar reads."""
    return Catalog(
        providers={p: Provider(p, {"id": p}, models) for p, models in offerings.items()},
        source=source,
    )


MODELS_DEV = catalog(
    "models.dev",
    {
        "anthropic": {"claude-opus-4-20250514": {}, "claude-sonnet-4-5": {}},
        "google": {"gemini-2.0-flash": {"status": "deprecated"}, "gemini-1.0-pro": {}},
        "azure": {"gpt-4o-2024-08-06": {}},
        "xiaomi": {"mimo-v1": {"status": "deprecated"}},
        "openrouter": {
            "z-ai/glm-4.5": {},
            "nvidia/nano-vl": {},
            "nvidia/nano-vl:free": {},
        },
    },
)
LITELLM = catalog(
    "litellm",
    {
        "anthropic": {"claude-opus-4-20250514": {"deprecation_date": "2026-05-14"}},
        "gemini": {"gemini/gemini-2.0-flash": {"deprecation_date": "2026-06-01"}},
        "azure": {
            "azure/gpt-4o-2024-08-06": {"deprecation_date": "2026-02-27"},
            "azure/eu/gpt-4o-2024-08-06": {"deprecation_date": "2026-02-27"},
        },
        "xai": {"xai/grok-3": {"deprecation_date": "2026-05-15"}},
        "openai": {"gpt-4o": {}},
    },
)
OPENROUTER = catalog(
    "openrouter",
    {
        "openrouter": {
            "z-ai/glm-4.5": {"expiration_date": "2026-12-31"},
            "z-ai/glm-5-turbo": {"expiration_date": "2098-12-31"},
            "nvidia/nano-vl:free": {"expiration_date": "2026-08-24"},
        }
    },
)


def by_label(items: list[Retirement]) -> dict[str, Retirement]:
    labels = [f"{item.catalog}:{item.label}" for item in items]
    assert len(labels) == len(set(labels))  # one retirement per offering
    return {f"{item.catalog}:{item.label}": item for item in items}


def test_dates_join_onto_the_offering_of_the_same_channel() -> None:
    items = retirements([MODELS_DEV, LITELLM, OPENROUTER], today=TODAY)
    found = by_label(items)
    opus = found["models.dev:anthropic/claude-opus-4-20250514"]
    assert (opus.date, opus.source, opus.status) == (date(2026, 5, 14), "litellm", SCHEDULED)
    assert opus.group == "claude-opus-4-20250514"
    # LiteLLM's gemini/ prefix is models.dev's google; the models.dev status stays
    flash = found["models.dev:google/gemini-2.0-flash"]
    assert (flash.date, flash.source, flash.status) == (date(2026, 6, 1), "litellm", DEPRECATED)
    # a date in the past is a retirement that happened
    azure = found["models.dev:azure/gpt-4o-2024-08-06"]
    assert (azure.date, azure.status) == (date(2026, 2, 27), RETIRED)
    # no models.dev offering to join: listed on its own catalog's entry
    assert found["litellm:azure/azure/eu/gpt-4o-2024-08-06"].date == date(2026, 2, 27)
    assert found["litellm:xai/xai/grok-3"].source == "litellm"
    # OpenRouter's date belongs to its :free endpoint only; the paid one has none
    assert found["models.dev:openrouter/nvidia/nano-vl:free"].date == date(2026, 8, 24)
    assert "models.dev:openrouter/nvidia/nano-vl" not in found
    assert found["models.dev:openrouter/z-ai/glm-4.5"].source == "openrouter"
    # a placeholder date (more than 10 years ahead) is no date: nothing to list
    assert not [item for item in items if "glm-5-turbo" in item.model_id]
    # a models.dev deprecation without a date anywhere: deprecated now, undated, last
    mimo = found["models.dev:xiaomi/mimo-v1"]
    assert (mimo.date, mimo.source, mimo.status, mimo.first_seen) == (
        None,
        "models.dev",
        DEPRECATED,
        False,
    )
    assert items[-1] == mimo
    dates = [item.date for item in items if item.date is not None]
    assert dates == sorted(dates)
    # an offering no source dates is not listed
    assert "models.dev:anthropic/claude-sonnet-4-5" not in found


def test_the_earliest_date_of_several_sources_wins() -> None:
    later = catalog(
        "litellm", {"openrouter": {"openrouter/z-ai/glm-4.5": {"deprecation_date": "2027-01-31"}}}
    )
    items = retirements([MODELS_DEV, later, OPENROUTER], today=TODAY)
    glm = by_label(items)["models.dev:openrouter/z-ai/glm-4.5"]
    assert (glm.date, glm.source) == (date(2026, 12, 31), "openrouter")


def test_a_models_dev_deprecation_is_dated_by_the_day_the_ledger_first_saw_it() -> None:
    lines: list[LedgerLine] = [
        {
            "kind": "status_changed",
            "source": "models.dev",
            "time": "2026-03-02T10:17:00Z",
            "commit": None,
            "provider": "xiaomi",
            "model": "mimo-v1",
            "field": "status",
            "old": None,
            "new": "deprecated",
        },
        {
            "kind": "price_changed",
            "source": "models.dev",
            "time": "2026-03-03T10:17:00Z",
            "commit": None,
            "provider": "google",
            "model": "gemini-2.0-flash",
            "field": "cost.input",
            "old": 1,
            "new": 2,
        },
    ]
    seen = deprecated_since(lines)
    assert seen == {("xiaomi", "mimo-v1"): date(2026, 3, 2)}
    items = retirements([MODELS_DEV], today=TODAY, seen=seen)
    mimo = by_label(items)["models.dev:xiaomi/mimo-v1"]
    assert (mimo.date, mimo.first_seen, mimo.announced) == (date(2026, 3, 2), True, None)
    # no event in the feed: a first-seen day is not a retirement date
    assert b"mimo-v1" not in render_calendar(items, stamp=datetime(2026, 5, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("days_before", "due"),
    [
        (31, None),
        (30, 30),
        (29, 30),
        (8, 30),
        (7, 7),
        (5, 7),
        (2, 7),
        (1, 1),
        (0, None),
        (-1, None),
    ],
)
def test_only_the_nearest_lead_time_is_due(days_before: int, due: int | None) -> None:
    retires = date(2026, 6, 1)
    today = retires - timedelta(days=days_before)
    assert due_lead(retires, today, (30, 7, 1), KEEP_DELIVERED) == due


def test_a_lead_window_never_outlasts_the_outbox_keeping_its_id() -> None:
    """Leads 90 and 7: the 90-day reminder is due for 30 days at most (the outbox keeps a
    delivered id 30 days), so once pruned it cannot be due again; lead 0 is the day itself."""
    retires = date(2026, 12, 1)
    keep = KEEP_DELIVERED
    due = [due_lead(retires, retires - timedelta(days=n), (90, 7), keep) for n in range(95, -2, -1)]
    assert due.count(90) == 30 and due.count(7) == 7
    assert due_lead(retires, retires, (7, 0), keep) == 0
    assert due_lead(retires, retires + timedelta(days=1), (7, 0), keep) is None


# -- the real catalogs ----------------------------------------------------------------------------

LITELLM_FILE = REAL_DATA / "litellm" / "2026-07-24.json"
OPENROUTER_FILE = REAL_DATA / "openrouter" / "2026-08-19.json"
MODELS_DEV_FILE = REAL_DATA / "models-dev" / "2026-06-28.json"


@pytest.fixture(scope="module", name="real")
def fixture_real() -> tuple[list[Catalog], list[Retirement]]:
    config = Config()
    catalogs = [load_catalog(p, config) for p in (MODELS_DEV_FILE, LITELLM_FILE, OPENROUTER_FILE)]
    return catalogs, retirements(catalogs, today=TODAY)


@pytest.mark.realdata
def test_the_real_catalogs_join(real: tuple[list[Catalog], list[Retirement]]) -> None:
    catalogs, items = real
    found = by_label(items)
    expected = {
        "models.dev:anthropic/claude-opus-4-20250514": (date(2026, 5, 14), "litellm"),
        "models.dev:google/gemini-2.0-flash": (date(2026, 6, 1), "litellm"),
        "models.dev:amazon-bedrock/eu.anthropic.claude-haiku-4-5-20251001-v1:0": (
            date(2026, 10, 15),
            "litellm",
        ),
        "models.dev:moonshotai/kimi-k2-thinking": (date(2026, 5, 25), "litellm"),
        "models.dev:openrouter/z-ai/glm-4.5": (date(2026, 12, 31), "openrouter"),
        "models.dev:openrouter/nvidia/nemotron-nano-12b-v2-vl:free": (
            date(2026, 8, 24),
            "openrouter",
        ),
        "litellm:xai/xai/grok-3": (date(2026, 5, 15), "litellm"),
    }
    assert {label: (found[label].date, found[label].source) for label in expected} == expected
    # OpenRouter's 2098-12-31 placeholders are no date, and nothing else dates those models
    assert not [item for item in items if item.date and item.date.year > 2036]
    assert not [item for item in items if item.model_id in ("z-ai/glm-5-turbo", "z-ai/glm-5v")]
    # every LiteLLM date is on the calendar once: on its own entry or on the offering it joins
    litellm = catalogs[1]
    dated = [m for _, m, record in litellm.offerings() if record.get("deprecation_date")]
    own = [item for item in items if item.catalog == "litellm"]
    joined = [item for item in items if item.catalog == "models.dev" and item.source == "litellm"]
    assert len(dated) >= 85 and len(own) + len(joined) <= len(dated)
    assert len(joined) >= 15
    # every models.dev deprecation is listed
    deprecated = [(p, m) for p, m, r in catalogs[0].offerings() if r.get("status") == "deprecated"]
    listed = {(item.provider, item.model_id) for item in items if item.catalog == "models.dev"}
    assert set(deprecated) <= listed and len(deprecated) > 100


# -- the command ----------------------------------------------------------------------------------

AGENT = """import anthropic

client = anthropic.Anthropic()
reply = client.messages.create(model="claude-opus-4-20250514", max_tokens=64, messages=[])
"""


def litellm_entry(provider_id: str, retires: str) -> dict[str, Any]:
    """A LiteLLM chat entry with a ``deprecation_date``."""
    return {
        "litellm_provider": provider_id,
        "mode": "chat",
        "input_cost_per_token": 1.5e-05,
        "output_cost_per_token": 7.5e-05,
        "deprecation_date": retires,
    }


@pytest.fixture(name="files")
def fixture_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A models.dev catalog and a LiteLLM file, and a folder whose code uses one model."""
    models_dev = write_json(
        tmp_path / "api.json",
        document(
            provider("anthropic", model("claude-opus-4-20250514"), model("claude-sonnet-4-5")),
            provider("google", model("gemini-2.0-flash", status="deprecated")),
            provider("xiaomi", model("mimo-v1", status="deprecated")),
        ),
    )

    litellm = write_json(
        tmp_path / "litellm.json",
        {
            "claude-opus-4-20250514": litellm_entry("anthropic", "2026-05-14"),
            "gemini/gemini-2.0-flash": litellm_entry("gemini", "2026-06-01"),
            "xai/grok-3<b>\u202e": litellm_entry("xai", "2026-05-15"),
        },
    )
    code = tmp_path / "code"
    code.mkdir()
    (code / "agent.py").write_text(AGENT)
    monkeypatch.chdir(code)
    return models_dev, litellm


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["deprecations", "--now", "2026-05-01T09:30:00Z", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_lists_the_dates_in_text(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--catalog", *map(str, files))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        "4 retirements as of 2026-05-01: 3 ahead, 0 past, 1 deprecated without a retirement date"
    )
    assert lines[1] == "2026-05-14  anthropic/claude-opus-4-20250514  retires in 13 days (LiteLLM)"
    assert lines[2].startswith("2026-05-15  xai/grok-3<b>\\u202e  retires in 14 days")
    assert lines[3] == (
        "2026-06-01  google/gemini-2.0-flash  retires in 31 days [deprecated] (LiteLLM)"
    )
    assert lines[4] == "----------  xiaomi/mimo-v1  deprecated now (no date given) (models.dev)"


def test_the_catalog_option_given_twice_reads_both_catalogs(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    models_dev, litellm = files
    _, together, _ = run(capsys, "--catalog", str(models_dev), str(litellm))
    _, repeated, _ = run(capsys, "--catalog", str(models_dev), "--catalog", str(litellm))
    assert repeated == together
    assert repeated.splitlines()[0].startswith("4 retirements as of 2026-05-01")


def test_used_keeps_the_models_the_code_calls_and_says_where(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--used", "--catalog", *map(str, files), "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["today"] == "2026-05-01"
    assert document["retirements"] == [
        {
            "provider": "anthropic",
            "model": "claude-opus-4-20250514",
            "group": "claude-opus-4-20250514",
            "date": "2026-05-14",
            "first_seen": False,
            "source": "litellm",
            "status": "scheduled",
            "catalog": "models.dev",
            "used_at": ["agent.py:4"],
        }
    ]


def test_markdown_is_a_table_with_inert_cells(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--catalog", *map(str, files), "--format", "markdown")
    assert code == 0
    assert out.startswith("## Deprecation calendar\n")
    assert "| date | offering | when | source | status | used in |" in out
    row = next(line for line in out.splitlines() if "grok-3" in line)
    assert "| `xai/grok-3<b>\\u202e` |" in row  # a code span shows it as text; the mark spelled
    assert "| 2026-06-01 | `google/gemini-2.0-flash` | retires in 31 days | LiteLLM |" in out


def test_the_ics_feed_parses_back_and_is_the_same_bytes_twice(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    for out in (first, second):
        code, _, _ = run(
            capsys, "--catalog", *map(str, files), "--format", "ics", "--output", str(out)
        )
        assert code == 0
    assert first.read_bytes() == second.read_bytes()
    feed = icalendar.Calendar.from_ical(first.read_bytes())
    events = list(feed.walk("VEVENT"))
    assert [(str(e["uid"]), e.decoded("dtstart")) for e in events] == [
        ("anthropic/claude-opus-4-20250514/2026-05-14@catalog-watch", date(2026, 5, 14)),
        ("xai/xai/grok-3<b>\\u202e/2026-05-15@catalog-watch", date(2026, 5, 15)),
        ("google/gemini-2.0-flash/2026-06-01@catalog-watch", date(2026, 6, 1)),
    ]
    for event in events:
        assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(days=1)
        assert event.decoded("dtstamp") == datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
        assert "\u202e" not in str(event["summary"]) + str(event["description"])
    assert str(events[0]["summary"]) == "anthropic/claude-opus-4-20250514 retires"
    assert "LiteLLM's date" in str(events[0]["description"])
    assert first.read_bytes().count(b"\r\n") > 10  # the format's line ends, untouched


def test_ics_needs_an_output_file_and_the_site_extra(
    files: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    code, out, err = run(capsys, "--catalog", *map(str, files), "--format", "ics")
    assert (code, out) == (2, "") and "--output FILE" in err and err.count("\n") == 1
    monkeypatch.setitem(sys.modules, "icalendar", None)  # what Python does for a missing module
    target = tmp_path / "c.ics"
    args = ("--catalog", *map(str, files), "--format", "ics", "--output", str(target))
    code, _, err = run(capsys, *args)
    assert code == 2 and err.count("\n") == 1
    assert "icalendar" in err and err.rstrip().endswith("pip install 'catalog-watch[site]'")
    assert not target.exists()
