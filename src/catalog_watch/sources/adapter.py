"""What the source adapters share: the converted document, field readers, the share rule.

An adapter reads its source's records with a :class:`FieldReader` (each bad value becomes a
rejection naming the source's own field), builds an api.json-shaped :class:`Conversion`, and
:func:`finish_catalog` validates it with the models.dev schema and applies the too-many-bad rule
over the source's entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from catalog_watch.errors import CatalogRejected
from catalog_watch.model.catalog import JSON, Catalog, Rejection
from catalog_watch.model.timestamps import calendar_day
from catalog_watch.sources.models_dev import parse_catalog, rejection
from catalog_watch.sources.units import MAX_TOKENS, NotANumber, NotAPrice, decimal_of, per_million


@dataclass(frozen=True, slots=True)
class Conversion:
    """A source document rewritten as an api.json document, before ``parse_catalog`` checks it.

    ``skipped`` maps a reason to the keys (or ids) left out on purpose; ``rejections`` are the
    source records the adapter could not convert; ``warnings`` are values accepted with a note.
    """

    document: dict[str, JSON]
    rejections: tuple[Rejection, ...] = ()
    warnings: tuple[Rejection, ...] = ()
    skipped: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def skipped_counts(self) -> dict[str, int]:
        return {reason: len(keys) for reason, keys in sorted(self.skipped.items())}

    @property
    def offering_count(self) -> int:
        return sum(len(p["models"]) for p in self.document.values())


def finish_catalog(conversion: Conversion, *, source: str, max_rejected_share: float) -> Catalog:
    """Validate the converted document with ``parse_catalog``; refuse it if too much was bad."""
    adapter_bad = {(r.provider, r.model) for r in conversion.rejections}
    if not conversion.offering_count and not adapter_bad:
        raise CatalogRejected(f"{source}: the document holds no model at all")
    # parse_catalog's own share rule would only see the converted records and speak as
    # models.dev: the rule is applied below, over the source's entries.
    parsed = (
        parse_catalog(conversion.document, max_rejected_share=1.0)
        if conversion.document
        else Catalog(providers={})  # every entry was rejected before it had a provider
    )
    rejections = (*conversion.rejections, *parsed.rejections)
    bad_providers = {r.provider for r in parsed.rejections if r.model is None}
    parse_bad = {
        (r.provider, r.model)
        for r in parsed.rejections
        if r.model is not None and r.provider not in bad_providers
    }
    bad = (
        len(adapter_bad)
        + len(parse_bad)
        + sum(len(conversion.document[p]["models"]) for p in bad_providers)
    )
    total = len(adapter_bad) + conversion.offering_count
    if total and bad / total > max_rejected_share:
        first = "; ".join(str(r) for r in rejections[:3])
        raise CatalogRejected(
            f"{source}: {bad} of {total} models ({bad / total:.1%}) failed validation, more "
            f"than the {max_rejected_share:.0%} allowed; the upstream catalog looks broken. "
            f"First errors: {first}"
        )
    return replace(
        parsed,
        source=source,
        rejections=rejections,
        warnings=_of_kept_records((*conversion.warnings, *parsed.warnings), rejections),
    )


def _of_kept_records(
    warnings: tuple[Rejection, ...], rejections: tuple[Rejection, ...]
) -> tuple[Rejection, ...]:
    """The warnings of records still in the catalog: a record rejected for another field is
    listed once, as rejected, not also as a value accepted."""
    gone = {(r.provider, r.model) for r in rejections}
    gone_providers = {r.provider for r in rejections if r.model is None}
    return tuple(
        w
        for w in warnings
        if (w.provider, w.model) not in gone and w.provider not in gone_providers
    )


def is_deprecated(day: str, today: date | None) -> bool | None:
    """Whether an end-of-life date (``YYYY-MM-DD``) has come; None when unknown or unparsable."""
    when = calendar_day(day)
    return None if today is None or when is None else when <= today


class FieldReader:
    """Reads the fields of one source record; each bad value becomes a rejection naming it.

    Every reader returns None for an absent value (missing or ``null``) and for a bad one, so a
    caller builds the record and then checks :attr:`rejections`.
    """

    def __init__(self, provider: str, model: str, *, strings_expected: bool = False) -> None:
        self.provider = provider
        self.model = model
        self.strings_expected = strings_expected
        self.rejections: list[Rejection] = []
        self.warnings: list[Rejection] = []

    def reject(self, field: str, reason: str, value: JSON = None) -> None:
        self.rejections.append(self._note(field, reason, value))

    def warn(self, field: str, reason: str, value: JSON = None) -> None:
        self.warnings.append(self._note(field, reason, value))

    def price(self, value: JSON, field: str) -> int | float | None:
        """USD per token → USD per 1M tokens."""
        if value is None:
            return None
        try:
            result = per_million(value)
        except NotAPrice as error:
            self.reject(field, f"not a price: {error}", value)
            return None
        if isinstance(value, str) and not self.strings_expected:
            self.warn(field, "a price written as a string; accepted as the number it spells", value)
        return result

    def tokens(self, value: JSON, field: str) -> int | None:
        """A token count: an int, a whole float (``2000000.0``) or a whole numeric string, at
        most the catalog's largest integer (checked before the integer is built)."""
        if value is None:
            return None
        try:
            number = decimal_of(value)
        except NotANumber:
            self.reject(field, "should be a whole number of tokens", value)
            return None
        if not number.is_finite() or number < 0 or number != number.to_integral_value():
            self.reject(field, "should be a non-negative whole number of tokens", value)
            return None
        if number > MAX_TOKENS:
            self.reject(
                field, f"more tokens than the largest count a catalog holds ({MAX_TOKENS})", value
            )
            return None
        if isinstance(value, str):
            self.warn(field, "a token count written as a string; accepted", value)
        return int(number)

    def flag(self, value: JSON, field: str) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        self.reject(field, "should be true or false", value)
        return None

    def text(self, value: JSON, field: str) -> str | None:
        if value is None or isinstance(value, str):
            return value
        self.reject(field, "should be a string", value)
        return None

    def _note(self, field: str, reason: str, value: JSON) -> Rejection:
        return rejection(self.provider, self.model, field, reason, value)
