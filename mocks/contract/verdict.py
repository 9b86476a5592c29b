"""A check's verdict: ``CheckFailedError`` and ``expect``, shared by the kit's modules.

The kit's readers are agencies' IT teams: every verdict is said in Chinese and in English,
``中文 / English``, as the gateway's own messages are."""

from __future__ import annotations


class CheckFailedError(Exception):
    """A check's verdict: the endpoint broke the contract (the message says how, in each
    language: ``message_zh``, ``message_en``; ``str()`` is both)."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en

    def within(self, zh: str, en: str) -> CheckFailedError:
        """This verdict said of a part (``zh``/``en``: what the part is): ``部分：…``."""
        return CheckFailedError(f"{zh}：{self.message_zh}", f"{en}: {self.message_en}")


def expect(condition: bool, failure_zh: str, failure_en: str) -> None:
    if not condition:
        raise CheckFailedError(failure_zh, failure_en)
