"""The state committed beside the snapshots: snapshot files, ``_meta.json``, ledger, outbox."""

import functools
import importlib
from types import ModuleType

LINE_SCHEMAS = "catalog_watch.store.line_schemas"
"""The pydantic-core schemas of the ledger's and the outbox's lines, imported by name when a line
is read or written: a run with no alert pending and no change to record loads no pydantic-core."""


@functools.cache
def line_schema_module() -> ModuleType:
    """:data:`LINE_SCHEMAS`, imported on the first line and looked up once (a busy outbox, or a
    ledger read for ``history``, holds thousands of lines)."""
    return importlib.import_module(LINE_SCHEMAS)
