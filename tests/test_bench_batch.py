"""The batch benchmark's measure of the floor's own memory, in a worker process of its own."""

from __future__ import annotations

from bench.batch import floor_memory


def test_the_floors_memory_grows_with_the_batch_it_answers():
    small, large = floor_memory(5), floor_memory(40)
    for measured in (small, large):
        assert measured["answer_mb"] > 0
        assert measured["peak_mb"] >= measured["before_mb"] > 0
        # the answer's bytes are counted beside the result they were encoded from
        assert measured["traced_mb"] > measured["result_mb"] > 0
    assert large["answer_mb"] > 4 * small["answer_mb"]
    assert large["result_mb"] > 4 * small["result_mb"]
    assert large["traced_mb"] > 4 * small["traced_mb"]
