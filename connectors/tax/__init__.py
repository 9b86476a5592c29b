"""税务 / the tax agency: its spec and records."""

from connectors.tax.spec import SPEC

__all__ = ["SPEC"]
