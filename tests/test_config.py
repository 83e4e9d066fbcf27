"""catalog-watch.toml: defaults, values passed through, and errors that name the bad key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalog_watch.analysis.cost import DEFAULT_SCENARIOS
from catalog_watch.errors import ConfigError
from catalog_watch.settings.config import Config, load_config, reference_scenario, scenarios


def test_no_file_gives_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(None)
    assert config.diff.ignore_fields == ("last_updated",)
    assert config.guard.max_shrink == 0.2


def test_values_reach_the_consistency_settings(tmp_path: Path) -> None:
    path = tmp_path / "catalog-watch.toml"
    path.write_text(
        "[inconsistencies]\nprice_ratio = 4.5\nunit_error_ratio = 50\n"
        'aliases = { "acme/x-1" = "x" }\n[guard]\nmax_shrink = 0.3\n'
    )
    config = load_config(path)
    settings = config.inconsistencies
    assert (settings.price_ratio, settings.unit_error_ratio) == (4.5, 50)
    assert settings.aliases == {"acme/x-1": "x"}
    assert config.guard.max_shrink == 0.3


def test_unknown_key_is_named_with_its_line_and_the_known_keys(tmp_path: Path) -> None:
    path = tmp_path / "catalog-watch.toml"
    path.write_text("[inconsistencies]\nprice_ratio = 4\nprice_ration = 4\n")
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    assert str(refused.value) == (
        f"{path}:3: inconsistencies.price_ration: unknown key; known here: aliases, "
        "context_tolerance, high_price_ratio, price_ratio, unit_error_ratio, window_high_ratio"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[watch]]\nname = "a"\n\n[[watch]]\nname = "b"\nkinds = "price_changed"\n',
            ':6: watch#2.kinds: expected a list such as ["a", "b"], got "price_changed"',
        ),
        (
            "[guard]\nmax_shrink = 2\n",
            ":2: guard.max_shrink: expected a number of at most 1, got 2",
        ),
        (
            '[[watch]]\nmin_severity = "urgent"\n',
            ":2: watch#1.min_severity: expected one of 'high', 'medium', 'low' or 'info', "
            'got "urgent"',
        ),
        (
            '[[mute]]\nprovider = "x"\nuntil = "soon"\n',
            ':3: mute#1.until: expected a date such as 2026-12-31, got "soon"',
        ),
        (
            '[[watch]]\nchannel = "#x"\nwebhook_env = "X"\n',
            ":1: watch#1: give channel or webhook_env, not both",
        ),
        (
            "[costs]\n[[costs.scenario]]\ncount = 1\n",
            ":2: costs.scenario#1.name: missing (required) (and 2 more problems)",
        ),
        (
            '[inconsistencies]\naliases = { "a/b" = 1 }\n',
            ":2: inconsistencies.aliases.a/b: expected a string, got 1",
        ),
        # TOML has booleans and whole numbers: pydantic's lax mode took true for 1.0 here.
        ("[guard]\nmax_shrink = true\n", ":2: guard.max_shrink: expected a number, got true"),
        (
            '[[watch]]\ninconsistencies = "yes"\n',
            ':2: watch#1.inconsistencies: expected true or false, got "yes"',
        ),
        ("[health]\nfailures = 1.0\n", ":2: health.failures: expected a whole number, got 1.0"),
        (
            "[deprecations]\nlead_days = []\n",
            ":2: deprecations.lead_days: expected a list of at least one value, got []",
        ),
        ("diff = 3\n", ":1: diff: expected a table, got 3"),
        (
            '[[watch]]\nwebhook_env = "1BAD"\n',
            ":2: watch#1.webhook_env: expected a name of letters, digits and _ (an environment "
            'variable), got "1BAD"',
        ),
    ],
)
def test_a_bad_value_is_one_line_with_line_key_and_what_is_expected(
    tmp_path: Path, text: str, message: str
) -> None:
    """Was pydantic's words for every problem at once: 'watch.1.kinds: Input should be a valid
    tuple'."""
    path = tmp_path / "catalog-watch.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    assert str(refused.value) == f"{path}{message}"
    assert "Input should" not in str(refused.value)


def test_broken_toml_and_missing_file_are_config_errors(tmp_path: Path) -> None:
    path = tmp_path / "catalog-watch.toml"
    path.write_text("[guard\n")
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(path)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml")


# -- Every config example in the README parses, and means what the README says --------------

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_toml_blocks() -> list[str]:
    """The ```toml blocks of README.md, in order."""
    blocks = re.findall(r"^```toml\n(.*?)^```$", README.read_text(encoding="utf-8"), re.M | re.S)
    assert len(blocks) >= 4, "the README's config examples were not found"
    return blocks


def docstring_example() -> str:
    """The annotated example in config.py's docstring (its indented lines)."""
    import catalog_watch.settings.config

    doc = catalog_watch.settings.config.__doc__ or ""
    return "\n".join(line[4:] for line in doc.splitlines() if line.startswith("    "))


@pytest.mark.parametrize("number", range(len(readme_toml_blocks())))
def test_every_config_example_in_the_readme_is_accepted(tmp_path: Path, number: int) -> None:
    path = tmp_path / "catalog-watch.toml"
    path.write_text(readme_toml_blocks()[number], encoding="utf-8")
    load_config(path)


def test_the_example_in_config_docstring_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "catalog-watch.toml"
    path.write_text(docstring_example(), encoding="utf-8")
    assert load_config(path).costs.reference_scenario == "RAG answer"


def costs_config(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "catalog-watch.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_the_readme_costs_example_adds_its_scenario_to_the_standard_five(tmp_path: Path) -> None:
    [example] = [block for block in readme_toml_blocks() if "[[costs.scenario]]" in block]
    config = costs_config(tmp_path, example)
    assert [s.name for s in scenarios(config)] == [
        *(s.name for s in DEFAULT_SCENARIOS),
        "Long document QA",
    ]
    assert reference_scenario(config).name == "RAG answer"


def test_replace_standard_keeps_only_the_configured_scenarios(tmp_path: Path) -> None:
    config = costs_config(
        tmp_path,
        '[costs]\nreplace_standard = true\nreference_scenario = "Batch"\n'
        '[[costs.scenario]]\nname = "Batch"\ncount = 10\ninput_tokens = 1\noutput_tokens = 1\n',
    )
    assert [s.name for s in scenarios(config)] == ["Batch"]
    assert reference_scenario(config).name == "Batch"


def test_a_scenario_named_like_a_standard_one_replaces_it_in_place(tmp_path: Path) -> None:
    config = costs_config(
        tmp_path,
        '[[costs.scenario]]\nname = "RAG answer"\ncount = 1\ninput_tokens = 9\noutput_tokens = 9\n',
    )
    chosen = scenarios(config)
    assert [s.name for s in chosen] == [s.name for s in DEFAULT_SCENARIOS]
    assert (chosen[0].count, chosen[0].input_tokens) == (1, 9)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[costs]\nreference_scenario = "RAG"\n', "reference_scenario 'RAG' is not a scenario"),
        ("[costs]\nreplace_standard = true\n", "replace_standard = true needs at least one"),
    ],
)
def test_costs_that_cannot_work_are_refused_by_name(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(words)):
        costs_config(tmp_path, text)


def test_the_readme_costs_example_runs_through_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's report: `--config` with the README's [costs] example exited 2."""
    from catalog_watch.cli.app import main
    from tests.factories import small_catalog, write_json

    [example] = [block for block in readme_toml_blocks() if "[[costs.scenario]]" in block]
    config = tmp_path / "costs.toml"
    config.write_text(example, encoding="utf-8")
    api = write_json(tmp_path / "api.json", small_catalog())
    code = main(["show", "fast-1", "--catalog", str(api), "--config", str(config)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Long document QA" in out and "Agent step" in out
