"""A model of how the GitHub Actions runner reads a step's log for workflow commands.

Written from actions/runner's ``ActionCommand.TryParseV2`` / ``TryParse`` and
``ActionCommandManager.TryProcessCommand``: a line (split at CR, LF or CRLF) is a ``::name::``
command when it starts with ``::`` after leading whitespace, or a legacy ``##[name]`` command
when ``##[`` occurs anywhere in it, in both cases only for a registered command name. After
``::stop-commands::TOKEN`` nothing is a command until a line that is exactly ``::TOKEN::``.

``parse_file_commands`` reads a ``$GITHUB_OUTPUT``/``$GITHUB_ENV`` file as the runner's
``FileCommandManager.cs`` does, and ``unescape`` undoes a command's escaping as
``ActionCommand.cs`` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

REGISTERED = frozenset(
    {
        "set-env",
        "set-output",
        "save-state",
        "add-mask",
        "add-path",
        "add-matcher",
        "remove-matcher",
        "debug",
        "warning",
        "error",
        "notice",
        "group",
        "endgroup",
        "echo",
        "stop-commands",
    }
)
_LINES = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Command:
    name: str
    info: str
    data: str


def commands(log: str) -> list[Command]:
    """Every command the runner would act on in ``log``, in order (resume lines included)."""
    found: list[Command] = []
    stop_token: str | None = None
    for line in _LINES.split(log):
        if stop_token is not None:
            if line.strip() == f"::{stop_token}::":
                found.append(Command("resume", "", stop_token))
                stop_token = None
            continue
        command = _v2(line) or _v1(line)
        if command is None:
            continue
        found.append(command)
        if command.name == "stop-commands":
            stop_token = command.data
    return found


def _v2(line: str) -> Command | None:
    message = line.lstrip()
    if not message.startswith("::"):
        return None
    end = message.find("::", 2)
    if end < 0:
        return None
    info = message[2:end]
    name = info.split(" ", 1)[0]
    return Command(name, info, message[end + 2 :]) if name in REGISTERED else None


def _v1(line: str) -> Command | None:
    start = line.find("##[")
    if start < 0:
        return None
    end = line.find("]", start + 3)
    if end < 0:
        return None
    info = line[start + 3 : end]
    name = info.split(" ", 1)[0]
    return Command(name, info, line[end + 1 :]) if name in REGISTERED else None


class RunnerFormatError(ValueError):
    """The runner would fail the step: "Unable to process file command 'output' successfully"."""


def parse_file_commands(text: str) -> dict[str, str]:
    """Name → value from a ``$GITHUB_OUTPUT`` file, as the runner on Linux reads it.

    Lines end at LF (a CR stays part of the line). Empty lines are skipped. ``NAME=VALUE`` when
    the first ``=`` comes before any ``<<``; ``NAME<<DELIMITER`` otherwise, the value being the
    text of the following lines up to (not including) the LF before a line equal to DELIMITER.
    Neither name nor delimiter may be empty; a later entry for a name wins.
    """
    values: dict[str, str] = {}
    index = 0
    while index < len(text):
        line, index, _ = _read_line(text, index)
        if not line:
            continue
        equals, heredoc = line.find("="), line.find("<<")
        if equals >= 0 and (heredoc < 0 or equals < heredoc):
            name, value = line.split("=", 1)
            if not name:
                raise RunnerFormatError(f"Invalid format '{line}'. Name must not be empty")
        elif heredoc >= 0:
            name, delimiter = line.split("<<", 1)
            if not name or not delimiter:
                raise RunnerFormatError(f"Invalid format '{line}'")
            start = end = index
            while True:
                if index >= len(text):
                    raise RunnerFormatError(f"Matching delimiter not found '{delimiter}'")
                candidate, index, newline = _read_line(text, index)
                if candidate == delimiter:
                    break
                if not newline:
                    raise RunnerFormatError("EOF marker missing new line")
                end = index - 1
            value = text[start:end]
        else:
            raise RunnerFormatError(f"Invalid format '{line}'")
        values[name] = value
    return values


def _read_line(text: str, index: int) -> tuple[str, int, bool]:
    """(line, index after it, whether it ended with LF)."""
    lf = text.find("\n", index)
    if lf < 0:
        return text[index:], len(text), False
    return text[index:lf], lf + 1, True


def unescape(text: str, *, property_value: bool = False) -> str:
    """The runner's unescaping of a workflow command's data (or property value); ``%25`` last."""
    pairs = [("%0D", "\r"), ("%0A", "\n")]
    if property_value:
        pairs += [("%3A", ":"), ("%2C", ",")]
    for escaped, char in [*pairs, ("%25", "%")]:
        text = text.replace(escaped, char)
    return text
