"""When the snapshot the ledger's first run was measured from was taken: the chart's left edge.

The ledger holds only changes, so the baseline (the first snapshot, which recorded no change) is
not in it; the first run's ``commit`` is that snapshot's commit, and git knows its date. Outside
a git checkout, or when the commit is not there (a shallow clone), the date is unknown (None).
"""

from __future__ import annotations

import os
import re
import subprocess
from datetime import datetime
from pathlib import Path

from catalog_watch.site.runs import parse_time

_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def snapshot_time(folder: Path, commit: str | None) -> datetime | None:
    """The committer date of ``commit`` in the repository holding ``folder``, None if unknown."""
    if commit is None or not _SHA.fullmatch(commit) or not folder.is_dir():
        return None
    command = ["git", "show", "--no-patch", "--format=%cI", f"{commit}^{{commit}}", "--"]
    environment = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            command, cwd=folder, env=environment, capture_output=True, text=True, check=False
        )
    except OSError:  # no git on this machine
        return None
    return parse_time(done.stdout.strip()) if done.returncode == 0 else None
