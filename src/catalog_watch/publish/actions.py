"""The GitHub Actions runner's side of a step: outputs, step summary, annotations, masks, groups.

Everything goes through an :class:`ActionsRuntime` built from an environment mapping and a text
stream, so there is no global state and a test can hand it a dict and a ``StringIO``::

    runtime = ActionsRuntime.from_environ()       # None outside GitHub Actions
    if runtime is not None:
        runtime.mask(token)
        with runtime.group("report"):
            print(text)
        runtime.set_outputs({"changed": "true", "report": "line 1\\nline 2"})
        runtime.append_summary(markdown)

File commands (``$GITHUB_OUTPUT``, ``$GITHUB_STEP_SUMMARY``) are appended to, never rewritten,
and do nothing when their variable is unset; one that cannot be written returns why, never
raises (it comes after a run's push and its Slack alerts). Workflow commands (``::warning::``
and friends) are written to ``out`` with the escaping the runner undoes, outside the
``::stop-commands::`` section that :mod:`catalog_watch.inert.actions_log` keeps around
everything else on stdout.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from catalog_watch.inert.actions_log import escape_data, escape_property, write_command
from catalog_watch.render.markdown_fit import fit_markdown, utf8_size

SUMMARY_LIMIT = 1024 * 1024
"""Bytes the runner accepts in one step's ``$GITHUB_STEP_SUMMARY`` file; over it, none is shown."""

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


ANNOTATIONS_PER_STEP = 10
"""GitHub shows at most 10 annotations of each level (error, warning, notice) per step."""


@dataclass(frozen=True, slots=True)
class Annotation:
    level: str
    message: str
    title: str | None = None
    file: str | None = None
    urgent: bool = False
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True, slots=True)
class ActionsRuntime:
    """One step's view of the runner: its environment and where workflow commands go.

    Annotations wait in ``pending`` until :meth:`flush_annotations` (the end of the step), so
    that the budget of :data:`ANNOTATIONS_PER_STEP` per level covers all of them together: over
    it, the first nine go out with a tenth that points to the rest, which the log shows in full.
    """

    env: Mapping[str, str]
    out: TextIO
    pending: list[Annotation] = field(default_factory=list)

    @classmethod
    def from_environ(cls, force: bool = False) -> ActionsRuntime | None:
        """The runtime of this process, or None unless ``GITHUB_ACTIONS`` is "true" or ``force``."""
        env = dict(os.environ)
        if env.get("GITHUB_ACTIONS") != "true" and not force:
            return None
        return cls(env=env, out=sys.stdout)

    # -- file commands ------------------------------------------------------------------------

    def set_outputs(self, outputs: Mapping[str, str]) -> str | None:
        """Append step outputs to ``$GITHUB_OUTPUT``.

        Single-line values are written as ``name=value``; a value with a line break uses the
        ``name<<DELIMITER`` form with a random delimiter that does not occur in the value.
        Raises ValueError for a name the runner would misread (empty, ``=``, ``<<``, line break),
        before anything is written. Returns why the file could not be appended to (None when
        written): the caller decides what a step whose later steps see no outputs has failed.
        """
        for name in outputs:
            _check_output_name(name)
        text = "".join(_output_entry(name, value) for name, value in outputs.items())
        path = self._file("GITHUB_OUTPUT")
        if path is not None and text:
            return _append(path, text, "GITHUB_OUTPUT")
        return None

    def append_summary(self, markdown: str) -> str | None:
        """Append markdown to ``$GITHUB_STEP_SUMMARY``, cut at a line to stay under 1 MiB.

        The limit counts what the step already wrote; a cut closes an open code fence or
        ``<details>`` block and ends with a note saying how much was left out. A file that
        cannot be appended to is a warning annotation, not a failure (the log has the report
        too), and its reason is returned for the caller to print; None when written.
        """
        path = self._file("GITHUB_STEP_SUMMARY")
        if path is None or not markdown:
            return None
        if not markdown.endswith("\n"):
            markdown += "\n"
        used = _size_of(path)
        text = fit_markdown(markdown, SUMMARY_LIMIT - used, _cut_note(markdown), size=utf8_size)
        if text is None:
            text = ""  # not even the note fits in what the step left
        if text != markdown:
            self.warning(
                "The step summary was cut to stay under GitHub's 1 MiB limit.", urgent=True
            )
        problem = _append(path, text, "GITHUB_STEP_SUMMARY") if text else None
        if problem is not None:
            self.warning(f"{problem}; the report is in this step's log", urgent=True)
        return problem

    # -- workflow commands --------------------------------------------------------------------

    def warning(
        self,
        message: str,
        *,
        title: str | None = None,
        file: str | None = None,
        urgent: bool = False,
    ) -> None:
        """A warning annotation; ``urgent`` ones go before the others when over the budget."""
        self.pending.append(Annotation("warning", message, title, file, urgent))

    def error(self, message: str, *, title: str | None = None) -> None:
        self.pending.append(Annotation("error", message, title))

    def notice(self, message: str, *, title: str | None = None) -> None:
        self.pending.append(Annotation("notice", message, title))

    def flush_annotations(self) -> None:
        """Write the step's annotations, at most :data:`ANNOTATIONS_PER_STEP` of each level."""
        for level in ("error", "warning", "notice"):
            found = sorted(
                (a for a in self.pending if a.level == level), key=lambda a: not a.urgent
            )
            shown, hidden = _within_budget(found)
            for item in shown:
                line = None if item.line is None else str(item.line)
                col = None if item.column is None else str(item.column)
                self._command(
                    level, item.message, title=item.title, file=item.file, line=line, col=col
                )
            if hidden:
                self._command(level, _pointer(level, hidden), title="catalog-watch")
                for item in hidden:
                    self.out.write(f"catalog-watch: {level}: {_one_line(item)}\n")
        self.pending.clear()

    def mask(self, secret: str) -> None:
        """Have the runner hide ``secret`` in the log: one ``::add-mask::`` per non-blank line."""
        for line in _LINE_BREAK.split(secret):
            if line.strip():
                self._command("add-mask", line)

    def group(self, title: str) -> AbstractContextManager[None]:
        """A collapsible log group; the group is closed even when the body raises."""
        return self._group(title)

    @contextmanager
    def _group(self, title: str) -> Iterator[None]:
        self._command("group", title)
        try:
            yield
        finally:
            self._command("endgroup", "")

    def _command(self, name: str, message: str, **properties: str | None) -> None:
        given = ",".join(
            f"{key}={escape_property(value)}" for key, value in properties.items() if value
        )
        head = f"{name} {given}" if given else name
        write_command(self.out, f"::{head}::{escape_data(message)}\n")

    def _file(self, variable: str) -> Path | None:
        value = self.env.get(variable)
        return Path(value) if value else None


def _within_budget(found: list[Annotation]) -> tuple[list[Annotation], list[Annotation]]:
    if len(found) <= ANNOTATIONS_PER_STEP:
        return found, []
    return found[: ANNOTATIONS_PER_STEP - 1], found[ANNOTATIONS_PER_STEP - 1 :]


def _pointer(level: str, hidden: list[Annotation]) -> str:
    return (
        f"{len(hidden)} more {level}s than GitHub shows as annotations in one step: "
        "see this step's log (below) and its summary"
    )


def _one_line(item: Annotation) -> str:
    text = f"{item.title}: {item.message}" if item.title else item.message
    return " ".join(text.split())


def _check_output_name(name: str) -> None:
    if not name or "=" in name or "<<" in name or "\n" in name or "\r" in name:
        raise ValueError(f"step output name {name!r} cannot be written to $GITHUB_OUTPUT")


def _output_entry(name: str, value: str) -> str:
    if "\n" not in value and "\r" not in value:
        return f"{name}={value}\n"
    delimiter = f"ghadelimiter_{os.urandom(16).hex()}"
    while delimiter in value:  # 128 random bits: only a value built to collide gets here
        delimiter = f"ghadelimiter_{os.urandom(16).hex()}"
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def _cut_note(markdown: str) -> Callable[[int, int], str]:
    total = utf8_size(markdown)
    return lambda kept, lines: (
        f"> **Cut:** this summary shows {kept:,} of {lines:,} lines; the whole text ({total:,} "
        "bytes) is over the 1 MiB GitHub keeps for one step's summary."
    )


def _size_of(path: Path) -> int:
    """The bytes a file holds; 0 when there is none to read (appending to it will say why)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _append(path: Path, text: str, variable: str) -> str | None:
    """Append ``text``; why it could not be (one line naming the variable and its file), else
    None. A missing folder or a folder in the file's place must not turn a run that already
    pushed into a traceback."""
    # newline="" writes "\n" as is: the runner reads the file byte for byte.
    try:
        with path.open("a", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as error:
        return f"cannot write ${variable} ({path}): {error.strerror or error}"
    return None
