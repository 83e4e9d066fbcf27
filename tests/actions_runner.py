"""A model of how the GitHub Actions runner reads a step's log for workflow commands.

Written from actions/runner's ``ActionCommand.TryParseV2`` / ``TryParse`` and
``ActionCommandManager.TryProcessCommand``: a line (split at CR, LF or CRLF) is a ``::name::``
command when it starts with ``::`` after leading whitespace, or a legacy ``##[name]`` command
when ``##[`` occurs anywhere in it, in both cases only for a registered command name. After
``::stop-commands::TOKEN`` nothing is a command until a line that is exactly ``::TOKEN::``.
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
