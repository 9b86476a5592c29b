"""``python -m bench.fanout``: run the fan-out benchmark."""

from __future__ import annotations

from bench.fanout.run import main

if __name__ == "__main__":
    raise SystemExit(main())
