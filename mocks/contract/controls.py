"""The conformance kit's control checks, for an agency whose contract has ``POST /v1/controls``.

They run in order against the endpoint, on an asset of the agency's rich example subject that
the gateway would name (``AgencySpec.assets`` over the endpoint's own inquiry answer) and that
nothing holds yet: apply a control (a seizure, or a freeze of 1), repeat it (the first answer
again), reuse its requestId for another body (409), look it up (the first answer), look up an
unknown requestId (a 404 problem, not the one the endpoint gives for a path it does not serve),
name an asset that does not exist (200 ``rejected``), refuse a missing or wrong token on either
operation (401), and finally release it, so a run leaves nothing held.

A repeat must say ``Idempotent-Replayed: true``; a release must release what the kit froze,
no more (a service that applies a repeat again, yet answers with the first answer, shows
there). Answers are read as the gateway's connector reads them: at most ``MAX_ANSWER_BYTES``.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import uuid
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import pydantic

from mocks.contract.reading import MAX_ANSWER_BYTES, Reply, decode
from mocks.contract.schemas import first_error
from mocks.contract.verdict import CheckFailedError, expect
from mocks.synthetic import Tier
from mocks.wire import JSONObject, SubjectKindName

if TYPE_CHECKING:
    from mocks.contract.kit import Check, Kit

STATUS_LOOKUPS = 5  # an agency's status lookup may trail its write side a little
LOOKUP_PAUSE_S = 0.2


class ControlChecks:
    """The control checks of one kit run; they share the control the first one applied."""

    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        self.body: JSONObject | None = None
        self.answer: JSONObject | None = None

    def checks(self) -> list[tuple[str, Check]]:
        return [
            ("control-applied", self.applied),
            ("control-repeat", self.repeat),
            ("control-conflict", self.conflict),
            ("control-status", self.status),
            ("control-status-unknown", self.unknown),
            ("control-unknown-asset", self.unknown_asset),
            ("control-auth", self.unauthorized),
            ("control-release", self.release),
        ]

    async def applied(self) -> str:
        asset_id, seize = await self._asset()
        body: JSONObject = {
            "requestId": f"kit-{uuid.uuid4().hex[:16]}",
            "action": "seize" if seize else "freeze",
            "caseNumber": "(2025)苏0812执1号",
            "rulingNumber": "(2025)苏0812执1号之一",
            "noticeNumber": "(2025)苏0812执1号协字第1号",
            "assetId": asset_id,
            "until": (datetime.date.today() + datetime.timedelta(days=30)).isoformat(),
        }
        if not seize:
            body["amount"] = "1"
        answer = self._answer(await self._post(body), body["requestId"])
        reason = str(answer.get("reason"))[:120]
        expect(
            answer["status"] == "applied",
            f"{asset_id} 的 {body['action']} 为 {answer['status']}：{reason}",
            f"{body['action']} of {asset_id} was {answer['status']}: {reason}",
        )
        self.body, self.answer = body, answer
        return f"{asset_id} 的 {body['action']}：applied / {body['action']} of {asset_id}: applied"

    async def repeat(self) -> str:
        body, first = self._applied()
        response = await self._post(body)
        again = self._answer(response, body["requestId"])
        expect(
            again == first,
            "以相同请求体重发，未得到第一次的答复",
            "a repeat with the same body did not get the first answer",
        )
        replayed = response.headers.get("Idempotent-Replayed", "")
        expect(
            replayed.strip().lower() == "true",
            "重发的答复缺少 Idempotent-Replayed: true 头",
            "a repeat's answer lacks the header Idempotent-Replayed: true",
        )
        return (
            "相同请求体：第一次的答复，Idempotent-Replayed: true / "
            "the same body: the first answer, Idempotent-Replayed: true"
        )

    async def conflict(self) -> str:
        body, _ = self._applied()
        other = body | {"rulingNumber": body["rulingNumber"] + "（更正）"}
        self.kit.problem(await self._post(other), 409)
        return (
            "同一 requestId、另一请求体：409 problem+json / "
            "the same requestId with another body: 409 problem+json"
        )

    async def status(self) -> str:
        body, first = self._applied()
        for lookup in range(1, STATUS_LOOKUPS + 1):
            response = await self._get(body["requestId"])
            if response.status_code != 404:
                answer = self._answer(response, body["requestId"])
                expect(
                    answer == first,
                    "查询到的状态与第一次的答复不同",
                    "the status lookup differs from the first answer",
                )
                return f"第 {lookup} 次查询：第一次的答复 / the first answer, at lookup {lookup}"
            await asyncio.sleep(LOOKUP_PAUSE_S)
        raise CheckFailedError(
            f"已执行的控制在 {STATUS_LOOKUPS} 次查询中均为 404",
            f"an applied control was 404 on {STATUS_LOOKUPS} lookups",
        )

    async def unknown(self) -> str:
        """404 problem+json, told apart from the endpoint's 404 for a path it does not serve:
        the gateway takes this 404 for "never received" and sends the control again, so a
        service without the route must not pass for one that answers it."""
        answer = self.kit.problem(await self._get(f"kit-never-{uuid.uuid4().hex[:12]}"), 404)
        nowhere = await self.kit.send(
            "GET",
            f"/v1/kit-no-such-path-{uuid.uuid4().hex[:12]}",
            headers={"Accept": "application/json"} | self.kit.auth(),
            cap=MAX_ANSWER_BYTES,
        )
        shown = _problem_kind(answer)
        expect(
            nowhere.status_code != 404 or _problem_kind(_json_or_none(nowhere)) != shown,
            "未知 requestId 的 404 与不存在路径的 404 相同：是否提供了 GET "
            "/v1/controls/{requestId}？网关会把缺失的路由当作从未收到控制",
            f"an unknown requestId got the same 404 as a path the endpoint does not serve "
            f"(type {shown[0][:60]!r}, title {shown[1][:60]!r}): is GET "
            "/v1/controls/{requestId} served? The gateway would take a missing route for a "
            "control never received",
        )
        return (
            "未知 requestId：404 problem+json，不同于不存在路径的 404 / "
            "an unknown requestId: 404 problem+json, not the 404 of a path not served"
        )

    async def unknown_asset(self) -> str:
        body, _ = self._applied()
        request_id = f"kit-{uuid.uuid4().hex[:16]}"
        other = body | {"requestId": request_id, "assetId": f"kit-no-such-{uuid.uuid4().hex[:8]}"}
        answer = self._answer(await self._post(other), request_id)
        expect(
            answer["status"] == "rejected",
            "对不存在的财产的控制被执行了",
            "a control of an unknown asset was applied",
        )
        return "不存在的财产：rejected / an unknown asset: rejected"

    async def unauthorized(self) -> str:
        body, _ = self._applied()
        request_id = body["requestId"]
        wrong = {"Authorization": f"Bearer {self.kit.wrong_token}"}
        self.kit.problems(
            401,
            [
                (("POST 无令牌", "POST without a token"), await self._post(body, auth={})),
                (("POST 错误令牌", "POST with a wrong token"), await self._post(body, auth=wrong)),
                (("GET 无令牌", "GET without a token"), await self._get(request_id, auth={})),
                (
                    ("GET 错误令牌", "GET with a wrong token"),
                    await self._get(request_id, auth=wrong),
                ),
            ],
        )
        return (
            "无令牌或错误令牌，POST 与 GET：401 problem+json / "
            "no token or a wrong one, POST and GET: 401 problem+json"
        )

    async def release(self) -> str:
        body, _ = self._applied()
        request_id = f"kit-{uuid.uuid4().hex[:16]}"
        release = {k: v for k, v in body.items() if k not in ("amount", "until")}
        release |= {"requestId": request_id, "action": "release"}
        answer = self._answer(await self._post(release), request_id)
        expect(
            answer["status"] == "applied",
            f"解除为 {answer['status']}",
            f"the release was {answer['status']}",
        )
        frozen = _amount(self.answer, body)
        released = _amount(answer, None)
        if frozen is not None and released is not None:
            expect(
                released == frozen,
                f"解除了 {released}，但本工具冻结的是 {frozen}："
                "是否同一控制执行了两次（重发又执行）？",
                f"the release released {released}, but the kit froze {frozen}: was a control "
                "applied twice (a repeat applied again)?",
            )
            return (
                f"解除了本工具所控制的（{released}） / released what the kit applied ({released})"
            )
        return "解除了本工具所控制的 / released what the kit applied"

    # --- helpers -------------------------------------------------------------------------

    def _applied(self) -> tuple[JSONObject, JSONObject]:
        if self.body is None or self.answer is None:
            raise CheckFailedError(
                "没有已执行的控制（见 control-applied）",
                "no control was applied (see control-applied)",
            )
        return self.body, self.answer

    async def _asset(self) -> tuple[str, bool]:
        """An asset id the gateway reads from the endpoint's answer, and whether it is seized."""
        from connectors.registry import spec as agency_spec
        from gateway.domain.records import wire_adapter

        kit = self.kit
        spec = agency_spec(kit.spec.agency)
        kind: SubjectKindName = "natural" if "natural" in kit.spec.subject_kinds else "legal"
        _, response = await kit.inquire([(kind, kit.examples[kind][Tier.RICH])])
        found = kit.answer(response)["results"][0].get("records")
        expect(found is not None, "示例主体没有记录", "the rich subject has no records")
        if spec.assets is None:
            raise CheckFailedError(
                f"{spec.name} 没有声明可控制的财产", f"{spec.name} declares no controllable assets"
            )
        try:
            records = wire_adapter(spec.records).validate_python(found)
        except pydantic.ValidationError:
            raise CheckFailedError("记录不符合接口约定", "the records break the contract") from None
        free = [
            a for a in spec.assets(records) if not a.held_for and (a.value is None or a.value > 0)
        ]
        expect(
            bool(free),
            "示例主体没有可控制的空闲财产",
            "the rich subject has no asset free to control",
        )
        return free[0].asset_id, "seize" in spec.controls

    async def _post(self, body: JSONObject, *, auth: dict[str, str] | None = None) -> Reply:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        headers |= self.kit.auth() if auth is None else auth
        return await self.kit.send(
            "POST",
            "/v1/controls",
            headers=headers,
            content=json.dumps(body, ensure_ascii=False).encode(),
            cap=MAX_ANSWER_BYTES,
        )

    async def _get(self, request_id: str, *, auth: dict[str, str] | None = None) -> Reply:
        headers = {"Accept": "application/json"} | (self.kit.auth() if auth is None else auth)
        return await self.kit.send(
            "GET", f"/v1/controls/{request_id}", headers=headers, cap=MAX_ANSWER_BYTES
        )

    def _answer(self, response: Reply, request_id: str) -> dict[str, Any]:
        status = response.status_code
        expect(status == 200, f"答复 HTTP {status}", f"answered HTTP {status}")
        try:
            answer = decode(response.content)
        except CheckFailedError as exc:
            raise exc.within("答复不符合接口约定", "the answer breaks the contract") from None
        if (error := first_error(self.kit.document, "ControlAnswer", answer)) is not None:
            raise CheckFailedError("答复不符合接口约定", f"the answer breaks the contract: {error}")
        expect(
            answer["requestId"] == request_id,
            "答复的 requestId 不是本次请求的",
            "the answer's requestId is not the request's",
        )
        return dict(answer)


def _problem_kind(problem: Any) -> tuple[str, str]:
    """A problem's ``type`` (RFC 9457's default when it has none) and ``title``."""
    if not isinstance(problem, dict):
        return ("", "")
    return (str(problem.get("type", "about:blank")), str(problem.get("title", "")))


def _json_or_none(response: Reply) -> Any:
    try:
        return decode(response.content)
    except CheckFailedError:
        return None


def _amount(answer: JSONObject | None, body: JSONObject | None) -> Decimal | None:
    """An answer's ``appliedAmount`` (else the body's ``amount``: all of it was applied), or None
    when neither says one (a seizure)."""
    value = (answer or {}).get("appliedAmount")
    if value is None and body is not None:
        value = body.get("amount")
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None
