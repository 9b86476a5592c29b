"""市场监管（工商） / the business agency: its spec and records."""

from connectors.business.spec import SPEC

__all__ = ["SPEC"]
