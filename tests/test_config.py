"""catalog-watch.toml: defaults, values passed through, and errors that name the bad key."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog_watch.compare import consistency_settings
from catalog_watch.config import load_config
from catalog_watch.errors import ConfigError


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
    settings = consistency_settings(config)
    assert (settings.price_ratio, settings.unit_error_ratio) == (4.5, 50)
    assert settings.aliases == {"acme/x-1": "x"}
    assert config.guard.max_shrink == 0.3


def test_unknown_key_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "catalog-watch.toml"
    path.write_text("[inconsistencies]\nprice_ration = 4\n")
    with pytest.raises(
        ConfigError, match=r"catalog-watch.toml: inconsistencies.price_ration: Extra"
    ):
        load_config(path)


def test_out_of_range_value_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "catalog-watch.toml"
    path.write_text("[guard]\nmax_shrink = 2\n")
    with pytest.raises(
        ConfigError, match=r"guard.max_shrink: Input should be less than or equal to 1"
    ):
        load_config(path)


def test_broken_toml_and_missing_file_are_config_errors(tmp_path: Path) -> None:
    path = tmp_path / "catalog-watch.toml"
    path.write_text("[guard\n")
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(path)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml")
