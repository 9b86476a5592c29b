"""An execution that leaves no reference cycle behind it.

graphql-core's executor hands every resolver's ``info`` a ``GraphQLResolveInfoHelpers`` made of
two bound methods of the executor itself (``gather_async_work``, ``track_async_work``), and keeps
that object as an attribute: the executor refers to itself through it. Reference counting alone
therefore never frees an execution; everything it built on the way (about 520 objects for a
full profile: collected fields, field details, variable values, the context) waits for the
garbage collector. In a server that executes a few hundred queries a second, that garbage is
what makes the collector run at all, and a collection of the older generations pauses every
request in flight.

``ReleasingExecutionContext`` drops the executor's reference to those helpers once the response
is built, when nothing can use them any more: the result is a plain ``ExecutionResult`` (not an
incremental one, whose later payloads still run) and no asynchronous work of the execution is
left in the background (a field that fails at once in a non-null position, beside siblings
still pending, leaves them to settle there; such an execution keeps the cycle and is collected
as before). The answer is unchanged; the execution is freed as soon as its last reference goes.
``tests/gateway/schema/test_execution.py`` checks that the gateway's inquiry leaves no executor
for the collector, and that strawberry's own class does.
"""

from __future__ import annotations

from typing import Any

from graphql import ExecutionResult, ExperimentalIncrementalExecutionResults
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class ReleasingExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, freed by reference counting once its answer is built."""

    def build_response(
        self, data: dict[str, Any] | None
    ) -> ExecutionResult | ExperimentalIncrementalExecutionResults:
        response = super().build_response(data)
        # ``type() is``: an incremental result is another class, and its payloads still run
        if type(response) is ExecutionResult and not self.background_futures:
            del self.async_helpers  # the only edge back to the executor itself
        return response


__all__ = ["ReleasingExecutionContext"]
