"""Persisted (allow-listed) operations: court systems may be held to a list of known queries.

The list is a JSON file ``{"<sha256 hex of the query text>": "query text", ...}``. A request
names a stored operation either the Apollo way, ``extensions: {"persistedQuery": {"version": 1,
"sha256Hash": "..."}}`` with no ``query``, or the GraphQL-over-HTTP way, ``documentId:
"sha256:..."``. With ``persisted_only`` set, a restricted caller (a court system, 法院业务系统) may
run only operations of the list, whether it names them by hash or sends their full text.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from gateway.domain.errors import ChakongError

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class PersistedOperationError(ChakongError):
    """A request's persisted operation cannot be used; ``http_status`` is the answer's status."""

    code = "PERSISTED_OPERATION_ERROR"
    http_status = 400


class PersistedQueryNotFoundError(PersistedOperationError):
    code = "PERSISTED_QUERY_NOT_FOUND"
    http_status = 400


class PersistedQueryInvalidError(PersistedOperationError):
    code = "PERSISTED_QUERY_INVALID"
    http_status = 400


class OperationNotAllowedError(PersistedOperationError):
    code = "OPERATION_NOT_ALLOWED"
    http_status = 403


def operation_hash(query: str) -> str:
    """The sha256 (lower-case hex) of the query text's UTF-8 bytes, as clients compute it."""
    return hashlib.sha256(query.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class PersistedOperations:
    """The allow-list: query texts by the sha256 of their text."""

    operations: Mapping[str, str]

    @classmethod
    def from_queries(cls, queries: Iterable[str]) -> PersistedOperations:
        return cls(MappingProxyType({operation_hash(q): q for q in queries}))

    @classmethod
    def from_mapping(
        cls, data: object, *, source: str = "persisted operations"
    ) -> PersistedOperations:
        """Check the mapping: string keys that are the sha256 of their string values."""
        if not isinstance(data, dict):
            raise ValueError(f"{source}: expected a JSON object of hash -> query text")
        operations: dict[str, str] = {}
        for key, query in data.items():
            if not isinstance(key, str) or not isinstance(query, str):
                raise ValueError(f"{source}: keys and values must be strings")
            digest = key.lower()
            if not _SHA256_HEX.fullmatch(digest):
                raise ValueError(f"{source}: {key!r} is not a sha256 hex digest")
            if operation_hash(query) != digest:
                raise ValueError(f"{source}: {key!r} is not the sha256 of its query text")
            operations[digest] = query
        return cls(MappingProxyType(operations))

    @classmethod
    def from_file(cls, path: str | Path) -> PersistedOperations:
        text = Path(path).read_text(encoding="utf-8")
        return cls.from_mapping(json.loads(text), source=str(path))

    def __len__(self) -> int:
        return len(self.operations)

    def get(self, sha256_hex: str) -> str | None:
        return self.operations.get(sha256_hex.lower())

    def allows(self, query: str) -> bool:
        return operation_hash(query) in self.operations

    def resolve(
        self,
        query: str | None,
        extensions: Mapping[str, object] | None = None,
        document_id: str | None = None,
        *,
        restricted: bool = False,
    ) -> str | None:
        """The query text a request runs, or ``None`` when it names none.

        Raises ``PersistedQueryNotFoundError`` (400) for an unknown hash sent without its text,
        ``PersistedQueryInvalidError`` (400) for a malformed reference or a text that does not
        match its hash, and ``OperationNotAllowedError`` (403) when a ``restricted`` caller
        sends an operation that is not on the list.
        """
        wanted = _requested_hash(extensions, document_id)
        if wanted is None:
            if query is not None and restricted and not self.allows(query):
                raise _not_allowed()
            return query
        if query is not None:
            if operation_hash(query) != wanted:
                raise PersistedQueryInvalidError(
                    "查询文本与其 sha256 不符", "the query text does not match its sha256 hash"
                )
            if restricted and wanted not in self.operations:
                raise _not_allowed()
            return query
        stored = self.get(wanted)
        if stored is None:
            raise PersistedQueryNotFoundError(
                "未找到该持久化查询", "no persisted operation has this hash"
            )
        return stored


def _not_allowed() -> OperationNotAllowedError:
    return OperationNotAllowedError(
        "仅允许执行已登记的查询", "only registered (persisted) operations are allowed"
    )


def _requested_hash(extensions: Mapping[str, object] | None, document_id: str | None) -> str | None:
    """The hash a request names through ``extensions.persistedQuery`` or ``documentId``."""
    wanted: str | None = None
    reference = (extensions or {}).get("persistedQuery")
    if reference is not None:
        if (
            not isinstance(reference, dict)
            or type(reference.get("version")) is not int  # true and 1.0 equal 1 in Python
            or reference.get("version") != 1
            or not isinstance(reference.get("sha256Hash"), str)
        ):
            raise PersistedQueryInvalidError(
                "persistedQuery 应为 {version: 1, sha256Hash: 字符串}",
                "persistedQuery must be {version: 1, sha256Hash: string}",
            )
        wanted = _checked_hash(reference["sha256Hash"])
    if document_id is not None:
        digest = _checked_hash(document_id.removeprefix("sha256:"))
        if wanted is not None and digest != wanted:
            raise PersistedQueryInvalidError(
                "documentId 与 persistedQuery 不一致",
                "documentId and persistedQuery name different operations",
            )
        wanted = digest
    return wanted


def _checked_hash(value: str) -> str:
    digest = value.lower()
    if not _SHA256_HEX.fullmatch(digest):
        raise PersistedQueryInvalidError(
            "持久化查询的标识应为 64 位十六进制 sha256",
            "a persisted operation is named by its sha256 as 64 hex digits",
        )
    return digest


__all__ = [
    "OperationNotAllowedError",
    "PersistedOperationError",
    "PersistedOperations",
    "PersistedQueryInvalidError",
    "PersistedQueryNotFoundError",
    "operation_hash",
]
