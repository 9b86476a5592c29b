"""保险 / the insurance agency: its spec and records."""

from connectors.insurance.spec import SPEC

__all__ = ["SPEC"]
