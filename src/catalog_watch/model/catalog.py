"""The canonical catalog: providers and their model offerings, as plain JSON records.

Records stay the JSON objects upstream sent (unknown fields included, numbers as written), so
that a snapshot round-trips byte for byte and a new upstream field shows up as a change. They are
typed as :data:`JSONValue` objects (a reader narrows with ``isinstance``); the schema they were
validated against lives in ``sources/models_dev.py``, which checks records before they get here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from catalog_watch.model.json_text import json_key

JSONValue: TypeAlias = "bool | int | float | str | list[JSONValue] | dict[str, JSONValue] | None"
"""A value as ``json.loads`` returns it, precisely: what catalog records, ledger lines, outbox
entries and ``_meta.json`` hold."""

JSONObject: TypeAlias = dict[str, JSONValue]

JSON: TypeAlias = Any
"""The loose form of :data:`JSONValue`, still under ``Change.old``/``new`` and the values the
diff, consistency and render layers pass around without narrowing (see issue 12)."""

Record: TypeAlias = Mapping[str, JSONValue]
"""One catalog record (a model offering, or a provider's own fields)."""

DEFAULT_SOURCE = "models.dev"


def snapshot_folder(source: str) -> str:
    """Where a source's snapshot folder lives in the repository: ``snapshots/<source>``."""
    return f"snapshots/{source}"


DEFAULT_SNAPSHOTS = snapshot_folder(DEFAULT_SOURCE)
"""``snapshots/models.dev``: the default source's folder (every command's default)."""

# -- Provider ids --------------------------------------------------------------------------------

MAX_PROVIDER_ID = 64
PROVIDER_ID = re.compile(r"[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?")
"""What a provider id may be (used with ``fullmatch``, never ``match`` with ``$``, which would let
a trailing newline through): it is also its snapshot file name (``<id>.json``), a page name of
the site and an SVG element id.

Decided from the real catalogs (../shared/data, 2025-09 to 2026-08): the 146 models.dev ids, the
127 LiteLLM ``litellm_provider`` values and OpenRouter's one all match it. None holds an
uppercase letter (lowercase only, so no two ids can be the same file on a case-insensitive file
system), none starts or ends with ``.``, ``_`` or ``-`` (Windows drops a trailing dot: ``nul.``
is ``nul``), the longest has 29 characters. :func:`provider_id_problem` also refuses Windows
device names.
"""

_WINDOWS_DEVICE = re.compile(r"con|prn|aux|nul|com[0-9]|lpt[0-9]", re.IGNORECASE)
_ID_CHARACTER = re.compile(r"[a-z0-9._-]")


def reserved_on_windows(name: str) -> bool:
    """A name Windows takes for a device whatever its extension (``con``, ``CON.json``, ``Nul.``).

    Windows drops trailing dots and spaces and ignores the extension, so the stem is what counts.
    """
    return bool(_WINDOWS_DEVICE.fullmatch(name.split(".", 1)[0].rstrip(" ")))


def provider_id_problem(provider_id: str, others: Iterable[str] = ()) -> str | None:
    """Why ``provider_id`` cannot be a provider id (see :data:`PROVIDER_ID`), or None.

    ``others``: the catalog's other ids; an uppercase id whose lowercase form is one of them is
    said to collide with it (a case-insensitive file system would make them one file).
    """
    if PROVIDER_ID.fullmatch(provider_id) and not reserved_on_windows(provider_id):
        return None
    prefix = "not usable as a provider id (a file name): "
    return prefix + _id_fault(provider_id, others)


def _id_fault(provider_id: str, others: Iterable[str]) -> str:
    if not provider_id:
        return "it is empty"
    if len(provider_id) > MAX_PROVIDER_ID:
        return f"it is {len(provider_id)} characters long, more than {MAX_PROVIDER_ID}"
    if reserved_on_windows(provider_id):
        return "it is a Windows device name (CON, PRN, AUX, NUL, COM0-9, LPT0-9)"
    if provider_id != provider_id.lower() and provider_id.lower() in set(others):
        return (
            f"it holds uppercase letters and would be the same file as {provider_id.lower()!r} "
            "on a case-insensitive file system"
        )
    for character in provider_id:
        if not _ID_CHARACTER.fullmatch(character):
            return f"it holds {_character_name(character)}; only a-z, 0-9, '.', '_' and '-' may"
    return "it must start and end with a lowercase letter or a digit"


def _character_name(character: str) -> str:
    if character.isupper():
        return f"the uppercase letter {character!r}"
    if not character.isprintable() or character == " ":
        return f"U+{ord(character):04X}"
    return repr(character)


@dataclass(frozen=True, slots=True)
class Provider:
    """One provider: its own fields (``name``, ``env``, ``api``...) and its model offerings."""

    id: str
    info: Record
    models: Mapping[str, Record]

    def to_document(self) -> JSONObject:
        """The provider as api.json writes it: its fields plus ``models``."""
        models: JSONObject = {model_id: dict(record) for model_id, record in self.models.items()}
        return {**self.info, "models": models}


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record (or a field of one) that failed validation and was not accepted.

    ``first_seen`` and ``runs`` are the bookkeeping of ``last_good.py`` (kept in ``_meta.json``):
    the run that first rejected this same value, and how many consecutive runs have served it.
    Untracked (None and 0) where no run judged it, as in ``catalog-watch diff``.
    """

    provider: str
    model: str | None
    field: str
    reason: str
    value: JSONValue = None
    first_seen: str | None = None  # UTC ``YYYY-MM-DDTHH:MM:SSZ`` of the first run that saw it
    runs: int = 0  # consecutive runs that served this same rejected value, this one included

    @property
    def where(self) -> str:
        model = f" model {self.model!r}" if self.model is not None else ""
        return f"provider {self.provider!r}{model} field {self.field!r}"

    @property
    def key(self) -> str:
        """What identifies the rejection from run to run: the place and the rejected value."""
        return json_key([self.provider, self.model, self.field, self.value])

    @property
    def label(self) -> str:
        """``provider/model`` (the provider alone for a provider field)."""
        return self.provider if self.model is None else f"{self.provider}/{self.model}"

    def __str__(self) -> str:
        text = f"{self.where}: {self.reason} (got {self.value!r})"
        if self.first_seen is not None:
            runs = "1 run" if self.runs == 1 else f"{self.runs} runs"
            text += f"; rejected on {runs} since {self.first_seen}"
        return text

    def to_json(self) -> JSONObject:
        data: JSONObject = {
            "provider": self.provider,
            "model": self.model,
            "field": self.field,
            "reason": self.reason,
            "value": self.value,
        }
        if self.first_seen is not None:
            data["first_seen"] = self.first_seen
            data["runs"] = self.runs
        return data


@dataclass(frozen=True, slots=True)
class Accepted:
    """A rejected value upstream kept serving long enough to be taken as its decision.

    The new record went into the snapshot, so the change itself is in the diff as usual; this
    says why a value that used to be rejected now counts.
    """

    rejection: Rejection  # as last rejected: ``first_seen`` and ``runs`` include this run
    old: JSONValue  # the last good value the accepted one replaces

    def __str__(self) -> str:
        r = self.rejection
        return (
            f"accepted after {r.runs} runs: {r.label} {r.field} "
            f"{_shown(self.old)} → {_shown(r.value)} (rejected since {r.first_seen})"
        )

    def to_json(self) -> JSONObject:
        r = self.rejection
        return {
            "provider": r.provider,
            "model": r.model,
            "field": r.field,
            "old": self.old,
            "new": r.value,
            "reason": r.reason,
            "first_seen": r.first_seen,
            "runs": r.runs,
        }


def _shown(value: JSONValue) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Catalog:
    """A whole catalog from one source, keyed by provider id then model id.

    Weakly referable: the analysis caches (``identity.group_by_identity``,
    ``consistency.free_providers``) remember a catalog without keeping it alive."""

    providers: Mapping[str, Provider]
    source: str = DEFAULT_SOURCE
    rejections: tuple[Rejection, ...] = field(default=())
    warnings: tuple[Rejection, ...] = field(default=())
    accepted: tuple[Accepted, ...] = field(default=())  # rejected before, upstream's decision now

    def offerings(self) -> Iterator[tuple[str, str, Record]]:
        """Every (provider id, model id, record), sorted by provider then model."""
        for provider_id in sorted(self.providers):
            models = self.providers[provider_id].models
            for model_id in sorted(models):
                yield provider_id, model_id, models[model_id]

    def record(self, provider_id: str, model_id: str) -> Record | None:
        """One offering's record, or None when the catalog does not have it."""
        provider = self.providers.get(provider_id)
        return None if provider is None else provider.models.get(model_id)

    @property
    def offering_count(self) -> int:
        return sum(len(p.models) for p in self.providers.values())

    def to_document(self) -> JSONObject:
        """The catalog in api.json shape, providers and models sorted by id."""
        return {pid: self.providers[pid].to_document() for pid in sorted(self.providers)}
