"""The exception classes a transport can raise, enumerated, for tests that every one is mapped."""

from __future__ import annotations

import inspect
from types import ModuleType

import aiohttp
import httpx


def exception_classes(module: ModuleType, base: type[BaseException]) -> list[type[BaseException]]:
    """Every public class of ``module`` derived from ``base`` (``base`` included), by name."""
    return sorted(
        (cls for _, cls in inspect.getmembers(module, inspect.isclass) if issubclass(cls, base)),
        key=lambda cls: cls.__name__,
    )


def httpx_request_errors() -> list[type[BaseException]]:
    return exception_classes(httpx, httpx.RequestError)


def aiohttp_client_errors() -> list[type[BaseException]]:
    return exception_classes(aiohttp, aiohttp.ClientError)


def instance(cls: type[BaseException]) -> BaseException:
    """An instance of an exception class, whatever its constructor wants."""
    try:
        return cls("simulated")
    except TypeError:
        exc = cls.__new__(cls)
        exc.args = ("simulated",)
        return exc
