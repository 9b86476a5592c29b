"""自然资源和规划（不动产） / the land agency: its spec and records."""

from connectors.land.spec import SPEC

__all__ = ["SPEC"]
