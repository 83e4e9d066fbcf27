"""Keep the last good value of records that failed validation.

A rejected record must not look like a removed model, and a broken upstream value must not
overwrite a good one: so the new catalog takes the old record back wherever the new one was
rejected. One check needs the old record to decide: a context window that drops from a positive
size to 0. models.dev writes 0 for models that publish no token window (94 image, audio and video
offerings in 2026-06), so a 0 on its own is accepted, but a window cannot vanish from one run to
the next: that is an upstream regression and the record is rejected.
"""

from __future__ import annotations

from catalog_watch.catalog import Catalog, Provider, Rejection


def apply_last_good(new: Catalog, old: Catalog | None) -> Catalog:
    """``new`` with every rejected record replaced by its value in ``old`` (when it had one)."""
    if old is None:
        return new
    rejections = list(new.rejections) + _vanished_windows(new, old)
    providers = dict(new.providers)
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
    return Catalog(
        providers=providers,
        source=new.source,
        rejections=tuple(rejections),
        warnings=new.warnings,
    )


def _vanished_windows(new: Catalog, old: Catalog) -> list[Rejection]:
    found: list[Rejection] = []
    for provider_id, model_id, record in new.offerings():
        if record["limit"]["context"] != 0:
            continue
        old_record = old.record(provider_id, model_id)
        old_context = (old_record or {}).get("limit", {}).get("context", 0)
        if old_context:
            found.append(
                Rejection(
                    provider=provider_id,
                    model=model_id,
                    field="limit.context",
                    reason=f"dropped from {old_context} to 0; kept the last good record",
                    value=0,
                )
            )
    return found
