"""The command line's help, for people: every command and option explained in Chinese and
English, with its default where it has one, and never a secret."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator

import pytest

from gateway.cli import _parser

CJK = re.compile(r"[\u4e00-\u9fff]")


def commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from commands(sub, (*path, name))


def bilingual(text: str | None) -> bool:
    return bool(text) and " / " in str(text) and bool(CJK.search(str(text)))


ALL = list(commands(_parser()))


def test_every_command_is_listed():
    names = {" ".join(path) for path, _ in ALL}
    assert {"demo", "serve", "report", "inquire", "audit verify", "token"} <= names


@pytest.mark.parametrize(("path", "parser"), ALL, ids=[" ".join(p) or "chakong" for p, _ in ALL])
def test_each_command_and_option_is_explained_in_both_languages(path, parser):
    assert bilingual(parser.description), path
    for action in parser._actions:
        assert bilingual(action.help), (path, action.option_strings or action.dest)
    text = parser.format_help()
    assert text.startswith("用法 / usage: ")
    for action in parser._actions:
        worth_showing = action.default not in (None, False, "", argparse.SUPPRESS)
        if action.option_strings and worth_showing and not isinstance(action.default, list):
            assert f"default: {action.default}" in " ".join(text.split()), (path, action.dest)


def test_the_help_never_shows_the_token(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CHAKONG_TOKEN", "eyJsecret.token.value")
    for _, parser in commands(_parser()):
        assert "eyJsecret" not in parser.format_help()


async def test_the_mocks_error_rate_help_names_the_status_the_mocks_answer():
    # `chakong mocks --error-rate 1` makes every answer the drawn fault: its help says which
    from mocks.faults import FaultConfig
    from mocks.server import create_mock_app
    from tests.mocks.helpers import AUTH, TOKEN, client_for, inquiry

    app = create_mock_app("tax", token=TOKEN, faults=FaultConfig(error_rate=1.0))
    async with client_for(app) as client:
        response = await client.post("/v1/inquiries", json=inquiry(), headers=AUTH)
    (mocks,) = [parser for path, parser in ALL if path == ("mocks",)]
    (action,) = [a for a in mocks._actions if "--error-rate" in a.option_strings]
    assert f"a random {response.status_code} " in str(action.help)
