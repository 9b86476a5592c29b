"""The notary office's mock: plain JSON, written without the connector's records."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TOKEN = "notary-mock-token-9a41"
ESCROWS = {  # subject id -> escrow deposits held for them
    "320802197805121129": [
        {"escrowNumber": "(2025)淮清证提字第7号", "amount": "86000.00", "depositedOn": "2025-03-02"}
    ]
}


async def inquiries(request: Request) -> JSONResponse:
    if request.headers.get("Authorization") != f"Bearer {TOKEN}":
        return JSONResponse({"title": "unauthorized", "status": 401}, status_code=401)
    body = await request.json()
    results = []
    for subject in body["subjects"]:
        escrows = ESCROWS.get(subject["id"])
        found = {"status": "found", "records": {"escrows": escrows}} if escrows else {}
        results.append(
            {"kind": subject["kind"], "id": subject["id"], "status": "not_found", **found}
        )
    return JSONResponse({"requestId": body["requestId"], "agency": "notary", "results": results})


def create_app() -> Starlette:
    return Starlette(routes=[Route("/v1/inquiries", inquiries, methods=["POST"])])
