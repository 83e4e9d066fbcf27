"""Catalog text in a GitHub Actions log: the runner never reads it as a workflow command.

The runner reads every line of a step's stdout and stderr for commands: ``::name::`` at the
start of a line (after leading spaces) and the legacy ``##[name]`` anywhere in one. A model
named ``"\\n::add-mask::openai"`` would otherwise hide words, ``::stop-commands::`` would silence
the tool's own annotations, ``::error::`` would fake them.

* **stdout** is a :class:`CommandLog`: text written to it goes out inside a
  ``::stop-commands::<random token>`` section, opened lazily before the first such text and
  closed (``::<token>::``) before each of the tool's own commands, which only
  :meth:`CommandLog.command` writes. The token is 128 random bits, so catalog text cannot end
  the section. The text is also :func:`~catalog_watch.inert.terminal.shown`.
* **stderr** carries the tool's one-line messages, which may quote catalog values. The runner
  reads both pipes at once, so a section on stdout does not cover stderr: there each line that
  the runner would parse is defused (a backslash before ``::`` or after ``##[``), as the runner
  itself does for its own markers.
* command **values** are escaped as ``@actions/core`` does (:func:`escape_data`,
  :func:`escape_property`), so a value cannot end its command's line, and the command line is
  shown like any other text: an annotation quoting a model name carries no raw ESC or bidi
  override (a mask is registered in the shown form too, the only form the log ever holds).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from catalog_watch.inert.terminal import shown

_LEGACY = re.compile(r"##\[")
_COMMAND_START = re.compile(r"^(\s*)::", re.MULTILINE)


def escape_data(text: str) -> str:
    """A workflow command's message: ``%``, CR and LF percent-encoded, as the runner undoes."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: as ``escape_data``, plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def defused(text: str) -> str:
    """``text`` with no line the runner would read as a command (and controls shown)."""
    text = _LEGACY.sub(r"##[\\", shown(text).replace("\r", "\\u000d"))
    return _COMMAND_START.sub(r"\1\\::", text)


class _Pipe:
    """``raw``, but a reader that went away (``catalog-watch usage | head``) ends only the output:
    the rest is dropped, the command runs on (a run still delivers its alerts) and exits with its
    own code, with no BrokenPipeError traceback, now or when the interpreter flushes at exit."""

    def __init__(self, raw: TextIO) -> None:
        self._raw = raw
        self._gone = False

    def write(self, text: str) -> None:
        if not self._gone:
            try:
                self._raw.write(text)
            except BrokenPipeError:
                self._drop()

    def flush(self) -> None:
        if not self._gone:
            try:
                self._raw.flush()
            except BrokenPipeError:
                self._drop()

    def isatty(self) -> bool:
        return self._raw.isatty()

    def _drop(self) -> None:
        self._gone = True
        with contextlib.suppress(OSError, ValueError):  # a stream with no descriptor: nothing
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._raw.fileno())  # what is still buffered goes nowhere, quietly
            os.close(devnull)


class _Stream(io.TextIOBase):
    """A text stream in front of ``raw`` that rewrites what it is given (see :meth:`_text`)."""

    def __init__(self, raw: TextIO) -> None:
        self._raw = _Pipe(raw)

    def write(self, text: str) -> int:
        self._raw.write(self._text(text))
        return len(text)

    def _text(self, text: str) -> str:
        return shown(text)

    def flush(self) -> None:
        self._raw.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._raw.isatty()


class ShownLog(_Stream):
    """A terminal's stdout or stderr: control characters shown, never obeyed."""


class DefusedLog(_Stream):
    """Stderr in an Actions step: every line defused on its way out."""

    def _text(self, text: str) -> str:
        return defused(text)


class CommandLog(_Stream):
    """Stdout in an Actions step: what :meth:`write` gets is text, never a command."""

    def __init__(self, raw: TextIO, token: str | None = None) -> None:
        super().__init__(raw)
        # What secrets.token_hex(16) returns (os.urandom's bytes), without importing secrets,
        # whose hmac and base64 cost every command about 10 ms here.
        self._token = token or os.urandom(16).hex()
        self._stopped = False
        self._line_open = False

    def write(self, text: str) -> int:
        if text:
            if not self._stopped:
                self._end_line()
                self._raw.write(f"::stop-commands::{self._token}\n")
                self._stopped = True
            self._raw.write(shown(text))
            self._line_open = not text.endswith("\n")
        return len(text)

    def command(self, line: str) -> None:
        """Write one of the tool's own workflow commands (a whole line, ending in ``\\n``); its
        values may quote the catalog, so they are shown like any other text."""
        self._resume()
        self._raw.write(shown(line))
        self._raw.flush()

    def close(self) -> None:
        """End the section so that later steps' commands run: the token is never left open."""
        self._resume()
        self._raw.flush()

    def _resume(self) -> None:
        if self._stopped:
            self._end_line()
            self._raw.write(f"::{self._token}::\n")
            self._stopped = False

    def _end_line(self) -> None:
        if self._line_open:
            self._raw.write("\n")
            self._line_open = False


def write_command(out: TextIO, line: str) -> None:
    """One of the tool's own workflow commands, outside any stop-commands section of ``out``."""
    if isinstance(out, CommandLog):
        out.command(line)
    else:
        out.write(shown(line))
        out.flush()


@contextmanager
def guarded_streams(*, actions: bool) -> Iterator[None]:
    """``sys.stdout`` and ``sys.stderr`` made inert for the body, restored after it."""
    out, err = sys.stdout, sys.stderr
    guarded_out: _Stream = CommandLog(out) if actions else ShownLog(out)
    sys.stdout = guarded_out
    sys.stderr = DefusedLog(err) if actions else ShownLog(err)
    try:
        yield
    finally:
        guarded_out.close()
        sys.stdout, sys.stderr = out, err
