"""The source types by name: each adapter's default URL, snapshot folder, parser and shape test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from catalog_watch.errors import CatalogRejected, ConfigError
from catalog_watch.model.catalog import Catalog, snapshot_folder
from catalog_watch.settings.defaults import SOURCE_NAMES as SOURCE_NAMES
from catalog_watch.settings.defaults import SOURCE_URLS
from catalog_watch.sources import litellm, models_dev, openrouter
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
    if not isinstance(document, dict) or not document:
        return False
    return all(
        "/" in key
        and isinstance(record, dict)
        and record.get("id") == key
        and "models" not in record
        for key, record in document.items()
    )


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
