"""No log line carries a full ID number or credit code."""

from __future__ import annotations

import base64
import logging
import random
import re
import unicodedata
import urllib.parse

import httpx
import pytest

from gateway.logs import MaskingFormatter, mask_identifiers, uvicorn_log_config
from tests.gateway.processes import SERVE_KEYS, Process, issue

PERSON = "320812198203151256"
COMPANY = "91320812MA0002015P"


def record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord("x", logging.INFO, __file__, 1, message, args, exc_info)


def formatted(line: logging.LogRecord) -> str:
    return MaskingFormatter(logging.Formatter("%(levelname)s %(message)s")).format(line)


def test_arguments_and_messages_are_masked():
    line = record('"GET /graphql?query=%s HTTP/1.1" 200', f"debtor(id:{PERSON}) {COMPANY}")
    text = formatted(line)
    assert PERSON not in text
    assert COMPANY not in text
    assert "320812********1256" in text
    assert "913208********015P" in text


def test_tracebacks_are_masked():
    try:
        raise ValueError(f"bad subject {PERSON}")
    except ValueError as exc:
        line = record("failed", exc=exc)
    text = formatted(line)
    assert "ValueError" in text
    assert PERSON not in text


def test_lines_without_identifiers_are_left_alone():
    line = record("inquiry case=%s statuses=%s", "(2026)苏0812执123号", "police:OK=1")
    assert formatted(line) == "INFO inquiry case=(2026)苏0812执123号 statuses=police:OK=1"
    assert line.args == ("(2026)苏0812执123号", "police:OK=1")  # the record is left alone


def test_uvicorns_access_line_is_formatted_and_masked():
    config = uvicorn_log_config()
    access = config["formatters"]["access"]
    formatter = access["()"](**{k: v for k, v in access.items() if k != "()"})
    args = ("127.0.0.1:5000", "GET", f"/graphql?id={PERSON}", "1.1", 200)
    line = record('%s - "%s %s HTTP/%s" %d', *args)
    text = formatter.format(line)
    assert text.endswith('127.0.0.1:5000 - "GET /graphql?id=320812********1256 HTTP/1.1" 200 OK')
    assert line.args == args  # the access formatter reads them: left as they were


def test_a_bearer_token_in_a_line_is_hidden():
    """A client that puts its token in the URL (``?access_token=``) had it written whole into
    the access log, where anyone who reads the log could use it until it expired."""
    header = "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiSldUIn0"
    payload = "eyJyb2xlIjoiSlVER0UiLCJjb3VydCI6Ilx1ODJjZjA4MTIiLCJqdWRnZSI6IkowMDEifQ"
    signature = "cTa-onVgqy3neV0NRcJDbthsSIkhyspvIy3XBvb7-Lc"
    token = f"{header}.{payload}.{signature}"
    config = uvicorn_log_config()
    access = config["formatters"]["access"]
    formatter = access["()"](**{k: v for k, v in access.items() if k != "()"})
    args = ("127.0.0.1:5000", "GET", f"/graphql?access_token={token}&id={PERSON}", "1.1", 200)
    text = formatter.format(record('%s - "%s %s HTTP/%s" %d', *args))
    assert payload not in text
    assert signature not in text
    assert f"access_token={header}.***&id=320812********1256" in text
    assert formatted(record("refused %s", f"Bearer {token}")) == f"INFO refused Bearer {header}.***"


def test_numbers_in_percent_encoded_urls_are_masked():
    line = record('"GET /graphql?variables=%s HTTP/1.1" 200', f"%7B%22id%22%3A+%22{PERSON}%22%7D")
    text = formatted(line)
    assert PERSON not in text
    assert "320812********1256" in text


FULL_WIDTH = PERSON.translate({ord(d): chr(0xFF10 + int(d)) for d in "0123456789"})
ESCAPED = "".join(f"\\u{ord(c):04x}" for c in PERSON)  # as GraphQL and JSON strings allow

# one number, written every way the API accepts it as the same person
FORMS = [
    PERSON,
    "320812 19820315 1256",
    "320812-1982-0315-1256",
    FULL_WIDTH,
    FULL_WIDTH[:9] + PERSON[9:],
    ESCAPED,
    "\\u0033\\u0032" + PERSON[2:],
]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (PERSON, "320812********1256"),
        ("id 320812 19820315 1256.", "id 320812 ******** 1256."),
        ("320812-1982-0315-1256", "320812-****-****-1256"),
        (FULL_WIDTH, FULL_WIDTH[:6] + "********" + FULL_WIDTH[-4:]),
        (urllib.parse.quote_plus("320812 19820315 1256"), "320812+********+1256"),
        (
            urllib.parse.quote(FULL_WIDTH),
            urllib.parse.quote(FULL_WIDTH[:6]) + "********" + urllib.parse.quote(FULL_WIDTH[-4:]),
        ),
        ("200 " + PERSON, "200 320812********1256"),
        (ESCAPED, ESCAPED[: 6 * 6] + "********" + ESCAPED[-4 * 6 :]),
        ("\\\\u0033" + PERSON[1:], "\\\\u003320812********1256"),
        (COMPANY.lower(), "913208********015p"),
        (
            "2026-12-02 17:39:21,123 x 127.0.0.1:5000 200",
            "2026-12-02 17:39:21,123 x 127.0.0.1:5000 200",
        ),
    ],
)
def test_every_form_of_a_number_is_masked_where_it_is_written(text, masked):
    assert mask_identifiers(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("abc" + PERSON, "abc320812********1256"),
        (f"ID{PERSON}.", "ID320812********1256."),
        (f"{PERSON}abc", "320812********1256abc"),
        ("a" + COMPANY.lower(), "a913208********015p"),
        (f"id%253A{PERSON}", "id%253A320812********1256"),  # a URL encoded twice
        ("x" + PERSON[:9] + " " + PERSON[9:], "x320812*** *****1256"),
        ("abc320812820315125", "abc320812*****5125"),  # an old number (15 digits)
        ("abc320812198203151257", "abc320812********1257"),  # a wrong check digit too
        ("abc320812198213151256", "abc320812198213151256"),  # not a number: no 13th month
        ("ab91320812MA0002015Q", "ab91320812MA0002015Q"),  # not a credit code: its check
    ],
)
def test_a_number_glued_to_a_word_is_masked_with_the_word(text, masked):
    """An ID number glued to letters (``ID320812...``, or a URL encoded twice, whose decoded
    ``%3A`` leaves an ``A`` before it) was written whole: only a number standing alone was
    masked. A valid number in a short run of letters and digits is masked as it is alone."""
    assert mask_identifiers(text) == masked


def test_hashes_and_the_gateways_own_ids_are_left_whole():
    """What the gateway logs beside numbers: request, control and list entry ids (32 hex
    digits), the audit head's SHA-256 (64) and a checkpoint's signature (base64). A third of the
    32-digit ids hold the mere form of a credit code somewhere; they are left whole, so a log
    still finds the request or the entry it names."""
    rnd = random.Random(2026)
    for _ in range(3_000):
        for value in (
            f"{rnd.getrandbits(128):032x}",
            f"{rnd.getrandbits(256):064x}",
            base64.b64encode(rnd.randbytes(64)).decode(),
            base64.urlsafe_b64encode(rnd.randbytes(64)).decode().rstrip("="),
        ):
            line = f'control {value}: status lookup failed {{"head": "{value}"}}'
            assert mask_identifiers(line) == line


def normalised(text: str) -> str:
    """What the API would read as an identifier: decoded, ASCII digits, no separators."""
    text = urllib.parse.unquote_plus(text)
    text = re.sub(r"\\+u([0-9A-Fa-f]{4})", lambda m: chr(int(m[1], 16)), text)
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\-]", "", text)


DEBTOR = (
    'query {{ debtor(subject: {{kind: NATURAL, id: "{id}"}}, caseNumber: "(2026)苏0812执123号")'
    " {{ sources {{ status }} }} }}"
)
DEBTOR_VARS = (
    'query($s: SubjectInput!) { debtor(subject: $s, caseNumber: "(2026)苏0812执123号")'
    " { sources { status } } }"
)


def test_the_server_logs_each_request_with_every_form_of_a_number_masked(tmp_path, processes):
    env = {**SERVE_KEYS, "CHAKONG_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'g.db'}"}
    serve = Process("serve", "--port", "0", cwd=tmp_path, env=env)
    processes.append(serve)
    url = serve.wait_for(r"Uvicorn running on (http://\S+)")[1]
    judge = issue(tmp_path, "--role", "JUDGE", "--court", "苏0812", "--judge", "J001")
    gets = 0
    with httpx.Client(base_url=url, timeout=30) as client:
        for form in FORMS:
            for who in ({}, {"Authorization": f"Bearer {judge}"}):
                # the number in the query string: the access log prints it
                client.get("/graphql", params={"query": DEBTOR.format(id=form)}, headers=who)
                # a JSON string: its escapes are JSON's (the same person)
                variables = '{"s": {"kind": "NATURAL", "id": "' + form + '"}}'
                client.get(
                    "/graphql", params={"query": DEBTOR_VARS, "variables": variables}, headers=who
                )
                gets += 2
                client.post("/graphql", json={"query": DEBTOR.format(id=form)}, headers=who)
        client.get("/healthz")  # the last line: every line before it was written
    serve.wait_for(r'"GET /healthz HTTP/1.1" 200')
    assert serve.interrupt() == 0
    logged = serve.output()
    access = re.findall(r'"GET /graphql\?\S+ HTTP/1.1" \d{3}', logged)
    assert len(access) == gets, logged
    assert "Logging error" not in logged
    assert "Traceback" not in logged
    assert PERSON not in normalised(logged)
    assert "320812********1256" in logged  # the line is still there, and readable


def test_the_quick_check_says_yes_exactly_where_masking_changes_the_line():
    # mask_identifiers looks for identifiers in the line's text alone before it builds the
    # views that map what it masks back to the line: a "no" there must never hide one
    from gateway import logs

    pieces = [
        "320812199001011256", "32081219900101125X", "320812900101125", "91320812MA0002015P",
        " ", "-", "+", "%33", "%EF%BC%93", "%E3", "\\u0033", "\\\\u0033", "\\u{33}", "３", "Ｘ",
        "－", "a", "X", "1", "12", "2026-12-03 ", "苏", "id=", "%", "\\", "********",
        "\u0130", "\u0131", "\u017f", "\u212a", "٣", "inquiry case ", "MA", "ID", "abc",
    ]  # fmt: skip
    rnd = random.Random(13)
    holding = 0
    for _ in range(20_000):
        line = "".join(
            rnd.choice(pieces) if rnd.random() < 0.7 else rnd.choice("0123456789 -")
            for _ in range(rnd.randint(1, 12))
        )
        holds = logs._holds_identifier(line)
        assert holds == (logs._masked(line) != line), line
        holding += holds
    assert 1_000 < holding < 19_000  # both answers were tried, many times


def test_the_quick_check_counts_every_character_an_identifier_may_be_written_with():
    # the check skips a line with no run of 15 such characters with six digits among them:
    # every character the identifiers' pattern takes (ignoring case; any Unicode digit) is one
    from gateway import logs
    from gateway.domain.subjects import contains_id_like

    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    counted = set(re.findall(logs._ID_CHAR, every))
    taken = {
        c
        for c in re.findall(r"\w", every)  # a superset of what the pattern could take
        # as a credit code's second character, and as an ID number's sixth digit
        if contains_id_like(f"9{c}320812MA0002015P") or contains_id_like(f"32081{c}199001011256")
    }
    assert set("0123456789ABCDEFGHJKLMNPQRTUWXYabc٣３") <= taken  # the probes work
    assert taken <= counted, sorted(hex(ord(c)) for c in taken - counted)
