"""Source adapters: each turns its catalog's own shape into the canonical records.

models.dev's records are the canonical shape; LiteLLM and OpenRouter are mapped onto it (prices
per 1M tokens, ``limit``, ``modalities``, capability flags), so that snapshots, diffs,
inconsistencies and alerts work the same for every source. A snapshot folder is always in the
canonical shape; its ``_meta.json`` names the source it came from.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from catalog_watch.catalog import Catalog
from catalog_watch.errors import ConfigError


@dataclass(frozen=True, slots=True)
class SourceType:
    name: str
    default_url: str
    parse: Callable[..., Catalog]  # (document, *, max_rejected_share) -> Catalog
    looks_like: Callable[[object], bool]

    @property
    def snapshots(self) -> Path:
        return Path("snapshots") / self.name


# name → (module, parser, shape test); a module is imported only when its source is used.
_ADAPTERS = {
    "models.dev": ("models_dev", "parse_catalog", "looks_like_models_dev"),
    "litellm": ("litellm", "parse_litellm", "looks_like_litellm"),
    "openrouter": ("openrouter", "parse_openrouter", "looks_like_openrouter"),
}
SOURCE_NAMES = tuple(_ADAPTERS)


def source_type(name: str) -> SourceType:
    if name not in _ADAPTERS:
        raise ConfigError(f"unknown source type {name!r}; known: {', '.join(_ADAPTERS)}")
    module_name, parser, shape = _ADAPTERS[name]
    module = importlib.import_module(f"catalog_watch.sources.{module_name}")
    return SourceType(name, module.DEFAULT_URL, getattr(module, parser), getattr(module, shape))


def detect_source_type(document: object) -> SourceType:
    """The source whose shape ``document`` has; models.dev when none fits, so that its parser
    says precisely what is wrong with the document (models.dev is the default source)."""
    for name in ("openrouter", "litellm"):
        kind = source_type(name)
        if kind.looks_like(document):
            return kind
    return source_type("models.dev")


def parse_source(
    document: object, name: str | None, *, max_rejected_share: float, canonical: bool = False
) -> Catalog:
    """Parse a document of source ``name`` (detected when None).

    ``canonical``: the document is already canonical (a snapshot folder), only ``name`` is
    needed to label it.
    """
    from catalog_watch.sources.models_dev import parse_catalog

    if canonical:
        catalog = parse_catalog(document, max_rejected_share=max_rejected_share)
        return replace(catalog, source=name or catalog.source)
    kind = source_type(name) if name else detect_source_type(document)
    return kind.parse(document, max_rejected_share=max_rejected_share)
