"""Reproducible benchmarks of the gateway; each writes its section of ``bench/RESULTS.md``."""
