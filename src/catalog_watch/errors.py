"""The errors catalog-watch raises on purpose: one class per failure a user can act on.

Each is caught once, in ``cli.py``, and turned into one message and an exit code; nothing is
written once one of them is raised. Every exit code the command returns other than 0 is one of
these classes' ``exit_code`` (the README's "Exit codes" list is checked against them); 1 is left to
Python for an uncaught exception, which is a bug.
"""

from __future__ import annotations


class CatalogWatchError(Exception):
    """Base class: a failure with a message meant for the person running the job.

    Its own code, 11, is for a failure no subclass names; it is not 1, so that a deliberate error
    and a crash (Python's traceback, exit 1) stay apart."""

    exit_code = 11


def message_line(error: BaseException) -> str:
    """An error's message as the one line the command prints: a message that quotes a tool's
    output over several lines (git's ``fatal:`` lines and advice) is joined with `` / ``, git's
    ``hint:`` lines left out (advice for a person typing git, not for this run)."""
    lines = [line.strip() for line in str(error).splitlines()]
    kept = [line for line in lines if line and not line.startswith("hint:")]
    return " / ".join(kept) or type(error).__name__


# -- Getting the catalog ---------------------------------------------------------------------


class FetchError(CatalogWatchError):
    """The catalog could not be fetched: network, HTTP status, size, content type or JSON."""

    exit_code = 3


# -- Accepting the catalog -------------------------------------------------------------------


class CatalogRejected(CatalogWatchError):
    """The catalog as a whole is unusable (wrong shape, too many bad records); nothing written."""

    exit_code = 4


class ShrinkRefused(CatalogWatchError):
    """The new catalog lost more offerings or providers than the shrink guard allows."""

    exit_code = 5


# -- Configuration ---------------------------------------------------------------------------


class ConfigError(CatalogWatchError):
    """The configuration file or a command-line option is invalid."""

    exit_code = 2


class SourceNotFound(ConfigError):
    """A local catalog file or snapshot folder named on the command line does not exist: a
    mistyped path, so a usage error (exit 2) naming the path, not a failed fetch (exit 3)."""


class MissingExtra(ConfigError):
    """A command needs an optional extra that is not installed (``catalog-watch[site]``)."""


class SourceMismatch(ConfigError):
    """A catalog of one source type given to the snapshot folder of another (models.dev's
    folder and a LiteLLM file): refused before anything is compared or written."""


class SnapshotError(CatalogWatchError):
    """The snapshot folder on disk is damaged (unreadable JSON, a file that is not a provider)."""

    exit_code = 6


class StateFileError(SnapshotError):
    """A file the tool keeps beside the snapshot (outbox, ledger, meta) is damaged: the message
    names the file and the line; the run stops before it writes anything."""


class UnfinishedRun(CatalogWatchError):
    """The previous run in this checkout ended without finishing (killed, out of memory): only
    recorded in the health bookkeeping, never raised."""


class RunInProgress(CatalogWatchError):
    """Another run holds this checkout (cron or a manual run beside the scheduled one): this
    run stopped before it touched anything; the other one does the work."""

    exit_code = 13


# -- Publishing ------------------------------------------------------------------------------


class GitError(CatalogWatchError):
    """A git command failed (not a checkout, no ``origin``, a rebase that cannot proceed)."""

    exit_code = 7


class PushRejected(GitError):
    """The remote refused the push for good (branch protection, a hook): retrying will not help."""


class StaleLease(GitError):
    """A lease push found the branch moved by another run: nothing was overwritten. The rolling
    branch's savers apply their change again on the new tip."""


class GitHubError(CatalogWatchError):
    """The GitHub REST API refused a request (bad token, missing permission, PRs not allowed)."""

    exit_code = 8


class SlackDeliveryError(CatalogWatchError):
    """Slack refused a message, or could not be reached within the retries.

    ``ambiguous`` is True when Slack may have posted the message anyway (a timeout, a dropped
    connection or a 5xx after the request was sent, and no way to read it back): the caller
    decides between sending it again and keeping it for later. False: Slack has nothing beyond
    what the sender's ``on_delivered`` reported."""

    exit_code = 9

    def __init__(self, *args: object, ambiguous: bool = False) -> None:
        super().__init__(*args)
        self.ambiguous = ambiguous


# -- Watching the watcher, stopping ----------------------------------------------------------


class Unhealthy(CatalogWatchError):
    """``catalog-watch health``: the watcher is stale, frozen or failing. The command prints each
    reason on a line of its own and returns this code (it does not raise: one line per reason)."""

    exit_code = 10


class LintFailed(CatalogWatchError):
    """``catalog-watch lint``: a model id the change adds is a finding the configuration's
    ``[lint] errors`` names (by default unknown or deprecated). Raised after the findings are
    written, so the message only counts them."""

    exit_code = 12


class Interrupted(CatalogWatchError):
    """The command was interrupted (Ctrl-C, SIGINT): 128 + the signal's number, as a shell says."""

    exit_code = 130
