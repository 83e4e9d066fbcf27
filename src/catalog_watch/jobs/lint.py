"""``catalog-watch lint``'s I/O: which lines a pull request adds (git), their files' new text,
and the findings written out as Actions annotations and a step-summary table.

The lines are ``git diff --unified=0 <merge base> HEAD`` (the merge base of ``--base`` and HEAD:
what the pull request itself changed, not what the base gained since); the files are read as
HEAD has them, through one ``git cat-file --batch``, so the working tree does not matter.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from catalog_watch.analysis.identity import ModelIndex
from catalog_watch.analysis.lint import LintRules, lint_uses
from catalog_watch.errors import GitError
from catalog_watch.model.catalog import Catalog
from catalog_watch.model.lint import LintFinding
from catalog_watch.model.usage import ScanLimits
from catalog_watch.publish.actions import ANNOTATIONS_PER_STEP, ActionsRuntime, Annotation
from catalog_watch.publish.git import Git
from catalog_watch.render.lint import TITLES, render_lint
from catalog_watch.scan import scan_source
from catalog_watch.scan.files import language_of
from catalog_watch.settings.inconsistencies import ConsistencySettings
from catalog_watch.store.history_git import blob_reader

__all__ = ["LintRun", "added_lines", "default_base", "lint_changes", "parse_diff", "publish_lint"]

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


@dataclass(frozen=True, slots=True)
class LintRun:
    """What one lint saw: the base as given, the merge base, the changed files it scanned."""

    base: str
    merge_base: str
    files: tuple[str, ...]
    findings: tuple[LintFinding, ...]


def default_base(git: Git, env: Mapping[str, str]) -> str:
    """``origin/$GITHUB_BASE_REF`` on a pull-request run, else ``origin/HEAD`` when the clone
    has it, else ``main``."""
    ref = env.get("GITHUB_BASE_REF")
    if ref:
        return f"origin/{ref}"
    found = git.run("rev-parse", "--verify", "--quiet", "refs/remotes/origin/HEAD", check=False)
    return "origin/HEAD" if found else "main"


def added_lines(git: Git, base: str) -> tuple[str, dict[str, frozenset[int]]]:
    """(merge base, path → line numbers HEAD added or changed since it). A base that names no
    commit, or shares no history with HEAD (a shallow clone), is a ``GitError``."""
    commit = git.run(
        "rev-parse", "--verify", "--quiet", "--end-of-options", f"{base}^{{commit}}", check=False
    )
    if not commit:
        raise GitError(
            f"--base {base!r} names no commit in {git.path}: fetch it first "
            "(git fetch origin <branch>; on GitHub, actions/checkout with fetch-depth: 0)"
        )
    merge_base = git.run("merge-base", commit, "HEAD", check=False)
    if not merge_base:
        raise GitError(
            f"--base {base!r} and HEAD share no commit in {git.path} (a shallow clone? "
            "actions/checkout with fetch-depth: 0 fetches the history lint needs)"
        )
    diff = git.run(
        "diff", "--unified=0", "--no-color", "--no-ext-diff", "--no-textconv", "--find-renames",
        "--src-prefix=a/", "--dst-prefix=b/", merge_base, "HEAD",
    )  # fmt: skip
    return merge_base, parse_diff(diff)


def parse_diff(text: str) -> dict[str, frozenset[int]]:
    """Path → added line numbers, from ``git diff --unified=0`` output (deleted files and
    binary files have none; a hunk ``+c,0`` only removes lines)."""
    found: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in text.splitlines():
        if line.startswith("+++ "):
            target = line[4:]
            path = _unquote(target)
            current = (
                None if target == "/dev/null" or path is None else found.setdefault(path, set())
            )
            continue
        hunk = _HUNK.match(line)
        if hunk and current is not None:
            start, length = int(hunk.group(1)), int(hunk.group(2) or 1)
            current.update(range(start, start + length))
    return {path: frozenset(lines) for path, lines in found.items() if lines}


def _unquote(target: str) -> str | None:
    """``b/path`` → ``path``; git C-quotes a path with a control character, quote or backslash
    (``"b/a\\tb.py"``), octal escapes for bytes."""
    if not target.startswith('"'):
        return target.removeprefix("b/") if target.startswith("b/") else None
    out, body, i = bytearray(), target[1:-1], 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            following = body[i + 1]
            if following in "01234567":
                out.append(int(body[i + 1 : i + 4], 8))
                i += 4
                continue
            out.append(_ESCAPES.get(following, ord(following)))
            i += 2
            continue
        out.extend(char.encode())
        i += 1
    path = out.decode("utf-8", "replace")
    return path.removeprefix("b/") if path.startswith("b/") else None


def changed_sources(
    repo: Path, paths: Collection[str], limits: ScanLimits | None = None
) -> dict[str, str]:
    """The text HEAD holds for each of ``paths`` the scanner reads (by file name), UTF-8 and
    within ``limits.max_file_bytes``; others are left out."""
    limit = (limits or ScanLimits()).max_file_bytes
    wanted = sorted(p for p in paths if language_of(p) is not None and "\n" not in p)
    sources: dict[str, str] = {}
    if not wanted:
        return sources
    with blob_reader(repo) as read:
        for path in wanted:
            data = read(f"HEAD:{path}")
            if len(data) > limit:
                continue
            try:
                sources[path] = data.decode("utf-8")
            except UnicodeDecodeError:
                continue
    return sources


def lint_changes(
    repo: Path,
    base: str,
    catalog: Catalog,
    rules: LintRules,
    settings: ConsistencySettings,
    index: ModelIndex | None = None,
) -> LintRun:
    """The findings for the model ids HEAD adds or changes since its merge base with ``base``."""
    git = Git(repo)
    merge_base, added = added_lines(git, base)
    sources = changed_sources(repo, added)
    uses, _ = scan_source(sources)
    findings = lint_uses(uses, added, catalog, rules, settings, index)
    return LintRun(base, merge_base, tuple(sorted(sources)), tuple(findings))


def publish_lint(runtime: ActionsRuntime, run: LintRun) -> int:
    """Each finding as an annotation on its line and the table in the step summary; the number
    of findings GitHub will not show as annotations (over its 10 per level), said in the summary."""
    for finding in run.findings:
        runtime.pending.append(
            Annotation(
                finding.level,
                finding.message,
                title=TITLES[finding.kind],
                file=finding.path,
                line=finding.line,
                column=finding.column,
            )
        )
    unannotated = sum(
        _over_budget(sum(f.level == level for f in run.findings)) for level in ("error", "warning")
    )
    runtime.append_summary(
        render_lint(run.findings, "markdown", base=run.base, unannotated=unannotated)
    )
    runtime.flush_annotations()
    return unannotated


def _over_budget(count: int) -> int:
    """How many of ``count`` annotations of one level the flush leaves to the log: over the
    budget, nine go out and the tenth is a pointer to the rest."""
    return 0 if count <= ANNOTATIONS_PER_STEP else count - (ANNOTATIONS_PER_STEP - 1)
