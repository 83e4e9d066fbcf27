"""The source types by name: each adapter's default URL, snapshot folder, parser and shape test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from catalog_watch.errors import CatalogRejected, ConfigError, FetchError
from catalog_watch.model.catalog import JSON, Catalog, snapshot_folder
from catalog_watch.settings.defaults import SOURCE_NAMES as SOURCE_NAMES
from catalog_watch.settings.defaults import SOURCE_URLS
from catalog_watch.sources import litellm, models_dev, openrouter
from catalog_watch.sources.fetch import FetchResult, is_url, json_object
from catalog_watch.sources.file_bounds import shown
from catalog_watch.sources.models_dev import parse_catalog


@dataclass(frozen=True, slots=True)
class SourceType:
    name: str
    default_url: str
    parse: Callable[..., Catalog]  # (document, *, max_rejected_share) -> Catalog
    looks_like: Callable[[object], bool]

    @property
    def snapshots(self) -> Path:
        return Path(snapshot_folder(self.name))


_ADAPTERS = {
    "models.dev": SourceType(
        "models.dev", models_dev.DEFAULT_URL, parse_catalog, models_dev.looks_like_models_dev
    ),
    "litellm": SourceType(
        "litellm", litellm.DEFAULT_URL, litellm.parse_litellm, litellm.looks_like_litellm
    ),
    "openrouter": SourceType(
        "openrouter",
        openrouter.DEFAULT_URL,
        openrouter.parse_openrouter,
        openrouter.looks_like_openrouter,
    ),
}
# The command line and the no-change path read these two tables before importing an adapter.
if tuple(_ADAPTERS) != SOURCE_NAMES:
    raise ImportError(f"sources: adapters {tuple(_ADAPTERS)} != settings.defaults.SOURCE_NAMES")
if {name: kind.default_url for name, kind in _ADAPTERS.items()} != SOURCE_URLS:
    raise ImportError("sources: the adapters' DEFAULT_URL != settings.defaults.SOURCE_URLS")


def source_type(name: str) -> SourceType:
    if name not in _ADAPTERS:
        raise ConfigError(f"unknown source type {name!r}; known: {', '.join(_ADAPTERS)}")
    return _ADAPTERS[name]


def detect_source_type(document: object) -> SourceType:
    """The source whose shape ``document`` has; models.dev when none fits, so that its parser
    says precisely what is wrong with the document (models.dev is the default source)."""
    for name in ("openrouter", "litellm"):
        kind = source_type(name)
        if kind.looks_like(document):
            return kind
    return source_type("models.dev")


def looks_like_models_json(document: object) -> bool:
    """models.dev's ``models.json``: model records keyed by ``<lab>/<model>``, no provider.

    It is not a catalog (no provider, no price) but looks enough like one to be passed as one;
    every key holds a ``/`` (which no provider id may) and every record its own key as ``id``.
    """
    return _models_json_misfit(document) is None


def _models_json_misfit(document: object) -> str | None:
    """What first keeps ``document`` from being a models.json; None when nothing does."""
    if not isinstance(document, dict):
        return "it is not a JSON object"
    if not document:
        return "it holds no model"
    for key, record in document.items():
        if "/" not in key:
            return f"the key {shown(key)} is not a <lab>/<model> id"
        if not isinstance(record, dict):
            return f"{shown(key)} is not an object"
        if record.get("id") != key:
            return f"the id of {shown(key)} is not its key"
        if "models" in record:
            return f"{shown(key)} holds models, as a provider does"
    return None


MODELS_JSON = "models.dev's models.json (model records keyed by <lab>/<model>)"
_CATALOG_NAMES = {
    "models.dev": "models.dev's api.json catalog",
    "litellm": "a LiteLLM catalog",
    "openrouter": "an OpenRouter catalog",
}


def read_models_json(fetched: FetchResult) -> dict[str, JSON]:
    """The document ``--models-json`` brought, refused unless it is a models.json: the index
    decides which offerings are one model, and another document would regroup them without a
    word (LiteLLM's keys are partly ``<lab>/<model>`` too). Not a JSON object: FetchError (exit
    3), as for a catalog; an object of another shape: CatalogRejected (exit 4), as models.json
    given as a catalog is."""
    where = fetched.source if is_url(fetched.source) else f"--models-json file {fetched.source}"
    document = fetched.document if fetched.document is not None else _parsed(where, fetched.body)
    misfit = _models_json_misfit(document)
    if misfit is None:
        return document
    for name, kind in _ADAPTERS.items():
        if kind.looks_like(document):
            hint = ": pass it as the catalog" if name == "models.dev" else ""
            raise CatalogRejected(f"{where} is {_CATALOG_NAMES[name]}, not {MODELS_JSON}{hint}")
    raise CatalogRejected(f"{where} is not {MODELS_JSON}: {misfit}")


def _parsed(where: str, body: bytes | None) -> dict[str, JSON]:
    """``fetch.document_of`` for a models.json: named as what it is, not as a catalog file, and
    without a catalog's provider counts (models.json has no provider)."""
    if body is None:
        raise FetchError(f"{where} is empty, expected a JSON object")
    return json_object(where, body)


def parse_source(
    document: object,
    name: str | None,
    *,
    max_rejected_share: float,
    canonical: bool = False,
    where: str = "the catalog",
) -> Catalog:
    """Parse a document of source ``name`` (detected when None).

    ``canonical``: the document is already canonical (a snapshot folder), only ``name`` is
    needed to label it. ``where`` names the document in errors (a file, a URL).
    """
    if canonical:
        catalog = parse_catalog(document, max_rejected_share=max_rejected_share)
        return replace(catalog, source=name or catalog.source)
    if name in (None, "models.dev") and looks_like_models_json(document):
        raise CatalogRejected(
            f"{where} is models.dev's models.json (model metadata keyed by <lab>/<model>), "
            "not a catalog: pass it with --models-json, and api.json as the catalog"
        )
    kind = source_type(name) if name else detect_source_type(document)
    return kind.parse(document, max_rejected_share=max_rejected_share)
