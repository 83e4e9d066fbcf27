"""Which offerings are the same underlying model: id normalization, models.json identity, aliases.

api.json has no link between the offerings of one model across providers, so the link is rebuilt
from the model ids. Every rule below was chosen on the real 2026-06 catalog and is tested on its
own (``tests/test_consistency.py``). The rules only ever *merge* spellings of one id; they never
guess that two differently named things are one model.

The id rule (:func:`normalize_model_id`), applied in this order:

1. **Namespace**: keep the part after the last ``/`` (``openai/gpt-4o``, ``TEE/glm-5``,
   ``workers-ai/@cf/meta/llama-3.1-8b-instruct``, ``~anthropic/claude-opus-latest``). Exception:
   the generic router ids ``auto``, ``free`` and ``router`` keep their namespace (or the provider
   id when they have none), since ``openrouter/auto`` and ``morph``'s ``auto`` are different
   routers, not one model.
2. **Case**: lower-case (``Qwen/Qwen3-32B`` and ``qwen/qwen3-32b``).
3. **Bedrock**: ``[region.]vendor.name[-vN:0 | -N:0]`` becomes ``name``; regions ``us``, ``eu``,
   ``global``, ``apac``, ``au``, ``jp``, ``ca``, ``us-gov``; vendors from an explicit list (a
   generic ``word.`` prefix would also eat ``laguna-m.1``). ``:0`` is Bedrock's API revision; a
   non-zero one is the model's own version (``claude-v2:1`` is Claude 2.1, kept). A bare ``-v1``
   is only dropped on Anthropic's numbered models (``claude-opus-4-6-v1``): ``claude-instant-v1``
   and ``nemotron-nano-9b-v2`` are names. Bedrock's DeepSeek ids become ``r1``/``v3``/``v3-2``
   and stay their own groups (``deepseek.v3-v1:0`` is V3.1, so no guessing; use aliases).
4. **``:free``**: dropped. The free endpoint serves the same weights; it is kept out of every
   price comparison instead (see ``consistency.py``).
5. **Vertex ``@``**: ``@default`` is dropped, ``@20250929`` becomes ``-20250929``, which is how
   Anthropic itself spells the snapshot (``claude-sonnet-4-5@20250929`` is
   ``claude-sonnet-4-5-20250929``).
6. **``-fp8``**: a trailing ``-fp8`` is dropped (an FP8 deployment of the same weights).
   ``-fp8-fast`` and ``-fp8-dynamic`` are kept: they name a different serving variant.
7. **Ollama size tags**: ``gpt-oss:120b`` becomes ``gpt-oss-120b``.
8. **Version dots**: a ``.`` between two digits becomes ``-`` (``claude-sonnet-4.5`` as
   OpenRouter writes it, ``claude-sonnet-4-5`` as Anthropic does; ``llama3.3``/``llama3-3``). So
   group keys read ``gemini-2-5-flash``; on 2026-06 it joins both spellings in 65 groups,
   none wrongly (checked by hand).

Deliberately **not** merged, and why:

* ``-latest`` aliases and dated snapshots (``claude-sonnet-4-5`` vs ``claude-sonnet-4-5-20250929``,
  ``gpt-4o`` vs ``gpt-4o-2024-08-06``, ``mistral-large-latest`` vs ``mistral-large-2512``): an
  alias moves to a new snapshot while old snapshots keep their limits and prices, and models.json
  itself lists the alias and each snapshot as separate models.
* ``:thinking``, ``-thinking``, ``:1024``-style budget suffixes: the reasoning switch is the very
  capability we compare; a thinking variant would always "disagree" on ``reasoning`` and price.
* ``-instruct``/``-it`` drops and lab prefixes fused into the name (``meta-llama-3.1-8b``): too
  easy to merge a base model with its instruct tune. Use ``aliases`` for such cases.

models.json identity (:class:`ModelIndex`), used first when available: an offering belongs to a
canonical model when its raw id is the canonical id (``google/gemini-2.5-flash``) or its
normalized id equals the canonical one's. Only with the index, four more rewrites are tried, and
only accepted when the result *is* a canonical model: drop a ``<provider id>-`` prefix
(``databricks-gpt-5-1``), drop a ``<lab>-`` prefix naming that model's own lab (``openai-gpt-5``,
``nvidia/NVIDIA-Nemotron-…``), drop Vertex's ``-maas`` suffix, and read Fireworks' ``2p6`` as
``2.6`` (``kimi-k2p6``). Group keys are the same normalized form with or without the index, so
inconsistency ids do not churn on a run where models.json could not be fetched.

Explicit ``aliases`` (``"<provider>/<model id>"`` or a bare normalized id → group key) win over
both.

Makers (:data:`MAKERS`): the one table of labs, how each catalog spells them and which group
keys are theirs, used by ``cross_source.py`` (the maker's own channel in each catalog) and
``model_card.py`` (the maker's provider for the scenario costs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from catalog_watch.analysis.recent import Recent
from catalog_watch.model.catalog import JSON, Catalog

__all__ = [
    "GENERIC_IDS",
    "MAKERS",
    "Identity",
    "Maker",
    "ModelIndex",
    "group_by_identity",
    "group_offering_ids",
    "load_model_index",
    "maker_named",
    "maker_of_key",
    "normalize_model_id",
]


@dataclass(frozen=True, slots=True)
class Maker:
    """A lab that makes models.

    Attributes:
        id: the lab's id in models.json (``zhipuai/glm-4.5``), the maker in cross-source ids.
        provider: the models.dev provider id of its own API (Meta sells Llama as ``llama``).
        spellings: the other names catalogs give it: LiteLLM providers (``gemini``,
            ``dashscope``), OpenRouter authors (``x-ai``, ``z-ai``), sibling API ids (``zai``).
        prefixes: group-key prefixes of its models. A prefix matches the whole key or a key
            continuing with ``-`` (``o3`` matches ``o3-mini``, not ``o3xyz``), except those ending
            in ``-`` themselves (``gpt-``).
    """

    id: str
    provider: str
    spellings: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.id, self.provider, *self.spellings)


def _maker(id_: str, prefixes: str, spellings: str = "", provider: str = "") -> Maker:
    """A table row: ``prefixes`` and ``spellings`` as space-separated words; the provider id is
    the maker's own unless given."""
    return Maker(id_, provider or id_, tuple(spellings.split()), tuple(prefixes.split()))


MAKERS: tuple[Maker, ...] = (
    _maker("google", "gemini gemma imagen veo", spellings="gemini"),
    _maker("anthropic", "claude"),
    _maker("openai", "gpt- chatgpt codex o1 o3 o4 text-embedding whisper dall-e"),
    _maker(
        "mistral",
        "mistral ministral mixtral codestral devstral magistral pixtral voxtral",
        spellings="mistralai",
    ),
    _maker("deepseek", "deepseek"),
    _maker("xai", "grok", spellings="x-ai"),
    _maker("moonshotai", "kimi moonshot", spellings="moonshot"),
    # models.json names GLM's lab "zhipuai" (all 14 GLM models, 2026-06-28); models.dev lists
    # the same models at the same prices under "zhipuai" (open.bigmodel.cn) and "zai" (api.z.ai,
    # its international API); OpenRouter's author is "z-ai".
    _maker("zhipuai", "glm", spellings="zai z-ai"),
    _maker("alibaba", "qwen qwq", spellings="qwen dashscope"),
    _maker("cohere", "command", spellings="cohere_chat"),
    _maker("minimax", "minimax"),
    _maker("xiaomi", "mimo"),
    _maker("perplexity", "sonar"),
    _maker("nvidia", "nemotron"),
    _maker("meta", "", spellings="meta-llama", provider="llama"),
)
"""Every maker catalog-watch knows; first match wins for :func:`maker_of_key`."""

_BY_NAME = {name: maker for maker in MAKERS for name in maker.names}


def maker_named(name: str) -> Maker | None:
    """The maker a provider id, LiteLLM provider or OpenRouter author names (any case)."""
    return _BY_NAME.get(name.lower())


def maker_of_key(group_key: str) -> Maker | None:
    """The maker whose :attr:`Maker.prefixes` the group key starts with, if any."""
    for maker in MAKERS:
        for prefix in maker.prefixes:
            if group_key == prefix or group_key.startswith(
                prefix if prefix.endswith("-") else prefix + "-"
            ):
                return maker
    return None


GENERIC_IDS = frozenset({"auto", "free", "router"})
"""Router ids that mean a different thing under every namespace: they keep it in the key."""

_BEDROCK_REGIONS = ("us", "eu", "global", "apac", "au", "jp", "ca", "us-gov")
_BEDROCK_VENDORS = (  # as a regex alternation
    "ai21|amazon|anthropic|cohere|deepseek|google|meta|minimax|mistral|moonshot|moonshotai|"
    "nvidia|openai|qwen|stability|twelvelabs|writer|xai|zai"
)
_BEDROCK = re.compile(
    rf"^(?:(?:{'|'.join(map(re.escape, _BEDROCK_REGIONS))})\.)?"
    rf"({_BEDROCK_VENDORS})\.(.+?)(-v?\d+:0|-v\d+)?$"
)
_HAS_DIGIT = re.compile(r"\d")
_VERTEX_DATE = re.compile(r"@(\d{8})$")
_OLLAMA_SIZE = re.compile(r":(\d+(?:\.\d+)?b)$")
_VERSION_DOT = re.compile(r"(?<=\d)\.(?=\d)")
_FIREWORKS_P = re.compile(r"(?<=\d)p(?=\d)")


@lru_cache(maxsize=1 << 14)
def normalize_model_id(model_id: str, provider: str | None = None) -> str:
    """The id rule: the group key an offering gets when nothing better is known.

    ``provider`` is only used as the namespace of a generic router id that has none.

    >>> normalize_model_id("us.anthropic.claude-sonnet-4-5-20250929-v1:0")
    'claude-sonnet-4-5-20250929'
    >>> normalize_model_id("openrouter/auto")
    'openrouter/auto'
    """
    namespace, _, name = model_id.rpartition("/")
    key = name.lower()
    if "." in key:
        bedrock = _BEDROCK.match(key)
        if bedrock is not None:
            vendor, base, version = bedrock.groups()
            # ":0" is the API revision (-v1:0, -v2:0, -1:0); a non-zero one is the model's own
            # version (claude-v2:1, mistral-7b-instruct-v0:2) and was never matched. A bare
            # "-v1" is an API version only on Anthropic's numbered models (claude-opus-4-6-v1);
            # claude-instant-v1, claude-v2 and nemotron-nano-9b-v2 are names.
            api_version = version is None or ":" in version
            if api_version or (vendor == "anthropic" and _HAS_DIGIT.search(base)):
                key = base
            else:
                key = base + version
    if ":" in key:
        if key.endswith(":free"):
            key = key[:-5]
        elif key[-1] == "b":
            key = _OLLAMA_SIZE.sub(r"-\1", key)
    if "@" in key:
        key = key[:-8] if key.endswith("@default") else _VERTEX_DATE.sub(r"-\1", key)
    if key.endswith("-fp8"):
        key = key[:-4]
    if "." in key:
        key = _VERSION_DOT.sub("-", key)
    if key in GENERIC_IDS:
        owner = namespace.lower().rpartition("/")[2] or (provider or "").lower()
        return f"{owner}/{key}" if owner else key
    return key


@dataclass(frozen=True, slots=True, eq=False)
class ModelIndex:
    """Canonical models from models.dev's ``models.json``, keyed by the id rule.

    Attributes:
        canonical: group key -> canonical id (``"gemini-2-5-flash" -> "google/gemini-2.5-flash"``).
        raw: lower-cased canonical id -> group key, for offerings that use the canonical id.
        lab_prefixed: ``"<lab>-<group key>"`` -> group key (``"openai-gpt-5" -> "gpt-5"``), only
            for the model's own lab.
        ambiguous: group keys that two canonical models share; the index stays out of those.
    """

    canonical: Mapping[str, str] = field(default_factory=dict)
    raw: Mapping[str, str] = field(default_factory=dict)
    lab_prefixed: Mapping[str, str] = field(default_factory=dict)
    ambiguous: frozenset[str] = frozenset()

    def canonical_id(self, group_key: str) -> str | None:
        """The canonical ``<lab>/<model>`` id of a group, if models.json knows it."""
        return self.canonical.get(group_key)

    def identify(self, provider: str, model_id: str, key: str) -> str | None:
        """The group key of the canonical model this offering is, or None if it is not known.

        ``key`` is the offering's normalized id. The raw id is tried first, then the key, then the
        index-confirmed rewrites described in the module docstring.
        """
        hit = self.raw.get(model_id.lower())
        if hit is not None:
            return hit
        if key in self.canonical:
            return key
        for candidate in _candidates(key, provider.lower()):
            if candidate in self.canonical:
                return candidate
            hit = self.lab_prefixed.get(candidate)
            if hit is not None:
                return hit
        return None


def _candidates(key: str, provider: str) -> list[str]:
    """Spellings tried only against the index: the key as is (for ``lab_prefixed``), without a
    ``<provider id>-`` prefix (``databricks-gpt-5-1``), without Vertex's ``-maas``, with
    Fireworks' ``2p6`` read as ``2-6``; each applied to the result of the one before."""
    out = [key]
    prefix = provider + "-"
    if key.startswith(prefix) and len(key) > len(prefix):
        out.append(key[len(prefix) :])
    if key.endswith("-maas"):
        out.extend([text[:-5] for text in out if text.endswith("-maas")])
    for text in list(out):
        if "p" in text:
            rewritten = _FIREWORKS_P.sub("-", text)
            if rewritten != text:
                out.append(rewritten)
    return out


def load_model_index(document: Mapping[str, JSON]) -> ModelIndex:
    """Build the index from a parsed ``models.json`` (``{"<lab>/<model>": record}``).

    Ids that two canonical models would share after normalization are left out (``ambiguous``)
    rather than guessed; none do on 2026-06-28. The shape is the reader's to check
    (``sources.registry.read_models_json``): any object builds an index, another catalog too.
    """
    by_key: dict[str, list[str]] = {}
    for canonical_id in document:
        if isinstance(canonical_id, str) and canonical_id:
            by_key.setdefault(normalize_model_id(canonical_id), []).append(canonical_id)
    canonical = {key: ids[0] for key, ids in by_key.items() if len(ids) == 1}
    raw = {cid.lower(): key for key, cid in canonical.items()}
    prefixed: dict[str, str | None] = {}
    for key, cid in canonical.items():
        lab, _, _ = cid.lower().rpartition("/")
        if lab:
            spelled = f"{lab.rpartition('/')[2]}-{key}"
            prefixed[spelled] = None if spelled in prefixed else key
    lab_prefixed = {
        spelled: key
        for spelled, key in prefixed.items()
        if key is not None and spelled not in canonical
    }
    ambiguous = frozenset(key for key, ids in by_key.items() if len(ids) > 1)
    return ModelIndex(canonical=canonical, raw=raw, lab_prefixed=lab_prefixed, ambiguous=ambiguous)


Groups = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
"""A grouping as the cache keeps it: ``(key, ((provider, model id), ...))`` pairs, immutable."""

_RECENT: Recent[Groups] = Recent()
"""The last few groupings, keyed by the aliases and the index (compared by identity): one run
groups the same two catalogs for the inconsistencies and again for the cheapest channel. The
groups are kept as tuples and every caller gets lists of its own: one caller's edit cannot reach
the next."""


def group_by_identity(
    catalog: Catalog,
    aliases: Mapping[str, str] | None = None,
    index: ModelIndex | None = None,
) -> dict[str, list[tuple[str, str]]]:
    """Group key -> ``[(provider, model id)]``; every offering in exactly one group (cached; the
    dict and its lists are the caller's own)."""
    inputs = (tuple(sorted((aliases or {}).items())), index)  # ModelIndex: eq by identity
    kept = _RECENT.get(catalog, inputs)
    if kept is not None:
        return {key: list(members) for key, members in kept}
    groups = _group_by_identity(catalog, aliases, index)
    _RECENT.put(catalog, tuple((key, tuple(members)) for key, members in groups.items()), inputs)
    return groups


def _group_by_identity(
    catalog: Catalog,
    aliases: Mapping[str, str] | None = None,
    index: ModelIndex | None = None,
) -> dict[str, list[tuple[str, str]]]:
    offerings = ((provider_id, model_id) for provider_id, model_id, _ in catalog.offerings())
    return group_offering_ids(offerings, aliases, index)


@dataclass(frozen=True, slots=True, eq=False)
class Identity:
    """The group key of one offering, by the rules :func:`group_by_identity` applies.

    Order of identity: an alias for ``"<provider>/<model id>"``, an alias for the normalized id,
    the models.json index, the id rule. Alias targets are normalized like ids, so
    ``"llama-3.3-70b-instruct"`` and ``"llama-3-3-70b-instruct"`` name the same group.

    >>> Identity.of({"acme/x-1": "gpt-4o"}).key("acme", "x-1")
    'gpt-4o'
    >>> Identity.of().key("vercel", "google/gemini-3.1-flash-image-preview")
    'gemini-3-1-flash-image-preview'
    """

    exact: Mapping[str, str] = field(default_factory=dict)
    by_key: Mapping[str, str] = field(default_factory=dict)
    index: ModelIndex | None = None

    @classmethod
    def of(
        cls, aliases: Mapping[str, str] | None = None, index: ModelIndex | None = None
    ) -> Identity:
        exact: dict[str, str] = {}
        by_key: dict[str, str] = {}
        for source, target in (aliases or {}).items():
            target_key = normalize_model_id(target)
            exact[source] = target_key
            exact.setdefault(source.lower(), target_key)
            by_key[source.lower() if "/" in source else normalize_model_id(source)] = target_key
        return cls(exact=exact, by_key=by_key, index=index)

    def key(self, provider_id: str, model_id: str) -> str:
        if self.exact:
            label = f"{provider_id}/{model_id}"
            group = self.exact.get(label) or self.exact.get(label.lower())
            if group is not None:
                return group
        key = normalize_model_id(model_id, provider_id)
        group = self.by_key.get(key) if self.by_key else None
        if group is None and self.index is not None:
            group = self.index.identify(provider_id, model_id, key)
        return key if group is None else group


def group_offering_ids(
    offerings: Iterable[tuple[str, str]],
    aliases: Mapping[str, str] | None = None,
    index: ModelIndex | None = None,
) -> dict[str, list[tuple[str, str]]]:
    """Group key -> ``[(provider, model id)]`` for any offerings (a catalog's, a history's).

    Keys are sorted, and members by ``"<provider>/<model id>"``; see :class:`Identity`.
    """
    identity = Identity.of(aliases, index)
    groups: dict[str, list[tuple[str, str]]] = {}
    for provider_id, model_id in offerings:
        groups.setdefault(identity.key(provider_id, model_id), []).append((provider_id, model_id))
    for members in groups.values():
        if len(members) > 1:
            members.sort(key=_label)
    return {key: groups[key] for key in sorted(groups)}


def _label(member: tuple[str, str]) -> str:
    return f"{member[0]}/{member[1]}"
