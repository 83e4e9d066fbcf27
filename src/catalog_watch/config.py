"""``catalog-watch.toml``: the settings a team keeps beside its snapshots.

Validated with pydantic and unknown keys refused, so a typo (``price_ration``) fails with the
key's name instead of being silently ignored. Every setting has a default: no file is needed.

    [diff]
    ignore_fields = ["last_updated", "provider.headers"]

    [guard]
    max_shrink = 0.2            # share of offerings that may vanish in one run
    max_rejected_share = 0.05   # share of bad records above which the catalog is refused

    [inconsistencies]
    context_tolerance = 0.05   # relative gap under which two windows are the same
    price_ratio = 3.0          # spread against the group median that counts (medium)
    high_price_ratio = 10.0    # spread that is high severity
    unit_error_ratio = 100.0   # this far off the median is a unit error
    window_high_ratio = 2.0    # window disagreement (max/min) that is high severity
    aliases = { "deepinfra/meta-llama/Llama-3.3-70B-Instruct-Turbo" = "llama-3.3-70b-instruct" }
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from catalog_watch.diff import DEFAULT_IGNORED_FIELDS
from catalog_watch.errors import ConfigError
from catalog_watch.shrink import DEFAULT_MAX_SHRINK
from catalog_watch.sources.models_dev import DEFAULT_MAX_REJECTED_SHARE

DEFAULT_CONFIG_FILE = "catalog-watch.toml"
MODES = ("dry-run", "commit", "pull-request")
"""How ``catalog-watch run`` publishes: print only, commit to the branch, or a rolling PR."""
DEFAULT_BRANCH = "catalog-watch/models.dev"
"""The fixed branch behind the rolling pull request."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DiffSettings(_Section):
    ignore_fields: tuple[str, ...] = DEFAULT_IGNORED_FIELDS


class GuardSettings(_Section):
    max_shrink: float = Field(default=DEFAULT_MAX_SHRINK, ge=0, le=1)
    max_rejected_share: float = Field(default=DEFAULT_MAX_REJECTED_SHARE, ge=0, le=1)


class InconsistencySettings(_Section):
    context_tolerance: float = Field(default=0.05, ge=0, lt=1)
    price_ratio: float = Field(default=3.0, gt=1)
    high_price_ratio: float = Field(default=10.0, gt=1)
    unit_error_ratio: float = Field(default=100.0, gt=1)
    window_high_ratio: float = Field(default=2.0, gt=1)
    aliases: dict[str, str] = Field(default_factory=dict)


class Config(_Section):
    diff: DiffSettings = DiffSettings()
    guard: GuardSettings = GuardSettings()
    inconsistencies: InconsistencySettings = InconsistencySettings()


def load_config(path: Path | None) -> Config:
    """The config at ``path``; with None, ``catalog-watch.toml`` if present, else defaults."""
    if path is None:
        path = Path(DEFAULT_CONFIG_FILE)
        if not path.exists():
            return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot read config: {error}") from error
    try:
        return Config.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
            for item in error.errors()
        )
        raise ConfigError(f"{path}: {problems}") from None
