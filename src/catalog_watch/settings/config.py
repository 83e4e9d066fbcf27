"""``catalog-watch.toml``: the settings a team keeps beside its snapshots.

Validated with pydantic (only when a file exists) and unknown keys refused, so a typo
(``price_ration``) fails with the key's name instead of being silently ignored. Every setting has
a default: no file is needed.

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

import codecs
import importlib
import io
import os
import stat
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from catalog_watch.accept.shrink import DEFAULT_MAX_SHRINK
from catalog_watch.analysis.diff import DEFAULT_IGNORED_FIELDS
from catalog_watch.errors import ConfigError
from catalog_watch.model.changes import ChangeKind
from catalog_watch.model.severity import Severity
from catalog_watch.settings.constraints import (
    AtLeastOne,
    Bool,
    Core,
    Count,
    Days,
    Finite,
    Hours,
    LeadDays,
    Minutes,
    NonNegative,
    Share,
)
from catalog_watch.settings.costs import CostSettings, Scenario
from catalog_watch.settings.defaults import (
    DEFAULT_BRANCH,
    DEFAULT_CONFIG_FILE,
    DEFAULT_MAX_REJECTED_SHARE,
    MODES,
)
from catalog_watch.settings.inconsistencies import ConsistencySettings

__all__ = ["DEFAULT_BRANCH", "DEFAULT_CONFIG_FILE", "MODES"]  # re-exported: settings/defaults.py

VALIDATION = "catalog_watch.settings.validation"
"""pydantic and the error wording, imported by name when a file is read: a run without a config
file, the hourly job's usual case, loads neither (about 100 ms)."""
_ENV_NAME = Core(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
_CHANNEL = Core(pattern=r"^[^\s\x00-\x1f\x7f-\x9f]+$")  # a name or an id: no space, no control

# The sections are frozen dataclasses, not pydantic models: a run without a config file (the
# hourly job's usual case) then imports no pydantic at all. pydantic validates a file's tables
# straight into them (``settings/validation.py``), reading the bounds from ``constraints.Core`` and
# calling ``__post_init__``, whose ValueError it reports at the table's key.


class _Section:
    """Every section's base: pydantic reads ``__pydantic_config__`` from it, so a key the section
    does not have is refused (a typo, not a silently ignored setting)."""

    __pydantic_config__: ClassVar[dict[str, str]] = {"extra": "forbid"}


@dataclass(frozen=True)
class DiffSettings(_Section):
    ignore_fields: tuple[str, ...] = DEFAULT_IGNORED_FIELDS


@dataclass(frozen=True)
class GuardSettings(_Section):
    max_shrink: Share = DEFAULT_MAX_SHRINK
    max_rejected_share: Share = DEFAULT_MAX_REJECTED_SHARE
    # A rejected context window (positive → 0) that upstream serves unchanged for this many
    # consecutive runs *and* this many hours since it was first rejected is accepted (see
    # ``last_good.py``); both must be met, so neither a burst of runs nor one late run suffices.
    accept_rejected_after_runs: AtLeastOne = 3
    accept_rejected_after_hours: NonNegative = 24


@dataclass(frozen=True)
class WatchRule(_Section):
    """Which changes alert whom. Globs (``*``, ``?``, ``[ab]``) match case-insensitively.

    ``kinds`` None is every kind; ``inconsistencies`` None is "as the kinds imply"
    (``watch_rules.wants_inconsistencies``): what a table leaves out is told apart from a default.
    """

    name: str = "default"
    providers: tuple[str, ...] = ("*",)
    exclude_providers: tuple[str, ...] = ()
    models: tuple[str, ...] = ("*",)
    exclude_models: tuple[str, ...] = ()
    kinds: tuple[ChangeKind, ...] | None = None
    min_severity: Severity = Severity.LOW
    min_increase_pct: Finite = 0
    min_decrease_pct: Finite = 0
    min_context_change: Count = 0  # tokens
    inconsistencies: Bool | None = None
    channel: Annotated[str, _CHANNEL] | None = None
    webhook_env: Annotated[str, _ENV_NAME] | None = None

    def __post_init__(self) -> None:
        if self.channel and self.webhook_env:
            raise ValueError("give channel or webhook_env, not both")


@dataclass(frozen=True)
class Mute(_Section):
    """An acknowledged change or disagreement: it stops alerting (until ``until``, if given)."""

    provider: str = "*"
    model: str = "*"
    field: str = "*"
    kind: str = "*"
    inconsistency: str | None = None  # an inconsistency id (or glob)
    until: date | None = None
    reason: str = ""


@dataclass(frozen=True)
class HealthSettings(_Section):
    max_age_hours: Hours = 48  # last successful fetch older: unhealthy
    max_unchanged_days: Days = 30  # catalog unchanged longer: suspicious
    failures: AtLeastOne = 3  # failed runs in a row: unhealthy


@dataclass(frozen=True)
class AlertSettings(_Section):
    pending_max_age_hours: Hours = 24
    # Longer than any run's delivery takes, shorter than the hourly schedule: a later run takes
    # over the alerts a killed run had claimed.
    claim_lease_minutes: Minutes = 30
    webhook_delivery: Literal["at-least-once", "at-most-once"] = "at-least-once"


@dataclass(frozen=True)
class UsageScanSettings(_Section):
    """``[usage]``: scanning the repository for the models its code calls."""

    enabled: Bool = True
    paths: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    raise_severity: Annotated[int, Core(strict=True, ge=0, le=3)] = 1
    always_alert: Bool = True


@dataclass(frozen=True)
class DeprecationSettings(_Section):
    """``[deprecations]``: when a retirement date alerts."""

    lead_days: Annotated[tuple[LeadDays, ...], Core(min_length=1)] = (30, 7, 1)
    used_only: Bool = True

    def __post_init__(self) -> None:
        days = self.lead_days  # each 0 to MAX_DAYS (LeadDays)
        if len(set(days)) != len(days):
            raise ValueError(f"lead_days must be distinct days, got {list(days)}")


LintFinding = Literal["unknown", "deprecated", "retiring", "expensive"]


@dataclass(frozen=True)
class LintSettings(_Section):
    """``[lint]``: what ``catalog-watch lint`` reports, and which findings fail the check."""

    errors: tuple[LintFinding, ...] = ("unknown", "deprecated")
    lead_days: LeadDays = 30
    expensive_ratio: Annotated[float, Core(strict=True, gt=1, allow_inf_nan=False)] = 3.0


@dataclass(frozen=True)
class Config(_Section):
    diff: DiffSettings = DiffSettings()
    guard: GuardSettings = GuardSettings()
    inconsistencies: ConsistencySettings = field(default_factory=ConsistencySettings)
    alerts: AlertSettings = AlertSettings()
    costs: CostSettings = field(default_factory=CostSettings)
    health: HealthSettings = HealthSettings()
    watch: tuple[WatchRule, ...] = (WatchRule(),)
    mute: tuple[Mute, ...] = ()
    usage: UsageScanSettings = UsageScanSettings()
    deprecations: DeprecationSettings = DeprecationSettings()
    lint: LintSettings = LintSettings()

    def __post_init__(self) -> None:
        names = [rule.name for rule in self.watch]
        if len(names) != len(set(names)):
            raise ValueError(f"watch rule names must be unique, got {names}")


DEFAULT_CONFIG = Config()


def load_config(path: Path | None) -> Config:
    """The config at ``path``; with None, ``catalog-watch.toml`` if present, else defaults."""
    return read_config(path)[0]


def read_config(path: Path | None) -> tuple[Config, bytes | None]:
    """:func:`load_config`, and the bytes it read (None: no file, the defaults).

    The file is read once: the hash a stored report is tied to (``jobs/quiet.source_hash``) is
    then the hash of the very bytes these settings came from, even if the file changes meanwhile.
    """
    named = path is not None
    path = path if path is not None else Path(DEFAULT_CONFIG_FILE)
    try:
        data = _read_regular(path)
    except FileNotFoundError:
        if not named:
            return DEFAULT_CONFIG, None
        raise ConfigError(f"{path}: config file not found") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read config: {error}") from error
    text = _decode(path, data)
    return validate_config(_parse(path, text), path, text), data


_OPEN = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


def _read_regular(path: Path) -> bytes:
    """The file's bytes, refused unless it is a regular file (symlinks followed): a FIFO nobody
    writes would hang the run for ever, ``/dev/zero`` fill the memory. Checked before opening,
    then opened without blocking and checked again, so a file swapped in between cannot hang."""
    _regular(path, path.stat().st_mode)
    fd = os.open(path, _OPEN)
    try:
        _regular(path, os.fstat(fd).st_mode)
        with os.fdopen(fd, "rb", closefd=False) as file:
            return file.read()
    finally:
        os.close(fd)


def _regular(path: Path, mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "not a file")
        raise ConfigError(f"{path}: cannot read config: {kind}, not a regular file")


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 text, a leading BOM skipped and newlines read as ``read_text`` reads them; bytes
    that are not UTF-8 are named by line and column, as TOML's own errors are."""
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        return _newlines(body.decode("utf-8"))
    except UnicodeDecodeError as error:
        before = _newlines(body[: error.start].decode("utf-8"))  # valid up to the first bad byte
        line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
        raise ConfigError(
            f"{path}: cannot read config: byte 0x{body[error.start]:02x} is not UTF-8 "
            f"(at line {line}, column {column})"
        ) from None


def _newlines(text: str) -> str:
    return io.StringIO(text, newline=None).read()


def _parse(path: Path, text: str) -> dict[str, object]:
    """The TOML document, or a one-line ConfigError: a syntax error, nesting deeper than the
    parser's recursion can follow, or a whole number of more than 4300 digits (Python's limit)."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ConfigError(f"{path}: cannot read config: nested too deeply") from None
    except ValueError as error:  # TOMLDecodeError, or int()'s digit limit
        reason = str(error).partition("; use sys.set_int_max_str_digits")[0]
        raise ConfigError(f"{path}: cannot read config: {reason}") from None


def validate_config(
    data: Mapping[str, object], path: object = "<config>", text: str = ""
) -> Config:
    """``data`` (a TOML document's tables) as a Config, or a ConfigError naming the first
    problem by ``path``, line (found in ``text``) and key."""
    check: Callable[[Mapping[str, object], object, str], Config]
    check = importlib.import_module(VALIDATION).validate
    return check(data, path, text)


def scenarios(config: Config) -> tuple[Scenario, ...]:
    """Every scenario priced, in order (``[costs]``)."""
    return config.costs.scenarios


def reference_scenario(config: Config) -> Scenario:
    """The scenario that ranks the cheapest channel."""
    return config.costs.reference
