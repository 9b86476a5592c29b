"""The conformance kit: does an agency's endpoint keep the agency contract?

An agency's IT team points it at their own test endpoint (which must know the example
subjects of ``mocks.synthetic.example_subjects()``)::

    results = await check_endpoint("https://test.example.gov.cn/chakong", token, "bank")
    failed = [r for r in results if not r.passed]

Answers and problem documents are checked against the agency's committed contract document
(``connectors/<agency>/openapi.json``, JSON Schema 2020-12). Every check runs, whatever the
others did; a check that cannot even talk to the endpoint fails with the transport error's
name, one that gets no complete answer within ``REQUEST_DEADLINE_S`` or an answer larger than
the gateway reads fails saying so, and one that meets something the kit did not foresee fails
with the exception's type. Answers are read as the gateway reads them (``mocks.contract.reading``).
No detail ever contains the token or a control character the service sent.

The token is used stripped of surrounding whitespace (a token file edited on Windows ends in
CRLF); one that is then empty or not printable ASCII is refused before any request
(``UnusableTokenError``, a ``ValueError`` whose message never holds the token).
"""

from __future__ import annotations

import functools
import json
import urllib.parse
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from mocks.contract import reading
from mocks.contract.controls import ControlChecks
from mocks.contract.reading import MAX_BODY_BYTES, REQUEST_DEADLINE_S, Reply, decode, safe
from mocks.contract.schemas import first_error
from mocks.contract.verdict import CheckFailedError, expect
from mocks.documents import contract_document
from mocks.problems import PROBLEM_MEDIA_TYPE
from mocks.registry import MockSpec, mock_spec
from mocks.synthetic import Tier, example_subjects
from mocks.wire import JSONObject, SubjectKindName

MAX_SUBJECTS = 1000
MIN_SECRET_LENGTH = 8
KINDS: tuple[SubjectKindName, ...] = ("natural", "legal")


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    passed: bool
    detail: str


def usable_token(token: str) -> str:
    """``token`` without surrounding whitespace; refused (never echoed) when that leaves it
    empty or not printable ASCII, which no HTTP header can carry as it is."""
    stripped = token.strip()
    if stripped and all(" " <= c <= "~" for c in stripped):
        return stripped
    message = (
        "令牌（--token）为空或含有非 ASCII 可打印字符（令牌本身不显示） / the token (--token) is "
        "empty or holds a character that is not printable ASCII (the token is not shown)"
    )
    raise UnusableTokenError(message)


class UnusableTokenError(ValueError):
    """A token no HTTP header can carry as it is; its message never holds the token."""


async def check_endpoint(
    base_url: str,
    token: str,
    agency: str,
    *,
    client: httpx.AsyncClient | None = None,
    deadline_s: float = REQUEST_DEADLINE_S,
) -> list[CheckResult]:
    """Run every check of ``agency``'s contract against ``base_url``, in a fixed order; each
    request's whole answer within ``deadline_s``."""
    token = usable_token(token)
    spec = mock_spec(agency)
    http = client or httpx.AsyncClient(timeout=httpx.Timeout(10.0))
    try:
        kit = Kit(base_url.rstrip("/"), token, spec, http, deadline_s=deadline_s)
        return [await kit.run(name, check) for name, check in kit.checks()]
    finally:
        if client is None:
            await http.aclose()


Check = Callable[[], Awaitable[str]]


class Kit:
    def __init__(
        self,
        base_url: str,
        token: str,
        spec: MockSpec,
        client: httpx.AsyncClient,
        *,
        deadline_s: float = REQUEST_DEADLINE_S,
    ) -> None:
        self.base_url = base_url
        self.deadline_s = deadline_s
        self.token = token
        self.wrong_token = f"kit-wrong-{uuid.uuid4().hex}"
        self.spec = spec
        self.document = contract_document(spec.agency)
        self.client = client
        self.examples = example_subjects()
        self.error_responses: list[Reply] = []

    def checks(self) -> list[tuple[str, Check]]:
        found: list[tuple[str, Check]] = [
            (f"found-{kind}", functools.partial(self.found, kind))
            for kind in KINDS
            if kind in self.spec.subject_kinds
        ]
        controls = ControlChecks(self).checks() if "/v1/controls" in self.paths else []
        return [
            ("openapi", self.openapi),
            *found,
            ("x-request-id", self.request_id_header),
            ("not-found", self.not_found),
            ("batch-order", self.batch),
            ("full-batch", self.full_batch),
            ("auth-missing", lambda: self.unauthorized(None)),
            ("auth-wrong", lambda: self.unauthorized(self.wrong_token)),
            ("bad-request", self.bad_request),
            ("too-many-subjects", self.too_many),
            *controls,
            ("no-secret-in-errors", self.no_secret),
        ]

    @property
    def paths(self) -> dict[str, Any]:
        """The paths of the agency's committed contract (controls only where it applies them)."""
        paths: dict[str, Any] = self.document.get("paths", {})
        return paths

    async def run(self, name: str, check: Check) -> CheckResult:
        """One check's result, whatever happened in it: the others run all the same."""
        try:
            return CheckResult(name, True, self._safe(await check()))
        except CheckFailedError as exc:
            return CheckResult(name, False, self._safe(str(exc)))
        except httpx.HTTPError as exc:
            reason = str(exc) or _transport_reason(exc)
            detail = f"通信失败 / transport: {type(exc).__name__}: {reason}"
            return CheckResult(name, False, self._safe(detail))
        except Exception as exc:  # a kit's fault, or a service it did not foresee
            detail = f"意外错误 / unexpected {type(exc).__name__}: {str(exc)[:120]}"
            return CheckResult(name, False, self._safe(detail))

    # --- the checks ----------------------------------------------------------------------

    async def openapi(self) -> str:
        response = await self.send("GET", "/openapi.json", headers={"Accept": "application/json"})
        status = response.status_code
        expect(
            status == 200,
            f"GET /openapi.json 答复 {status}",
            f"GET /openapi.json answered {status}",
        )
        document = decode(response.content)
        expect(
            isinstance(document, dict), "文档不是 JSON 对象", "the document is not a JSON object"
        )
        version = str(document.get("openapi", ""))
        expect(
            version.startswith("3."),
            f"不是 OpenAPI 3 文档（openapi={version[:10]!r}）",
            f"not an OpenAPI 3 document (openapi={version[:10]!r})",
        )
        paths = document.get("paths")
        operation = paths.get("/v1/inquiries") if isinstance(paths, dict) else None
        expect(
            isinstance(operation, dict) and "post" in operation,
            "没有 POST /v1/inquiries",
            "no POST /v1/inquiries",
        )
        return f"OpenAPI {version}"

    async def found(self, kind: SubjectKindName) -> str:
        subject_id = self.examples[kind][Tier.RICH]
        request_id, response = await self.inquire([(kind, subject_id)])
        answer = self.answer(response)
        expect(
            answer["requestId"] == request_id,
            "requestId 不是本次请求的",
            "requestId is not the request's",
        )
        expect(
            answer["agency"] == self.spec.agency,
            f"agency 为 {answer['agency'][:20]!r}，应为 {self.spec.agency!r}",
            f"agency is {answer['agency'][:20]!r}, not {self.spec.agency!r}",
        )
        results = answer["results"]
        expect(
            len(results) == 1,
            f"1 个主体答复了 {len(results)} 个结果",
            f"{len(results)} results for 1 subject",
        )
        result = results[0]
        expect(
            (result["kind"], result["id"]) == (kind, subject_id),
            "结果属于另一主体",
            "the result is another subject's",
        )
        expect(
            result["status"] == "found",
            f"{kind} {subject_id} 为 {result['status']}，应为 found",
            f"{kind} {subject_id} is {result['status']}, not found",
        )
        expect(
            result.get("records") is not None,
            "found 的主体没有 records",
            "a found subject without records",
        )
        return f"{kind} {subject_id}：found，记录合规 / found, records valid"

    async def request_id_header(self) -> str:
        request_id, response = await self.inquire(
            [("natural", self.examples["natural"][Tier.RICH])]
        )
        status = response.status_code
        expect(status == 200, f"答复 {status}", f"answered {status}")
        echoed = response.headers.get("X-Request-Id")
        expect(
            echoed == request_id,
            "X-Request-Id 未回传请求的 requestId",
            "X-Request-Id does not echo the request's requestId",
        )
        return "X-Request-Id 已回传 / X-Request-Id echoed"

    async def not_found(self) -> str:
        subject_id = self.examples["natural"][Tier.UNKNOWN]
        _, response = await self.inquire([("natural", subject_id)])
        results = self.answer(response)["results"]
        expect(
            len(results) == 1,
            f"1 个主体答复了 {len(results)} 个结果",
            f"{len(results)} results for 1 subject",
        )
        status = results[0]["status"]
        expect(
            status == "not_found",
            f"{subject_id} 为 {status}，应为 not_found",
            f"{subject_id} is {status}, not not_found",
        )
        expect(
            results[0].get("records") is None,
            "not_found 的主体带有 records",
            "a not_found subject with records",
        )
        return f"{subject_id}：not_found"

    async def batch(self) -> str:
        plan = [(k, t) for t in (Tier.RICH, Tier.UNKNOWN, Tier.EMPTY, Tier.ORDINARY) for k in KINDS]
        subjects = [(kind, self.examples[kind][tier]) for kind, tier in plan]
        _, response = await self.inquire(subjects)
        results = self.answer(response)["results"]
        _one_result_each(results, subjects)
        for position, ((kind, tier), result) in enumerate(zip(plan, results, strict=True)):
            subject_id = self.examples[kind][tier]
            _in_order(result, kind, subject_id, position)
            if tier is Tier.UNKNOWN or kind not in self.spec.subject_kinds:
                want = "not_found"
            elif tier is Tier.RICH:
                want = "found"
            else:
                continue  # an agency may or may not know an ordinary subject
            status = result["status"]
            expect(
                status == want,
                f"第 {position} 个结果为 {status}，应为 {want}",
                f"result {position} is {status}, not {want}",
            )
        return (
            f"{len(subjects)} 个主体，{len(results)} 个结果，顺序一致 / "
            f"{len(subjects)} subjects, {len(results)} results in order"
        )

    async def full_batch(self) -> str:
        """The most subjects one call may carry (the contract's ``maxItems``; the gateway sends
        up to ``CHAKONG_AGENCIES__<AGENCY>__MAX_BATCH``, 500 by default, at most this):
        answered, one result per subject, in order. A service that refuses a large batch fails
        every large inquiry."""
        pool = [(kind, self.examples[kind][tier]) for tier in Tier for kind in KINDS]
        subjects = [pool[i % len(pool)] for i in range(MAX_SUBJECTS)]
        _, response = await self.inquire(subjects)
        status = response.status_code
        expect(
            status == 200,
            f"{MAX_SUBJECTS} 个主体：答复 {status}",
            f"{MAX_SUBJECTS} subjects: answered {status}",
        )
        results = self.answer(response)["results"]
        _one_result_each(results, subjects)
        for position, ((kind, subject_id), result) in enumerate(
            zip(subjects, results, strict=True)
        ):
            _in_order(result, kind, subject_id, position)
        return (
            f"{MAX_SUBJECTS} 个主体，{len(results)} 个结果，顺序一致 / "
            f"{MAX_SUBJECTS} subjects, {len(results)} results in order"
        )

    async def unauthorized(self, token: str | None) -> str:
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        _, response = await self.inquire(
            [("natural", self.examples["natural"][Tier.RICH])], headers
        )
        self.problem(response, 401)
        challenge = response.headers.get("WWW-Authenticate", "")
        expect(
            challenge.lower().startswith("bearer"),
            "401 缺少 WWW-Authenticate: Bearer",
            "401 without WWW-Authenticate: Bearer",
        )
        return (
            "401 problem+json，带 WWW-Authenticate: Bearer / "
            "401 problem+json with WWW-Authenticate: Bearer"
        )

    async def bad_request(self) -> str:
        """400 for a body that is not JSON, and for JSON outside the contract: no subjects, and
        a subject of a kind the contract does not name."""
        bodies = {
            ("不是 JSON", "not JSON"): b'{"requestId": "kit", "subjects": [',
            ("没有 subjects", "no subjects"): (
                b'{"requestId": "kit", "caseNumber": "x", "court": "x"}'
            ),
            ("未知的主体类型", "an unknown kind"): json.dumps(
                {
                    "requestId": "kit",
                    "caseNumber": "(2026)苏0812执1号",
                    "court": "苏0812",
                    "subjects": [{"kind": "robot", "id": "1"}],
                }
            ).encode(),
        }
        self.problems(
            400, [(what, await self.post(body, self.auth())) for what, body in bodies.items()]
        )
        zh = "、".join(what[0] for what in bodies)
        en = ", ".join(what[1] for what in bodies)
        return f"{zh}：400 problem+json / 400 problem+json for {en}"

    async def too_many(self) -> str:
        one: tuple[SubjectKindName, str] = ("natural", self.examples["natural"][Tier.ORDINARY])
        count = MAX_SUBJECTS + 1
        _, response = await self.inquire([one] * count)
        self.problem(response, 413)
        return f"{count} 个主体：413 problem+json / {count} subjects: 413 problem+json"

    async def no_secret(self) -> str:
        expect(
            bool(self.error_responses),
            "没有可检查的错误答复",
            "no error response was seen to inspect",
        )
        # a token of a few characters is found in ordinary words ("tok" in "token")
        secrets = [t for t in (self.token, self.wrong_token) if len(t) >= MIN_SECRET_LENGTH]
        for response in self.error_responses:
            text = response.text + json.dumps(dict(response.headers))
            expect(
                not any(form in text for s in secrets for form in _forms(s)),
                f"一个 HTTP {response.status_code} 答复回显了令牌",
                f"an HTTP {response.status_code} echoes a token",
            )
        short = len(self.token) < MIN_SECRET_LENGTH
        checked_zh = "（令牌太短，无法查找）" if short else ""
        checked_en = " (the token is too short to look for)" if short else ""
        seen = len(self.error_responses)
        return (
            f"{seen} 个错误答复，均未回显令牌{checked_zh} / "
            f"{seen} error responses, none echoes a token{checked_en}"
        )

    # --- helpers -------------------------------------------------------------------------

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def send(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        content: bytes | None = None,
        cap: int = MAX_BODY_BYTES,
    ) -> Reply:
        """One request to the endpoint, its whole answer read as the gateway reads it
        (``mocks.contract.reading.send``); an error answer is kept for ``no-secret-in-errors``."""
        response = await reading.send(
            self.client,
            method,
            self.base_url + path,
            headers=headers,
            content=content,
            cap=cap,
            deadline_s=self.deadline_s,
        )
        if response.status_code >= 400:
            self.error_responses.append(response)
        return response

    async def post(self, body: bytes, headers: dict[str, str]) -> Reply:
        headers = {"Content-Type": "application/json", "Accept": "application/json", **headers}
        return await self.send("POST", "/v1/inquiries", headers=headers, content=body)

    async def inquire(
        self, subjects: list[tuple[SubjectKindName, str]], headers: dict[str, str] | None = None
    ) -> tuple[str, Reply]:
        request_id = f"kit-{uuid.uuid4().hex[:16]}"
        body = {
            "requestId": request_id,
            "caseNumber": "(2025)苏0812执1号",
            "court": "淮安市清江浦区人民法院",
            "subjects": [{"kind": kind, "id": subject_id} for kind, subject_id in subjects],
        }
        encoded = json.dumps(body, ensure_ascii=False).encode()
        return request_id, await self.post(encoded, self.auth() if headers is None else headers)

    def answer(self, response: Reply) -> JSONObject:
        """The 200 answer, which must keep the document's ``InquiryResponse``.

        A result is checked against the schema on its own (``items``), so a result that
        repeats one before it, character for character, gets the same verdict: each distinct
        result is checked once (the full batch asks eight subjects 125 times each, and checking
        all 1,000 took nine tenths of a run of the kit)."""
        status = response.status_code
        expect(status == 200, f"答复 HTTP {status}", f"answered HTTP {status}")
        try:
            answer = decode(response.content)
        except CheckFailedError as exc:
            raise exc.within("答复不符合接口约定", "the answer breaks the contract") from None
        checked, results_at = _distinct_results(answer)
        error = first_error(self.document, "InquiryResponse", checked, results_at=results_at)
        if error is not None:
            raise CheckFailedError("答复不符合接口约定", f"the answer breaks the contract: {error}")
        return dict(answer)

    def problem(self, response: Reply, status: int) -> JSONObject:
        got = response.status_code
        expect(
            got == status, f"答复 HTTP {got}，应为 {status}", f"answered HTTP {got}, not {status}"
        )
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        expect(
            media_type == PROBLEM_MEDIA_TYPE,
            f"Content-Type 为 {media_type[:40]!r}，应为 {PROBLEM_MEDIA_TYPE}",
            f"Content-Type is {media_type[:40]!r}",
        )
        not_a_problem = (
            "响应体不是 RFC 9457 问题文档",
            "the body is not an RFC 9457 problem document",
        )
        try:
            problem = decode(response.content)
        except CheckFailedError as exc:
            raise exc.within(*not_a_problem) from None
        if first_error(self.document, "Problem", problem) is not None:
            raise CheckFailedError(*not_a_problem)
        expect(
            problem["status"] == status,
            f"问题文档的 status 为 {problem['status']}",
            f"the problem's status is {problem['status']}",
        )
        return dict(problem)

    def problems(self, status: int, answers: Sequence[tuple[tuple[str, str], Reply]]) -> None:
        """Each answer a ``problem`` of ``status``; a failure names which (``what``, in each
        language)."""
        for what, response in answers:
            try:
                self.problem(response, status)
            except CheckFailedError as exc:
                raise exc.within(*what) from None

    def _safe(self, text: str) -> str:
        """A detail fit to print: no token in any form, no control character, cut short."""
        return self._scrub(safe(self._scrub(text)))

    def _scrub(self, text: str) -> str:
        for secret in (self.token, self.wrong_token):
            if len(secret) >= 4:  # shorter ones would garble ordinary words, and guard nothing
                for form in _forms(secret):
                    text = text.replace(form, "***")
        return text


def _distinct_results(answer: Any) -> tuple[Any, list[int] | None]:
    """``answer`` with each of its results once (the first of each that repeats), and where each
    kept result stood; ``answer`` itself and None when its results are not a list of objects."""
    results = answer.get("results") if isinstance(answer, dict) else None
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        return answer, None
    first_at: dict[str, int] = {}
    for position, result in enumerate(results):
        first_at.setdefault(json.dumps(result, sort_keys=True, ensure_ascii=False), position)
    if len(first_at) == len(results):
        return answer, None
    kept = list(first_at.values())
    return {**answer, "results": [results[i] for i in kept]}, kept


def _one_result_each(results: Sequence[Any], subjects: Sequence[Any]) -> None:
    expect(
        len(results) == len(subjects),
        f"{len(subjects)} 个主体答复了 {len(results)} 个结果",
        f"{len(results)} results for {len(subjects)}",
    )


def _in_order(result: JSONObject, kind: str, subject_id: str, position: int) -> None:
    expect(
        (result["kind"], result["id"]) == (kind, subject_id),
        f"第 {position} 个结果顺序不对",
        f"result {position} is out of order",
    )


def _forms(secret: str) -> list[str]:
    """How a secret shows in text: as it is, and as a repr, JSON or a URL escapes it (httpx
    quotes a header it refuses as ``b'Bearer ...'``), longest first."""
    forms = {
        secret,
        repr(secret)[1:-1],
        repr(secret.encode("utf-8", "backslashreplace"))[2:-1],
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        urllib.parse.quote(secret, safe=""),
    }
    return sorted(forms, key=len, reverse=True)


def _transport_reason(exc: httpx.HTTPError) -> str:
    """What a transport error says when httpx gives it no message of its own."""
    if isinstance(exc, httpx.TimeoutException):
        return "no answer within the client's timeout"
    if isinstance(exc, httpx.ConnectError):
        return "the connection was refused or failed"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the endpoint broke the HTTP exchange"
    if isinstance(exc, httpx.NetworkError):
        return "the connection failed"
    return "no reason given"
