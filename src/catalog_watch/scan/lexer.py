"""A small lexer for TypeScript/JavaScript, Go, Ruby, Java and Kotlin: strings, names, punctuation.

Why a lexer and not tree-sitter: the scan only needs to know, for each string literal, whether
it is code (not a comment, not inside another string) and which key or call it is passed to (the
one or two tokens before it). A lexer that knows each language's comment and string syntax
answers exactly that. tree-sitter would answer it too, but needs the core binding plus one
compiled grammar wheel per language (five here) whose ABI must match the core's version, in an
install the action repeats every hour; for local, token-level rules the syntax tree adds no
precision worth that. Python has a real parser in the standard library and uses it
(``python.py``).

What each language's lexer knows:

* comments: ``//`` and ``/* */`` (JS/TS, Go, Java, Kotlin), ``#`` and ``=begin``/``=end`` (Ruby);
* strings: ``'..'`` ``".."`` with backslash escapes; JS template literals (constant unless they
  hold ``${``); Go raw strings and runes; Java and Kotlin text blocks (three double quotes);
  Kotlin ``$name`` / ``${}`` and Ruby ``#{}`` interpolation (such a string is *dynamic*: never a
  hit); Ruby
  heredocs and ``%q``/``%w``-style literals (their content is skipped);
* regular expression literals in JS and Ruby (after an operator or a keyword, as the
  languages decide), so a quote inside ``/"/`` opens no string.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Token", "tokenize"]

_C_FAMILY = frozenset({"javascript", "typescript", "go", "java", "kotlin"})
_REGEX_LANGUAGES = frozenset({"javascript", "typescript", "ruby"})
_IDENT = re.compile(r"[A-Za-z_$@][\w$]*[?!]?")
_NUMBER = re.compile(r"\d[\w.]*")
_TWO_CHAR = frozenset({"=>", "::", ":=", "==", "!=", "<=", ">=", "??", "||", "&&", "->"})
_REGEX_AFTER_WORD = frozenset(
    {"return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw",
     "yield", "await", "when", "if", "unless", "and", "or", "not"}
)  # fmt: skip
_HEREDOC = re.compile(r"<<([~-]?)(['\"`]?)([A-Z_a-z]\w*)\2")
_PERCENT = re.compile(r"%[qQwWiIrsx]([^\w\s])")
_CLOSING = {"(": ")", "[": "]", "{": "}", "<": ">"}
_COMMENT_END = {
    "javascript": re.compile(r"[\n\r\u2028\u2029]"),
    "typescript": re.compile(r"[\n\r\u2028\u2029]"),
    "java": re.compile(r"[\n\r]"),
    "kotlin": re.compile(r"[\n\r]"),
}
"""Where a ``//`` comment ends besides LF (ECMAScript's, the JLS's line terminators); Go and
Ruby end a line comment at LF only. Lines are still counted at LF, as git counts them."""
_LF = re.compile(r"\n")


@dataclass(frozen=True, slots=True)
class Token:
    """``kind``: ``name``, ``string``, ``dynamic`` (a string with interpolation), ``punct`` or
    ``number``; ``text`` is the string's value for strings; ``line``/``column`` 1-based (the
    opening quote for strings); ``end_line`` the line the token ends on."""

    kind: str
    text: str
    line: int
    column: int
    end_line: int


class _Lexer:
    def __init__(self, source: str, language: str) -> None:
        self.src = source
        self.language = language
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", source)]
        self.i = 0
        self.last: Token | None = None
        self.pending_heredocs: list[tuple[str, bool]] = []

    def where(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def token(self, kind: str, text: str, start: int) -> Token:
        line, column = self.where(start)
        end_line, _ = self.where(max(start, self.i - 1))
        self.last = Token(kind, text, line, column, end_line)
        return self.last

    def run(self) -> Iterator[Token]:
        src, n = self.src, len(self.src)
        while self.i < n:
            c = src[self.i]
            start = self.i
            if c == "\n":
                self.i += 1
                if self.pending_heredocs:
                    self._skip_heredocs()
                continue
            if c.isspace():
                self.i += 1
                continue
            if self._comment():
                continue
            if c in "\"'`":
                found = self._string(c)
                if found is not None:
                    yield self.token(found[0], found[1], start)
                continue
            if self.language == "ruby" and self._ruby_special():
                continue
            if c == "/" and self.language in _REGEX_LANGUAGES and self._regex_allowed():
                self._skip_regex()
                yield self.token("dynamic", "", start)
                continue
            match = _IDENT.match(src, self.i) if not c.isdigit() else None
            if match:
                self.i = match.end()
                yield self.token("name", match.group(), start)
                continue
            match = _NUMBER.match(src, self.i)
            if match:
                self.i = match.end()
                yield self.token("number", match.group(), start)
                continue
            pair = src[self.i : self.i + 2]
            self.i += 2 if pair in _TWO_CHAR else 1
            yield self.token("punct", pair if pair in _TWO_CHAR else c, start)

    # -- comments ------------------------------------------------------------------------------

    def _comment(self) -> bool:
        src, i = self.src, self.i
        if self.language in _C_FAMILY:
            if src.startswith("//", i):
                self._to_line_end()
                return True
            if src.startswith("/*", i):
                end = src.find("*/", i + 2)
                self.i = len(src) if end < 0 else end + 2
                return True
            return False
        if src[i] == "#":
            self._to_line_end()
            return True
        if src.startswith("=begin", i) and (i == 0 or src[i - 1] == "\n"):
            end = src.find("\n=end", i)
            self.i = len(src) if end < 0 else end + 5
            return True
        return False

    def _to_line_end(self) -> None:
        match = _COMMENT_END.get(self.language, _LF).search(self.src, self.i)
        self.i = len(self.src) if match is None else match.start()

    # -- strings -------------------------------------------------------------------------------

    def _string(self, quote: str) -> tuple[str, str] | None:
        """(kind, value) of the string at ``self.i``; None for Ruby backticks' commands."""
        src, lang = self.src, self.language
        if quote == "`":
            if lang == "go":
                end = src.find("`", self.i + 1)
                end = len(src) if end < 0 else end
                value = src[self.i + 1 : end]
                self.i = end + 1
                return "string", value
            if lang not in {"javascript", "typescript"}:
                self.i += 1
                return None
            return self._quoted("`", multiline=True, interpolation="${")
        if quote == '"' and lang in {"java", "kotlin"} and src.startswith('"""', self.i):
            end = src.find('"""', self.i + 3)
            end = len(src) if end < 0 else end
            value = src[self.i + 3 : end]
            self.i = end + 3
            dynamic = lang == "kotlin" and "$" in value
            return ("dynamic" if dynamic else "string"), value
        interpolation = None
        if quote == '"' and lang == "ruby":
            interpolation = "#{"
        elif quote == '"' and lang == "kotlin":
            interpolation = "$"
        return self._quoted(quote, multiline=lang == "ruby", interpolation=interpolation)

    def _quoted(self, quote: str, *, multiline: bool, interpolation: str | None) -> tuple[str, str]:
        src, n = self.src, len(self.src)
        i = self.i + 1
        out: list[str] = []
        dynamic = False
        while i < n:
            c = src[i]
            if c == "\\" and i + 1 < n:
                out.append(src[i : i + 2])
                i += 2
                continue
            if c == quote:
                i += 1
                break
            if c == "\n" and not multiline:
                break
            if interpolation and src.startswith(interpolation, i):
                dynamic = True
            out.append(c)
            i += 1
        self.i = i
        value = "".join(out)
        if "\\" in value:
            value = re.sub(r"\\(.)", r"\1", value)
        return ("dynamic" if dynamic else "string"), value

    # -- Ruby heredocs and percent literals, JS/Ruby regular expressions -----------------------

    def _ruby_special(self) -> bool:
        src, i = self.src, self.i
        heredoc = _HEREDOC.match(src, i) if src.startswith("<<", i) else None
        if heredoc is not None:
            self.pending_heredocs.append((heredoc.group(3), heredoc.group(1) != ""))
            self.i = heredoc.end()
            return True
        percent = _PERCENT.match(src, i) if src[i] == "%" else None
        if percent is not None:
            opening = percent.group(1)
            closing = _CLOSING.get(opening, opening)
            end = src.find(closing, percent.end())
            self.i = len(src) if end < 0 else end + 1
            return True
        return False

    def _skip_heredocs(self) -> None:
        for name, indented in self.pending_heredocs:
            indent = r"[ \t]*" if indented else ""
            pattern = re.compile(rf"^{indent}{re.escape(name)}\r?$", re.M)  # CR LF files too
            match = pattern.search(self.src, self.i)
            self.i = len(self.src) if match is None else match.end()
        self.pending_heredocs.clear()

    def _regex_allowed(self) -> bool:
        last = self.last
        if last is None:
            return True
        if last.kind == "name":
            return last.text in _REGEX_AFTER_WORD
        return last.kind == "punct" and last.text not in {")", "]", "}"}

    def _skip_regex(self) -> None:
        src, n = self.src, len(self.src)
        i = self.i + 1
        in_class = False
        while i < n and src[i] != "\n":
            c = src[i]
            if c == "\\":
                i += 2
                continue
            if c == "[":
                in_class = True
            elif c == "]":
                in_class = False
            elif c == "/" and not in_class:
                i += 1
                break
            i += 1
        self.i = i


def tokenize(source: str, language: str) -> list[Token]:
    """The tokens of ``source`` in ``language`` (``javascript``, ``typescript``, ``go``,
    ``ruby``, ``java``, ``kotlin``), comments left out."""
    return list(_Lexer(source, language).run())
