"""``catalog-watch.toml``: the settings a team keeps beside its snapshots.

Validated with pydantic and unknown keys refused, so a typo (``price_ration``) fails with the
key's name instead of being silently ignored. Every setting has a default: no file is needed.

    [diff]
    ignore_fields = ["last_updated", "provider.headers"]

    [guard]
    max_shrink = 0.2            # share of offerings that may vanish in one run
    max_rejected_share = 0.05   # share of bad records above which the catalog is refused
    accept_rejected_after_runs = 3    # a window upstream keeps at 0 for this many runs in a row
    accept_rejected_after_hours = 24  # ... and this many hours is upstream's decision (inf: never)

    [inconsistencies]
    context_tolerance = 0.05   # relative gap under which two windows are the same
    price_ratio = 3.0          # spread against the group median that counts (medium)
    high_price_ratio = 10.0    # spread that is high severity
    unit_error_ratio = 100.0   # this far off the median is a unit error
    window_high_ratio = 2.0    # window disagreement (max/min) that is high severity
    aliases = { "deepinfra/meta-llama/Llama-3.3-70B-Instruct-Turbo" = "llama-3.3-70b-instruct" }

    [alerts]
    pending_max_age_hours = 24   # older undelivered alerts are reported on every run
    claim_lease_minutes = 30     # a claim older than this was left by a run that died
    webhook_delivery = "at-least-once"   # or "at-most-once": never re-send an unconfirmed post

    [[watch]]                    # without any: one rule, every change of low severity or more
    name = "costs"
    providers = ["openai", "anthropic", "google*"]
    kinds = ["price_changed"]
    min_increase_pct = 5         # smaller rises do not alert
    min_decrease_pct = 20
    channel = "#llm-costs"       # bot token mode; or webhook_env = "SLACK_WEBHOOK_COSTS"

    [costs]
    reference_scenario = "RAG answer"
    [[costs.scenario]]           # added to the five standard ones (replace_standard = true: only
    name = "Long document QA"    # these); one named like a standard scenario replaces it
    count = 100
    input_tokens = 250_000
    output_tokens = 1_000
    [[costs.usage]]              # monthly tokens: price changes become "+$1,240.00 / month"
    provider = "openai"
    model = "gpt-4o"
    input_tokens = 1_000_000_000
    output_tokens = 80_000_000

    [usage]                      # the models this repository's code calls (catalog-watch usage)
    enabled = true               # run scans the repository and says where a model is used
    paths = []                   # only these folders or globs (default: every tracked file)
    exclude = ["examples/*"]
    raise_severity = 1           # a used model's change is this many steps more severe
    always_alert = true          # changes to used models alert even when no watch rule keeps them

    [deprecations]
    lead_days = [30, 7, 1]       # alerts this many days before a used model retires, once each
    used_only = true             # false: every offering's retirement alerts

    [lint]                       # catalog-watch lint: the model ids a pull request adds
    errors = ["unknown", "deprecated"]   # what fails the check; the rest are warnings
    lead_days = 30               # "retiring" within this many days
    expensive_ratio = 3.0        # "expensive": this many times the cheapest channel's cost

    [[mute]]
    provider = "helicone"
    model = "mistral-nemo"
    until = 2026-12-31
    reason = "unit error reported upstream"
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from catalog_watch.accept.shrink import DEFAULT_MAX_SHRINK
from catalog_watch.analysis.diff import DEFAULT_IGNORED_FIELDS
from catalog_watch.errors import ConfigError
from catalog_watch.model.changes import ChangeKind
from catalog_watch.model.severity import Severity
from catalog_watch.settings.costs import CostSettings, Scenario
from catalog_watch.settings.defaults import DEFAULT_BRANCH, DEFAULT_CONFIG_FILE, MODES
from catalog_watch.settings.explain import describe
from catalog_watch.settings.inconsistencies import ConsistencySettings
from catalog_watch.sources.models_dev import DEFAULT_MAX_REJECTED_SHARE

__all__ = ["DEFAULT_BRANCH", "DEFAULT_CONFIG_FILE", "MODES"]  # re-exported: settings/defaults.py


class _Section(BaseModel):
    # Validators are built on first validation, i.e. only when a config file is read: building
    # them for all twelve models cost every command about 15 ms with no file at all.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class DiffSettings(_Section):
    ignore_fields: tuple[str, ...] = DEFAULT_IGNORED_FIELDS


class GuardSettings(_Section):
    max_shrink: float = Field(default=DEFAULT_MAX_SHRINK, ge=0, le=1)
    max_rejected_share: float = Field(default=DEFAULT_MAX_REJECTED_SHARE, ge=0, le=1)
    # A rejected context window (positive → 0) that upstream serves unchanged for this many
    # consecutive runs *and* this many hours since it was first rejected is accepted (see
    # ``last_good.py``); both must be met, so neither a burst of runs nor one late run suffices.
    accept_rejected_after_runs: int = Field(default=3, ge=1, strict=True)
    accept_rejected_after_hours: float = Field(default=24, ge=0)


class WatchRule(_Section):
    """Which changes alert whom. Globs (``*``, ``?``, ``[ab]``) match case-insensitively."""

    name: str = "default"
    providers: tuple[str, ...] = ("*",)
    exclude_providers: tuple[str, ...] = ()
    models: tuple[str, ...] = ("*",)
    exclude_models: tuple[str, ...] = ()
    kinds: tuple[ChangeKind, ...] = tuple(ChangeKind)
    min_severity: Severity = Severity.LOW
    min_increase_pct: float = Field(default=0, ge=0)
    min_decrease_pct: float = Field(default=0, ge=0)
    min_context_change: int = Field(default=0, ge=0, description="tokens")
    inconsistencies: bool = True
    channel: str | None = None
    webhook_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")

    @model_validator(mode="after")
    def _one_destination(self) -> WatchRule:
        if self.channel and self.webhook_env:
            raise ValueError("give channel or webhook_env, not both")
        return self


class Mute(_Section):
    """An acknowledged change or disagreement: it stops alerting (until ``until``, if given)."""

    provider: str = "*"
    model: str = "*"
    field: str = "*"
    kind: str = "*"
    inconsistency: str | None = None  # an inconsistency id (or glob)
    until: date | None = None
    reason: str = ""


class HealthSettings(_Section):
    max_age_hours: float = Field(default=48, gt=0)  # last successful fetch older: unhealthy
    max_unchanged_days: float = Field(default=30, gt=0)  # catalog unchanged longer: suspicious
    failures: int = Field(default=3, ge=1)  # consecutive failed runs: one alert, then unhealthy


class AlertSettings(_Section):
    pending_max_age_hours: float = Field(default=24, gt=0)
    # Longer than any run's delivery takes, shorter than the hourly schedule: a later run takes
    # over the alerts a killed run had claimed.
    claim_lease_minutes: float = Field(default=30, gt=0)
    webhook_delivery: Literal["at-least-once", "at-most-once"] = "at-least-once"


class UsageScanSettings(_Section):
    """``[usage]``: scanning the repository for the models its code calls."""

    enabled: bool = True
    paths: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    raise_severity: int = Field(default=1, ge=0, le=3, strict=True)
    always_alert: bool = True


class DeprecationSettings(_Section):
    """``[deprecations]``: when a retirement date alerts."""

    lead_days: tuple[int, ...] = Field(default=(30, 7, 1), min_length=1)
    used_only: bool = True

    @model_validator(mode="after")
    def _positive_and_distinct(self) -> DeprecationSettings:
        if any(day < 0 for day in self.lead_days) or len(set(self.lead_days)) != len(
            self.lead_days
        ):
            raise ValueError(f"lead_days must be distinct days >= 0, got {list(self.lead_days)}")
        return self


LintFinding = Literal["unknown", "deprecated", "retiring", "expensive"]


class LintSettings(_Section):
    """``[lint]``: what ``catalog-watch lint`` reports, and which findings fail the check."""

    errors: tuple[LintFinding, ...] = ("unknown", "deprecated")
    lead_days: int = Field(default=30, ge=0, strict=True)
    expensive_ratio: float = Field(default=3.0, gt=1)


class Config(_Section):
    diff: DiffSettings = Field(default_factory=DiffSettings.model_construct)
    guard: GuardSettings = Field(default_factory=GuardSettings.model_construct)
    # A plain dataclass (pydantic validates it as a table): the checks take it as it is.
    inconsistencies: ConsistencySettings = ConsistencySettings()
    alerts: AlertSettings = Field(default_factory=AlertSettings.model_construct)
    costs: CostSettings = CostSettings()  # a plain dataclass too, validated as a table
    health: HealthSettings = Field(default_factory=HealthSettings.model_construct)
    watch: tuple[WatchRule, ...] = Field(default_factory=lambda: (WatchRule.model_construct(),))
    mute: tuple[Mute, ...] = ()
    usage: UsageScanSettings = Field(default_factory=UsageScanSettings.model_construct)
    deprecations: DeprecationSettings = Field(default_factory=DeprecationSettings.model_construct)
    lint: LintSettings = Field(default_factory=LintSettings.model_construct)

    @model_validator(mode="after")
    def _unique_rule_names(self) -> Config:
        names = [rule.name for rule in self.watch]
        if len(names) != len(set(names)):
            raise ValueError(f"watch rule names must be unique, got {names}")
        return self


DEFAULT_CONFIG = Config.model_construct()
"""``Config()`` without validating it (the defaults are valid): no validator is built."""


def load_config(path: Path | None) -> Config:
    """The config at ``path``; with None, ``catalog-watch.toml`` if present, else defaults."""
    if path is None:
        path = Path(DEFAULT_CONFIG_FILE)
        if not path.exists():
            return DEFAULT_CONFIG
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot read config: {error}") from error
    try:
        return Config.model_validate(data)
    except ValidationError as error:
        raise ConfigError(describe(path, text, error, Config)) from None


def scenarios(config: Config) -> tuple[Scenario, ...]:
    """Every scenario priced, in order (``[costs]``)."""
    return config.costs.scenarios


def reference_scenario(config: Config) -> Scenario:
    """The scenario that ranks the cheapest channel."""
    return config.costs.reference
