"""GraphQL request limits: depth, aliases, tokens, cost, and who may introspect.

Every check runs before any resolver does. Depth and aliases depend on the document alone, so
they are graphql-core validation rules (and their results are cached with the rest of
validation). Cost depends on the variables and introspection on the caller, so both run in the
validation hook of ``RequestLimits``, right after the cached validation: a request that fails
them never reaches execution, and its error is a request error (no ``data``; HTTP 400 under
``application/graphql-response+json``).

Cost: asking one agency about one debtor costs 1. ``debtor`` costs the number of agencies asked
(every registered agency when ``agencies`` is left out), ``debtors`` the number of subjects
times that; the
fields selected inside an inquiry's result are included in its price, as they only read what
the inquiry fetched, except the leads (``spouse``, ``controlledEnterprises``), each of which
asks the same agencies about one more subject per debtor. Any other field costs 1. The default
limit is what a full batch costs: ``max_batch_subjects`` debtors of every agency in the registry
(500 x 10 = 5000 with the ten agencies), so it grows with the registry
(``LimitSettings.cost_limit``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSyntaxError,
    InlineFragmentNode,
    ListValueNode,
    Node,
    NullValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    ValueNode,
    VariableNode,
    value_from_ast_untyped,
)
from strawberry.extensions import AddValidationRules, SchemaExtension

from connectors.registry import AGENCIES
from gateway.auth.principal import Principal
from gateway.domain.errors import AuthenticationError, ChakongError
from gateway.settings import LimitSettings

DEPTH_LIMIT_EXCEEDED = "DEPTH_LIMIT_EXCEEDED"
ALIAS_LIMIT_EXCEEDED = "ALIAS_LIMIT_EXCEEDED"
TOKEN_LIMIT_EXCEEDED = "TOKEN_LIMIT_EXCEEDED"  # noqa: S105 - an error code, not a secret
COST_LIMIT_EXCEEDED = "COST_LIMIT_EXCEEDED"
INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"

# the root fields that ask agencies (查控): their price is per debtor and per agency
INQUIRY_FIELDS = frozenset({"debtor", "debtors"})
# fields of an inquiry's result that ask the agencies again, about a related subject (线索)
LEAD_FIELDS = frozenset({"spouse", "controlledEnterprises"})
# introspection entry points; ``__typename`` is not one of them and stays allowed for everyone
INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})

ExtensionFactory = Callable[[], SchemaExtension]


def limit_error(
    code: str,
    message_zh: str,
    message_en: str,
    nodes: Sequence[Node] | Node | None = None,
    *,
    cause: ChakongError | None = None,
) -> GraphQLError:
    """A coded, bilingual request error, shaped like the gateway's other expected errors;
    ``cause`` (never shown) gives the view the HTTP status of a refusal."""
    return GraphQLError(
        f"{message_zh} / {message_en}",
        nodes,
        original_error=cause,
        extensions={"code": code, "messageZh": message_zh, "messageEn": message_en},
    )


def depth_error(max_depth: int, node: Node | None = None) -> GraphQLError:
    return limit_error(
        DEPTH_LIMIT_EXCEEDED,
        f"查询嵌套过深，最多 {max_depth} 层",
        f"the query is nested too deeply; at most {max_depth} levels are allowed",
        node,
    )


# --- walking documents ------------------------------------------------------------------------


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _operations(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


class _Measure:
    """Folds a selection set into a number, following fragments, each fragment once.

    Fragment results are memoised (a fragment spread a thousand times is measured once) and a
    fragment that spreads itself counts 0 on the cycle (validation reports the cycle anyway).
    """

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self._memo: dict[tuple[str, bool], int] = {}
        self._active: set[str] = set()

    def field(self, node: FieldNode, root: bool) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def combine(self, values: Iterator[int]) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def selection_set(self, selection_set: SelectionSetNode | None, root: bool = False) -> int:
        if selection_set is None:
            return 0
        return self.combine(self._selection(s, root) for s in selection_set.selections)

    def _selection(self, node: Node, root: bool) -> int:
        if isinstance(node, FieldNode):
            return self.field(node, root)
        if isinstance(node, InlineFragmentNode):
            return self.selection_set(node.selection_set, root)
        if isinstance(node, FragmentSpreadNode):
            name = node.name.value
            fragment = self.fragments.get(name)
            if fragment is None or name in self._active:
                return 0
            key = (name, root)
            if key not in self._memo:
                self._active.add(name)
                try:
                    self._memo[key] = self.selection_set(fragment.selection_set, root)
                finally:
                    self._active.discard(name)
            return self._memo[key]
        return 0  # pragma: no cover - no other selection kinds exist


class _Depth(_Measure):
    """Levels of fields; the introspection entry points (authenticated only) are not counted,
    so GraphiQL's introspection query (15 levels deep) works at the default limit of 12."""

    def field(self, node: FieldNode, root: bool) -> int:
        if node.name.value in INTROSPECTION_FIELDS:
            return 0
        return 1 + self.selection_set(node.selection_set)

    def combine(self, values: Iterator[int]) -> int:
        return max(values, default=0)


class _Aliases(_Measure):
    def field(self, node: FieldNode, root: bool) -> int:
        return (1 if node.alias else 0) + self.selection_set(node.selection_set)

    def combine(self, values: Iterator[int]) -> int:
        return sum(values)


def operation_depth(document: DocumentNode, operation: OperationDefinitionNode) -> int:
    return _Depth(_fragments(document)).selection_set(operation.selection_set)


def operation_aliases(document: DocumentNode, operation: OperationDefinitionNode) -> int:
    return _Aliases(_fragments(document)).selection_set(operation.selection_set)


def depth_rule(max_depth: int) -> type[ValidationRule]:
    """A validation rule: no operation may nest fields deeper than ``max_depth``."""

    class MaxDepthRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            for operation in _operations(context.document):
                try:
                    depth = operation_depth(context.document, operation)
                except RecursionError:  # fragments spread into each other hundreds deep
                    depth = max_depth + 1
                if depth > max_depth:
                    context.report_error(depth_error(max_depth, operation))

    return MaxDepthRule


def alias_rule(max_aliases: int) -> type[ValidationRule]:
    """A validation rule: at most ``max_aliases`` aliased fields per operation, counting each
    spread of a fragment (aliases are the cheap way to multiply work)."""

    class MaxAliasesRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            for operation in _operations(context.document):
                try:
                    count = operation_aliases(context.document, operation)
                except RecursionError:
                    continue  # the depth rule reports it
                if count > max_aliases:
                    context.report_error(
                        limit_error(
                            ALIAS_LIMIT_EXCEEDED,
                            f"别名过多：{count} 个，最多 {max_aliases} 个",
                            f"too many aliases: {count}, at most {max_aliases} are allowed",
                            operation,
                        )
                    )

    return MaxAliasesRule


# --- cost ---------------------------------------------------------------------------------------


class _Cost(_Measure):
    def __init__(
        self,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        super().__init__(fragments)
        self.variables = variables

    def field(self, node: FieldNode, root: bool) -> int:
        if root and node.name.value in INQUIRY_FIELDS:
            args = {a.name.value: a.value for a in node.arguments or ()}
            agencies = self._agencies(args.get("agencies"))
            subjects = (
                1 if node.name.value == "debtor" else self._count(args.get("subjects"), none=1)
            )
            # each lead (spouse, controlled enterprises) asks the same agencies once more
            leads = _Leads(self.fragments).selection_set(node.selection_set)
            return subjects * agencies * (1 + leads)
        return 1 + self.selection_set(node.selection_set)

    def combine(self, values: Iterator[int]) -> int:
        return sum(values)

    def _agencies(self, node: ValueNode | None) -> int:
        return max(1, min(len(AGENCIES), self._count(node, none=len(AGENCIES), distinct=True)))

    def _count(self, node: ValueNode | None, *, none: int, distinct: bool = False) -> int:
        """How many items a list argument holds: a literal list, a variable, or one value
        (GraphQL coerces a single value to a list of one); ``none`` when absent or null."""
        if node is None or isinstance(node, NullValueNode):
            return none
        if isinstance(node, VariableNode):
            return _count_value(self.variables.get(node.name.value), none, distinct)
        if isinstance(node, ListValueNode):
            if not distinct:
                return len(node.values)
            keys = {
                getattr(v, "value", None) if not isinstance(v, VariableNode) else id(v)
                for v in node.values
            }
            return len(keys)
        return 1


class _Leads(_Measure):
    """Lead fields selected on an inquiry's result; leads of leads are empty, so not counted."""

    def field(self, node: FieldNode, root: bool) -> int:
        return 1 if node.name.value in LEAD_FIELDS else 0

    def combine(self, values: Iterator[int]) -> int:
        return sum(values)


def _count_value(value: object, none: int, distinct: bool) -> int:
    if value is None:
        return none
    if isinstance(value, list):
        if distinct and all(isinstance(v, str) for v in value):
            return len(set(value))
        return len(value)
    return 1


def _variables_with_defaults(
    operation: OperationDefinitionNode, variables: Mapping[str, Any] | None
) -> dict[str, Any]:
    values = dict(variables or {})
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in values and definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    return values


def _chosen_operations(
    document: DocumentNode, operation_name: str | None
) -> list[OperationDefinitionNode]:
    operations = _operations(document)
    if operation_name is not None:
        named = [o for o in operations if o.name and o.name.value == operation_name]
        return named or operations
    return operations


def estimate_cost(
    document: DocumentNode,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
) -> int:
    """The price of the operation that will run (the most expensive one if that is unclear)."""
    fragments = _fragments(document)
    costs = [
        _Cost(fragments, _variables_with_defaults(op, variables)).selection_set(
            op.selection_set, root=True
        )
        for op in _chosen_operations(document, operation_name)
    ]
    return max(costs, default=0)


# --- introspection --------------------------------------------------------------------------------


def introspection_fields(document: DocumentNode) -> list[FieldNode]:
    """Every ``__schema`` / ``__type`` field anywhere in the document."""
    found: list[FieldNode] = []
    stack: list[SelectionSetNode] = [
        d.selection_set
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode) and selection.name.value in INTROSPECTION_FIELDS:
                found.append(selection)
            selection_set = getattr(selection, "selection_set", None)
            if selection_set is not None:
                stack.append(selection_set)
    return found


def may_introspect(context: object) -> bool:
    principal = getattr(context, "principal", None)
    return isinstance(principal, Principal) and principal.authenticated


# --- the extensions -----------------------------------------------------------------------------


def _is_token_limit(error: GraphQLError, max_tokens: int) -> bool:
    return isinstance(error, GraphQLSyntaxError) and f"more than {max_tokens} tokens" in str(
        error.message
    )


class RequestLimits(SchemaExtension):
    """Tokens (while parsing), introspection and cost (after validation), and coded errors for
    documents too deep to even parse or validate.

    Place it after ``ValidationCache`` in the schema's extensions: its validation hook adds its
    errors to the ones validation found.
    """

    def __init__(self, limits: LimitSettings) -> None:
        super().__init__()
        self.limits = limits

    def token_error(self) -> GraphQLError:
        n = self.limits.max_tokens
        return limit_error(
            TOKEN_LIMIT_EXCEEDED,
            f"查询文本过长：超过 {n} 个词法单元",
            f"the document has more than {n} tokens",
        )

    def on_operation(self) -> Iterator[None]:
        ctx = self.execution_context
        ctx.parse_options["max_tokens"] = self.limits.max_tokens
        try:
            yield
        except GraphQLSyntaxError as exc:  # raised by a parsing hook (ParserCache)
            if _is_token_limit(exc, self.limits.max_tokens):
                raise self.token_error() from None
            raise
        except RecursionError:  # validating or measuring a pathologically nested document
            raise depth_error(self.limits.max_depth) from None
        # parsed without a hook: the syntax error is already in the result
        result = ctx.result
        if result is not None and result.errors:
            result.errors = [
                self.token_error() if _is_token_limit(e, self.limits.max_tokens) else e
                for e in result.errors
            ]

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        if document is not None:
            if ctx.pre_execution_errors is None:  # no ValidationCache ran before this hook
                from strawberry.schema.schema import validate_document

                ctx.pre_execution_errors = validate_document(
                    ctx.schema._schema, document, ctx.validation_rules
                )
            if not ctx.pre_execution_errors:
                ctx.pre_execution_errors = self.check(document)
        yield

    def check(self, document: DocumentNode) -> list[GraphQLError]:
        """Introspection and cost of a valid document, for this request's caller and variables."""
        ctx = self.execution_context
        if not may_introspect(ctx.context):
            fields = introspection_fields(document)
            if fields:
                zh = "内省查询仅对已认证的调用方开放"
                en = "introspection is only available to authenticated callers"
                # a 401: the caller should authenticate, as for any operation not public
                cause = AuthenticationError(zh, en, code=INTROSPECTION_DISABLED)
                return [limit_error(INTROSPECTION_DISABLED, zh, en, fields, cause=cause)]
        cost = estimate_cost(document, ctx.variables, ctx.operation_name)
        top = self.limits.cost_limit()
        if cost > top:
            return [
                limit_error(
                    COST_LIMIT_EXCEEDED,
                    f"查询成本 {cost} 超过上限 {top}（一名被执行人询问一个单位计 1）",
                    f"the query costs {cost}, more than the limit of {top} "
                    "(one debtor asked of one agency costs 1)",
                )
            ]
        return []


def limit_extensions(limits: LimitSettings) -> list[ExtensionFactory]:
    """Extension factories enforcing ``limits``; pass them to ``build_schema``.

    The validation rules are created here, once, so that the validation cache (keyed by the
    rules) serves every request.
    """
    rules: list[type[ASTValidationRule]] = [
        depth_rule(limits.max_depth),
        alias_rule(limits.max_aliases),
    ]
    return [
        functools.partial(AddValidationRules, rules),
        functools.partial(RequestLimits, limits),
    ]


__all__ = [
    "ALIAS_LIMIT_EXCEEDED",
    "COST_LIMIT_EXCEEDED",
    "DEPTH_LIMIT_EXCEEDED",
    "INTROSPECTION_DISABLED",
    "TOKEN_LIMIT_EXCEEDED",
    "RequestLimits",
    "alias_rule",
    "depth_rule",
    "estimate_cost",
    "introspection_fields",
    "limit_extensions",
]
