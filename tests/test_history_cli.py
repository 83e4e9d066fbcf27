"""`catalog-watch history` and `price-at` on a repository the action ran in twice."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from catalog_watch.cli.app import main
from tests.runs import repo_run_twice  # noqa: F401  (the fixture "repo")


def test_history_from_the_ledger_gives_from_and_to(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "m1", "--field", "cost.input", "--format", "json"]) == 0
    periods = json.loads(capsys.readouterr().out)["history"]
    assert [(p["value"], p["from"], p["to"]) for p in periods] == [
        (2.5, None, "2026-11-10T10:17:00Z"),
        (3, "2026-11-10T10:17:00Z", None),
    ]


def test_history_from_git_starts_at_the_baseline(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "m1", "--field", "cost.input", "--from-git", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "provider,model,field,value,from,to",
        "acme,m1,cost.input,2.5,2026-11-01T10:17:00Z,2026-11-10T10:17:00Z",
        "acme,m1,cost.input,3,2026-11-10T10:17:00Z,",
    ]


@pytest.mark.parametrize(
    ("day", "expected"),
    [("2026-10-31", None), ("2026-11-05", 2.5), ("2026-11-10", 3), ("2026-12-01", 3)],
)
def test_price_at_before_between_on_and_after_the_change(
    repo: Path, capsys: pytest.CaptureFixture[str], day: str, expected: float | None
) -> None:
    assert main(["price-at", "m1", day, "--from-git", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    prices = [row["cost"]["cost.input"] for row in result["prices"]]
    assert prices == ([] if expected is None else [expected])


def cli(argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_price_at_gives_the_prices_that_never_changed_from_the_snapshot(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # m1's output and all of m2 never changed: the ledger has no line about them
    assert cli(["price-at", "m1", "2026-11-12", "--provider", "acme"], capsys) == (
        0,
        "m1 on 2026-11-12 (USD per 1M tokens)\n"
        "provider  model  input  output  cache_read\n"
        "acme      m1     $3.00  $10.00  -\n"
        "-: no such price\n",
        "",
    )
    code, out, _ = cli(["price-at", "m2", "2026-11-12", "--format", "json"], capsys)
    assert code == 0
    assert json.loads(out)["prices"] == [
        {
            "provider": "acme",
            "model": "m2",
            "cost": {"cost.input": 2.5, "cost.output": 10, "cost.cache_read": None},
        }
    ]


def test_history_of_a_field_that_never_changed_runs_from_before_the_ledger(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "m2", "--field", "cost", "--format", "json"]) == 0
    periods = json.loads(capsys.readouterr().out)["history"]
    assert [(p["field"], p["value"], p["from"], p["to"]) for p in periods] == [
        ("cost.input", 2.5, None, None),
        ("cost.output", 10, None, None),
    ]


def test_price_at_before_the_first_ledger_line_says_the_first_run_is_undated(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(["price-at", "m1", "2026-11-05"], capsys)
    assert code == 0
    assert "acme      m1     $2.50  $10.00" in out
    assert out.splitlines()[-1] == (
        "note: the ledger begins on 2026-11-10 10:17 UTC: before it, these are the first "
        "prices it knows, held since the first run (its date is not kept); --from-git dates them"
    )
    code, out, _ = cli(["price-at", "m1", "2026-11-05", "--from-git"], capsys)
    assert code == 0 and "$2.50" in out
    assert "note" not in out  # git dates the baseline


def test_no_history_yet_says_where_it_looked_and_what_to_try(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli(["history", "m1"], capsys)
    assert (code, out) == (
        0,
        "no history matches: no history yet: snapshots/models.dev holds no snapshot and no "
        "changes.jsonl (has `catalog-watch run` written there? check --repo and --snapshots); "
        "--from-git reads the folder's git history\n",
    )


def test_an_unknown_model_gets_the_same_did_you_mean_as_show(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hint = "did you mean: m1"
    for argv in (
        ["history", "mm1"],
        ["price-at", "mm1", "2026-11-12"],
        ["history", "mm1", "--from-git"],
        ["show", "mm1", "--catalog", "snapshots/models.dev"],
    ):
        code, out, err = cli(argv, capsys)
        assert (code, out) == (2, ""), argv
        assert "no model matches 'mm1'" in err and hint in err, argv


def test_a_provider_that_does_not_offer_the_model_is_named_with_those_that_do(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    why = "router does not offer m1 (offered by acme); drop --provider or name one of them"
    assert cli(["history", "m1", "--provider", "router"], capsys) == (
        0,
        f"no history matches: {why}\n",
        "",
    )
    assert cli(
        ["price-at", "m1", "2026-11-12", "--provider", "router", "--format", "json"], capsys
    ) == (
        0,
        '{"at":"2026-11-12","model":"m1","prices":[]}\n',
        f"catalog-watch: note: {why}\n",
    )
    code, _, err = cli(["history", "m1", "--provider", "acm"], capsys)
    assert (code, err) == (
        2,
        "catalog-watch: error: no provider 'acm' in the history; did you mean: acme?\n",
    )


def test_price_at_before_the_first_snapshot_commit_says_so(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["price-at", "m1", "2026-10-31", "--from-git"], capsys)[1] == (
        "no provider offered m1 on 2026-10-31: 2026-10-31 is before the history begins "
        "(2026-11-01 10:17 UTC, the first snapshot commit)\n"
    )


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("2026-13-01", "month must be in 1..12"),
        ("2026-02-30", "day is out of range for month"),
        ("yesterday", "not an ISO date"),
    ],
)
def test_a_date_that_is_no_date_says_what_is_wrong_and_what_works(
    capsys: pytest.CaptureFixture[str], typed: str, reason: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["price-at", "gpt-4o", typed])
    assert stopped.value.code == 2
    last = capsys.readouterr().err.splitlines()[-1]
    assert last == (
        f"catalog-watch price-at: error: argument DATE: {typed!r} is not a date ({reason}); use "
        "YYYY-MM-DD (the price as that day closed, 23:59:59 UTC) or an ISO date-time such as "
        "2026-03-01T12:00:00Z"
    )


@pytest.mark.parametrize("source", [[], ["--from-git"]])
def test_history_and_price_at_take_the_group_key_as_well_as_the_real_id(
    repo: Path, capsys: pytest.CaptureFixture[str], source: list[str]
) -> None:
    answers = {}
    for name in ("gem-3-1-flash", "gem-3.1-flash", "router/vendor/gem-3.1-flash", "GEM-3.1-FLASH"):
        history = cli(["history", name, "--field", "cost.input", *source], capsys)
        price = cli(["price-at", name, "2026-11-12", "--format", "csv", *source], capsys)
        answers[name] = (history[1], price[1].partition("\n")[2])
    assert len(set(answers.values())) == 1
    history_text, price_rows = answers["gem-3-1-flash"]
    assert history_text.splitlines()[0::4] == [
        "acme / gem-3.1-flash",
        "router / vendor/gem-3.1-flash",
    ]
    assert price_rows == "acme,gem-3.1-flash,2.5,10,\nrouter,vendor/gem-3.1-flash,1,4,\n"
