"""The fan-out benchmark: ``python -m bench.fanout`` (or ``make bench``).

Against the ten mock agencies and an authenticated gateway (``chakong serve`` with its own keys,
the example case registered), each figure a ratio to a baseline measured in the same run (see
``bench/RESULTS.md``): (a) one full-profile ``debtor`` query's latency against mocks answering in
a fixed 200 ms, (b) the gateway's CPU per query against strawberry executing the same query in
memory, (c) a 200-debtor ``debtors`` query: agency calls per agency, and its latency; and,
without a target, the full example query with both leads (two rounds of agency calls).
"""
