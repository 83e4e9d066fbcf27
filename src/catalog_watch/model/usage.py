"""The models a repository's code uses, as found by ``scan/``: plain data, no file access.

Kept in ``model/`` so that ``analysis/usage.py`` (resolution) and ``render/usage.py`` (words) read
a scan without importing the stage that reads files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from catalog_watch.model.catalog import JSON

__all__ = ["ScanLimits", "ScanResult", "Skipped", "Use"]


@dataclass(frozen=True, slots=True)
class Use:
    """One model id found in a file.

    Attributes:
        path: POSIX path relative to the scanned root (``src/agent.py``).
        line, column: 1-based position of the literal's first character (its opening quote).
        text: the model id as written (``gpt-4o``, ``azure/my-deployment``, ``openai:gpt-4o``).
        language: ``python``, ``javascript``, ``typescript``, ``go``, ``ruby``, ``java``,
            ``kotlin``, ``yaml``, ``toml``, ``json`` or ``env``.
        how: how it was found: ``keyword`` (``model="..."``), ``key`` (``model: "..."``, a
            config key), ``argument`` (``openai("...")``), ``constant`` (``MODEL = "..."``
            defined here and used as a model at ``used_at``), ``env`` (``OPENAI_MODEL=...``),
            ``flag`` (``--model X`` in a workflow's ``run:``).
        via: the keyword, key path, callee or variable it was passed as (``model``,
            ``ChatOpenAI``, ``model_list[].litellm_params.model``, ``OPENAI_MODEL``).
        provider_hint: the catalog provider the call or SDK implies (``openai`` for
            ``ChatOpenAI``), None when nothing says.
        used_at: for a constant, every ``path:line`` where it is passed as a model, sorted.
    """

    path: str
    line: int
    column: int
    text: str
    language: str
    how: str
    via: str
    provider_hint: str | None = None
    used_at: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def to_json(self) -> dict[str, JSON]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "text": self.text,
            "language": self.language,
            "how": self.how,
            "via": self.via,
            "provider_hint": self.provider_hint,
            "used_at": list(self.used_at),
        }


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file that was selected but not read, and why (``larger than 1,048,576 bytes``)."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class ScanLimits:
    """The bounds of one scan, stated in its result so that a report can say what was left out."""

    max_file_bytes: int = 1 << 20
    max_files: int = 20_000


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a scan found and what it did not read.

    Attributes:
        root: the scanned folder, as given.
        listing: ``git`` (``git ls-files``: tracked files) or ``walk`` (not a git checkout: a walk
            that honours every ``.gitignore``).
        uses: every use, sorted by path, line, column.
        files_scanned: files read and parsed.
        skipped: files selected but not read (too large, not UTF-8, not parseable), by path.
        over_limit: how many files past ``limits.max_files`` were left unread.
        excluded: how many listed files were left out as vendored, generated or by ``exclude``.
    """

    root: str
    listing: str
    uses: tuple[Use, ...]
    files_scanned: int
    skipped: tuple[Skipped, ...] = ()
    over_limit: int = 0
    excluded: int = 0
    limits: ScanLimits = field(default_factory=ScanLimits)
