"""Where an alert points: the commit with the snapshot, the pull request, the run, the changelog.

A plain record, apart from the Slack renderer, so that a run with nothing to send never loads
Block Kit to name its workflow run's URL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Links:
    commit: str | None = None  # URL of the commit with the snapshot
    pull_request: str | None = None
    run: str | None = None  # the workflow run
    changelog: str | None = None  # URL (or path) of CHANGELOG.md


def links_from_env(
    env: Mapping[str, str], *, commit: str | None, pull_url: str | None, changelog: str
) -> Links:
    """Links to the commit, PR, run and changelog, from the variables GitHub's runners set."""
    repository = env.get("GITHUB_REPOSITORY")
    if not repository:
        return Links(pull_request=pull_url)
    base = f"{env.get('GITHUB_SERVER_URL', 'https://github.com').rstrip('/')}/{repository}"
    run_id = env.get("GITHUB_RUN_ID")
    return Links(
        commit=f"{base}/commit/{commit}" if commit else None,
        pull_request=pull_url,
        run=f"{base}/actions/runs/{run_id}" if run_id else None,
        changelog=f"{base}/blob/{commit}/{changelog}" if commit else None,
    )
