"""The read side over HTTP: one ``POST /v1/inquiries`` per batch, answered straight into the
agency's records, and ``HttpConnector``, the connector every agency uses (reads and controls).

The request goes out through a ``connectors.client.ReadClient`` (raw aiohttp in the gateway);
transport failures and statuses are mapped in ``connectors.transport``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx
import orjson
import pydantic

from connectors.base import AgencyEndpoint, Connector, Inquiry
from connectors.client import MAX_BODY_BYTES, ReadClient
from connectors.control import get_control_status, post_control
from connectors.envelope import InquiryRequest, InquiryResponse, SubjectRef
from connectors.errors import ConnectorError
from connectors.transport import check_status, malformed, map_transport_errors
from gateway.domain.controls import ControlOutcome, ControlRequest
from gateway.domain.records import AgencyRecords, wire_adapter

if TYPE_CHECKING:
    from connectors.spec import AgencySpec


def _keys(model: type[pydantic.BaseModel]) -> dict[str, str]:
    """A contract model's JSON keys by field name: the names it declares, written once."""
    return {name: field.alias or name for name, field in model.model_fields.items()}


_REQUEST = _keys(InquiryRequest)
_SUBJECT = _keys(SubjectRef)


def inquiry_body(inquiry: Inquiry) -> bytes:
    """The ``InquiryRequest`` of the contract as JSON, as its ``model_dump_json(by_alias=True,
    exclude_none=True)`` writes it, without building and validating the model (a quarter of the
    time: nine bodies an inquiry). What the model would check holds where the values entered:
    the subjects' numbers are canonical, their names at most 200 characters
    (``gateway.domain.subjects``), a batch at most 1,000 (``Settings.max_batch``)."""
    kind, id_, name = _SUBJECT["kind"], _SUBJECT["id"], _SUBJECT["name"]
    return orjson.dumps(
        {
            _REQUEST["request_id"]: inquiry.request_id,
            _REQUEST["case_number"]: inquiry.case_number.canonical,
            _REQUEST["court"]: inquiry.court,
            _REQUEST["subjects"]: [
                {kind: s.kind.value, id_: s.id}
                if s.name is None
                else {kind: s.kind.value, id_: s.id, name: s.name}
                for s in inquiry.subjects
            ],
        }
    )


async def post_inquiry(
    client: ReadClient,
    endpoint: AgencyEndpoint,
    agency: str,
    inquiry: Inquiry,
    response: pydantic.TypeAdapter[InquiryResponse[Any]],
) -> Mapping[str, AgencyRecords | None]:
    """POST the inquiry and validate the answer against the contract, straight into the
    agency's records."""
    url = endpoint.base_url.rstrip("/") + "/v1/inquiries"
    headers = {
        "Authorization": f"Bearer {endpoint.token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-Request-Id": inquiry.request_id,
    }
    answer = await client.post(agency, url, inquiry_body(inquiry), headers)
    check_status(agency, answer)
    try:
        parsed = response.validate_json(answer.content)
    except pydantic.ValidationError as exc:
        raise malformed(
            agency, f"{exc.error_count()} 处不符", f"{exc.error_count()} contract violation(s)"
        ) from exc
    # another agency's answer (a URL set to the wrong agency) or another request's would read as
    # this one's: records another agency keeps say nothing of this one's, and an empty record
    # would tell the judge the debtor holds nothing here
    if parsed.agency != agency:
        raise malformed(agency, "答复来自另一单位", "the answer names another agency")
    if parsed.request_id != inquiry.request_id:
        raise malformed(
            agency, "答复属于另一请求（requestId）", "the answer is another request's (requestId)"
        )
    # read by subject, in whatever order: but one result for each subject asked, and only for
    # those. Of two results for one subject none can be told to be its own, and a subject not
    # asked says the agency answered another request.
    answers: dict[str, AgencyRecords | None] = {}
    for result in parsed.results:
        key = f"{result.kind}:{result.id}"
        if key in answers:
            raise malformed(agency, "同一主体答复两次", "a subject answered twice")
        if result.status == "found":
            if result.records is None:
                raise malformed(agency, "查得的主体没有记录", "a found subject without records")
            answers[key] = result.records
        else:
            answers[key] = None
    missing = sum(1 for s in inquiry.subjects if s.key not in answers)
    if missing:
        raise malformed(agency, f"{missing} 个主体没有结果", f"no result for {missing} subject(s)")
    unasked = len(answers) - len({s.key for s in inquiry.subjects})  # each asked is answered
    if unasked:
        raise malformed(
            agency, f"{unasked} 个结果不是所查主体的", f"results for {unasked} subject(s) not asked"
        )
    return answers


class HttpConnector(Connector):
    """The connector of every agency that speaks the agency contract as it is written."""

    def __init__(
        self,
        spec: AgencySpec[Any],
        endpoint: AgencyEndpoint,
        client: httpx.AsyncClient,
        reads: ReadClient | None = None,
    ) -> None:
        super().__init__(spec, endpoint, client, reads)
        self._response = response_adapter(spec.records)

    async def query(self, inquiry: Inquiry) -> Mapping[str, AgencyRecords | None]:
        return await post_inquiry(self.reads, self.endpoint, self.agency, inquiry, self._response)

    async def control(self, request: ControlRequest) -> ControlOutcome:
        return await post_control(self.client, self.endpoint, self.agency, request)

    async def control_status(self, request_id: str) -> ControlOutcome | None:
        return await get_control_status(self.client, self.endpoint, self.agency, request_id)


def response_adapter(records: type[Any]) -> pydantic.TypeAdapter[InquiryResponse[Any]]:
    """The validator of an agency's answer, built once per record type (pydantic gives the
    same class for the same parameter, so ``wire_adapter`` caches it)."""
    return wire_adapter(InquiryResponse[records])  # type: ignore[valid-type]


__all__ = [
    "MAX_BODY_BYTES",
    "ConnectorError",
    "HttpConnector",
    "check_status",
    "inquiry_body",
    "map_transport_errors",
    "post_inquiry",
    "response_adapter",
]
