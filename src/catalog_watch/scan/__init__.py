"""Reading a repository's code: which model ids it passes as models, and where.

The stage that reads files for ``catalog-watch usage`` (and, later, ``run``'s alerts and
``lint``). It only finds ids; ``analysis/usage.py`` resolves them against a catalog and
``render/usage.py`` says it in words.

Call::

    from catalog_watch.scan import scan_repository
    scan = scan_repository(Path("."), paths=("src",), exclude=("src/legacy",))
    for use in scan.uses:
        print(use.where, use.text)

Parsers: Python's ``ast`` (``python.py``); a per-language lexer for TypeScript/JavaScript, Go,
Ruby, Java and Kotlin (``lexer.py`` says why not tree-sitter); PyYAML, ``tomllib`` and ``json``
for configuration (``config.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from catalog_watch.model.usage import ScanLimits, ScanResult, Skipped, Use
from catalog_watch.scan.code import CodeFile, link_code, scan_code
from catalog_watch.scan.config import scan_config
from catalog_watch.scan.files import NotRead, language_of, list_files, read_listed
from catalog_watch.scan.python import PythonFile, link_constants, scan_python

__all__ = ["scan_repository", "scan_source"]

_CODE = frozenset({"javascript", "typescript", "go", "ruby", "java", "kotlin"})
_BOM = "\ufeff"


def scan_repository(
    root: Path,
    paths: Sequence[str] = (),
    exclude: Sequence[str] = (),
    limits: ScanLimits | None = None,
) -> ScanResult:
    """Every model use under ``root`` (a git checkout or any folder), sorted by place.

    ``paths``: only files under these relative paths (or matching these globs); ``exclude``:
    globs or folders left out. Files past ``limits.max_files`` (sorted by path) are counted in
    ``over_limit``; files over ``limits.max_file_bytes``, not UTF-8, not parseable, symbolic
    links (never followed: ``files.read_listed``), pipes and devices are in ``skipped`` with the
    reason.
    """
    limits = limits or ScanLimits()
    listing = list_files(root, paths, exclude)
    chosen = listing.files[: limits.max_files]
    skipped: list[Skipped] = []
    sources: dict[str, str] = {}
    for path in chosen:
        try:
            sources[path] = read_listed(root, path, limits.max_file_bytes).decode("utf-8")
        except NotRead as error:
            skipped.append(Skipped(path, str(error)))
        except UnicodeDecodeError:
            skipped.append(Skipped(path, "not UTF-8"))
        except OSError as error:
            skipped.append(Skipped(path, f"not readable: {error.strerror or error}"))
    uses, unparsed = scan_source(sources)
    skipped.extend(unparsed)
    return ScanResult(
        root=str(root),
        listing=listing.how,
        uses=tuple(uses),
        files_scanned=len(sources) - len(unparsed),
        skipped=tuple(sorted(skipped, key=lambda s: s.path)),
        over_limit=len(listing.files) - len(chosen),
        excluded=listing.excluded,
        limits=limits,
    )


def scan_source(sources: dict[str, str]) -> tuple[list[Use], list[Skipped]]:
    """The uses in files given as text (POSIX relative path → source), sorted, and the files
    that did not parse. Constants are followed across these files only. A leading BOM is not
    part of the text (a Python, JSON or TOML parser refuses it, a column would count it)."""
    python: list[PythonFile] = []
    code: list[CodeFile] = []
    uses: list[Use] = []
    unparsed: list[Skipped] = []
    for path in sorted(sources):
        language = language_of(path)
        source = sources[path].removeprefix(_BOM)
        try:
            if language == "python":
                python.append(scan_python(path, source))
            elif language in _CODE:
                code.append(scan_code(path, source, language))
            elif language is not None:
                uses.extend(scan_config(path, source, language))
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            unparsed.append(Skipped(path, f"not parseable as {language}: {_first_line(error)}"))
    uses.extend(link_constants(python))
    uses.extend(link_code(code))
    unique = {(u.path, u.line, u.column, u.text): u for u in uses}
    return sorted(unique.values(), key=lambda u: (u.path, u.line, u.column, u.text)), unparsed


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    if not text and isinstance(error, MemoryError):  # CPython's parser on "x = ----...1"
        return "nested too deeply (the parser ran out of memory)"
    return text[0] if text else type(error).__name__
