"""The state committed beside the snapshots: snapshot files, ``_meta.json``, ledger, outbox."""

LINE_SCHEMAS = "catalog_watch.store.line_schemas"
"""The pydantic schemas of the ledger's and the outbox's lines, imported by name when a line is
read or written: a run with no alert pending and no change to record loads no pydantic."""
