"""民政 / the civil agency: its spec and records."""

from connectors.civil.spec import SPEC

__all__ = ["SPEC"]
