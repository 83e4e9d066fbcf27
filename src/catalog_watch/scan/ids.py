"""What counts as a model id passed as a model: the key names, the SDK calls, the id shape.

One vocabulary for every language scanner, so that ``model_name=`` in Python and ``modelName:``
in TypeScript are the same rule. Precision over recall: a literal is a use only when the key or
the call it is passed to says "model", and its text looks like an id (no spaces, and a digit, a
``-`` or a ``/`` unless an SDK call vouches for it: ``model: "User"`` in an ORM is not a hit,
``ChatPerplexity(model="sonar")`` is).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from catalog_watch.model.usage import Use

__all__ = [
    "FACTORY_METHODS",
    "MODEL_KEYS",
    "POSITIONAL_CALLS",
    "PROVIDER_CALLS",
    "SDK_MODULES",
    "STRICT_CALLS",
    "Reference",
    "definition_use",
    "is_model_key",
    "looks_like_id",
    "model_named",
]

MODEL_KEYS = frozenset(
    {
        "model",
        "modelname",
        "modelid",
        "deploymentid",
        "deploymentname",
        "azuredeployment",
        "llmmodel",
        "chatmodel",
        "embeddingmodel",
        "defaultmodel",
        "basemodel",
        "modelslug",
    }
)
"""Key, keyword and builder names that hold a model id, compared lower-cased without ``_``/``-``
(``model_name``, ``modelName``, ``ModelName``, ``model-name`` are one key)."""


def is_model_key(name: str) -> bool:
    return name.replace("_", "").replace("-", "").lower() in MODEL_KEYS


PROVIDER_CALLS: dict[str, str] = {
    # LangChain chat models and embeddings (Python and JS), pydantic-ai models.
    "ChatOpenAI": "openai",
    "OpenAI": "openai",
    "OpenAIEmbeddings": "openai",
    "AzureChatOpenAI": "azure",
    "AzureOpenAI": "azure",
    "ChatAnthropic": "anthropic",
    "Anthropic": "anthropic",
    "ChatGoogleGenerativeAI": "google",
    "GoogleGenerativeAIEmbeddings": "google",
    "GenerativeModel": "google",
    "ChatVertexAI": "google-vertex",
    "ChatMistralAI": "mistral",
    "ChatGroq": "groq",
    "ChatBedrock": "amazon-bedrock",
    "ChatBedrockConverse": "amazon-bedrock",
    "BedrockChat": "amazon-bedrock",
    "ChatDeepSeek": "deepseek",
    "ChatXAI": "xai",
    "ChatCohere": "cohere",
    "ChatFireworks": "fireworks-ai",
    "ChatTogether": "togetherai",
    "ChatPerplexity": "perplexity",
    "OpenAIModel": "openai",
    "OpenAIChatModel": "openai",
    "OpenAIResponsesModel": "openai",
    "AnthropicModel": "anthropic",
    "GeminiModel": "google",
    "GoogleModel": "google",
    "GroqModel": "groq",
    "MistralModel": "mistral",
    # Vercel AI SDK provider functions: openai("gpt-4o"), anthropic("claude-...").
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "google",
    "vertex": "google-vertex",
    "mistral": "mistral",
    "groq": "groq",
    "xai": "xai",
    "deepseek": "deepseek",
    "bedrock": "amazon-bedrock",
    "azure": "azure",
    "openrouter": "openrouter",
    "cohere": "cohere",
    "perplexity": "perplexity",
    "togetherai": "togetherai",
    "fireworks": "fireworks-ai",
    "cerebras": "cerebras",
}
"""Callee (the last name of the call) → the catalog provider its model ids belong to."""

POSITIONAL_CALLS = frozenset(
    {
        # Vercel AI SDK provider functions and their model factories (openai.chat("gpt-4o")).
        "openai",
        "anthropic",
        "google",
        "vertex",
        "mistral",
        "groq",
        "xai",
        "deepseek",
        "bedrock",
        "azure",
        "openrouter",
        "cohere",
        "perplexity",
        "togetherai",
        "fireworks",
        "cerebras",
        "gateway",
        "languageModel",
        "textEmbeddingModel",
        "embeddingModel",
        # Python: pydantic-ai models and Agent("openai:gpt-4o"), LangChain init_chat_model,
        # DSPy's LM, google-generativeai's GenerativeModel. ``Agent`` and ``LM`` are common
        # names, so their argument must also carry a provider (see STRICT_CALLS).
        "OpenAIModel",
        "OpenAIChatModel",
        "OpenAIResponsesModel",
        "AnthropicModel",
        "GeminiModel",
        "GoogleModel",
        "GroqModel",
        "MistralModel",
        "Agent",
        "init_chat_model",
        "LM",
        "GenerativeModel",
        # Go (langchaingo's openai.WithModel), Java/Kotlin builders, openai-kotlin's ModelId.
        "WithModel",
        "ModelId",
    }
)
"""Calls whose first positional argument is a model id. Builder methods named like a model key
(``.model("gpt-4o")``, ``.modelName(...)``) count too, through :func:`is_model_key`."""

STRICT_CALLS: dict[str, re.Pattern[str]] = {
    "Agent": re.compile(r"[a-z][a-z0-9-]*:[A-Za-z0-9][A-Za-z0-9._:/@-]*"),
    "LM": re.compile(r"[a-z][a-z0-9_-]*/[A-Za-z0-9][A-Za-z0-9._:/@-]*"),
}
"""Generic callee names whose argument is only a model id in its provider-qualified form
(pydantic-ai's ``Agent("openai:gpt-4o")``, DSPy's ``LM("openai/gpt-4o-mini")``)."""

FACTORY_METHODS = frozenset({"chat", "responses", "completion", "embedding", "languageModel"})
"""``openai.chat("gpt-4o")``: a provider function's methods that take the model id."""

SDK_MODULES: dict[str, str] = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google.generativeai": "google",
    "google.genai": "google",
    "mistralai": "mistral",
    "groq": "groq",
    "cohere": "cohere",
    "@anthropic-ai/sdk": "anthropic",
    "@google/genai": "google",
    "@google/generative-ai": "google",
    "@mistralai/mistralai": "mistral",
    "groq-sdk": "groq",
}
"""Imported module → provider: a file that imports exactly one of these SDKs calls that
provider's models (``client.messages.create(model=...)`` in a file that imports ``anthropic``)."""

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_MODEL_NAME = re.compile(r"(?:^|_)model(?:_name|_id)?$")


def model_named(name: str) -> bool:
    """``DEFAULT_MODEL``, ``defaultModel``, ``model``, ``openAiModelName``: names that say model."""
    snake = _CAMEL.sub("_", name.lstrip("@$:")).lower()
    return bool(_MODEL_NAME.search(snake))


_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,159}")
_EVIDENCE = re.compile(r"[0-9/-]")


def looks_like_id(text: str, *, vouched: bool = False) -> bool:
    """Whether ``text`` has the shape of a model id; ``vouched``: an SDK call says it is one."""
    if not _ID.fullmatch(text) or text.endswith((".", "/", ":", "-")):
        return False
    if "://" in text or text.startswith(("/", "./")):
        return False
    return vouched or bool(_EVIDENCE.search(text))


@dataclass(frozen=True, slots=True)
class Reference:
    """A name passed as a model: ``chain`` as written (``("config", "MODEL")``), at ``where``."""

    chain: tuple[str, ...]
    where: str
    via: str
    hint: str | None


def definition_use(
    definition: Use, refs: Sequence[Reference], *, named: bool, how: str = "constant"
) -> Use | None:
    """The use a definition ``NAME = "..."`` is: ``definition`` filled with where it is passed
    (``refs``), or None when nothing passes it and its name does not say model (``named``).
    An unreferenced one is ``how``; a referenced one is a ``constant``."""
    if not refs and not named:
        return None
    if not looks_like_id(definition.text, vouched=bool(refs)):
        return None
    ordered = sorted(refs, key=lambda ref: (ref.where, ref.via))
    hint = next((ref.hint for ref in ordered if ref.hint), None)
    return Use(
        definition.path, definition.line, definition.column, definition.text,
        definition.language, "constant" if refs else how, definition.via, hint,
        tuple(sorted({ref.where for ref in refs})),
    )  # fmt: skip
