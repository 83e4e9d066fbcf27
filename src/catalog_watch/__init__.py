"""catalog-watch: watch the LLM model catalog for price, limit and capability changes."""

__version__ = "0.1.0"
