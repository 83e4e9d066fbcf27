"""The schemas of the state files' lines (``outbox.jsonl``, the change ledger), in pydantic-core's
own schema language, loaded by name (``store.LINE_SCHEMAS``) when a line is read or written.

pydantic-core validates them as pydantic would (the same strict types, defaults, extra keys and
error texts) without pydantic's model layer: a change run imports about 40 ms of pydantic-core
instead of about 140 ms of pydantic and its models, and a run with no alert pending and no
change to record imports neither.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Literal

from pydantic_core import (
    CoreConfig,
    PydanticCustomError,
    SchemaValidator,
    ValidationError,
    core_schema,
)

from catalog_watch.errors import StateFileError
from catalog_watch.model.alerts import alert_kind, destination_of
from catalog_watch.model.severity import Severity
from catalog_watch.model.timestamps import parse_stamp
from catalog_watch.store.outbox import Claim, Entry, StoredAlert

__all__ = ["check_ledger_line", "first_problem", "outbox_entry"]

_TEXT = core_schema.str_schema()
_ANY = core_schema.any_schema()
_OBJECT = core_schema.dict_schema(_TEXT, _ANY)  # a JSON object: any values, text keys


def _default(schema: core_schema.CoreSchema, value: object) -> core_schema.CoreSchema:
    """An optional field: ``value`` when missing (a mutable default is copied each time)."""
    return core_schema.with_default_schema(schema, default=value)


def _or_none(schema: core_schema.CoreSchema) -> core_schema.CoreSchema:
    """An optional field that may be null, and is None when missing."""
    return _default(core_schema.nullable_schema(schema), None)


def _line(
    fields: Mapping[str, core_schema.CoreSchema], extra: Literal["allow", "forbid"]
) -> core_schema.TypedDictSchema:
    """A JSON object with these fields (required unless they have a default), strict types."""
    return core_schema.typed_dict_schema(
        {
            name: core_schema.typed_dict_field(schema, required=schema["type"] != "default")
            for name, schema in fields.items()
        },
        extra_behavior=extra,
        config=CoreConfig(strict=True),
    )


def _checked(read: Callable[[str], object], what: str) -> core_schema.CoreSchema:
    """Text that ``read`` accepts, kept as text. The files' readers call ``read`` later, where a
    ValueError would be a traceback naming no line; here it is ``not an alert kind: 'x'``."""

    @functools.lru_cache(maxsize=1024)  # a file repeats them: one run's time, a few kinds
    def check(text: str) -> str:
        try:
            read(text)
        except ValueError:
            context = {"what": what, "text": repr(text)}
            raise PydanticCustomError("unreadable", "not {what}: {text}", context) from None
        return text

    return core_schema.no_info_after_validator_function(check, _TEXT)


_STAMP = _checked(parse_stamp, "a time (YYYY-MM-DDTHH:MM:SSZ)")


# A ledger line's fields, checked; other keys are allowed and the JSON values (``old``, ``new``)
# need no check.
_LEDGER_LINE = _line(
    {
        "kind": _TEXT,
        "source": _TEXT,
        "time": _STAMP,
        "commit": core_schema.nullable_schema(_TEXT),
        "provider": _default(_TEXT, ""),
        "model": _or_none(_TEXT),
        "field": _or_none(_TEXT),
        "severity": _default(_TEXT, ""),
        "change_pct": _or_none(core_schema.float_schema()),
        "added": _default(core_schema.list_schema(_TEXT), []),
        "removed": _default(core_schema.list_schema(_TEXT), []),
        "impact": _default(core_schema.list_schema(_OBJECT), []),
        "usage_impact": _default(_TEXT, ""),
        "id": _default(_TEXT, ""),
        "values": _default(_OBJECT, {}),
        "inconsistency_kind": _default(_TEXT, ""),
    },
    extra="allow",
)

_ALERT = _line(
    {
        "id": _TEXT,
        "destination": _checked(destination_of, "a destination (default, channel:#x, webhook:VAR)"),
        "rule": _TEXT,
        "source": _TEXT,
        "kind": _checked(alert_kind, "an alert kind"),
        "severity": core_schema.enum_schema(Severity, list(Severity), sub_type="str"),
        "provider": _or_none(_TEXT),
        "model": _or_none(_TEXT),
        "field": _or_none(_TEXT),
        "old": _default(_ANY, None),  # any JSON value
        "new": _default(_ANY, None),
        "change_pct": _or_none(core_schema.float_schema()),
        "detail": _default(_TEXT, ""),
        "extra": _default(_OBJECT, {}),
    },
    extra="forbid",
)

# One line of ``outbox.jsonl``.
_ENTRY_LINE = _line(
    {
        "alert": _ALERT,
        "created": _STAMP,
        "delivered": _or_none(_STAMP),
        "claim": _or_none(_line({"run": _TEXT, "at": _STAMP}, extra="forbid")),
        "unconfirmed": _or_none(_STAMP),
        "ts": _or_none(_TEXT),
    },
    extra="forbid",
)

_LEDGER = SchemaValidator(_LEDGER_LINE)
_ENTRY = SchemaValidator(_ENTRY_LINE)


def outbox_entry(line: str, where: str) -> Entry:
    """One line of ``outbox.jsonl`` as an Entry, or a StateFileError naming ``where``."""
    try:
        parsed = _ENTRY.validate_json(line)
    except ValidationError as error:
        raise StateFileError(f"{where}: not an outbox entry: {first_problem(error)}") from None
    claim = parsed["claim"]
    return Entry(
        stored=StoredAlert(line=parsed["alert"]),
        created=parsed["created"],
        delivered=parsed["delivered"],
        claim=Claim(claim["run"], claim["at"]) if claim else None,
        unconfirmed=parsed["unconfirmed"],
        ts=parsed["ts"],
    )


def check_ledger_line(fields: Mapping[str, object]) -> None:
    """A ValueError (pydantic-core's ValidationError) when ``fields`` are not a ledger line's."""
    _LEDGER.validate_python(fields)


def first_problem(error: ValueError) -> str:
    """The first problem of ``error`` in one line: ``alert.severity: Input should be ...``."""
    if not isinstance(error, ValidationError):
        return str(error).splitlines()[0]
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"])
    return f"{location}: {first['msg']}" if location else first["msg"]
