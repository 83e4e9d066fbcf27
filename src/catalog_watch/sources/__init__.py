"""Source adapters: each turns its catalog's own shape into the canonical records.

models.dev's records are the canonical shape; LiteLLM and OpenRouter are mapped onto it (prices
per 1M tokens, ``limit``, ``modalities``, capability flags), so that snapshots, diffs,
inconsistencies and alerts work the same for every source. A snapshot folder is always in the
canonical shape; its ``_meta.json`` names the source it came from.

The package itself imports nothing: ``registry`` holds the adapters by name, so a module that
only reads JSON (``json_reader``) or fetches bytes (``fetch``) loads no adapter and no pydantic.
"""
