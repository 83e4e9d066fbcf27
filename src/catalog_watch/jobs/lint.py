"""``catalog-watch lint``'s I/O: which lines a pull request adds (git), their files' new text,
and the findings written out as Actions annotations and a step-summary table.

The lines are ``git diff --unified=0 <merge base> HEAD`` (the merge base of ``--base`` and HEAD:
what the pull request itself changed, not what the base gained since), read as bytes; the files
are the blobs that diff names, read through one ``git cat-file --batch``, so neither the working
tree nor a file's name (a space, a line feed, bytes that are not UTF-8) gets in the way. A path
that is no file to lint (a submodule, a name that is not UTF-8, a file over the size limit) is
left out with a note on stderr.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from catalog_watch.analysis.identity import ModelIndex
from catalog_watch.analysis.lint import LintRules, lint_uses
from catalog_watch.errors import GitError
from catalog_watch.inert.terminal import one_line
from catalog_watch.jobs.lint_diff import ChangedFile, diff_files, parse_diff, read_diff
from catalog_watch.model.catalog import Catalog
from catalog_watch.model.lint import LintFinding
from catalog_watch.model.usage import ScanLimits
from catalog_watch.publish.actions import ANNOTATIONS_PER_STEP, ActionsRuntime, Annotation
from catalog_watch.publish.git import Git
from catalog_watch.render.lint import TITLES, render_lint
from catalog_watch.scan import scan_source
from catalog_watch.scan.files import language_of
from catalog_watch.scan.python import PythonFile, module_of, scan_python
from catalog_watch.settings.inconsistencies import ConsistencySettings
from catalog_watch.store.history_git import blob_reader

__all__ = [
    "ChangedFile",
    "LintRun",
    "added_lines",
    "default_base",
    "diff_files",
    "lint_changes",
    "parse_diff",
    "publish_lint",
]

_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_NOT_FILES = {"160000": "a submodule, not a file", "120000": "a symbolic link, not a file"}
_DIFF = (
    "--unified=0", "--inter-hunk-context=0", "--no-color", "--no-ext-diff", "--no-textconv",
    "--find-renames", "--full-index", "--no-relative", "--submodule=short", "--src-prefix=a/",
    "--dst-prefix=b/",
)  # fmt: skip
"""Whatever the configuration says (diff.noprefix, diff.relative, diff.interHunkContext,
diff.external, color.diff, diff.submodule): the one output ``diff_files`` reads."""
CONTEXT_FILES = 200
"""At most this many unchanged Python files are read for the constants changed lines use."""


@dataclass(frozen=True, slots=True)
class LintRun:
    """What one lint saw: the base as given, the merge base, the changed files it scanned, and
    the changed paths it left out (one note each)."""

    base: str
    merge_base: str
    files: tuple[str, ...]
    findings: tuple[LintFinding, ...]
    notes: tuple[str, ...] = ()


def default_base(git: Git, env: Mapping[str, str]) -> str:
    """``origin/$GITHUB_BASE_REF`` on a pull-request run, else ``origin/HEAD`` when the clone
    has it, else ``main``."""
    ref = env.get("GITHUB_BASE_REF")
    if ref:
        return f"origin/{ref}"
    found = git.run("rev-parse", "--verify", "--quiet", "refs/remotes/origin/HEAD", check=False)
    return "origin/HEAD" if found else "main"


def added_lines(git: Git, base: str) -> tuple[str, list[ChangedFile]]:
    """(merge base, the files HEAD added or changed lines in since it). A base that names no
    commit (a range names several), or shares no history with HEAD (a shallow clone), is a
    ``GitError``."""
    commit = _base_commit(git, base)
    merge_base = git.run("merge-base", commit, "HEAD", check=False)
    if not merge_base:
        raise GitError(
            f"--base {base!r} and HEAD share no commit in {git.path} (a shallow clone? "
            "actions/checkout with fetch-depth: 0 fetches the history lint needs)"
        )
    reader = read_diff(git.run_bytes("diff", *_DIFF, merge_base, "HEAD", "--").stdout)
    files = reader.done()
    if reader.binary:
        files.extend(_binary_sources(git, merge_base))
    return merge_base, files


def _binary_sources(git: Git, merge_base: str) -> list[ChangedFile]:
    """The source files git's diff calls binary (a NUL byte, or a ``-diff`` attribute, which a
    pull request can set in .gitattributes), diffed again as text: what a change adds is linted
    whatever its attributes say."""
    numstat = git.run_bytes("diff", "--numstat", "-z", *_DIFF, merge_base, "HEAD", "--").stdout
    tokens = iter(numstat.split(b"\0"))
    specs: list[str] = []
    for token in tokens:
        if not token:
            continue  # the end of the output
        added, _, rest = token.partition(b"\t")
        deleted, _, name = rest.partition(b"\t")
        names = [name] if name else [next(tokens, b""), next(tokens, b"")]  # a rename: old, new
        paths = [raw.decode("utf-8", "surrogateescape") for raw in names]
        if (added, deleted) == (b"-", b"-") and language_of(paths[-1]) is not None:
            specs.extend(f":(top,literal){path}" for path in paths)
    if not specs:
        return []
    text = git.run_bytes("diff", "--text", *_DIFF, merge_base, "HEAD", "--", *specs).stdout
    return diff_files(text)


def _base_commit(git: Git, base: str) -> str:
    """The one commit ``base`` names: git's exit status decides (``main..feat`` prints two
    revisions and fails, ``main^!`` prints one and fails)."""
    spec = f"{base}^{{commit}}"
    found = git.run_bytes("rev-parse", "--verify", "--quiet", "--end-of-options", spec, check=False)
    commit = found.stdout.decode("utf-8", "replace").strip()
    if found.returncode == 0 and _OBJECT_ID.fullmatch(commit):
        return commit
    if commit:
        raise GitError(
            f"--base {base!r} names no commit in {git.path}: it is a range or a set of "
            "commits; give the branch, tag or commit the pull request is based on"
        )
    raise GitError(
        f"--base {base!r} names no commit in {git.path}: fetch it first "
        "(git fetch origin <branch>; on GitHub, actions/checkout with fetch-depth: 0)"
    )


def changed_sources(
    repo: Path, files: Sequence[ChangedFile], limits: ScanLimits | None = None
) -> tuple[dict[str, str], list[str]]:
    """(path → text, notes): the text HEAD holds for each changed file the scanner reads (by
    file name), UTF-8 and within ``limits.max_file_bytes``; a note for each one left out."""
    limit = (limits or ScanLimits()).max_file_bytes
    sources: dict[str, str] = {}
    notes: list[str] = []
    wanted: list[tuple[str, str]] = []
    for file in sorted(files, key=lambda f: f.path):
        if language_of(file.path) is None:
            continue
        why = _not_a_file(file)
        if why is None and file.blob is not None:
            wanted.append((file.path, file.blob))
        else:
            notes.append(_note(file.path, why or "the diff names no blob for it"))
    for path, data in _read_blobs(repo, wanted):
        if len(data) > limit:
            notes.append(_note(path, f"larger than {limit:,} bytes"))
            continue
        try:
            sources[path] = data.decode("utf-8")
        except UnicodeDecodeError:
            notes.append(_note(path, "not UTF-8"))
    return sources, notes


def _not_a_file(file: ChangedFile) -> str | None:
    """Why a changed path is no text to lint, or None when it is one."""
    if file.mode in _NOT_FILES:
        return _NOT_FILES[file.mode]
    try:
        file.path.encode("utf-8")
    except UnicodeEncodeError:
        return "its name is not UTF-8"
    return None


def _note(path: str, why: str) -> str:
    """One line for a path lint leaves out: the bytes of a name that is not UTF-8 as ``\\xff``."""
    shown = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return f"{shown}: {why}: not linted"


def _read_blobs(repo: Path, wanted: Sequence[tuple[str, str]]) -> Iterable[tuple[str, bytes]]:
    """(path, bytes) for each (path, blob id), through one ``git cat-file --batch``."""
    if not wanted:
        return []
    with blob_reader(repo) as read:
        return [(path, read(blob)) for path, blob in wanted]


def context_sources(
    git: Git, sources: Mapping[str, str], limits: ScanLimits | None = None
) -> dict[str, str]:
    """HEAD's text of the unchanged Python files that define what changed Python files pass as
    a model (``from app.settings import DRAFT`` … ``model=DRAFT``), so that a changed use links
    to its constant; at most ``CONTEXT_FILES``, sorted by path. Only the modules named are read."""
    modules: set[str] = set()
    for path, text in sources.items():
        if language_of(path) == "python":
            try:
                modules |= _referenced_modules(scan_python(path, text))
            except (SyntaxError, ValueError, RecursionError):
                continue  # the scan notes it
    if not modules:
        return {}
    listed = _python_blobs(git)
    chosen = [p for p in sorted(listed) if p not in sources and _provides(p, modules)]
    limit = (limits or ScanLimits()).max_file_bytes
    found: dict[str, str] = {}
    for path, data in _read_blobs(git.path, [(p, listed[p]) for p in chosen[:CONTEXT_FILES]]):
        if len(data) <= limit:
            try:
                found[path] = data.decode("utf-8")
            except UnicodeDecodeError:
                continue
    return found


def _referenced_modules(file: PythonFile) -> set[str]:
    """The modules a name passed as a model may come from (as ``scan.python`` follows it)."""
    found: set[str] = set()
    for ref in file.refs:
        imported = file.imports.get(ref.chain[0])
        if imported is None:
            continue
        module, name = imported
        if len(ref.chain) == 1:
            if name is not None:  # ``from app.settings import DRAFT``: the module app.settings
                found.add(module)
        else:
            found.add(".".join([module if name is None else f"{module}.{name}", *ref.chain[1:-1]]))
    return found


def _provides(path: str, modules: Collection[str]) -> bool:
    """``src/app/settings.py`` is module ``app.settings`` (and ``settings``) to the scanner."""
    parts = module_of(path).split(".")
    return any(".".join(parts[start:]) in modules for start in range(len(parts)))


def _python_blobs(git: Git) -> dict[str, str]:
    """Path → blob id of every Python file HEAD holds (a name that is not UTF-8 left out)."""
    found: dict[str, str] = {}
    for entry in git.run_bytes("ls-tree", "-r", "-z", "--full-tree", "HEAD").stdout.split(b"\0"):
        meta, _, raw = entry.partition(b"\t")
        mode, _, rest = meta.partition(b" ")
        kind, _, blob = rest.partition(b" ")
        if kind == b"blob" and mode != b"120000" and raw.endswith(b".py"):
            try:
                found[raw.decode("utf-8")] = blob.decode("ascii")
            except UnicodeDecodeError:
                continue
    return found


def lint_changes(
    repo: Path,
    base: str,
    catalog: Catalog,
    rules: LintRules,
    settings: ConsistencySettings,
    index: ModelIndex | None = None,
) -> LintRun:
    """The findings for the model ids HEAD adds or changes since its merge base with ``base``;
    a note on stderr for each changed path left out."""
    git = Git(repo)
    merge_base, changed = added_lines(git, base)
    sources, notes = changed_sources(repo, changed)
    context = context_sources(git, sources)
    uses, unparsed = scan_source({**context, **sources})
    broken = {s.path: s.reason for s in unparsed if s.path in sources}
    notes.extend(_note(path, why) for path, why in sorted(broken.items()))
    for note in notes:
        print(f"catalog-watch: note: {one_line(note)}", file=sys.stderr)
    added = {file.path: file.lines for file in changed}
    findings = lint_uses(uses, added, catalog, rules, settings, index)
    scanned = tuple(sorted(p for p in sources if p not in broken))
    return LintRun(base, merge_base, scanned, tuple(findings), tuple(notes))


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
