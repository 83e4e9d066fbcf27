"""``catalog-watch run`` with Slack: the real slack-sdk against a loopback Slack, real git."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.publish.slack import EVENT_TYPE
from catalog_watch.render.slack import MAX_BLOCKS, MAX_HEADER_TEXT, MAX_SECTION_TEXT, MAX_TEXT
from catalog_watch.store.outbox import Claim, outbox_text, parse_outbox
from tests.factories import MODELS_DEV, document, edited, model, provider, write_json
from tests.git_repos import clone, fresh_origin, git, git_verb, isolate_git, log_git_calls
from tests.runs import OUTBOX, catalog, commit_run, hand_edit_outbox, repriced, run_in
from tests.slack_server import SlackServer


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git(monkeypatch, tmp_path / "home")
    return clone(fresh_origin(tmp_path), "ours")


def posted_texts(posts: list[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(post, ensure_ascii=False) for post in posts)


def assert_within_limits(posts: list[dict[str, Any]]) -> None:
    for post in posts:
        assert 0 < len(post["text"]) <= MAX_TEXT
        assert len(post["blocks"]) <= MAX_BLOCKS
        for block in post["blocks"]:
            if block["type"] == "header":
                assert len(block["text"]["text"]) <= MAX_HEADER_TEXT
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= MAX_SECTION_TEXT


def pending(repo: Path) -> list[str]:
    text = git(repo, "show", f"origin/main:{OUTBOX}")
    return [
        json.loads(line)["alert"]["id"]
        for line in text.splitlines()
        if json.loads(line)["delivered"] is None
    ]


def test_first_run_sends_one_baseline_message(
    repo: Path,
    slack: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
    code, _, _ = commit_run(repo, monkeypatch, capsys, catalog())
    assert code == 0
    [post] = slack.webhook_posts()
    assert post["text"] == "now watching models.dev: 2 providers, 6 offerings, 0 inconsistencies"
    git(repo, "fetch", "--quiet", "origin")
    assert pending(repo) == []


def test_commit_messages_count_alerts_in_the_singular_and_the_plural(
    repo: Path,
    slack: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
    commit_run(repo, monkeypatch, capsys, catalog())  # one baseline alert
    changed = edited(catalog())
    changed["acme"]["models"]["m1"]["cost"]["input"] = 3
    changed["acme"]["models"]["m2"]["cost"]["input"] = 4
    assert commit_run(repo, monkeypatch, capsys, changed)[0] == 0
    subjects = git(repo, "log", "--format=%s", "origin/main").splitlines()
    assert "catalog-watch: claim 1 alert for Slack" in subjects
    assert "catalog-watch: 1 alert delivered to Slack" in subjects
    assert "catalog-watch: 2 alerts delivered to Slack" in subjects
    assert not any("(s)" in subject or "1 alerts" in subject for subject in subjects)


@pytest.mark.realdata
def test_real_catalogs_post_bounded_messages_naming_a_real_price_cut(
    repo: Path,
    slack: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
    (repo / "catalog-watch.toml").write_text(
        '[[watch]]\nname = "vercel prices"\nproviders = ["vercel"]\nkinds = ["price_changed"]\n'
        "inconsistencies = false\n"
    )
    march, june = str(MODELS_DEV / "2026-03-10.json"), str(MODELS_DEV / "2026-06-28.json")
    run_in(repo, monkeypatch, capsys, "--mode", "commit", "--source", march)
    code, _, _ = run_in(
        repo, monkeypatch, capsys, "--mode", "commit", "--source", june, "--allow-shrink"
    )
    assert code == 0
    posts = slack.webhook_posts()[1:]  # after the baseline
    assert len(posts) >= 2
    assert_within_limits(posts)
    text = posted_texts(posts)
    assert "google/gemini-3.1-flash-image-preview" in text
    assert "▼ cost.output $60.00 → $3.00 per 1M (-95 %)" in text
    assert "openai" not in {post["text"].split(":")[0] for post in posts}


def test_outage_leaves_alerts_pending_and_the_next_runs_deliver_exactly_once(
    repo: Path,
    slack: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
    commit_run(repo, monkeypatch, capsys, catalog())
    changed = edited(catalog())
    changed["acme"]["models"]["m1"]["cost"]["input"] = 3
    changed["beta"]["models"]["x"]["status"] = "deprecated"
    slack.outage(500)
    code, _, err = commit_run(repo, monkeypatch, capsys, changed)
    assert code == 9
    assert "500" in err
    git(repo, "fetch", "--quiet", "origin")
    assert len(pending(repo)) == 3  # the price rise, the deprecation, the schema drift note
    slack.recover()
    before = len(slack.webhook_posts())
    code, _, _ = commit_run(repo, monkeypatch, capsys, changed)  # run 2: same catalog
    assert code == 0
    delivered = slack.webhook_posts()[before:]
    assert len(delivered) == 1
    assert "cost.input $2.50 → $3.00 per 1M (+20 %)" in posted_texts(delivered)
    git(repo, "fetch", "--quiet", "origin")
    assert pending(repo) == []
    code, _, _ = commit_run(repo, monkeypatch, capsys, changed)  # run 3: nothing new
    assert code == 0 and len(slack.webhook_posts()) == before + 1
    # a re-run of the same workflow, from the checkout it started from, sends nothing either
    git(repo, "reset", "--quiet", "--hard", "HEAD~1")
    code, _, _ = commit_run(repo, monkeypatch, capsys, changed)
    assert code == 0 and len(slack.webhook_posts()) == before + 1


def test_bot_mode_posts_a_summary_and_the_rest_in_its_thread(
    repo: Path,
    slack: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SLACK_TOKEN", slack.token)
    monkeypatch.setenv("SLACK_CHANNEL", "#llm-alerts")
    many = document(provider("acme", *(model(f"m{i:03}") for i in range(120))))
    commit_run(repo, monkeypatch, capsys, many)
    changed = edited(many)
    for record in changed["acme"]["models"].values():
        record["cost"]["input"] = 3
        record["limit"]["context"] = 65536
    code, _, _ = commit_run(repo, monkeypatch, capsys, changed)
    assert code == 0
    messages = slack.messages("#llm-alerts")[1:]  # after the baseline
    assert len(messages) >= 2
    summary, replies = messages[0], messages[1:]
    assert summary.get("thread_ts") is None
    assert {reply["thread_ts"] for reply in replies} == {summary["ts"]}
    assert_within_limits(messages)


def test_routing_sends_each_rule_to_its_own_destination(
    repo: Path,
    slack: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    news = slack.add_webhook("/services/T000/B000/NEWS")
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
    monkeypatch.setenv("SLACK_WEBHOOK_NEWS", news)
    (repo / "catalog-watch.toml").write_text(
        '[[watch]]\nname = "costs"\nkinds = ["price_changed"]\nmin_increase_pct = 10\n\n'
        '[[watch]]\nname = "news"\nkinds = ["model_added"]\nwebhook_env = "SLACK_WEBHOOK_NEWS"\n'
    )
    commit_run(repo, monkeypatch, capsys, catalog())
    changed = edited(catalog())
    changed["acme"]["models"]["m1"]["cost"]["input"] = 3  # +20 %: over the threshold
    changed["acme"]["models"]["m2"]["cost"]["input"] = 2.6  # +4 %: under it
    changed["beta"]["models"]["y<&>"] = model("y<&>", name="Y <beta> & co")
    code, _, _ = commit_run(repo, monkeypatch, capsys, changed)
    assert code == 0
    costs = posted_texts(slack.webhook_posts()[1:])  # after its baseline
    news_posts = slack.webhook_posts("/services/T000/B000/NEWS")[1:]
    assert "cost.input $2.50 → $3.00 per 1M (+20 %)" in costs
    assert "$2.60" not in costs  # m2's +4 % is under the rule's threshold
    assert "y&lt;" not in costs  # new models go to the news webhook only
    assert "y&lt;&amp;&gt;" in posted_texts(news_posts)
    assert "y<&>" not in json.dumps([b for p in news_posts for b in p["blocks"]])


def test_missing_secret_skips_slack_with_a_notice(
    repo: Path,
    slack: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = commit_run(repo, monkeypatch, capsys, catalog())
    assert code == 0
    assert "notice" in err and "Slack" in err
    assert slack.calls() == []


def test_dry_run_prints_the_exact_payloads(
    repo: Path,
    slack: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
    source = write_json(repo.parent / "api.json", catalog())
    code, out, _ = run_in(repo, monkeypatch, capsys, "--source", str(source))
    assert code == 0
    assert "Slack: would send 1 message(s):" in out
    assert '"text": "now watching models.dev: 2 providers, 6 offerings, 0 inconsistencies"' in out
    assert slack.calls() == []


def test_pull_request_mode_alerts_once_across_rebuilds_of_the_branch(
    repo: Path,
    slack: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.github_server import GitHubServer

    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
    commit_run(repo, monkeypatch, capsys, catalog())  # baseline on main
    changed = edited(catalog())
    changed["acme"]["models"]["m1"]["cost"]["input"] = 3
    with GitHubServer() as github:
        monkeypatch.setenv("GITHUB_API_URL", github.api_url)
        monkeypatch.setenv("GITHUB_REPOSITORY", github.repository)
        monkeypatch.setenv("GITHUB_TOKEN", github.token)
        first = write_json(repo.parent / "pr-1.json", changed)
        code, _, _ = run_in(
            repo, monkeypatch, capsys, "--mode", "pull-request", "--source", str(first)
        )
        assert code == 0
        after_first = len(slack.webhook_posts())
        more = edited(changed)
        more["beta"]["models"]["x"]["limit"]["output"] = 4096
        second = write_json(repo.parent / "pr-2.json", more)
        code, _, _ = run_in(
            repo, monkeypatch, capsys, "--mode", "pull-request", "--source", str(second)
        )
        assert code == 0
        [pull] = github.open_pulls()
    new_posts = posted_texts(slack.webhook_posts()[after_first:])
    assert "limit.output 8,192 → 4,096" in new_posts
    assert "cost.input $2.50 → $3.00" not in new_posts  # alerted by the first run already
    assert pull["html_url"] in posted_texts(slack.webhook_posts()[1:after_first])


def test_price_alert_in_slack_carries_the_cost_impact(
    repo: Path,
    slack: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
    commit_run(repo, monkeypatch, capsys, catalog())
    changed = edited(catalog())
    changed["acme"]["models"]["m1"]["cost"]["output"] = 20
    code, _, _ = commit_run(repo, monkeypatch, capsys, changed)
    assert code == 0
    text = posted_texts(slack.webhook_posts()[1:])
    # 1,000 x (5,000 x $2.50 + 500 x $10) / 1M = $17.50 before; with $20 output: $22.50
    assert (
        "cost.output $10.00 → $20.00 per 1M (+100 %)\\n      ↳ cost impact: "
        "RAG answer: $17.50 → $22.50 per 1,000 requests (+28.57 %)"
    ) in text


def test_each_commit_of_a_run_costs_add_diff_commit_rev_parse_and_push(
    repo: Path,
    slack: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """A run with Slack commits several times (the snapshot, the claim, each delivery mark):
    git is asked who commits once per run, and HEAD's sha once per commit (the push reuses
    it)."""
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
    commit_run(repo, monkeypatch, capsys, catalog())
    calls = log_git_calls(monkeypatch, tmp_path / "shim")
    assert commit_run(repo, monkeypatch, capsys, repriced())[0] == 0

    lines = calls.read_text().splitlines()
    verbs = [git_verb(line) for line in lines]
    assert verbs.count("commit") >= 3  # the change, the claim, the delivery mark
    assert verbs.count("config") == 1
    for n, verb in enumerate(verbs):
        if verb == "commit":
            assert verbs[n + 1 : n + 3] == ["rev-parse", "push"], lines[n : n + 3]


NOT_COUNTS = {"a word": '"many"', "a list": "[1]", "past a float": "1e309", "a bool": "true"}


@pytest.mark.parametrize("bad", NOT_COUNTS.values(), ids=NOT_COUNTS.keys())
def test_a_baseline_count_that_is_not_a_count_is_left_out_of_its_message(
    repo: Path,
    slack: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    bad: str,
) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
    slack.outage()
    assert commit_run(repo, monkeypatch, capsys, catalog())[0] == 9  # the baseline: pending
    slack.recover()
    [entry] = [json.loads(line) for line in (repo / OUTBOX).read_text().splitlines()]
    assert entry["alert"]["extra"]["offerings"] == 6
    entry["alert"]["extra"]["offerings"] = "BAD"
    hand_edit_outbox(repo, json.dumps(entry).replace('"BAD"', bad) + "\n")
    code, _, err = commit_run(repo, monkeypatch, capsys, catalog())
    assert code == 0, err
    [post] = slack.webhook_posts()
    assert post["text"] == "now watching models.dev: 2 providers, 0 inconsistencies"
    git(repo, "fetch", "--quiet", "origin")
    assert pending(repo) == []


def test_a_claim_stamped_at_the_first_moment_reads_the_whole_channel_back(
    repo: Path,
    slack: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """LOOKBACK before 0001-01-01 is before any time; the read starts at Slack's ts 0, and
    the baseline the killed run had posted is found there, not posted again."""
    monkeypatch.setenv("SLACK_TOKEN", slack.token)
    monkeypatch.setenv("SLACK_CHANNEL", "#llm-alerts")
    slack.outage()
    assert commit_run(repo, monkeypatch, capsys, catalog())[0] == 9  # the baseline: pending
    slack.recover()
    outbox = parse_outbox((repo / OUTBOX).read_text())
    ids = [alert.id for alert in outbox.pending]
    killed = Claim("run-that-was-killed", "0001-01-01T00:00:00Z")
    hand_edit_outbox(repo, outbox_text(outbox.claim(ids, killed)))
    payload = {"alert_ids": ids}
    slack.add_message(
        "#llm-alerts",
        "now watching models.dev",
        ts=86400.0,
        user="U0BOT",
        metadata={"event_type": EVENT_TYPE, "event_payload": payload},
    )
    before = len(slack.calls())
    code, _, err = commit_run(repo, monkeypatch, capsys, catalog())
    assert code == 0, err
    assert "found in Slack: 1 alert a killed run had posted" in err
    calls = slack.calls()[before:]
    [read] = [call for call in calls if call.path.endswith("/conversations.history")]
    assert read.body["oldest"] == "0.000000"
    assert not [call for call in calls if call.path.endswith("/chat.postMessage")]
    git(repo, "fetch", "--quiet", "origin")
    assert pending(repo) == []
