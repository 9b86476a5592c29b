"""证券 / the securities agency: its spec and records."""

from connectors.securities.spec import SPEC

__all__ = ["SPEC"]
