"""fetch_catalog against a real loopback HTTP server (tests/catalog_server.py) and local files.

No test sleeps for real: every fetch gets a ``sleep`` that only records the waits asked for, so
retry tests check *which* waits were requested rather than how long anything took.
"""

from __future__ import annotations

import gzip
import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.errors import FetchError, SourceNotFound
from catalog_watch.jobs.check import CheckOptions, fetch_since
from catalog_watch.sources.fetch import FetchOptions, FetchResult, Validators, fetch_catalog
from tests.catalog_server import CatalogServer, Reply

CATALOG = {"openai": {"id": "openai", "models": {"gpt-4o": {"id": "gpt-4o"}}}}
FAST = FetchOptions(max_attempts=3, backoff_initial=0.001, backoff_max=0.01)


@pytest.fixture
def server() -> Iterator[CatalogServer]:
    with CatalogServer() as running:
        yield running


def fetch(
    url: str,
    sleeps: list[float],
    options: FetchOptions = FAST,
    previous: Validators | None = None,
) -> FetchResult:
    return fetch_catalog(url, previous, options, sleep=sleeps.append)


def fetch_error(url: str, sleeps: list[float], options: FetchOptions = FAST) -> str:
    with pytest.raises(FetchError) as caught:
        fetch(url, sleeps, options)
    return str(caught.value)


# -- Success and conditional GET ------------------------------------------------------------


def test_plain_json_is_fetched_parsed_and_identifies_itself(
    server: CatalogServer, sleeps: list[float]
) -> None:
    server.reply(Reply.json(CATALOG))
    result = fetch(f"{server.url}/api.json", sleeps)
    assert result.document == CATALOG
    assert result.body == json.dumps(CATALOG).encode()
    assert (result.not_modified, result.attempts, sleeps) == (False, 1, [])
    sent = server.requests[0].headers
    assert sent["user-agent"].startswith("catalog-watch/")
    assert "if-none-match" not in sent and "if-modified-since" not in sent


def test_etag_round_trip_then_304_is_not_modified_without_parsing(
    server: CatalogServer, sleeps: list[float]
) -> None:
    server.reply(Reply.json(CATALOG, headers={"ETag": '"v1"'}), Reply(304, content_type=None))
    first = fetch(f"{server.url}/api.json", sleeps)
    assert first.validators == Validators(etag='"v1"')
    second = fetch(f"{server.url}/api.json", sleeps, previous=first.validators)
    assert server.requests[1].headers["if-none-match"] == '"v1"'
    assert second.not_modified
    assert (second.body, second.document) == (None, None)
    assert second.validators == Validators(etag='"v1"')


@pytest.mark.parametrize("etag", ['"caf\u00e9"', '"a"\nX-Injected: 1', '"\u0100"'])
def test_a_validator_that_cannot_go_back_in_a_header_is_dropped_not_sent(
    server: CatalogServer, sleeps: list[float], etag: str
) -> None:
    """Stored in _meta.json and sent back, a non-ASCII ETag raised UnicodeEncodeError and one
    with a line break was refused as "Illegal header value" (exit 3), in every later run."""
    server.reply(Reply.json(CATALOG), Reply.json(CATALOG))
    stored = Validators(etag=etag, last_modified=etag)
    result = fetch(f"{server.url}/api.json", sleeps, previous=stored)
    assert result.document == CATALOG and not result.not_modified
    sent = server.requests[0].headers
    assert "if-none-match" not in sent and "if-modified-since" not in sent
    assert result.validators == Validators()


def test_a_non_ascii_validator_from_upstream_is_not_kept(
    server: CatalogServer, sleeps: list[float]
) -> None:
    server.reply(Reply.json(CATALOG, headers={"ETag": '"caf\u00e9"', "Last-Modified": "x"}))
    assert fetch(f"{server.url}/api.json", sleeps).validators == Validators(last_modified="x")


def test_last_modified_is_sent_as_if_modified_since_and_304_keeps_it(
    server: CatalogServer, sleeps: list[float]
) -> None:
    stamp = "Wed, 21 Oct 2026 07:28:00 GMT"
    server.reply(Reply(304, content_type=None))
    result = fetch(f"{server.url}/api.json", sleeps, previous=Validators(last_modified=stamp))
    assert server.requests[0].headers["if-modified-since"] == stamp
    assert "if-none-match" not in server.requests[0].headers
    assert result.not_modified and result.validators == Validators(last_modified=stamp)


def test_304_to_an_unconditional_request_is_an_error(
    server: CatalogServer, sleeps: list[float]
) -> None:
    server.reply(Reply(304, content_type=None))
    assert "304 Not Modified to a request that was not conditional" in fetch_error(
        f"{server.url}/api.json", sleeps
    )


def test_gzip_encoded_body_is_decoded(server: CatalogServer, sleeps: list[float]) -> None:
    server.reply(Reply.json(CATALOG, gzip=True))
    result = fetch(f"{server.url}/api.json", sleeps)
    assert "gzip" in server.requests[0].headers["accept-encoding"]
    assert result.document == CATALOG
    assert result.body == json.dumps(CATALOG).encode()  # decoded, not the gzip stream


@pytest.mark.parametrize(
    "content_type",
    ["application/json; charset=utf-8", "text/plain; charset=utf-8", "application/vnd.api+json"],
)
def test_json_plain_text_and_plus_json_content_types_are_accepted(
    server: CatalogServer, sleeps: list[float], content_type: str
) -> None:
    server.reply(Reply.json(CATALOG, content_type=content_type))
    assert fetch(f"{server.url}/api.json", sleeps).document == CATALOG


# -- Retries ----------------------------------------------------------------------------------


def test_500_then_200_succeeds_after_2_attempts(server: CatalogServer, sleeps: list[float]) -> None:
    server.reply(Reply(500, b"oops", "text/plain"), Reply.json(CATALOG))
    result = fetch(f"{server.url}/api.json", sleeps)
    assert (result.attempts, len(server.requests), result.document) == (2, 2, CATALOG)
    assert len(sleeps) == 1 and 0 < sleeps[0] <= FAST.backoff_max


def test_503_every_time_fails_after_max_attempts(
    server: CatalogServer, sleeps: list[float]
) -> None:
    server.reply(*[Reply(503, b"down", "text/plain")] * 3)
    message = fetch_error(f"{server.url}/api.json", sleeps)
    assert "HTTP 503 Service Unavailable" in message and "after 3 attempts" in message
    assert server.url in message
    assert len(server.requests) == 3 and len(sleeps) == 2


def test_backoff_grows_exponentially_within_jitter(
    server: CatalogServer, sleeps: list[float]
) -> None:
    options = FetchOptions(max_attempts=4, backoff_initial=1.0, backoff_max=100.0)
    server.reply(*[Reply(502, content_type=None)] * 4)
    fetch_error(f"{server.url}/api.json", sleeps, options)
    assert len(sleeps) == 3
    for wait, full in zip(sleeps, (1.0, 2.0, 4.0), strict=True):
        assert full / 2 <= wait <= full  # jitter takes off up to half


def test_429_retry_after_is_honoured(server: CatalogServer, sleeps: list[float]) -> None:
    # Backoff is capped at 0.01 s, so a 7 s wait can only come from Retry-After.
    server.reply(Reply(429, content_type=None, headers={"Retry-After": "7"}), Reply.json(CATALOG))
    result = fetch(f"{server.url}/api.json", sleeps)
    assert sleeps == [7.0]
    assert result.attempts == 2 and result.document == CATALOG


def test_retry_after_beyond_the_total_budget_fails_at_once(
    server: CatalogServer, sleeps: list[float]
) -> None:
    options = FetchOptions(max_attempts=5, backoff_initial=0.001, max_total_seconds=60)
    server.reply(Reply(429, content_type=None, headers={"Retry-After": "3600"}))
    message = fetch_error(f"{server.url}/api.json", sleeps, options)
    assert "Retry-After (3600)" in message and "60 s budget" in message
    assert "after 1 attempt:" in message
    assert sleeps == [] and len(server.requests) == 1


def test_404_is_not_retried(server: CatalogServer, sleeps: list[float]) -> None:
    server.reply(Reply(404, b"nope", "text/plain"), Reply.json(CATALOG))
    message = fetch_error(f"{server.url}/missing.json", sleeps)
    assert "HTTP 404 Not Found" in message and "after 1 attempt (not retried)" in message
    assert len(server.requests) == 1 and sleeps == []


def test_connection_refused_is_retried_then_fails(sleeps: list[float]) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago, with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    message = fetch_error(f"http://127.0.0.1:{port}/api.json", sleeps)
    assert f"could not fetch http://127.0.0.1:{port}/api.json after 3 attempts" in message
    assert "ConnectError" in message
    assert len(sleeps) == 2


def test_total_budget_also_bounds_reading_the_body(
    server: CatalogServer, sleeps: list[float]
) -> None:
    server.reply(Reply.json(CATALOG))
    message = fetch_error(f"{server.url}/api.json", sleeps, FetchOptions(max_total_seconds=0))
    assert "overran the 0 s budget" in message


# -- What comes back is not a catalog -------------------------------------------------------


def test_truncated_body_is_a_clear_error(server: CatalogServer, sleeps: list[float]) -> None:
    server.reply(Reply(body=b'{"openai": {', content_length=5000))
    message = fetch_error(f"{server.url}/api.json", sleeps)
    assert message.startswith(f"the body of {server.url}/api.json is truncated")
    assert "JSON" not in message


def test_html_page_with_status_200_is_refused(server: CatalogServer, sleeps: list[float]) -> None:
    server.reply(Reply(body=b"<html>Welcome</html>", content_type="text/html; charset=utf-8"))
    message = fetch_error(f"{server.url}/", sleeps)
    assert message == (
        f"expected JSON but got an HTML page (text/html) from {server.url}/ — is the URL right?"
    )


def test_other_content_type_is_refused(server: CatalogServer, sleeps: list[float]) -> None:
    server.reply(Reply(body=b"{}", content_type="application/octet-stream"))
    assert "got application/octet-stream" in fetch_error(f"{server.url}/api.json", sleeps)


def test_oversized_body_announced_by_content_length_is_refused(
    server: CatalogServer, sleeps: list[float]
) -> None:
    server.reply(Reply(body=b" " * 5000))
    options = FetchOptions(max_bytes=1000)
    message = fetch_error(f"{server.url}/api.json", sleeps, options)
    assert "announces 5000 bytes, over the 1000 bytes limit" in message


def test_oversized_chunked_body_without_length_is_cut_off(
    server: CatalogServer, sleeps: list[float]
) -> None:
    server.reply(Reply(body=b"[" + b"0," * 5000 + b"0]", chunked=True))
    message = fetch_error(f"{server.url}/api.json", sleeps, FetchOptions(max_bytes=1000))
    assert "is over the 1000 bytes limit" in message
    assert "content-length" not in {k.lower() for k in server.requests[0].headers}


def test_size_limit_applies_to_the_decoded_gzip_body(
    server: CatalogServer, sleeps: list[float]
) -> None:
    document = {"padding": "x" * 100_000}
    assert len(gzip.compress(json.dumps(document).encode())) < 1000  # small on the wire
    server.reply(Reply.json(document, gzip=True))
    message = fetch_error(f"{server.url}/api.json", sleeps, FetchOptions(max_bytes=10_000))
    assert "over the 10000 bytes limit (decoded)" in message


def test_invalid_json_is_an_error(server: CatalogServer, sleeps: list[float]) -> None:
    server.reply(Reply(body=b'{"openai": nope}'))
    message = fetch_error(f"{server.url}/api.json", sleeps)
    assert message.startswith(f"{server.url}/api.json is not valid JSON: Expecting value")


def test_empty_body_is_an_error(server: CatalogServer, sleeps: list[float]) -> None:
    server.reply(Reply(body=b""))
    assert "is empty" in fetch_error(f"{server.url}/api.json", sleeps)


def test_top_level_list_is_an_error(server: CatalogServer, sleeps: list[float]) -> None:
    server.reply(Reply.json([CATALOG]))
    message = fetch_error(f"{server.url}/api.json", sleeps)
    assert "holds an array at the top level, expected a JSON object" in message


def test_environment_proxy_is_used(
    server: CatalogServer, sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", server.url)
    server.reply(Reply.json(CATALOG))
    result = fetch("http://catalog.invalid/api.json", sleeps)
    assert result.document == CATALOG
    assert server.requests[0].path == "http://catalog.invalid/api.json"


@pytest.mark.parametrize(
    ("source", "complaint"),
    [
        ("ftp://example.com/api.json", "only http://, https:// or a file path"),
        ("http://[::1/api.json", "is not a valid URL"),
    ],
)
def test_unusable_source_is_refused(sleeps: list[float], source: str, complaint: str) -> None:
    assert complaint in fetch_error(source, sleeps)


# -- Local files ------------------------------------------------------------------------------


def test_local_file_is_read_without_network(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    path.write_text(json.dumps(CATALOG))
    result = fetch_catalog(str(path))
    assert result == FetchResult(
        str(path), False, path.read_bytes(), CATALOG, Validators(), attempts=1
    )


def test_missing_local_file_is_source_not_found(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFound, match=r"api\.json does not exist"):
        fetch_catalog(str(tmp_path / "api.json"))


def test_invalid_local_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    path.write_text("{broken")
    with pytest.raises(FetchError, match=re.escape(f"catalog file {path} is not valid JSON")):
        fetch_catalog(str(path))


def test_oversized_local_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    path.write_text(json.dumps({"padding": "x" * 2000}))
    with pytest.raises(FetchError, match="over the 1000 bytes limit"):
        fetch_catalog(str(path), options=FetchOptions(max_bytes=1000))


@pytest.mark.parametrize("bad", [{"max_attempts": 0}, {"max_bytes": 0}, {"backoff_max": 0}])
def test_nonsensical_options_are_rejected(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        FetchOptions(**bad)


def test_no_conditional_get_while_records_are_rejected(server: CatalogServer) -> None:
    """A 304 would not count towards accepting a rejected value: ask for the whole catalog."""
    server.reply(Reply.json(CATALOG), Reply.json(CATALOG))
    options = CheckOptions(source=server.url)
    stored = {"url": server.url, "etag": '"v1"', "rejected": []}
    fetch_since(stored, options)
    fetch_since({**stored, "rejected": [{"provider": "acme", "model": "m1"}]}, options)
    assert server.requests[0].headers["if-none-match"] == '"v1"'
    assert "if-none-match" not in server.requests[1].headers
