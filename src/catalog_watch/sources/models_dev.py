"""models.dev ``api.json`` → :class:`Catalog`, with per-record validation.

``models_dev_schema.py`` holds the schema as models.dev really serves it (checked against four
catalogs from 2025-09 to 2026-06). It *checks* records, it does not rebuild them: the accepted
record is the JSON object upstream sent, so unknown fields are kept and numbers stay as written.

What happens to bad input (the rule the README documents):

* **The whole catalog is refused** (:class:`CatalogRejected`, nothing written) when its shape is
  broken: the top level is not an object or holds no provider, a provider entry or its ``models``
  is not an object, or more than ``max_rejected_share`` of the offerings are bad (an upstream
  build that broke wholesale must not be half-accepted).
* **One record is rejected with a warning** when it alone is bad: a price that is not a number,
  negative, NaN or infinite; a limit that is not a non-negative integer; a flag that is not a
  boolean; a missing ``name``, ``limit`` or ``modalities``; a model whose ``id`` differs from its
  key; a value that no snapshot file could hold back or no sink show as text, anywhere in the
  record and unknown fields included (``json_values.bad_record``: nested deeper than
  ``json_values.MAX_DEPTH`` allows, NaN, an infinity or a number such as ``1e400`` that
  overflows to one, a lone surrogate, a control character or a noncharacter in a string or a
  field name, a line break in ``name`` or ``status``); a key the document repeats in the record,
  or the record's own key repeated (which of the values upstream means cannot be told). A bad
  provider field (or a provider ``id`` that differs from its key) rejects that whole provider,
  and so does a provider id that cannot be a file name (``catalog.provider_id_problem``:
  ``../evil``, 300 characters, ``openai\\n``, ``CON``, ``OpenAI``), on its own.
  A rejected record keeps its last good value (see ``last_good.py``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from catalog_watch.errors import CatalogRejected
from catalog_watch.model.catalog import JSON, Catalog, Provider, Rejection, provider_id_problem
from catalog_watch.settings.defaults import DEFAULT_MAX_REJECTED_SHARE
from catalog_watch.sources.json_duplicates import Duplicate, duplicates_in
from catalog_watch.sources.json_values import (
    PlainDocument,
    Unstorable,
    bad_record,
    printable,
    reportable,
    surely_good,
)
from catalog_watch.sources.models_dev_schema import schema_errors

SOURCE_NAME = "models.dev"
DEFAULT_URL = "https://models.dev/api.json"

# Where a provider's fields and a model record sit in the provider's snapshot file (json_values
# levels: 1 is the file's top object): a record is checked against what that file may nest.
PROVIDER_DEPTH = 1
RECORD_DEPTH = 3  # the provider's object, its "models", the record


def looks_like_models_dev(document: object) -> bool:
    """An object of providers, each an object with a ``models`` object."""
    if not isinstance(document, dict) or not document:
        return False
    providers = list(document.values())[:20]
    return all(isinstance(p, dict) and isinstance(p.get("models"), dict) for p in providers)


def parse_catalog(
    document: object, *, max_rejected_share: float = DEFAULT_MAX_REJECTED_SHARE
) -> Catalog:
    """Check an api.json document; return the good records and the rejected ones."""
    everything = _check_top(document)
    verdict = _Verdict()
    _file_duplicates(duplicates_in(document), verdict)
    providers = _usable_ids(everything, verdict)
    _check_shape(providers)
    _file_validation_errors(providers, verdict)
    accepted: dict[str, Provider] = {}
    plain = isinstance(document, PlainDocument)
    for provider_id in sorted(everything):
        if provider_id in providers:
            raw = providers[provider_id]
            walk = not (plain and surely_good(raw, PROVIDER_DEPTH))
            provider = _judged_provider(provider_id, raw, verdict, walk=walk)
            if provider is not None:
                accepted[provider_id] = provider
        verdict.emit(provider_id, everything[provider_id])
    _refuse_if_mostly_bad(everything, verdict, max_rejected_share)
    return Catalog(providers=accepted, source=SOURCE_NAME, rejections=tuple(verdict.rejections))


_Key = tuple[str, str | None]  # (provider id, model id or None for the provider's own fields)


class _Verdict:
    """The rejections of one catalog, filed under the raw ids of their records.

    Rejections escape what they name (``printable``), so the record they belong to is known by
    its key here, never by the rejection's text.
    """

    def __init__(self) -> None:
        self.pending: dict[_Key, list[Rejection]] = defaultdict(list)
        self.rejected: set[_Key] = set()
        self.rejections: list[Rejection] = []

    def add(self, key: _Key, found: Rejection) -> None:
        self.pending[key].append(found)

    def has(self, key: _Key) -> bool:
        return bool(self.pending.get(key))

    def reject(self, key: _Key) -> None:
        self.rejected.add(key)

    def emit(self, provider_id: str, raw: JSON) -> None:
        """The rejections of ``provider_id``'s records, in the order the catalog lists them."""
        for key in [(provider_id, None), *((provider_id, m) for m in _model_ids(raw))]:
            if key in self.rejected:
                self.rejections.extend(self.pending[key])


def _check_top(document: object) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise CatalogRejected(
            f"{SOURCE_NAME}: expected a JSON object of providers, got {type(document).__name__}"
        )
    if not document:
        raise CatalogRejected(f"{SOURCE_NAME}: the catalog holds no provider at all")
    return document


def _usable_ids(everything: dict[str, Any], verdict: _Verdict) -> dict[str, Any]:
    """The providers to judge further; one whose id cannot be a file name, or that repeats a key
    (itself one of the catalog's, or one of its own fields), is rejected on its own here,
    before its shape could refuse the catalog."""
    providers: dict[str, Any] = {}
    for provider_id, raw in everything.items():
        key = (provider_id, None)
        problem = provider_id_problem(provider_id, everything)
        if problem is not None:
            verdict.add(key, rejection(provider_id, None, "id", problem, provider_id))
        if verdict.has(key):
            verdict.reject(key)
        else:
            providers[provider_id] = raw
    return providers


def _judged_provider(
    provider_id: str, raw: dict[str, Any], verdict: _Verdict, *, walk: bool
) -> Provider | None:
    """The provider with its good models, or None when its own fields are rejected.

    ``walk``: hold every record to ``bad_record`` (False once ``surely_good`` has passed them).
    """
    key = (provider_id, None)
    if raw.get("id") != provider_id:
        verdict.add(key, rejection(provider_id, None, "id", "differs from its key", raw.get("id")))
    info = {k: v for k, v in raw.items() if k != "models"}
    if walk and not verdict.has(key) and (problem := bad_record(info, PROVIDER_DEPTH)):
        verdict.add(key, _unstorable_rejection(provider_id, None, problem))
    if verdict.has(key):
        verdict.reject(key)
        return None
    models: dict[str, JSON] = {}
    for model_id, record in raw["models"].items():
        if _judged_model(provider_id, model_id, record, verdict, walk=walk):
            models[model_id] = record
        else:
            verdict.reject((provider_id, model_id))
    return Provider(id=provider_id, info=info, models=models)


def _judged_model(
    provider_id: str, model_id: str, record: JSON, verdict: _Verdict, *, walk: bool
) -> bool:
    key = (provider_id, model_id)
    if isinstance(record, dict) and record.get("id") != model_id:
        verdict.add(
            key, rejection(provider_id, model_id, "id", "differs from its key", record.get("id"))
        )
    # Last, on what passed: a value that cannot be stored or shown, unknown fields included.
    if walk and not verdict.has(key) and (problem := bad_record(record, RECORD_DEPTH)):
        verdict.add(key, _unstorable_rejection(provider_id, model_id, problem))
    return not verdict.has(key)


def _check_shape(providers: dict[str, Any]) -> None:
    """The structure every record hangs from; a break here refuses the whole catalog."""
    for provider_id, provider in providers.items():
        if not isinstance(provider, dict):
            raise CatalogRejected(
                f"{SOURCE_NAME}: provider {provider_id!r} is a {type(provider).__name__}, "
                "not an object"
            )
        if not isinstance(provider.get("models"), dict):
            raise CatalogRejected(
                f"{SOURCE_NAME}: provider {provider_id!r} field 'models' is missing or not an "
                "object"
            )


def _file_validation_errors(providers: dict[str, dict[str, Any]], verdict: _Verdict) -> None:
    """Check the whole document against the schema and file each error under its record."""
    for place, message, value in schema_errors(providers):
        key, found = _rejection_from_error(place, message, value)
        verdict.add(key, found)


def _rejection_from_error(
    loc: tuple[int | str, ...], message: str, value: JSON
) -> tuple[_Key, Rejection]:
    provider_id = str(loc[0])
    if len(loc) >= 3 and loc[1] == "models":
        field = ".".join(str(part) for part in loc[3:]) or "(record)"
        model_id = str(loc[2])
        return (provider_id, model_id), rejection(provider_id, model_id, field, message, value)
    field = ".".join(str(part) for part in loc[1:]) or "(record)"
    return (provider_id, None), rejection(provider_id, None, field, message, value)


def _file_duplicates(duplicates: tuple[Duplicate, ...], verdict: _Verdict) -> None:
    """A key repeated in a provider or a model rejects that record: which of the values upstream
    means cannot be told (one was a stray ``models: {}`` once), so the last good one stays."""
    for duplicate in duplicates:
        key, field = _record_of(duplicate)
        if key is not None:
            verdict.add(key, rejection(key[0], key[1], field, duplicate.reason, None))


def _record_of(duplicate: Duplicate) -> tuple[_Key | None, str]:
    """The record a repeated key is in, and its field there (``(record)`` for the record itself)."""
    place = (*duplicate.path, duplicate.key)
    if len(place) == 1:
        return (str(place[0]), None), "(record)"
    provider_id = str(place[0])
    if place[1] == "models" and len(place) >= 3:
        field = ".".join(str(part) for part in place[3:]) or "(record)"
        return (provider_id, str(place[2])), field
    return (provider_id, None), ".".join(str(part) for part in place[1:])


def rejection(provider: str, model: str | None, field: str, reason: str, value: JSON) -> Rejection:
    """A rejection that ``_meta.json`` can hold; every source builds its rejections here.

    A whole record or list says nothing a reader can act on (None), NaN and infinities are
    spelled (``"NaN"``), lone surrogates and control characters in names and values escaped
    (``json_values.printable``).
    """
    return Rejection(
        provider=printable(provider),
        model=None if model is None else printable(model),
        field=printable(field),
        reason=printable(reason),
        value=reportable(value),
    )


def _unstorable_rejection(provider: str, model: str | None, problem: Unstorable) -> Rejection:
    return rejection(provider, model, problem.field, problem.reason, problem.value)


def _refuse_if_mostly_bad(everything: dict[str, Any], verdict: _Verdict, share: float) -> None:
    total = sum(len(_model_ids(raw)) for raw in everything.values())
    bad_providers = {p for p, m in verdict.rejected if m is None}
    bad = sum(len(_model_ids(everything[p])) for p in bad_providers) + sum(
        1 for p, m in verdict.rejected if m is not None and p not in bad_providers
    )
    if total and bad / total > share:
        first = "; ".join(str(r) for r in verdict.rejections[:3])
        raise CatalogRejected(
            f"{SOURCE_NAME}: {bad} of {total} offerings ({bad / total:.1%}) failed validation, "
            f"more than the {share:.0%} allowed; the upstream catalog looks broken. "
            f"First errors: {first}"
        )


def _model_ids(raw: JSON) -> list[str]:
    """A provider entry's model ids; none when its shape is broken (a rejected id's may be)."""
    models = raw.get("models") if isinstance(raw, dict) else None
    return list(models) if isinstance(models, dict) else []
