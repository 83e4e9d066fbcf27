"""What a reviewer sees: the commit message, the PR title, body and labels."""

from __future__ import annotations

from catalog_watch.analysis.usage import UsedModels
from catalog_watch.model.changes import ChangeKind
from catalog_watch.model.report import Report
from catalog_watch.model.severity import Severity
from catalog_watch.render.headline import commit_message as commit_message
from catalog_watch.render.headline import headline
from catalog_watch.render.markdown import render_markdown
from catalog_watch.render.usage import used_models_section

TITLE_LIMIT = 200

# name → (colour, description); a label is put on the PR when the run has such a change.
LABELS: dict[str, tuple[str, str]] = {
    "price-increase": ("d73a4a", "A model got more expensive"),
    "price-decrease": ("0e8a16", "A model got cheaper"),
    "deprecation": ("b60205", "A model was marked deprecated"),
    "model-removed": ("b60205", "A model offering disappeared"),
    "model-added": ("1d76db", "A new model offering"),
    "provider-added": ("1d76db", "A new provider"),
    "provider-removed": ("b60205", "A provider disappeared"),
    "limit-decrease": ("d93f0b", "A context or output window shrank"),
    "capability-lost": ("d93f0b", "A capability or modality was lost"),
    "inconsistency": ("fbca04", "Providers newly disagree about a model"),
    "schema-drift": ("c5def5", "The catalog added or dropped a field"),
}


_LOSSES = frozenset({ChangeKind.CAPABILITY_CHANGED, ChangeKind.MODALITY_CHANGED})
_COMINGS_AND_GOINGS = frozenset(
    {
        ChangeKind.MODEL_ADDED,
        ChangeKind.MODEL_REMOVED,
        ChangeKind.PROVIDER_ADDED,
        ChangeKind.PROVIDER_REMOVED,
    }
)


def pull_title(report: Report) -> str:
    title = f"{report.source} catalog: {headline(report)}"
    return title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1].rstrip(", ") + "…"


def pull_body(
    report: Report, *, changelog_path: str, branch: str, used: UsedModels | None = None
) -> str:
    """The intro, the models the code uses (when it uses any: first, so a cut body keeps
    them), then the changelog section."""
    intro = (
        f"catalog-watch found these changes in **{report.source}** since the base branch's "
        f"snapshot. The full changelog is in `{changelog_path}` on branch `{branch}`; "
        "one record per line in `changes.jsonl`.\n\n"
    )
    section = "\n".join(used_models_section(used)) + "\n" if used else ""
    return intro + section + render_markdown(report)


def pull_labels(report: Report) -> list[str]:
    """The labels that describe the run's change classes, in the order of ``LABELS``."""
    found: set[str] = set()
    for change in report.listed:
        pct = change.change_pct or 0
        if change.kind is ChangeKind.PRICE_CHANGED and pct:
            found.add("price-increase" if pct > 0 else "price-decrease")
        elif change.kind is ChangeKind.STATUS_CHANGED and change.new == "deprecated":
            found.add("deprecation")
        elif change.kind is ChangeKind.LIMIT_CHANGED and change.severity is Severity.HIGH:
            found.add("limit-decrease")
        elif change.kind in _LOSSES and change.severity is Severity.HIGH:
            found.add("capability-lost")
        elif change.kind in _COMINGS_AND_GOINGS:
            found.add(change.kind.value.replace("_", "-"))
    if report.appeared:
        found.add("inconsistency")
    if report.drift:
        found.add("schema-drift")
    return [name for name in LABELS if name in found]
