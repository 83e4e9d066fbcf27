"""A hostile models.dev catalog and the bytes every sink received from a real run over it.

``ATTACK_LISTS`` draws 5-10 attack strings (control characters, lone surrogates, workflow
commands, markdown mentions and references, HTML, backticks, pipes, ANSI escapes); ``baseline``
and ``hostile`` spread each attack over one record of every kind: a provider id, a model id
offered by two providers that disagree (an inconsistency), a model id whose price changes (a
chart), a model name, a status, a model field key and value, a provider name and field key.

``run_everywhere`` runs the real CLI as GitHub Actions would (``GITHUB_ACTIONS=true``, output and
summary files) in a fresh repository with a bare ``origin``, a loopback GitHub and a loopback
Slack: a baseline in commit mode, then the hostile catalog in dry-run, pull-request and commit
mode, then ``catalog-watch site``. ``Sinks`` holds what each sink got, for the checks in
``tests/sink_checks.py``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from tests.factories import document, model, provider
from tests.fault_harness import base_env, git
from tests.github_server import GitHubServer
from tests.slack_server import SlackServer

MARK = "PWNED"
"""Every workflow command an attack tries to run carries this word: a command holding it at the
start of its message or in its name was written by the catalog."""

COMMANDS = (
    f"\n::error title=x::{MARK}",
    f"\n::warning::{MARK}",
    "\n::add-mask::acme",
    f"::add-mask::{MARK}",
    f"::stop-commands::{MARK}",
    f"x ##[error]{MARK} mid-line",
    f"\r::notice::{MARK}",
    f"  ::set-output name=x::{MARK}",
    f"\n::group::{MARK}",
    f"%0A::error::{MARK}",
)
MARKDOWN = (
    "@org/team",
    "cc @octocat",
    "fixes #1",
    "GH-12",
    "octo-org/catalog#3",
    "https://github.com/octo-org/catalog/issues/4",
    "www.evil.example",
    "[click](https://evil.example/a)",
    "![i](https://evil.example/i.png)",
    "**bold** _it_",
    "# heading",
    "> quote",
    "- item",
)
HTML = (
    "<img src=https://evil.example/x.png>",
    "</details>",
    "<details open><summary>x",
    "<script>alert(1)</script>",
    '<a href="https://evil.example">x</a>',
    "<!-- comment",
    "&lt;img&gt; &amp;",
    "</td></tr></table>",
)
CODE = ("a`b``c", "`", "x|y", "|---|", "```", "\\|")
TERMINAL = (
    "\x1b[2J",
    "\x1b]0;title\x07",
    "\x1b[31mred\x1b[0m",
    "\x9b31m",
    "\u202eevil",
    "nul\x00",
    "\x7f",
    "\ufffe",
    "line\nbreak",
    "cr\rover",
    "tab\tx",
)
SURROGATES = ("\ud800", "a\udfffb", "\ud855\ude06\ud85f")  # the last: a pair, then a lone one
OTHER = ("$\\frac{a}{b}$", "$x^2$", "'\"quotes\"'", "&", "<", ">")
FIXED = (*COMMANDS, *MARKDOWN, *HTML, *CODE, *TERMINAL, *SURROGATES, *OTHER)
"""Every attack above: the explicit example each property test tries first."""

_ANSI = st.builds(
    lambda number, final: f"\x1b[{number}{final}",
    st.integers(min_value=0, max_value=99),
    st.sampled_from("mHJKABCD"),
)
_FRAGMENT = st.one_of(
    st.sampled_from(FIXED),
    st.characters(categories=["Cc"]),
    st.characters(categories=["Cs"]),
    _ANSI,
    st.text(alphabet="`|@#<>&[]\\*_!$:%\n a1", min_size=1, max_size=6),
)


def _paired(text: str) -> str:
    """``text`` as a JSON reader hands it back: a high and a low surrogate side by side (two
    fragments can meet that way) are one character, as ``\\ud88c\\uded3`` in a file is; lone ones
    stay lone."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


ATTACK = st.lists(_FRAGMENT, min_size=1, max_size=3).map("".join).map(_paired)
ATTACK_LISTS = st.lists(ATTACK, min_size=5, max_size=10, unique=True)
"""5-10 distinct attacks: one catalog carries them all."""

# The characters the validation rejects a record for (per the README): C0 controls but tab, line
# feed and carriage return, DEL, C1 controls, lone surrogates. Tab, LF and CR may be accepted
# (real names end in a tab): the sinks make them inert.
_REJECTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_PROVIDER_ID = re.compile(r"\A[a-z0-9][a-z0-9._-]{0,63}\Z")


def must_reject(text: str) -> bool:
    return _REJECTED.search(text) is not None


def good_provider_id(text: str) -> bool:
    return _PROVIDER_ID.match(text) is not None


# -- The catalog ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    """Where one attack went: (provider, model) per record kind; model None for a provider."""

    attack: str
    records: dict[str, tuple[str, str | None]]


def placements(attacks: list[str]) -> list[Placed]:
    placed = []
    for i, attack in enumerate(attacks):
        placed.append(
            Placed(
                attack,
                {
                    "provider id": (attack, None),
                    "model id (acme)": ("acme", attack),
                    "model id (beta)": ("beta", attack),
                    "model id with a price change": ("gamma", attack),
                    "model name": ("acme", f"name-{i}"),
                    "status": ("acme", f"status-{i}"),
                    "field key": ("acme", f"key-{i}"),
                    "field value": ("acme", f"value-{i}"),
                    "provider name and key": (f"p{i}", None),
                },
            )
        )
    return placed


def baseline(attacks: list[str]) -> dict[str, Any]:
    """The catalog before: clean records, plus gamma's hostile ids (their price changes next)."""
    count = range(len(attacks))
    acme = [model(f"m{i}") for i in range(3)]
    for kind in ("name", "status", "key", "value"):
        acme += [model(f"{kind}-{i}") for i in count]
    gamma = [model("g0"), *(model(attack, name=f"G{i}") for i, attack in enumerate(attacks))]
    return document(
        provider("acme", *acme),
        provider("beta", model("m0"), model("m1")),
        provider("gamma", *gamma),
        *(provider(f"p{i}", model("only")) for i in count),
    )


def hostile(attacks: list[str]) -> dict[str, Any]:
    """The catalog after: every attack in every kind of record (see :func:`placements`)."""
    doc = baseline(attacks)
    acme, beta = doc["acme"]["models"], doc["beta"]["models"]
    for i, attack in enumerate(attacks):
        acme[attack] = model(attack, name=attack)
        beta[attack] = model(attack, name=attack, limit={"context": 65536, "output": 8192})
        doc["gamma"]["models"][attack]["cost"] = {"input": 3, "output": 12}
        acme[f"name-{i}"]["name"] = attack
        acme[f"status-{i}"]["status"] = attack
        acme[f"key-{i}"][attack] = "v"
        acme[f"value-{i}"]["note"] = attack
        doc[f"p{i}"]["name"] = attack
        doc[f"p{i}"][attack] = "v"
        doc[attack] = provider("p", model("hostile-provider-model"), id=attack)
    return doc


CONFIG = "[guard]\nmax_rejected_share = 1.0\n"
"""One catalog carries many bad records on purpose: none of them may refuse the whole catalog."""


# -- One run of every mode -----------------------------------------------------------------


@dataclass
class Step:
    """One CLI process as a GitHub Actions step: its exit code, log and step summary."""

    name: str
    code: int
    stdout: str
    stderr: str
    summary: str
    report: dict[str, Any] | None  # --changes-json, when the step wrote one


@dataclass
class Sinks:
    """Every byte catalog text could reach, from one baseline and one hostile catalog."""

    steps: list[Step] = field(default_factory=list)
    pull_texts: list[str] = field(default_factory=list)  # bodies, titles, comments received
    changelog: str = ""  # snapshots/models.dev/CHANGELOG.md on origin's main
    commit_messages: list[str] = field(default_factory=list)  # every ref of origin
    slack: list[dict[str, Any]] = field(default_factory=list)  # payloads the loopback got
    site: Path = Path()
    site_step: Step | None = None

    def step(self, name: str) -> Step:
        return next(step for step in self.steps if step.name == name)

    @property
    def markdown(self) -> dict[str, str]:
        """Each markdown GitHub renders: PR texts, step summaries, the committed changelog."""
        texts = {f"pull request {n}": text for n, text in enumerate(self.pull_texts)}
        texts.update({f"{s.name} step summary": s.summary for s in self.steps if s.summary})
        texts["CHANGELOG.md"] = self.changelog
        return texts


def cli_env(home: Path, pycache: Path) -> dict[str, str]:
    """The fault matrix's clean environment, with bytecode kept for the whole module."""
    env = base_env(home)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # each process would compile the package again
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


class Lab:
    """A fresh repository (bare origin, our clone), the loopback servers and the CLI's env."""

    def __init__(self, root: Path, pycache: Path, github: GitHubServer, slack: SlackServer):
        self.root = root
        self.env = cli_env(root / "home", pycache)
        self.origin = root / "origin.git"
        self.ours = root / "ours"
        self.github, self.slack = github, slack
        self._steps = 0
        git(root, self.env, "init", "--quiet", "--bare", "--initial-branch=main", str(self.origin))
        seed = root / "seed"
        git(root, self.env, "clone", "--quiet", str(self.origin), str(seed))
        (seed / "README.md").write_text("a team's repository\n")
        git(seed, self.env, "add", "README.md")
        git(seed, self.env, "commit", "--quiet", "-m", "initial")
        git(seed, self.env, "push", "--quiet", "origin", "HEAD:refs/heads/main")
        git(root, self.env, "clone", "--quiet", str(self.origin), str(self.ours))
        (self.ours / "catalog-watch.toml").write_text(CONFIG)

    def step(self, name: str, *args: str) -> Step:
        """``catalog-watch ARGS`` in our clone as one Actions step (its own output files)."""
        self._steps += 1
        files = self.root / "steps" / f"{self._steps:02d}"
        files.mkdir(parents=True)
        summary, report = files / "summary.md", files / "report.json"
        env = dict(
            self.env,
            GITHUB_ACTIONS="true",
            GITHUB_OUTPUT=str(files / "output"),
            GITHUB_STEP_SUMMARY=str(summary),
            GITHUB_API_URL=self.github.api_url,
            GITHUB_REPOSITORY=self.github.repository,
            GITHUB_TOKEN=self.github.token,
            SLACK_API_URL=self.slack.api_url,
            SLACK_WEBHOOK_URL=self.slack.webhook_url,
        )
        if args and args[0] == "run":
            args = (*args, "--changes-json", str(report))
        done = subprocess.run(
            [sys.executable, "-m", "catalog_watch.cli.app", *args],
            cwd=self.ours,
            env=env,
            capture_output=True,
            check=False,
        )
        return Step(
            name=name,
            code=done.returncode,
            stdout=done.stdout.decode("utf-8", "backslashreplace"),
            stderr=done.stderr.decode("utf-8", "backslashreplace"),
            summary=summary.read_text("utf-8", "backslashreplace") if summary.exists() else "",
            report=json.loads(report.read_text("utf-8")) if report.exists() else None,
        )

    def catalog(self, doc: dict[str, Any]) -> str:
        """``doc`` as an api.json file (lone surrogates as ``\\ud800`` escapes, as JSON allows)."""
        path = self.root / f"api-{len(list(self.root.glob('api-*')))}.json"
        path.write_text(json.dumps(doc), encoding="ascii")
        return str(path)

    def run(self, name: str, mode: str, doc: dict[str, Any], now: str) -> Step:
        return self.step(name, "run", "--mode", mode, "--now", now, "--source", self.catalog(doc))


def run_everywhere(attacks: list[str], root: Path, pycache: Path) -> Sinks:
    """Baseline, then the hostile catalog in dry-run, pull-request and commit mode, then the
    site: what each sink received."""
    with GitHubServer() as github, SlackServer() as slack:
        lab = Lab(root, pycache, github, slack)
        sinks = Sinks()
        sinks.steps.append(lab.run("baseline", "commit", baseline(attacks), "2026-11-24T10:00:00Z"))
        bad = hostile(attacks)
        for mode in ("dry-run", "pull-request", "commit"):
            sinks.steps.append(lab.run(mode, mode, bad, "2026-11-25T10:00:00Z"))
        sinks.site = root / "site"
        sinks.site_step = lab.step("site", "site", str(sinks.site))
        sinks.pull_texts = _pull_texts(github)
        sinks.slack = list(slack.webhook_posts())
    sinks.changelog = git(lab.origin, lab.env, "show", "main:snapshots/models.dev/CHANGELOG.md")
    log = git(lab.origin, lab.env, "log", "--all", "--format=%B%x00")
    sinks.commit_messages = [message.strip() for message in log.split("\0") if message.strip()]
    return sinks


def _pull_texts(github: GitHubServer) -> list[str]:
    texts: list[str] = []
    for request in github.requests:
        if request.method in ("POST", "PATCH") and isinstance(request.json, dict):
            texts += [str(request.json[key]) for key in ("title", "body") if key in request.json]
    return texts


def scratch(parent: Path) -> tempfile.TemporaryDirectory[str]:
    """A folder for one example of a property test (hypothesis reruns the test body)."""
    return tempfile.TemporaryDirectory(dir=parent, prefix="hostile-")
