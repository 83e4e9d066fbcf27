"""Small hand-written catalog documents for unit tests (the real ones stay in ../shared/data)."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

from catalog_watch.model.alerts import Alert, Destination
from catalog_watch.model.severity import Severity
from catalog_watch.store.outbox import Outbox, outbox_text

# The real catalogs: ../shared/data beside the checkout, or CATALOG_WATCH_REAL_DATA. Tests marked
# ``realdata`` are skipped (conftest.py) when this folder is missing.
REAL_DATA = Path(
    os.environ.get("CATALOG_WATCH_REAL_DATA")
    or Path(__file__).resolve().parents[1].parent / "shared" / "data"
)
MODELS_DEV = REAL_DATA / "models-dev"


def model(model_id: str, **fields: Any) -> dict[str, Any]:
    """A valid models.dev model record; keyword arguments replace or add fields."""
    record: dict[str, Any] = {
        "id": model_id,
        "name": model_id.upper(),
        "attachment": False,
        "reasoning": False,
        "tool_call": True,
        "temperature": True,
        "open_weights": False,
        "release_date": "2025-01-01",
        "last_updated": "2025-01-01",
        "modalities": {"input": ["text"], "output": ["text"]},
        "limit": {"context": 131072, "output": 8192},
        "cost": {"input": 2.5, "output": 10},
    }
    record.update(fields)
    return record


def provider(provider_id: str, *models: dict[str, Any], **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": provider_id,
        "name": provider_id.title(),
        "env": [f"{provider_id.upper()}_API_KEY"],
        "npm": "@ai-sdk/openai-compatible",
        "doc": f"https://{provider_id}.example/docs",
        "models": {m["id"]: m for m in models},
    }
    record.update(fields)
    return record


def document(*providers: dict[str, Any]) -> dict[str, Any]:
    return {p["id"]: p for p in providers}


def small_catalog() -> dict[str, Any]:
    """Two providers, three offerings: enough for every change kind to be made by hand."""
    return document(
        provider("acme", model("fast-1"), model("big-1", cost={"input": 3, "output": 15})),
        provider("beta", model("fast-1", cost={"input": 2.5, "output": 10})),
    )


def alert(n: int) -> Alert:
    """A high-severity price alert for model ``m{n}``, id ``id{n}``: an outbox entry."""
    return Alert(
        id=f"id{n}",
        destination=Destination(),
        rule="default",
        source="models.dev",
        kind="price_changed",
        severity=Severity.HIGH,
        provider="p",
        model=f"m{n}",
        field="cost.input",
        old=1,
        new=2,
        change_pct=100.0,
        detail="cost.input $1.00 → $2.00 per 1M (+100 %)",
    )


def edited(doc: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(doc)


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def tree_bytes(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` with its bytes: to prove a failed run wrote nothing."""
    if not directory.exists():
        return {}
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


# A line whose every field has the right JSON type, but one that the outbox's readers interpret
# later (the kind, the destination, a time) cannot be read: a traceback once, mid-run.
UNREADABLE = [
    ("alert.kind", "price_went_up", "alert.kind: not an alert kind: 'price_went_up'"),
    ("alert.destination", "slack:#x", "alert.destination: not a destination"),
    ("alert.destination", "channel:", "alert.destination: not a destination"),
    ("created", "yesterday", "created: not a time (YYYY-MM-DDTHH:MM:SSZ): 'yesterday'"),
    ("delivered", "2026-13-45T99:00:00Z", "delivered: not a time"),
    ("unconfirmed", "soon", "unconfirmed: not a time"),
    ("claim", {"run": "r", "at": "0001-01-01T00:00:00+01:00"}, "claim.at: not a time"),
]


def damaged_line(field: str, value: object) -> str:
    """One outbox line, well-formed JSON of the right shape, with ``field`` set to ``value``."""
    line = json.loads(outbox_text(Outbox().add([alert(1)], created="2026-11-25T10:00:00Z")))
    *outer, last = field.split(".")
    target = line
    for part in outer:
        target = target[part]
    target[last] = value
    return json.dumps(line)
