"""The one markdown cut behind the pull request body and the step summary (markdown_fit)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from catalog_watch.render.markdown_fit import fit_markdown, utf8_size


def dropped(kept: int, lines: int) -> str:
    return f"cut {lines - kept} of {lines}"


def test_a_text_that_fits_is_returned_itself() -> None:
    text = "a\nb\n"
    assert fit_markdown(text, 4, dropped) is text


def test_the_cut_closes_an_open_details_block_and_fence_in_order() -> None:
    text = "<details><summary>s</summary>\n\n```\n" + "x\n" * 100 + "```\n</details>\n"
    cut = fit_markdown(text, 80, dropped)
    assert cut is not None and len(cut) <= 80
    assert cut.endswith("x\n```\n\n</details>\n\ncut " + cut.rsplit("cut ", 1)[1])


def test_bytes_are_counted_when_asked() -> None:
    text = "é\n" * 100  # 3 bytes a line, 2 characters
    by_chars = fit_markdown(text, 100, dropped)
    by_bytes = fit_markdown(text, 100, dropped, size=utf8_size)
    assert by_chars is not None and by_bytes is not None
    assert utf8_size(by_bytes) <= 100 < utf8_size(by_chars)


def test_crlf_and_cr_end_lines_and_a_cut_keeps_them_whole() -> None:
    text = "row 1\r\n" * 30 + "row 2\r" * 30
    cut = fit_markdown(text, 100, dropped)
    assert cut is not None
    kept = cut.split("\ncut ")[0]
    assert kept.endswith("\r\n") and text.startswith(kept)
    assert cut.endswith(" of 60\n")


def test_none_when_the_pointer_alone_does_not_fit() -> None:
    assert fit_markdown("x\n" * 10, 5, dropped) is None
    assert fit_markdown("x\n" * 10, -1, dropped, size=utf8_size) is None


@given(st.text(alphabet="ab\n`~<>/detailsé ", max_size=400), st.integers(20, 300))
def test_a_cut_is_whole_first_lines_and_a_pointer_within_the_limit(text: str, limit: int) -> None:
    cut = fit_markdown(text, limit, lambda kept, lines: f"kept {kept}", size=utf8_size)
    if cut is None:
        assert utf8_size(text) > limit
        return
    assert utf8_size(cut) <= limit
    if cut is not text:
        kept = int(cut.rsplit("kept ", 1)[1])
        assert cut.startswith("".join(text.splitlines(keepends=True)[:kept]))
