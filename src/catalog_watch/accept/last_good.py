"""Keep the last good value of records that failed validation, for a while.

A rejected record must not look like a removed model, and a broken upstream value must not
overwrite a good one: so the new catalog takes the old record back wherever the new one was
rejected. One check needs the old record to decide: a context window that drops from a positive
size to 0. models.dev writes 0 for models that publish no token window (94 image, audio and video
offerings in 2026-06), so a 0 on its own is accepted, but a window cannot vanish from one run to
the next: that is an upstream regression and the record is rejected.

A rejection is temporary. Each one is tracked by its place and rejected value (``Rejection.key``)
in the snapshot's ``_meta.json``: ``first_seen``, the run that first rejected it, and ``runs``, how
many consecutive runs have served that same value (a changed value starts again at 1; a rejection
that is gone is dropped). A window that upstream keeps at 0 for ``[guard]
accept_rejected_after_runs`` runs *and* ``accept_rejected_after_hours`` hours is upstream's
decision: the new record is accepted and the change is reported like any other. A record that
failed validation has no good new value to accept, so it stays rejected (and tracked).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from catalog_watch.model.catalog import JSON, Accepted, Catalog, Provider, Record, Rejection
from catalog_watch.model.timestamps import read_stamp, utc_stamp
from catalog_watch.settings.config import GuardSettings

WINDOW = "limit.context"


def apply_last_good(
    new: Catalog,
    old: Catalog | None,
    seen: JSON = None,
    *,
    now: datetime | None = None,
    guard: GuardSettings | None = None,
) -> Catalog:
    """``new`` with every rejected record replaced by its value in ``old`` (when it had one).

    ``seen``: the ``rejected`` entries of the snapshot's ``_meta.json``. With ``now`` (the run's
    time) each rejection gets its ``first_seen`` and ``runs``; with ``guard`` too, the vanished
    windows that have lasted long enough are accepted (``Catalog.accepted``), not rejected.
    """
    windows = _vanished_windows(new, old) if old is not None else []
    rejected = list(new.rejections)
    accepted: list[Accepted] = []
    if now is not None:
        now = now if now.tzinfo else now.replace(tzinfo=UTC)
        history = _history(seen)
        rejected = [_tracked(r, history, now) for r in rejected]
        windows = [_tracked(r, history, now) for r in windows]
    if old is not None and now is not None and guard is not None:
        for window in windows:
            if _due(window, now, guard):
                accepted.append(
                    Accepted(window, _window(old.record(window.provider, window.model or "")))
                )
    taken = {a.rejection.key for a in accepted}
    rejections = rejected + [r for r in windows if r.key not in taken]
    providers = dict(new.providers)
    if old is not None:
        _restore(providers, rejections, old)
    return Catalog(
        providers=providers,
        source=new.source,
        rejections=tuple(rejections),
        warnings=new.warnings,
        accepted=tuple(accepted),
    )


def _restore(providers: dict[str, Provider], rejections: Sequence[Rejection], old: Catalog) -> None:
    for provider_id in sorted({r.provider for r in rejections if r.model is None}):
        if provider_id in old.providers:
            providers[provider_id] = old.providers[provider_id]
    for rejection in rejections:
        if rejection.model is None or rejection.provider not in providers:
            continue
        old_record = old.record(rejection.provider, rejection.model)
        provider = providers[rejection.provider]
        models = dict(provider.models)
        if old_record is None:
            models.pop(rejection.model, None)
        else:
            models[rejection.model] = old_record
        providers[rejection.provider] = Provider(provider.id, provider.info, models)


def _vanished_windows(new: Catalog, old: Catalog) -> list[Rejection]:
    found: list[Rejection] = []
    for provider_id, model_id, record in new.offerings():
        if _window(record) != 0:
            continue
        old_context = _window(old.record(provider_id, model_id))
        if old_context:
            found.append(
                Rejection(
                    provider=provider_id,
                    model=model_id,
                    field=WINDOW,
                    reason=f"dropped from {old_context} to 0; kept the last good record",
                    value=0,
                )
            )
    return found


def _window(record: Record | None) -> JSON:
    limit = (record or {}).get("limit")
    return limit.get("context", 0) if isinstance(limit, dict) else 0


def _tracked(rejection: Rejection, history: dict[str, tuple[str, int]], now: datetime) -> Rejection:
    """The rejection with its first sighting and this run counted."""
    first_seen, runs = history.get(rejection.key, (utc_stamp(now), 0))
    return replace(rejection, first_seen=first_seen, runs=runs + 1)


def _history(seen: JSON) -> dict[str, tuple[str, int]]:
    """``key → (first_seen, runs)`` of the stored entries; an entry without them starts again."""
    history: dict[str, tuple[str, int]] = {}
    for entry in seen if isinstance(seen, list) else []:
        if not isinstance(entry, dict):
            continue
        provider, model, field = entry.get("provider"), entry.get("model"), entry.get("field")
        first_seen, runs = entry.get("first_seen"), entry.get("runs")
        if not (isinstance(provider, str) and isinstance(field, str)):
            continue
        if not (model is None or isinstance(model, str)) or _moment(first_seen) is None:
            continue
        if not isinstance(runs, int) or isinstance(runs, bool) or runs < 1:
            continue
        key = Rejection(provider, model, field, "", entry.get("value")).key
        history[key] = (str(first_seen), runs)
    return history


def _due(rejection: Rejection, now: datetime, guard: GuardSettings) -> bool:
    """Served for enough consecutive runs and for long enough: upstream means it."""
    since = _moment(rejection.first_seen)
    if since is None or rejection.runs < guard.accept_rejected_after_runs:
        return False
    return (now - since).total_seconds() >= guard.accept_rejected_after_hours * 3600  # inf: never


def _moment(text: JSON) -> datetime | None:
    return read_stamp(text)
