"""The README's option tables, one per command, generated from the argument parser itself.

``python -m catalog_watch.cli.docs`` prints them; ``--write README.md`` replaces the block between
the two markers; ``--check README.md`` exits 1 when the README's block differs (the test suite
checks the same, so a flag added to the parser and not to the README fails a test).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from catalog_watch.cli.parser import build_parser

BEGIN = (
    "<!-- option tables: generated from the parser by "
    "`python -m catalog_watch.cli.docs --write README.md`; do not edit by hand -->"
)
END = "<!-- end of the generated option tables -->"


def subcommands(parser: argparse.ArgumentParser) -> dict[str, tuple[str, argparse.ArgumentParser]]:
    """Each command's name → (its one-line help, its parser), in the parser's order."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            return {name: (helps.get(name, ""), sub) for name, sub in action.choices.items()}
    return {}


def option_tables(parser: argparse.ArgumentParser) -> str:
    """Markdown: a heading, the command's help and a table of its arguments, per command."""
    parts = []
    for name, (summary, sub) in subcommands(parser).items():
        rows = [_row(action) for action in sub._actions if not _is_help(action)]
        parts.append(
            f"#### `catalog-watch {name}`\n\n{summary}.\n\n"
            "| argument | values | default | meaning |\n|---|---|---|---|\n" + "".join(rows)
        )
    return "\n".join(parts)


def options_of(parser: argparse.ArgumentParser, command: str) -> set[str]:
    """The long option names one command takes (``--config``, ``--format``...)."""
    _, sub = subcommands(parser)[command]
    return {name for action in sub._actions for name in action.option_strings}


def format_choices(parser: argparse.ArgumentParser, command: str) -> tuple[str, ...]:
    """The values ``--format`` takes on one command (empty when it has no ``--format``)."""
    _, sub = subcommands(parser)[command]
    found = [a for a in sub._actions if "--format" in a.option_strings]
    return tuple(str(c) for c in found[0].choices or ()) if found else ()


def _is_help(action: argparse.Action) -> bool:
    return isinstance(action, argparse._HelpAction)


def _row(action: argparse.Action) -> str:
    cells = (_name(action), _values(action), _default(action), action.help or "")
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |\n"


def _name(action: argparse.Action) -> str:
    if action.option_strings:
        return " ".join(f"`{name}`" for name in action.option_strings)
    shown = str(action.metavar or action.dest.upper())
    if action.nargs == "?":
        return f"`[{shown}]`"
    return f"`{shown} ...`" if action.nargs in ("+", "*") else f"`{shown}`"


def _values(action: argparse.Action) -> str:
    if action.choices:
        return ", ".join(f"`{choice}`" for choice in action.choices)
    if action.nargs == 0:
        return "flag"
    if not action.option_strings:
        return ""
    shown = str(action.metavar or action.dest.upper())
    return f"`{shown}`" + (", repeatable" if isinstance(action, argparse._AppendAction) else "")


def _default(action: argparse.Action) -> str:
    default = action.default
    if action.nargs == 0 or default is None or default == argparse.SUPPRESS:
        return ""
    return f"`{default}`"


def _cell(text: str) -> str:
    """A table cell: ``|`` escaped, ``<provider>`` shown rather than taken for an HTML tag."""
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")


def replace_block(text: str, tables: str) -> str:
    """``text`` with the block between the markers replaced by ``tables``."""
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return f"{text[:start]}\n\n{tables}\n{text[end:]}"


def readme_block(text: str) -> str:
    """The generated block of a README, as :func:`option_tables` returns it."""
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[start:end].strip("\n") + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = _own_parser().parse_args(argv)
    tables = option_tables(build_parser())
    if args.write is not None:
        text = args.write.read_text(encoding="utf-8")
        args.write.write_text(replace_block(text, tables), encoding="utf-8")
        return 0
    if args.check is not None:
        if readme_block(args.check.read_text(encoding="utf-8")) != tables:
            print(
                f"{args.check}: the option tables differ from the parser; run --write",
                file=sys.stderr,
            )
            return 1
        return 0
    sys.stdout.write(tables)
    return 0


def _own_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m catalog_watch.cli.docs", description=__doc__)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", type=Path, metavar="README", help="replace the README's block")
    group.add_argument("--check", type=Path, metavar="README", help="exit 1 if it differs")
    return parser


if __name__ == "__main__":
    sys.exit(main())
