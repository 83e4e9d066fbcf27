"""Constants the command line needs before any settings are read: a module that imports nothing.

``cli/app.py`` builds its parser from these; importing ``settings.config`` for them would build
the pydantic settings models on every start, ``--help`` included.
"""

from __future__ import annotations

DEFAULT_CONFIG_FILE = "catalog-watch.toml"
MODES = ("dry-run", "commit", "pull-request")
"""How ``catalog-watch run`` publishes: print only, commit to the branch, or a rolling PR."""
DEFAULT_BRANCH = "catalog-watch/models.dev"
"""The fixed branch behind the rolling pull request."""
SOURCE_NAMES = ("models.dev", "litellm", "openrouter")
"""The catalogs catalog-watch reads (``sources/`` holds one adapter per name, in this order)."""
SOURCE_URLS = {
    "models.dev": "https://models.dev/api.json",
    "litellm": (
        "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
    ),
    "openrouter": "https://openrouter.ai/api/v1/models",
}
"""Each source's default URL (``sources/registry.py`` checks them against the adapters')."""
DATED_SOURCES = frozenset({"litellm", "openrouter"})
"""The catalogs that give retirement dates (``analysis/deprecations.py`` reads their fields): only
a dated retirement has reminders, so a run that watches none of them never looks for one."""
DEFAULT_MAX_REJECTED_SHARE = 0.05
"""The share of a catalog's records that may be rejected before the whole catalog is refused
(``[guard] max_rejected_share``; the adapters' default)."""
