"""A config file's tables validated into the settings dataclasses, loaded by name
(``config.VALIDATION``) only when there is a file: pydantic and the error wording (``explain``).
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import TypeAdapter, ValidationError

from catalog_watch.errors import ConfigError
from catalog_watch.settings.config import Config
from catalog_watch.settings.explain import describe

__all__ = ["validate"]

_CONFIG = TypeAdapter(Config)


def validate(data: Mapping[str, object], path: object, text: str) -> Config:
    """``data`` as a Config, or a ConfigError naming the first problem by file, line and key."""
    try:
        return _CONFIG.validate_python(data)
    except ValidationError as error:
        raise ConfigError(describe(path, text, error, Config)) from None
