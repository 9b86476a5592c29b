"""Apply the permission table (``gateway.auth.policy.ROOT_FIELDS``) before execution.

A refused operation runs no resolver: the result is the refusal alone, with the code (and the
HTTP status the view answers with) of the ``AuthenticationError`` / ``PermissionDeniedError``.
Refusals are audited through the request's context.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_operation_ast,
)
from strawberry.extensions import SchemaExtension

from gateway.auth.policy import check_root_fields
from gateway.domain.errors import ChakongError, InvalidInputError
from gateway.schema.context import Context
from gateway.schema.errors import to_graphql_error

_ROOT_NAMES = {
    OperationType.QUERY: "Query",
    OperationType.MUTATION: "Mutation",
    OperationType.SUBSCRIPTION: "Subscription",
}


def root_fields(document: DocumentNode, operation_name: str | None) -> list[str]:
    """``["Query.debtor", "Query.__typename"]``: the root fields the operation selects."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return []
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    root = _ROOT_NAMES[operation.operation]
    return sorted({f"{root}.{name}" for name in _names(operation, fragments, set())})


def _names(
    node: OperationDefinitionNode | FragmentDefinitionNode | InlineFragmentNode,
    fragments: dict[str, FragmentDefinitionNode],
    seen: set[str],
) -> Iterator[str]:
    selection_set: SelectionSetNode = node.selection_set
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from _names(selection, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in seen or name not in fragments:
                continue  # validation reports unknown or cyclic fragments
            seen.add(name)
            yield from _names(fragments[name], fragments, seen)


def _several(document: DocumentNode) -> bool:
    """Does the document hold more than one operation?"""
    operations = (d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return next(operations, None) is not None and next(operations, None) is not None


_UNNAMED = InvalidInputError(
    "文档含有多个操作：请用 operationName 指定要执行的一个",
    "the document holds several operations: name the one to run in operationName",
    code="OPERATION_NOT_FOUND",
)


class FieldPermissions(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        document = execution.graphql_document
        # strawberry's ``operation_name`` is the document's first operation's when the request
        # named none; ``_provided_operation_name`` is the request's own (a test checks it)
        named = execution._provided_operation_name
        if document is not None and named is None and _several(document):
            # GraphQL's GetOperation: a request error, where strawberry would run the first
            execution.result = ExecutionResult(data=None, errors=[to_graphql_error(_UNNAMED)])
        elif isinstance(context, Context) and document is not None:
            fields = root_fields(document, execution.operation_name)
            try:
                await context.enforce(
                    lambda: check_root_fields(context.principal, fields),
                    action="operation",
                    detail=",".join(fields),
                )
            except ChakongError as exc:
                execution.result = ExecutionResult(data=None, errors=[to_graphql_error(exc)])
        yield
