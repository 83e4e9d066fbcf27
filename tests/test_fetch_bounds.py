"""A hostile server or file is bounded (issue 10): one deadline, one coding, capped size and counts.

Servers are real loopback servers (tests/hostile_servers.py, tests/catalog_server.py). Nothing
sleeps and nothing is timed: a server that stalls waits on an Event until the test ends, and a
small ``max_total_seconds`` is what makes the client give up, which its error says.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.cli.app import main
from catalog_watch.errors import CatalogRejected, FetchError
from catalog_watch.jobs.check import CheckOptions, check
from catalog_watch.sources.fetch import FetchOptions, FetchResult, fetch_catalog
from catalog_watch.sources.limits import (
    MAX_OFFERINGS_PER_PROVIDER,
    MAX_PROVIDERS,
    check_catalog_counts,
)
from tests.catalog_server import CatalogServer, Reply
from tests.factories import REAL_DATA, document, model, provider
from tests.hostile_servers import MIB, HostileServer, Script, gzip_of_zeros, gzip_stream, head

CATALOG = document(provider("acme", model("fast-1")))
CATALOG_BYTES = json.dumps(CATALOG).encode()
SHORT = FetchOptions(max_attempts=1, max_total_seconds=0.5)  # read_timeout stays 30 s
"""For a server that stalls forever: the budget is what ends the fetch, however loaded."""
ROOMY = FetchOptions(max_attempts=1)
"""For everything else: the default 120 s budget, so a loaded machine never overruns it."""
JSON_HEADERS = {"Content-Type": "application/json", "Connection": "close"}


def fetched(server: HostileServer, options: FetchOptions = ROOMY) -> FetchResult:
    return fetch_catalog(f"{server.url}/api.json", options=options)


def refusal(server: HostileServer, options: FetchOptions = ROOMY) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetched(server, options)
    return caught.value


def encoded(coding: str, body: bytes) -> Script:
    headers = {**JSON_HEADERS, "Content-Encoding": coding, "Content-Length": str(len(body))}
    return Script(head(headers), lambda: [body])


# -- One deadline, status line and headers included ----------------------------------------------


@pytest.mark.parametrize(
    "sent",
    [b"H", b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"],
    ids=["one byte of the status line", "half the headers"],
)
def test_a_server_that_stalls_before_the_headers_end_is_given_up_at_the_deadline(
    sent: bytes,
) -> None:
    # Before issue 10 only the 30 s read timeout applied, afresh for every byte.
    with HostileServer(Script(sent, stall=True)) as server:
        error = refusal(server, SHORT)
    assert str(error) == (
        f"gave up on {server.url}/api.json after 1 attempt: waiting for the status line and "
        "headers overran the 0.5 s budget (max_total_seconds)"
    )
    assert error.exit_code == 3


def test_a_stalled_header_is_not_retried_past_the_deadline() -> None:
    with HostileServer(Script(b"HTTP/1.1 2", stall=True)) as server:
        error = refusal(server, FetchOptions(max_attempts=5, max_total_seconds=0.5))
    assert "after 1 attempt: waiting for the status line and headers overran" in str(error)
    assert server.requests == 1


def test_a_body_that_stalls_is_given_up_at_the_deadline_not_a_read_timeout_later() -> None:
    start = b'{"acme": {"id": "acme", '
    headers = {**JSON_HEADERS, "Content-Length": "5000"}
    with HostileServer(Script(head(headers), lambda: [start], stall=True)) as server:
        error = refusal(server, SHORT)
    assert str(error) == (
        f"reading {server.url}/api.json overran the 0.5 s budget (max_total_seconds) after "
        f"{len(start)} bytes"
    )


def test_the_deadline_stops_a_run_before_anything_is_written(tmp_path: Path) -> None:
    snapshots = tmp_path / "snapshots"
    with HostileServer(Script(b"HTTP/1.1", stall=True)) as server:
        options = CheckOptions(
            source=f"{server.url}/api.json", snapshots=snapshots, write=True, fetch=SHORT
        )
        with pytest.raises(FetchError, match=r"overran the 0\.5 s budget"):
            check(options)
    assert not snapshots.exists()


# -- At most one content coding, decoded with the cap on the output ----------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Encoding": "gzip, gzip"},
        {"Content-Encoding": "gzip,deflate"},
        [("Content-Encoding", "gzip"), ("Content-Encoding", "gzip")],
    ],
    ids=["gzip, gzip", "gzip,deflate", "two header lines"],
)
def test_stacked_content_codings_are_refused_before_the_body_is_read(headers: Any) -> None:
    # 4 GiB of zeros, gzip of gzip: 88 s and 8.4 GB of memory before issue 10.
    pairs = headers.items() if isinstance(headers, dict) else headers
    raw = "".join(f"{name}: {value}\r\n" for name, value in pairs)
    top = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
    bomb = Script(top + raw.encode() + b"\r\n", lambda: gzip_stream(gzip_of_zeros(4 << 30)))
    with HostileServer(bomb) as server:
        error = refusal(server)
    assert str(error).startswith(f"{server.url}/api.json sent Content-Encoding: gzip, ")
    assert str(error).endswith(
        ": more than one content coding is refused (a stacked compression bomb)"
    )
    assert error.exit_code == 3


def test_a_gzip_bomb_stops_at_the_size_cap_of_the_decoded_output() -> None:
    headers = {**JSON_HEADERS, "Content-Encoding": "gzip"}
    with HostileServer(Script(head(headers), lambda: gzip_of_zeros(4 << 30))) as server:
        error = refusal(server, FetchOptions(max_attempts=1))
    message = str(error)
    assert message.startswith(
        f"the body of {server.url}/api.json is over the 64.0 MiB (67108864 bytes) limit "
        "(decoded); stopped after "
    )
    assert message.endswith(" bytes of gzip received")
    received = int(message.split("stopped after ")[1].split(" bytes")[0])
    assert received < 1 * MIB  # 64 MiB of zeros take about 66 KB of gzip


_MEASURE = """
import json, resource, sys
from catalog_watch.errors import FetchError
from catalog_watch.sources.fetch import FetchOptions, fetch_catalog
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    fetch_catalog(sys.argv[1], options=FetchOptions(max_attempts=1, max_bytes=int(sys.argv[2])))
    error = None
except FetchError as exc:
    error = str(exc)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"error": error, "grown_kib": after - before}))
"""


def test_a_gzip_bomb_is_decoded_in_bounded_memory() -> None:
    """Peak memory (ru_maxrss, in a fresh process) grows by about the cap, not by a chunk's
    worth of decoded zeros (64 KB of gzip is 66 MB) or the whole bomb."""
    cap = 8 * MIB
    headers = {**JSON_HEADERS, "Content-Encoding": "gzip"}
    with HostileServer(Script(head(headers), lambda: gzip_of_zeros(4 << 30))) as server:
        done = subprocess.run(
            [sys.executable, "-c", _MEASURE, f"{server.url}/api.json", str(cap)],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
    measured = json.loads(done.stdout)
    assert "over the 8.0 MiB (8388608 bytes) limit (decoded)" in measured["error"]
    assert measured["grown_kib"] * 1024 < 3 * cap


@pytest.mark.parametrize(
    ("coding", "body"),
    [
        ("gzip", gzip.compress(CATALOG_BYTES)),
        ("x-gzip", gzip.compress(CATALOG_BYTES)),
        ("GZIP", gzip.compress(CATALOG_BYTES[:20]) + gzip.compress(CATALOG_BYTES[20:])),
        ("deflate", zlib.compress(CATALOG_BYTES)),
        ("deflate", zlib.compress(CATALOG_BYTES)[2:-4]),  # raw deflate, as some servers send
        ("identity", CATALOG_BYTES),
        ("gzip, identity", gzip.compress(CATALOG_BYTES)),
    ],
    ids=["gzip", "x-gzip", "two gzip members", "deflate", "raw deflate", "identity", "+identity"],
)
def test_each_accepted_coding_is_decoded(coding: str, body: bytes) -> None:
    with HostileServer(encoded(coding, body)) as server:
        result = fetched(server)
    assert (result.body, result.document) == (CATALOG_BYTES, CATALOG)


def test_only_the_codings_we_can_bound_are_asked_for() -> None:
    with CatalogServer() as server:
        server.reply(Reply.json(CATALOG))
        fetch_catalog(f"{server.url}/api.json", options=ROOMY)
    assert server.requests[0].headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize("coding", ["br", "zstd", "compress", "bogus"])
def test_an_unknown_coding_is_refused(coding: str) -> None:
    with HostileServer(encoded(coding, b"\x00" * 64)) as server:
        error = refusal(server)
    assert str(error) == (
        f"{server.url}/api.json sent Content-Encoding: {coding}, which we did not ask for and "
        "cannot decode (accepted: identity, gzip, deflate)"
    )


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (gzip.compress(CATALOG_BYTES)[:-12], "is truncated: its gzip stream ends early after"),
        (b"\x1f\x8b\x08\x00 not gzip at all", "is not valid gzip: Error -3"),
        (zlib.compress(CATALOG_BYTES) + b"junk", "is not valid deflate: data after the end"),
    ],
    ids=["truncated", "garbage", "trailing data"],
)
def test_a_broken_compressed_body_is_refused(body: bytes, complaint: str) -> None:
    coding = "deflate" if body.startswith(b"x") else "gzip"
    with HostileServer(encoded(coding, body)) as server:
        error = refusal(server)
    assert str(error).startswith(f"the body of {server.url}/api.json {complaint}")


def test_compressed_bytes_that_decode_to_little_are_capped_as_received() -> None:
    members = gzip.compress(b"") * 200  # 20 bytes each, nothing decoded; no Content-Length
    script = Script(head({**JSON_HEADERS, "Content-Encoding": "gzip"}), lambda: [members])
    with HostileServer(script) as server:
        error = refusal(server, FetchOptions(max_attempts=1, max_bytes=1000))
    assert "over the 1000 bytes limit as received (Content-Encoding: gzip); stopped" in str(error)


# -- Caps on providers and offerings -------------------------------------------------------------


def bare_providers(count: int) -> dict[str, Any]:
    return {f"p{i}": {"id": f"p{i}", "models": {}} for i in range(count)}


def write(tmp_path: Path, doc: Any) -> Path:
    path = tmp_path / "api.json"
    path.write_text(json.dumps(doc))
    return path


def rejected_file(tmp_path: Path, doc: Any) -> str:
    path = write(tmp_path, doc)
    with pytest.raises(CatalogRejected) as caught:
        fetch_catalog(str(path))
    assert caught.value.exit_code == 4
    return str(caught.value).replace(f"catalog file {path}", "FILE")


def test_too_many_providers_are_refused_before_any_is_validated(tmp_path: Path) -> None:
    # 100,000 providers took 68 s and 763 MB per run before issue 10.
    assert rejected_file(tmp_path, bare_providers(100_000)) == (
        "FILE holds 100,000 providers, more than the 2,000 a catalog may hold "
        "(limits.MAX_PROVIDERS); refused before validating any"
    )


def test_the_caps_themselves_are_allowed(tmp_path: Path) -> None:
    doc = bare_providers(MAX_PROVIDERS - 1)
    doc["big"] = {"id": "big", "models": {f"m{i}": {} for i in range(MAX_OFFERINGS_PER_PROVIDER)}}
    path = write(tmp_path, doc)
    result = fetch_catalog(str(path))
    assert result.document is not None and len(result.document) == MAX_PROVIDERS


def test_too_many_offerings_in_one_provider_are_refused(tmp_path: Path) -> None:
    doc = bare_providers(3)
    doc["p1"]["models"] = {f"m{i}": {} for i in range(MAX_OFFERINGS_PER_PROVIDER + 1)}
    assert rejected_file(tmp_path, doc) == (
        "FILE: provider 'p1' holds 10,001 offerings, more than the 10,000 allowed per provider "
        "(limits.MAX_OFFERINGS_PER_PROVIDER); refused before validating any"
    )


@pytest.mark.parametrize(
    ("doc", "complaint"),
    [
        (
            {f"m{i}": {"litellm_provider": f"p{i}"} for i in range(MAX_PROVIDERS + 1)},
            "holds 2,001 providers",
        ),
        (
            {f"m{i}": {"litellm_provider": "x"} for i in range(MAX_OFFERINGS_PER_PROVIDER + 1)},
            "provider 'x' holds 10,001 offerings",
        ),
        (
            {f"m{i}": {"mode": "chat"} for i in range(MAX_OFFERINGS_PER_PROVIDER + 1)},
            "provider '(no provider)' holds 10,001 offerings",
        ),
        (
            {"data": [{"id": f"m{i}"} for i in range(MAX_OFFERINGS_PER_PROVIDER + 1)]},
            "provider 'data' holds 10,001 offerings",
        ),
    ],
    ids=["litellm providers", "litellm offerings", "litellm without provider", "openrouter"],
)
def test_the_caps_count_in_every_source_shape(
    tmp_path: Path, doc: dict[str, Any], complaint: str
) -> None:
    assert complaint in rejected_file(tmp_path, doc)


def test_a_bare_list_of_models_counts_as_one_provider() -> None:
    """OpenRouter's ``data`` saved alone, as diff and show may read (a fetch refuses it)."""
    entries: list[Any] = [{"id": f"m{i}"} for i in range(MAX_OFFERINGS_PER_PROVIDER + 1)]
    with pytest.raises(CatalogRejected, match="provider 'data' holds 10,001 offerings"):
        check_catalog_counts("models.json", entries)
    check_catalog_counts("models.json", entries[:-1])


def test_a_long_hostile_provider_name_is_cut_and_escaped_in_the_refusal(tmp_path: Path) -> None:
    name = "\x1b[2J" + "x" * 500
    doc = {
        name: {"id": name, "models": {f"m{i}": {} for i in range(MAX_OFFERINGS_PER_PROVIDER + 1)}}
    }
    message = rejected_file(tmp_path, doc)
    assert "\x1b" not in message and "provider '\\x1b[2J" in message
    assert len(message) < 300


def test_a_fetched_catalog_is_capped_too_and_the_run_writes_nothing(tmp_path: Path) -> None:
    snapshots = tmp_path / "snapshots"
    with CatalogServer() as server:
        server.reply(Reply.json(bare_providers(MAX_PROVIDERS + 1)))
        argv = ["check", "--source", f"{server.url}/api.json", "--snapshots", str(snapshots)]
        assert main([*argv, "--write"]) == 4
    assert not snapshots.exists()


@pytest.mark.realdata
@pytest.mark.parametrize(
    "name",
    [
        "models-dev/2025-09-15.json",
        "models-dev/2026-06-28.json",
        "litellm/2026-07-24.json",
        "openrouter/2026-08-19.json",
    ],
)
def test_every_real_catalog_passes_the_caps(name: str) -> None:
    result = fetch_catalog(str(REAL_DATA / name))
    assert result.document is not None
    check_catalog_counts(name, result.document)  # passes: fetch_catalog already checked


def test_diff_and_show_hold_a_catalog_file_to_the_same_provider_cap(tmp_path: Path) -> None:
    """``diff``/``show`` read files through ``snapshot.read_document``, not the fetcher."""
    from catalog_watch.cli.app import main

    huge = tmp_path / "huge.json"
    providers = {f"p{n}": {"id": f"p{n}", "name": "P", "models": {}} for n in range(2_001)}
    huge.write_text(json.dumps(providers), encoding="utf-8")
    assert main(["diff", str(huge), str(huge)]) == 4
    assert main(["show", "gpt-4o", "--catalog", str(huge)]) == 4


def test_the_github_client_gives_up_on_stalled_headers_at_its_budget() -> None:
    """The same deadline bounds every GitHub call of a run (before, 30 s per byte, unbounded)."""
    from catalog_watch.errors import GitHubError
    from catalog_watch.publish.github import GitHubClient, GitHubSettings

    with HostileServer(Script(b"HTTP/1.1 2", stall=True)) as server:
        settings = GitHubSettings(server.url, "owner/name", "ghs_token")
        with (
            GitHubClient(settings, attempts=1, budget_seconds=0.5) as client,
            pytest.raises(GitHubError) as caught,
        ):
            client.find_open_pull("branch", "main")
    assert str(caught.value).startswith("gave up on GET /repos/owner/name/pulls: ")
    assert str(caught.value).endswith("overran the 0.5 s budget")
    assert caught.value.exit_code == 8
