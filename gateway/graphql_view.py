"""The GraphQL endpoint: strawberry's ASGI view with a typed context and our own explorer page."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.asgi import GraphQL

from gateway import explorer
from gateway.examples import EXAMPLE_QUERY, example_variables_json
from gateway.resolvers.context import Context
from gateway.schema import build_schema


class GatewayGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with a typed context and our own, self-hosted explorer page."""

    def __init__(self, context: Callable[[Request], Awaitable[Context]]) -> None:
        super().__init__(build_schema())
        self._context = context  # the application's: who is calling, with which services
        self._page = explorer.explorer_page(
            endpoint="/graphql",
            default_query=EXAMPLE_QUERY,
            default_variables=example_variables_json(),
        )

    async def get_context(self, request: Request, response: Response | None) -> Context:  # type: ignore[override]
        return await self._context(request)

    def encode_json(self, data: object) -> str:
        # readable Chinese in raw responses (court systems log them), and a little faster
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(self._page)
