"""GraphQL's own errors in Chinese and English: each request here makes graphql-core (through the
real view and schema) write one of the messages ``gateway.http.graphql_messages`` knows, so a
change of graphql-core's wording shows here as a fallback, not as a silently English error."""

from __future__ import annotations

import pytest

from gateway.auth.principal import Principal, Role
from gateway.domain.subjects import echoed
from gateway.http.graphql_messages import PARSE_FALLBACK, VALIDATION_FALLBACK, bilingual
from tests.gateway.http.helpers import CASE, DEBTOR, asgi_client, make_view, post

ID = "320802197805121127"  # a valid resident ID number (check digit 7)

# (the request, words its Chinese must hold: names and values as written)
KNOWN = [
    ({"query": "{ debtor(("}, ["查询语句语法错误", "Expected Name"]),
    ({"query": "{ nope }"}, ["类型 Query 没有字段 nope"]),
    ({"query": "{ me { rol } }"}, ["类型 Me 没有字段 rol", "是否想用 role"]),
    ({"query": "{ me }"}, ["字段 me（类型 Me!）须选择子字段"]),
    ({"query": "{ me { role { x } } }"}, ["字段 role（类型 Role!）没有子字段"]),
    ({"query": "{ me(x: 1) { role } }"}, ["字段 Query.me 没有参数 x"]),
    ({"query": "query($a: Nope) { me { role } }"}, ["未知类型 Nope"]),
    ({"query": "query($a: Int) { me { role } }"}, ["变量 $a 未被使用"]),
    ({"query": "{ me { role @nope } }"}, ["未知指令 @nope"]),
    ({"query": "{ ...F }"}, ["未知片段 F"]),
    (
        {"query": "query A { me { role } } query A { me { role } }", "operationName": "A"},
        ["只能有一个名为 A 的操作"],
    ),
    (
        {"query": '{ debtor(subject: {kind: NATURAL, id: "1"}) { subject { id } } }'},
        ["缺少必填参数 Query.debtor(caseNumber:)", "String!"],
    ),
    (
        {"query": '{ debtor(subject: {kind: ROBOT, id: "1"}, caseNumber: "x") { cached } }'},
        ["枚举 SubjectKind 没有取值 ROBOT"],
    ),
    (
        {"query": '{ debtor(subject: {id: "1"}, caseNumber: "x") { subject { id } } }'},
        ["类型 SubjectInput 缺少必填字段 kind"],
    ),
    (
        {"query": DEBTOR, "variables": {"subject": {"kind": "ROBOT", "id": "1"}, "case": CASE}},
        ["变量 $subject 的 kind 取值无效", "枚举 SubjectKind 没有取值 ROBOT"],
    ),
    (
        {"query": DEBTOR, "variables": {"case": CASE}},
        ["变量 $subject 取值无效", "须提供 SubjectInput! 类型的值"],
    ),
    (
        {"query": DEBTOR, "variables": {"subject": {"kind": "NATURAL"}, "case": CASE}},
        ["变量 $subject 取值无效", "类型 SubjectInput 缺少必填字段 id"],
    ),
    (
        {"query": DEBTOR, "variables": {"subject": {"kind": "NATURAL", "id": 1}, "case": CASE}},
        ["变量 $subject 的 id 取值无效", "值不是 String 类型"],
    ),
    (
        {
            "query": DEBTOR,
            "variables": {"subject": {"kind": "NATURAL", "id": "1", "x": 1}, "case": CASE},
        },
        ["变量 $subject 取值无效", "类型 SubjectInput 没有字段 x"],
    ),
    (
        {"query": "query($n: Int) { cases(limit: $n) { caseNumber } }", "variables": {"n": "x"}},
        ["变量 $n 取值无效", "值不是 Int 类型"],
    ),
    ({"query": "{ cases(limit: $n) { caseNumber } }"}, ["变量 $n 未定义"]),
    ({"query": "{ me { role } } fragment F on Me { role }"}, ["片段 F 未被使用"]),
    ({"query": "{ me { role } me: cases { caseNumber } }"}, ["字段 me 冲突"]),
    (
        {"query": '{ debtor(subject: {kind: "NATURAL", id: "1"}, caseNumber: "x") { cached } }'},
        ['枚举 SubjectKind 不能取 "NATURAL"（枚举值不加引号）', "是否想用 NATURAL"],
    ),
    (
        {"query": '{ debtor(subject: "x", caseNumber: "x") { cached } }'},
        ['SubjectInput 类型的值须为对象，不是 "x"'],
    ),
    (
        {"query": "query($n: Int!) { cases(limit: $n) { caseNumber } }", "variables": {"n": None}},
        ["变量 $n 取值无效", "Int! 类型的值不能为 null"],
    ),
    (
        {"query": 'mutation { saveCase(case: {caseNumber: "x", obligation: "abc"}) { status } }'},
        ['值 "abc" 不是 Decimal 类型'],
    ),
    (
        {"query": "query($s: String) { cases(limit: $s) { caseNumber } }"},
        ["变量 $s 的类型 String 与所需类型 Int! 不符"],
    ),
    # under the token limit, but too deep for graphql-core's validation to finish
    ({"query": "{ me { " + "role " * 1000 + "} }"}, ["查询语句过大，无法完成校验"]),
    # more errors than graphql-core reports (100)
    (
        {"query": "{ me { " + " ".join(f"x{i}" for i in range(101)) + " } }"},
        ["校验错误过多，已中止校验"],
    ),
]


@pytest.mark.parametrize(("body", "words"), KNOWN)
async def test_graphql_s_own_errors_come_in_chinese_and_english(client, body, words):
    response = await post(client, body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    rendered = [e for e in errors if all(w in e["extensions"]["messageZh"] for w in words)]
    assert rendered, [e["message"] for e in errors]
    error = rendered[0]
    zh, en = error["extensions"]["messageZh"], error["extensions"]["messageEn"]
    assert error["message"] == f"{zh} / {en}"
    assert zh not in (PARSE_FALLBACK, VALIDATION_FALLBACK)
    assert error["extensions"]["code"] in ("GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED")


async def test_an_id_number_sent_as_a_number_is_masked_in_both_languages(client):
    variables = {"subject": {"kind": "NATURAL", "id": int(ID)}, "case": CASE}
    response = await post(client, {"query": DEBTOR, "variables": variables})
    assert response.status_code == 400
    assert ID not in response.text
    error = response.json()["errors"][0]
    assert "320802********1127" in error["extensions"]["messageZh"]
    assert "320802********1127" in error["extensions"]["messageEn"]


# (a value glued to letters, the identifier inside it): graphql-core quotes a refused value whole
GLUED = [
    ("abc320812198203151256", "320812198203151256"),
    ("320812198203151256abc", "320812198203151256"),
    ("abc32081219820315125Xyz", "32081219820315125X"),
    ("a91320812MA00020007", "91320812MA00020007"),  # a credit code
    ("a320812820315125", "320812820315125"),  # an old 15-digit ID number
]
SAVE_CASE = (
    'mutation($o: Decimal!) {{ saveCase(case: {{caseNumber: "x", judges: [], parties: [], '
    "obligation: {o}}}) {{ status }} }}"
)
COURT_SYSTEM = Principal(Role.COURT_SYSTEM, subject="case-system", court="苏0802")


def _texts(response) -> list[str]:
    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert errors
    return [
        text
        for e in errors
        for text in (e["message"], e["extensions"]["messageZh"], e["extensions"]["messageEn"])
    ]


def _shown(identifier: str, text: str) -> int:
    """The longest run of ``identifier``'s characters that ``text`` shows as they stand."""
    text, identifier = text.upper(), identifier.upper()
    return max(
        (
            j - i
            for i in range(len(identifier))
            for j in range(i + 1, len(identifier) + 1)
            if identifier[i:j] in text
        ),
        default=0,
    )


def _assert_masked(texts: list[str], identifier: str) -> None:
    for text in texts:
        # masked as mask_id masks: at most its first six and last four characters show
        assert _shown(identifier, text) <= 6, text
        assert "*" * 5 in text, text


@pytest.mark.parametrize(("value", "identifier"), GLUED)
async def test_an_id_number_glued_to_letters_in_a_decimal_variable_is_masked(value, identifier):
    body = {"query": SAVE_CASE.format(o="$o"), "variables": {"o": value}}
    async with asgi_client(make_view(COURT_SYSTEM)) as client:
        texts = _texts(await post(client, body))
    assert any("不是 Decimal 类型" in text for text in texts), texts
    _assert_masked(texts, identifier)


@pytest.mark.parametrize(("value", "identifier"), GLUED)
async def test_an_id_number_glued_to_letters_in_a_literal_is_masked(client, value, identifier):
    body = {"query": SAVE_CASE.format(o=f'"{value}"').replace("($o: Decimal!)", "")}
    texts = _texts(await post(client, body))
    assert any("不是 Decimal 类型" in text for text in texts), texts
    _assert_masked(texts, identifier)


@pytest.mark.parametrize(
    "value",
    [value for value, _ in GLUED] + ["320812198203151256", "x٣٢٠٨١٢١٩٨٢٠٣١٥١٢٥٦"],
)
def test_graphql_s_messages_hide_at_least_what_echoed_hides_of_a_refused_value(value):
    hidden = {i for i, char in enumerate(echoed(value)) if char == "*"}
    zh, en = bilingual(f'Value cannot represent a Decimal: "{value}".', parse_failed=False)
    for text in (zh, en):
        quoted = text.split('"')[1]
        assert len(quoted) == len(value)
        assert all(quoted[i] == "*" for i in hidden), (quoted, echoed(value))


@pytest.mark.parametrize(
    "value",
    ["12abc", "2026abc0315", "12345678901234x", "x1234567890123"],  # none of them an identifier
)
async def test_a_refused_value_that_is_no_identifier_is_quoted_as_written(value):
    body = {"query": SAVE_CASE.format(o="$o"), "variables": {"o": value}}
    async with asgi_client(make_view(COURT_SYSTEM)) as client:
        texts = _texts(await post(client, body))
    for text in texts:
        assert f'"{value}"' in text
        assert "*" not in text


async def test_names_with_digits_in_them_are_not_masked(client):
    name = "caseNumber20260315abcdef"
    texts = _texts(await post(client, {"query": f"{{ me {{ {name} }} }}"}))
    assert all(name in text for text in texts), texts
    assert any("类型 Me 没有字段 " + name in text for text in texts), texts


def test_a_message_not_known_here_says_what_kind_of_error_it_is():
    assert bilingual("Something new.", parse_failed=False) == (
        VALIDATION_FALLBACK,
        "Something new.",
    )
    assert bilingual("Something new.", parse_failed=True) == (PARSE_FALLBACK, "Something new.")


def test_suggestions_are_listed_and_a_quoted_message_is_kept_where_unknown():
    zh, _ = bilingual(
        "Cannot query field 'sorce' on type 'DebtorProfile'. "
        "Did you mean 'source', 'sources', or 'summary'?",
        parse_failed=False,
    )
    assert zh == "类型 DebtorProfile 没有字段 sorce，是否想用 source、sources、summary？"
    zh, _ = bilingual("Variable '$a' has invalid value: Something new.", parse_failed=False)
    assert zh == "变量 $a 取值无效：Something new."
