"""The fan-out benchmark: ``python -m bench.fanout`` (or ``make bench``).

Three figures, each a ratio to a baseline measured in the same run (see ``bench/RESULTS.md``):
(a) one full-profile ``debtor`` query's latency against mocks answering in a fixed 200 ms,
(b) the gateway's CPU per query against strawberry executing the same query in memory,
(c) a 200-subject ``debtors`` query: agency calls per agency, and its latency.
"""
