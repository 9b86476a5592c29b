"""A request is freed by its references going, not left for the garbage collector: its
execution (``gateway.schema.execution``) and its context (``Context.release``)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import strawberry
from graphql.execution.executor import Executor
from strawberry.dataloader import DataLoader
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.examples import EXAMPLE_QUERY
from gateway.schema.context import Context
from gateway.schema.execution import ReleasingExecutionContext
from tests.conftest import CASE, Gateway, example_debtors


@contextmanager
def collector_off(kind: type = Executor) -> Iterator[list[int]]:
    """The collector off for the block; on exit, the number of objects of ``kind`` that only a
    collection could free is appended to the list yielded (the objects themselves are not
    kept: what this holds would be the next block's garbage)."""
    gc.collect()
    gc.disable()
    found: list[int] = []
    try:
        yield found
    finally:
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            gc.collect()
            found.append(sum(1 for o in gc.garbage if isinstance(o, kind)))
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()


@strawberry.type
class Item:
    name: str
    amount: int

    @strawberry.field
    async def later(self) -> int:
        await asyncio.sleep(0)
        return self.amount


@strawberry.type
class Query:
    @strawberry.field
    async def items(self) -> list[Item]:
        await asyncio.sleep(0)
        return [Item(name="甲", amount=1), Item(name="乙", amount=2)]

    @strawberry.field
    def failing(self) -> Item:  # fails at once, while ``slow`` is still pending
        raise ValueError("no item here")

    @strawberry.field
    async def slow(self) -> int:
        await asyncio.sleep(0.05)
        return 7


def schema_with(context_class: type[StrawberryGraphQLCoreExecutionContext]) -> strawberry.Schema:
    return strawberry.Schema(query=Query, execution_context_class=context_class)


QUERY = "{ items { name amount later } }"


async def test_an_execution_leaves_no_cycle_and_strawberrys_own_does() -> None:
    answers = {}
    left = {}
    for context_class in (StrawberryGraphQLCoreExecutionContext, ReleasingExecutionContext):
        schema = schema_with(context_class)
        with collector_off() as executors:
            result = await schema.execute(QUERY)
            answers[context_class] = (result.data, result.errors)
            del result
        left[context_class] = executors[0]
    # the same answer; the stock class needs the collector, this one does not
    assert answers[ReleasingExecutionContext] == answers[StrawberryGraphQLCoreExecutionContext]
    assert answers[ReleasingExecutionContext][0] == {
        "items": [{"name": "甲", "amount": 1, "later": 1}, {"name": "乙", "amount": 2, "later": 2}]
    }
    assert left[StrawberryGraphQLCoreExecutionContext] >= 1
    assert left[ReleasingExecutionContext] == 0


async def test_a_failure_beside_running_work_answers_as_before() -> None:
    # ``failing`` nulls the whole answer (a non-null root field) while ``slow`` is still
    # pending: graphql-core leaves ``slow`` to settle in the background, the executor keeps its
    # helpers for it, and the answer is strawberry's own
    query = "{ slow failing { name } }"
    outcomes: dict[type, tuple[Any, list[str]]] = {}
    for context_class in (StrawberryGraphQLCoreExecutionContext, ReleasingExecutionContext):
        result = await schema_with(context_class).execute(query)
        outcomes[context_class] = (result.data, [e.message for e in result.errors or []])
        await asyncio.sleep(0.1)  # the work left in the background ends without an error
    assert outcomes[ReleasingExecutionContext] == outcomes[StrawberryGraphQLCoreExecutionContext]
    assert outcomes[ReleasingExecutionContext] == (None, ["no item here"])


async def served(gateway: Gateway, ask: Callable[[], Awaitable[dict[str, Any]]], kind: type) -> int:
    """Objects of ``kind`` left for the collector by one request ``ask`` makes (after one to
    warm up)."""
    await ask()
    with collector_off(kind) as left:
        body = await ask()
        assert "errors" not in body, body
    return left[0]


async def test_the_gateways_inquiry_leaves_nothing_for_the_collector(gateway: Gateway):
    variables = {"subject": example_debtors()[0], "caseNumber": CASE, "fresh": True}
    query = EXAMPLE_QUERY.replace(
        "$caseNumber: String!)", "$caseNumber: String!, $fresh: Boolean!)"
    ).replace("caseNumber: $caseNumber)", "caseNumber: $caseNumber, fresh: $fresh)")
    assert "fresh: $fresh)" in query

    async def inquiry() -> dict[str, Any]:
        return await gateway.query(query, variables)

    assert await served(gateway, inquiry, Executor) == 0
    # its context and the dataloaders it made, whose functions were the context's methods
    assert await served(gateway, inquiry, Context) == 0
    assert await served(gateway, inquiry, DataLoader) == 0
