"""The ``chakong`` command line: demo, serve, mocks, schema, contract, token, reconcile, audit,
conformance."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import importlib.metadata
import json
import logging
import os
import secrets
import signal
import socket
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from pydantic import SecretStr, ValidationError

from connectors.registry import AGENCIES
from gateway.auth.principal import PERMISSIONS, Role
from gateway.domain.reasons import validation_reason
from gateway.logs import mask_root_handlers, uvicorn_log_config
from gateway.runtime import run_event_loop
from gateway.settings import AgencySettings, Settings

if TYPE_CHECKING:
    from gateway.cli_inquire import GatewayClient
    from gateway.services.audit_checkpoint import CheckpointSigner

log = logging.getLogger("chakong")

DEFAULT_GATEWAY_URL = "http://127.0.0.1:8000"
MAX_PORT = 65535
CLIENT_TIMEOUT_S = 600.0  # a PDF or a batch of hundreds takes a while on a busy gateway


def main(argv: Sequence[str] | None = None) -> int:
    try:
        try:
            return _main(argv)
        finally:
            sys.stdout.flush()  # a closed pipe shows here (or above), not at exit
    except BrokenPipeError:
        # the reader went away (chakong schema | head): stop quietly, as a command killed by
        # SIGPIPE does; stdout goes to devnull so that the flush at exit does not fail again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 128 + signal.SIGPIPE


def _refused_settings(exc: ValidationError) -> str:
    """One line per refused setting, its name and why in both languages, never its value: a
    database or cache URL may hold a password (pydantic's own text quotes every input)."""
    lines = []
    for error in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in error["loc"])
        zh, en = validation_reason(error) or ("取值无效", error["msg"])
        lines.append(f"  {where}: {zh} / {en}")
    return "\n".join(lines)


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # one line per agency call is noise beside the inquiry's own line, and costs CPU
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    mask_root_handlers()  # no full ID number in any log line
    try:
        result: int = args.run(args)
    except ValidationError as exc:
        print(f"配置无效 / invalid configuration:\n{_refused_settings(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            raise
        if isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL:
            # a --host that does not resolve, or is no address of this machine
            print(
                f"无法在该地址监听，请检查 --host / cannot listen on that address "
                f"({exc.strerror or type(exc).__name__}): check --host",
                file=sys.stderr,
            )
            return 2
        if exc.errno != errno.EADDRINUSE:
            raise
        print(
            f"端口已被占用，请用 --port 换一个端口（make demo PORT=8080） / a port is already in "
            f"use ({exc.strerror}): choose another with --port (make demo PORT=8080)",
            file=sys.stderr,
        )
        return 2
    return result


class ArgumentParser(argparse.ArgumentParser):
    """argparse's, with its errors (an unknown command, a value that is not a number) said in
    Chinese too; its subcommands' parsers are of this class as well."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(
            2,
            f"{self.prog}: 参数有误（见 {self.prog} --help） / error: {message}\n",
        )


def _parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog="chakong",
        description="查控：法院执行财产查控网关 / chakong: the courts' debtor-asset inquiry "
        "gateway",
        epilog="每个命令的帮助 / each command's help: chakong COMMAND --help",
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {_version()}",
        help="显示版本并退出 / show the version and exit",
    )
    sub = parser.add_subparsers(
        required=True, metavar="COMMAND", title="命令 / commands", help="命令 / command"
    )

    demo = sub.add_parser(
        "demo",
        help="演示：网关与全部模拟单位，内置默认配置 / the gateway and every mock agency, on "
        "embedded defaults",
    )
    demo.add_argument(
        "--host", type=_host, default="127.0.0.1", help="监听地址 / address to listen on"
    )
    demo.add_argument("--port", type=_port, default=8000, help="网关端口 / the gateway's port")
    demo.add_argument(
        "--mock-latency-ms",
        type=float,
        default=40.0,
        help="模拟单位的额外延迟（中位数，毫秒） / median extra latency of the mocks, ms",
    )
    demo.add_argument(
        "--database-url",
        default=None,
        help="数据库；默认为当前目录的 SQLite 文件 chakong.db / the database; default: the "
        "SQLite file chakong.db here",
    )
    demo.set_defaults(run=_run_demo)

    serve = sub.add_parser(
        "serve",
        help="仅运行网关，由 CHAKONG_* 环境变量配置 / the gateway alone, configured by "
        "CHAKONG_* variables",
    )
    serve.add_argument(
        "--host",
        type=_host,
        default=None,
        help="监听地址；默认 CHAKONG_HOST / address; default CHAKONG_HOST",
    )
    serve.add_argument(
        "--port",
        type=_port,
        default=None,
        help="端口；默认 CHAKONG_PORT / port; default CHAKONG_PORT",
    )
    serve.add_argument(
        "--workers",
        type=_workers,
        default=1,
        help="网关进程数（每个 CPU 核一个）；默认 1 / gateway processes (one per CPU core); "
        "default 1",
    )
    serve.set_defaults(run=_run_serve)

    mocks = sub.add_parser(
        "mocks", help="仅运行模拟单位（HTTP 服务） / the mock agencies alone, as HTTP servers"
    )
    mocks.add_argument(
        "--host", type=_host, default="127.0.0.1", help="监听地址 / address to listen on"
    )
    mocks.add_argument(
        "--port",
        type=_port,
        default=9100,
        help="起始端口，各单位依次占用 / first port; agencies take consecutive ports",
    )
    mocks.add_argument(
        "--agencies",
        default="",
        help="逗号分隔；默认全部有模拟服务的单位 / comma-separated; default: all with a mock",
    )
    mocks.add_argument(
        "--token", default=None, help="Bearer 令牌；默认随机 / bearer token; default: a random one"
    )
    mocks.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="固定额外延迟（毫秒） / fixed extra latency, ms",
    )
    mocks.add_argument(
        "--tail-ms",
        type=float,
        default=0.0,
        help="长尾延迟的中位数（毫秒） / median of a long-tailed extra latency, ms",
    )
    mocks.add_argument(
        "--error-rate",
        type=float,
        default=0.0,
        help="随机返回 500 的比例（0 至 1） / share of answers that are a random 500 (0 to 1)",
    )
    mocks.set_defaults(run=_run_mocks)

    schema = sub.add_parser(
        "schema",
        help="打印 GraphQL 模式（SDL），即 docs/schema.graphql / print the GraphQL schema "
        "(SDL), as in docs/schema.graphql",
    )
    schema.set_defaults(run=_run_schema)

    contract = sub.add_parser(
        "contract",
        help="生成或检查各单位的接口契约 / write or check the agencies' committed contracts "
        "(connectors/<agency>/openapi.json)",
    )
    contract.add_argument(
        "action",
        choices=("write", "check"),
        help="write 重新生成；check 过期则退出码为 1 / write regenerates; check exits 1 when stale",
    )
    contract.add_argument(
        "--refresh-examples",
        action="store_true",
        help="从模拟单位重新取示例答复（默认保留已提交的） / take the example answers anew from "
        "the mocks (default: keep the committed ones)",
    )
    contract.set_defaults(run=_run_contract)

    token = sub.add_parser(
        "token",
        help="签发 Bearer 令牌（用 CHAKONG_AUTH__KEYS__* 签名，否则用演示密钥） / issue a bearer "
        "token (signed with CHAKONG_AUTH__KEYS__*, else the demo key)",
    )
    token.add_argument(
        "--role",
        required=True,
        choices=[r.value for r in Role if r is not Role.PUBLIC],
        help="角色 / role",
    )
    token.add_argument(
        "--court",
        type=_court_code,
        help="法院代码，同案号中的，如 苏0812 / court code as in case numbers, e.g. 苏0812",
    )
    token.add_argument("--judge", help="法官编号（JUDGE） / judge id (JUDGE)")
    token.add_argument("--department", help="部门编号（DEPARTMENT） / department id (DEPARTMENT)")
    token.add_argument(
        "--subject",
        help="令牌持有人；默认由角色与范围组成 / who the token is for; default: from role and "
        "scope",
    )
    token.add_argument(
        "--ttl",
        type=_seconds,
        default=None,
        help="有效期（秒，大于0）；默认取配置 / lifetime in seconds (more than 0); default from "
        "settings",
    )
    token.add_argument(
        "--permission",
        action="append",
        default=[],
        choices=sorted(PERMISSIONS),
        help="JUDGE 令牌的授权，可重复（approve_deductions：审批他人申请的扣划） / a grant for a "
        "JUDGE token, repeatable (approve_deductions: approve another judge's deduction)",
    )
    token.set_defaults(run=_run_token)

    reconcile = sub.add_parser(
        "reconcile",
        help="核实结果不明的查控：询问协作单位并采用其答复，只重发对方从未收到的（CHAKONG_DATABASE_URL、"
        "CHAKONG_AGENCIES__*） / settle UNKNOWN controls: ask the agencies, adopt their answers, "
        "resend only what they never saw (CHAKONG_DATABASE_URL, CHAKONG_AGENCIES__*)",
    )
    reconcile.add_argument(
        "--passes", type=int, default=5, help="最多核实轮数 / at most this many passes"
    )
    reconcile.add_argument(
        "--wait", type=float, default=2.0, help="两轮之间的秒数 / seconds between passes"
    )
    reconcile.set_defaults(run=_run_reconcile)

    audit = sub.add_parser("audit", help="审计日志 / the audit log")
    audit_sub = audit.add_subparsers(
        required=True, metavar="ACTION", title="操作 / actions", help="操作 / action"
    )
    verify = audit_sub.add_parser(
        "verify",
        help="校验审计日志的哈希链（CHAKONG_DATABASE_URL、CHAKONG_AUDIT_KEY） / check the audit "
        "log's hash chain (CHAKONG_DATABASE_URL, CHAKONG_AUDIT_KEY)",
    )
    verify.add_argument(
        "--database-url",
        default=None,
        help="数据库；默认 CHAKONG_DATABASE_URL / the database; default CHAKONG_DATABASE_URL",
    )
    verify.add_argument(
        "--checkpoint",
        metavar="FILE",
        help="证明日志仍延续这个签名检查点 / prove the log still extends this signed checkpoint",
    )
    verify.add_argument(
        "--public-key",
        metavar="FILE",
        help="检查点签名密钥的公钥（PEM）；默认为网关自己密钥的公钥 / the checkpoint key's public "
        "key (PEM); default: that of the gateway's own key",
    )
    verify.add_argument(
        "--log-name",
        help="检查点应带的日志名（CHAKONG_AUDIT_LOG_NAME） / the log's name the checkpoint must "
        "carry (CHAKONG_AUDIT_LOG_NAME)",
    )
    verify.add_argument(
        "--hashes-only",
        action="store_true",
        help="没有审计密钥时：只核对序号与哈希链接 / without the audit key: check the sequence "
        "numbers and hash links only",
    )
    verify.set_defaults(run=_run_audit_verify)
    checkpoint = audit_sub.add_parser(
        "checkpoint",
        help="校验哈希链后签名其头部（CHAKONG_AUDIT_SIGNING_KEY_FILE） / verify the chain, then "
        "sign its head (CHAKONG_AUDIT_SIGNING_KEY_FILE)",
    )
    checkpoint.add_argument(
        "--database-url",
        default=None,
        help="数据库；默认 CHAKONG_DATABASE_URL / the database; default CHAKONG_DATABASE_URL",
    )
    checkpoint.add_argument(
        "--out",
        metavar="FILE",
        help="输出文件；默认打印 JSON / output file; default: print the JSON",
    )
    checkpoint.set_defaults(run=_run_audit_checkpoint)
    keygen = audit_sub.add_parser(
        "keygen",
        help="为检查点生成新的 Ed25519 密钥对：FILE（私钥）与 FILE.pub / a new Ed25519 key pair "
        "for checkpoints: FILE (private) and FILE.pub",
    )
    keygen.add_argument(
        "--out", metavar="FILE", required=True, help="私钥文件 / the private key's file"
    )
    keygen.set_defaults(run=_run_audit_keygen)
    public_key = audit_sub.add_parser(
        "public-key",
        help="打印检查点签名密钥的公钥（PEM） / print the public key of the checkpoint signing "
        "key (PEM)",
    )
    public_key.set_defaults(run=_run_audit_public_key)
    seal = audit_sub.add_parser(
        "seal",
        help="为 0002 版本前写入的日志封印头部（须先校验通过） / seal the head of a log written "
        "before revision 0002, once it verifies",
    )
    seal.add_argument(
        "--database-url",
        default=None,
        help="数据库；默认 CHAKONG_DATABASE_URL / the database; default CHAKONG_DATABASE_URL",
    )
    seal.set_defaults(run=_run_audit_seal)

    conformance = sub.add_parser(
        "conformance",
        help="按接口契约检查某单位的服务 / check an agency endpoint against the agency contract",
    )
    conformance.add_argument(
        "--agency", required=True, choices=AGENCIES.names(), help="协作单位 / the agency"
    )
    conformance.add_argument(
        "--url", required=True, help="该服务的基础地址 / the endpoint's base URL"
    )
    conformance.add_argument(
        "--token", required=True, help="该服务的 Bearer 令牌 / the endpoint's bearer token"
    )
    conformance.set_defaults(run=_run_conformance)

    report = sub.add_parser(
        "report",
        help="财产查控报告（HTML 或 PDF），向运行中的网关查询 / the inquiry report of one debtor "
        "(HTML or PDF), asked of a running gateway",
    )
    report.add_argument("--case", required=True, help="执行案号 / case number")
    report.add_argument(
        "--subject", required=True, help="被执行人证件号码 / the debtor's ID number or credit code"
    )
    report.add_argument(
        "--kind",
        choices=("NATURAL", "LEGAL"),
        default=None,
        help="主体类型；省略则按号码判断 / kind of subject; inferred from the number if left out",
    )
    report.add_argument(
        "--format", choices=("pdf", "html"), default="pdf", help="报告格式 / report format"
    )
    report.add_argument(
        "--out",
        default=None,
        help="输出文件，- 为标准输出；默认用网关给的文件名 / output file, - for standard output; "
        "default: the gateway's file name (chakong-report-<audit entry>.<format>)",
    )
    _gateway_options(report)
    report.set_defaults(run=_run_report)

    inquire = sub.add_parser(
        "inquire",
        help="批量查询：从 CSV/XLSX 读被执行人，结果写入 XLSX，可断点续查 / batch inquiry: "
        "debtors from a CSV or XLSX file, results to an XLSX workbook, resumable",
    )
    inquire.add_argument("--case", required=True, help="执行案号 / case number")
    inquire.add_argument(
        "--file",
        required=True,
        type=Path,
        help="被执行人名单（.csv 或 .xlsx；列：证件号码[, 姓名][, 类型]） / the debtors "
        "(.csv or .xlsx; columns: id[, name][, kind])",
    )
    inquire.add_argument(
        "--out", required=True, type=Path, help="结果工作簿（.xlsx） / the results workbook (.xlsx)"
    )
    inquire.add_argument(
        "--batch",
        type=int,
        default=100,
        help="每批人数；超过网关上限时按其上限，超过费用上限时减半 / debtors per request; the "
        "gateway's own limit once it answers BATCH_TOO_LARGE, halved on COST_LIMIT_EXCEEDED",
    )
    inquire.add_argument(
        "--deadline-ms",
        type=int,
        default=None,
        help="每批的总时限（毫秒）；默认为网关的设置 / each request's deadline in ms; default: "
        "the gateway's",
    )
    inquire.add_argument(
        "--restart",
        action="store_true",
        help="忽略已有进度，重新查询全部 / ignore the progress file and ask about everyone again",
    )
    _gateway_options(inquire)
    inquire.set_defaults(run=_run_inquire)
    _for_people(parser)
    return parser


def _version() -> str:
    try:
        return importlib.metadata.version("chakong")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout, not installed
        return "unknown"


def _court_code(value: str) -> str:
    from gateway.domain.courts import InvalidCourtCodeError, parse_court_code

    try:
        return parse_court_code(value)
    except InvalidCourtCodeError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


# the longest lifetime CHAKONG_AUTH__TOKEN_TTL_S allows (``AuthSettings.token_ttl_s``)
MAX_TTL_S = 400 * 24 * 3600


def _seconds(value: str) -> int:
    try:
        seconds = int(value)
    except ValueError:
        seconds = 0
    if seconds <= 0:
        raise argparse.ArgumentTypeError(
            f"有效期应为正整数秒，而不是 {value!r} / the TTL must be a whole number of seconds "
            f"greater than 0, not {value!r}"
        )
    if seconds > MAX_TTL_S:
        raise argparse.ArgumentTypeError(
            f"有效期最长 {MAX_TTL_S} 秒（400 天），而不是 {value} / the TTL must be at most "
            f"{MAX_TTL_S} seconds (400 days), not {value}"
        )
    return seconds


def _host(value: str) -> str:
    """An address to listen on: not empty (an empty one printed agency URLs like http://:9411)."""
    host = value.strip()
    if not host:
        raise argparse.ArgumentTypeError(
            "监听地址不能为空（如 127.0.0.1） / the address must not be empty (e.g. 127.0.0.1)"
        )
    return host


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= MAX_PORT:
        raise argparse.ArgumentTypeError(
            f"端口应为 0 至 {MAX_PORT} 的整数（0：任一空闲端口），而不是 {value!r} / the port "
            f"must be a whole number from 0 to {MAX_PORT} (0: any free port), not {value!r}"
        )
    return port


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows an option's default, in both languages, where it has one worth showing."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if (
            "%(default)" in text
            or default in (None, False, "", argparse.SUPPRESS)
            or not action.option_strings
        ):
            return text
        return text + "（默认 / default: %(default)s）"

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, "用法 / usage: " if prefix is None else prefix)


def _for_people(parser: argparse.ArgumentParser) -> None:
    """Every command's own ``--help``: its one-line help as its description, defaults shown."""
    parser.formatter_class = HelpFormatter
    parser._optionals.title = "选项 / options"
    parser._positionals.title = "参数 / arguments"
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = "显示本帮助并退出 / show this help and exit"
        elif isinstance(action, argparse._VersionAction) and " / " not in (action.help or ""):
            action.help = "显示版本并退出 / show the version and exit"
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                sub.description = sub.description or helps.get(name)
                _for_people(sub)


def _gateway_options(parser: argparse.ArgumentParser) -> None:
    """Where the gateway is and who is asking: the commands that are its clients."""
    parser.add_argument(
        "--url",
        default=os.environ.get("CHAKONG_URL", DEFAULT_GATEWAY_URL),
        help="网关地址（环境变量 CHAKONG_URL） / the gateway's URL (CHAKONG_URL)",
    )
    parser.add_argument(
        "--token",
        default=None,  # read from the environment when run: a help text never shows a token
        help="Bearer 令牌；默认取环境变量 CHAKONG_TOKEN（比写在命令历史里安全） / bearer token; "
        "default: CHAKONG_TOKEN (safer than in the shell's history)",
    )


def _run_demo(args: argparse.Namespace) -> int:
    return run_event_loop(_demo(args))


async def _demo(args: argparse.Namespace) -> int:
    from gateway.app import Resources, auth_settings, create_app
    from gateway.auth.tokens import TokenService
    from gateway.demo import (
        GatewayServer,
        demo_cases,
        demo_tokens,
        seed_demo_cases,
        seed_demo_controls,
    )
    from gateway.demo_list import seed_demo_list
    from mocks.faults import FaultConfig
    from mocks.runner import MockServers

    agency_token = secrets.token_urlsafe(24)
    faults = FaultConfig(tail_ms=args.mock_latency_ms)
    async with MockServers(token=agency_token, faults=faults) as mocks:
        agencies = {
            agency: AgencySettings(url=url, token=SecretStr(agency_token))
            for agency, url in mocks.urls.items()
        }
        extra = {"database_url": args.database_url} if args.database_url else {}
        settings = Settings(host=args.host, port=args.port, agencies=agencies, demo=True, **extra)
        refused = _unreadable_persisted_file(settings)
        if refused is not None:
            print(refused, file=sys.stderr)
            return 2
        tokens = demo_tokens(TokenService(auth_settings(settings)))
        judge = next(iter(tokens.values()))
        headers = json.dumps({"Authorization": f"Bearer {judge}"}, indent=2)
        app = create_app(settings, explorer_headers=headers)
        async with GatewayServer(app, settings) as gateway:
            resources: Resources = app.state.resources
            await seed_demo_cases(resources)
            await seed_demo_controls(resources)
            # a few hundred audited events: recorded while the demo already answers
            seeding = asyncio.create_task(seed_demo_list(resources.listing))
            seeding.add_done_callback(_report_seeding)
            for agency, url in mocks.urls.items():
                print(f"  mock {agency:<10} {url}")
            print("\nDemo cases: " + ", ".join(str(c.case_number) for c in demo_cases()))
            print("Demo list: 300 entries in every state, being recorded in the background")
            print("Demo tokens (Authorization: Bearer <token>; the explorer has the judge's):")
            for who, token in tokens.items():
                print(f"  {who:<31} {token}")
            print(f"\n查控 chakong demo is running. Open the explorer: {gateway.url}/graphql")
            print("Press Ctrl-C to stop.", flush=True)
            await _until_signalled()
            seeding.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await seeding
    return 0


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError(
            f"进程数应为 1 至 64 的整数 / the number of workers must be a whole number from 1 to "
            f"64, not {text!r}"
        )
    return value


def _run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.app import ConfigurationError, create_app
    from gateway.runtime import tune_gc, tune_threads
    from gateway.server import migrate_once, uvicorn_options
    from gateway.store.migrate import NewerDatabaseError

    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    settings = Settings(**overrides)
    logging.getLogger().setLevel(settings.log_level.upper())  # CHAKONG_LOG_LEVEL
    refused = _unreadable_persisted_file(settings)
    if refused is not None:
        print(refused, file=sys.stderr)
        return 2
    try:
        app = create_app(settings)
    except ConfigurationError as exc:
        print(f"配置无效 / invalid configuration: {exc}", file=sys.stderr)
        return 2
    # before the migrations: a port in use is _main's bilingual message, not uvicorn's
    try:
        _try_listening(settings.host, settings.port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise
        print(
            f"无法在 {settings.host}:{settings.port} 监听 / cannot listen on "
            f"{settings.host}:{settings.port}: {exc.strerror or type(exc).__name__}",
            file=sys.stderr,
        )
        return 2
    unknown = [a for a in AGENCIES.names() if not settings.agency(a).url]
    if unknown:
        log.info("agencies without a URL answer NOT_CONFIGURED: %s", ", ".join(unknown))
    options = uvicorn_options(settings) | {
        "log_config": uvicorn_log_config(),
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
    }
    # the schema is brought up to date once, here, before any worker starts (several would
    # otherwise migrate at once); a database of a newer release is said here, not as a traceback
    try:
        asyncio.run(migrate_once(settings.database_url))
    except NewerDatabaseError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.workers == 1:
        tune_gc(freeze=settings.gc_freeze, young_threshold=settings.gc_young_threshold)
        tune_threads(switch_interval_ms=settings.switch_interval_ms)
        uvicorn.run(app, **options)
        return 0
    # each worker builds its own application from the environment (the overrides included)
    os.environ.update({f"CHAKONG_{k.upper()}": str(v) for k, v in overrides.items()})
    uvicorn.run("gateway.server:worker_app", factory=True, workers=args.workers, **options)
    return 0


def _unreadable_persisted_file(settings: Settings) -> str | None:
    """Why the persisted operations' file (CHAKONG_LIMITS__PERSISTED_FILE) cannot be used, as
    the command says it; ``None`` when there is none or it can."""
    from gateway.services.persisted import PersistedOperations

    file = settings.limits.persisted_file
    if not file:
        return None
    try:
        PersistedOperations.from_file(file)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
    except ValueError as exc:  # not UTF-8, not JSON, or not an allow-list of hashes
        reason = str(exc)
    else:
        return None
    return (
        f"配置无效 / invalid configuration:\n  limits.persisted_file: 持久化操作文件 {file} "
        f"无法读取：{reason} / the persisted operations file {file} cannot be read: {reason}"
    )


def _try_listening(host: str, port: int) -> None:
    """Bind ``host:port`` as uvicorn will, then let go: ``OSError`` when it cannot listen
    there (``EADDRINUSE``: the port is in use). Port 0 (any free port) always can."""
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def _run_mocks(args: argparse.Namespace) -> int:
    return run_event_loop(_mocks(args))


async def _mocks(args: argparse.Namespace) -> int:
    from mocks.faults import FaultConfig
    from mocks.registry import MOCK_AGENCIES
    from mocks.runner import AppServer
    from mocks.server import create_mock_app

    names = [n.strip().lower() for n in args.agencies.split(",") if n.strip()]
    unknown = [n for n in names if n not in AGENCIES]
    if unknown:
        print(f"未知单位 / unknown agency: {', '.join(unknown)}", file=sys.stderr)
        return 2
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:  # one mock per agency: a second would take a port and answer for nobody
        print(f"单位重复 / agency named twice: {', '.join(twice)}", file=sys.stderr)
        return 2
    agencies = names or list(MOCK_AGENCIES)
    missing = [a for a in agencies if a not in MOCK_AGENCIES]
    if missing:
        print(f"没有模拟服务 / no mock for: {', '.join(missing)}", file=sys.stderr)
        return 2
    last = args.port + len(agencies) - 1
    if args.port and last > MAX_PORT:
        print(
            f"端口不够：{len(agencies)} 个单位从 {args.port} 起依次占用端口，超过了 {MAX_PORT} / "
            f"not enough ports: {len(agencies)} agencies take consecutive ports from "
            f"{args.port}, past {MAX_PORT}; choose a lower --port (or 0)",
            file=sys.stderr,
        )
        return 2
    token = args.token or secrets.token_urlsafe(24)
    faults = FaultConfig(
        latency_ms=args.latency_ms, tail_ms=args.tail_ms, error_rate=args.error_rate
    )
    servers = [
        AppServer(
            create_mock_app(agency, token=token, faults=faults),
            host=args.host,
            port=0 if args.port == 0 else args.port + i,
        )
        for i, agency in enumerate(agencies)
    ]
    async with contextlib.AsyncExitStack() as stack:
        for server in servers:
            await stack.enter_async_context(server)
        print("Mock agencies are running. Configure the gateway with:\n")
        for agency, server in zip(agencies, servers, strict=True):
            key = agency.upper()
            print(f"  CHAKONG_AGENCIES__{key}__URL={server.url}")
            print(f"  CHAKONG_AGENCIES__{key}__TOKEN={token}")
        print("\nPress Ctrl-C to stop.", flush=True)
        await _until_signalled()
    return 0


def _run_schema(args: argparse.Namespace) -> int:
    from gateway.api import build_schema

    print(build_schema().as_str())
    return 0


def _run_contract(args: argparse.Namespace) -> int:
    """Regenerate each agency's contract from its spec; ``check`` exits 1 when one is stale."""
    from connectors.openapi import (
        contract_path,
        document,
        examples_of,
        load_contract,
        render,
        request_example,
    )

    stale = []
    for spec in AGENCIES:
        path = contract_path(spec)
        if args.refresh_examples:
            request = request_example(spec)
            examples = {
                "request": request,
                "response": asyncio.run(_mock_answer(spec.name, request)),
            }
        else:
            examples = examples_of(load_contract(spec))
        text = render(document(spec, examples))
        if path.read_text(encoding="utf-8") != text:
            stale.append(spec.name)
            if args.action == "write":
                path.write_text(text, encoding="utf-8")
    verb = "已更新 / written" if args.action == "write" else "已过期 / stale"
    print(f"{verb}: {', '.join(stale) or '-'}")
    return 1 if stale and args.action == "check" else 0


async def _mock_answer(agency: str, request: dict[str, object]) -> object:
    """What the agency's mock answers ``request`` (in process): the contract's example."""
    import httpx

    from mocks.server import create_mock_app

    app = create_mock_app(agency, token="contract-examples")  # noqa: S106 - in process only
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
        answer = await client.post(
            "/v1/inquiries", json=request, headers={"Authorization": "Bearer contract-examples"}
        )
        answer.raise_for_status()
        return answer.json()


def _run_token(args: argparse.Namespace) -> int:
    from gateway.auth.tokens import TokenRequestError, TokenService, demo_auth
    from gateway.domain.errors import InvalidInputError
    from gateway.domain.inputs import fold_judge_id

    settings = Settings()
    auth = settings.auth
    if not auth.keys:
        print(
            "未配置 CHAKONG_AUTH__KEYS__*，使用演示密钥（仅演示模式接受） / no "
            "CHAKONG_AUTH__KEYS__* configured: signing with the demo key, which only a gateway "
            "in demo mode accepts (chakong demo, or CHAKONG_DEMO=true)",
            file=sys.stderr,
        )
        auth = demo_auth()
    role = Role(args.role)
    # as the gateway reads the judge's id (Ｊ００１ is J001), in the claim and the default sub
    try:
        judge = fold_judge_id(args.judge) if args.judge else args.judge
    except InvalidInputError as exc:
        print(f"--judge: {exc.message_zh} / {exc.message_en}", file=sys.stderr)
        return 2
    subject = args.subject or _default_subject(role, args.court, judge, args.department)
    try:
        token = TokenService(auth).issue(
            role,
            subject=subject,
            court=args.court,
            judge=judge,
            department=args.department,
            ttl_s=args.ttl,
            permissions=args.permission,
        )
    except TokenRequestError as exc:
        print(
            f"无法签发令牌：{exc.message_zh} / cannot issue the token: {exc.message_en}",
            file=sys.stderr,
        )
        return 2
    print(token)
    return 0


def _default_subject(
    role: Role, court: str | None, judge: str | None, department: str | None
) -> str:
    scope = [v for v in (court, judge, department) if v]
    return ":".join([role.value.lower(), *scope])


def _run_reconcile(args: argparse.Namespace) -> int:
    from gateway.app import ConfigurationError, audit_key
    from gateway.cli_controls import reconcile_command

    settings = Settings()
    try:
        # the gateway's own key, never the demo's fallback: the reconciler writes to the chain
        key = audit_key(settings)
    except ConfigurationError as exc:
        print(exc, file=sys.stderr)
        return 2
    return reconcile_command(settings, key, passes=max(1, args.passes), wait_s=max(0.0, args.wait))


def _run_audit_verify(args: argparse.Namespace) -> int:
    from gateway.cli_audit import verify_command
    from gateway.services.audit_checkpoint import CheckpointError, load_public_key

    settings = Settings()
    url = args.database_url or settings.database_url
    if args.checkpoint is None and (args.public_key or args.log_name):
        print(
            "--public-key 与 --log-name 需配合 --checkpoint 使用 / --public-key and --log-name go "
            "with --checkpoint",
            file=sys.stderr,
        )
        return 2
    key = None if args.hashes_only else _verify_key(settings)
    if args.checkpoint is None:
        return verify_command(url, key)
    if args.public_key is not None:
        try:
            public = load_public_key(args.public_key)
        except CheckpointError as exc:
            print(str(exc), file=sys.stderr)
            return 1
    else:
        signer = _signer(settings)
        if signer is None:
            return 2
        print(
            "未给出 --public-key：用网关自己的签名密钥核对；审计方应使用自己保存的公钥 / no "
            "--public-key: checking with the gateway's own signing key; an auditor uses the "
            "public key they hold",
            file=sys.stderr,
        )
        public = signer.public_key
    return verify_command(
        url,
        key,
        checkpoint_file=args.checkpoint,
        public_key=public,
        log_name=args.log_name or settings.audit_log_name,
    )


def _run_audit_checkpoint(args: argparse.Namespace) -> int:
    from gateway.cli_audit import checkpoint_command

    settings = Settings()
    signer = _signer(settings)
    if signer is None:
        return 2
    url = args.database_url or settings.database_url
    return checkpoint_command(url, _verify_key(settings), signer, args.out)


def _run_audit_keygen(args: argparse.Namespace) -> int:
    from gateway.cli_audit import keygen_command

    return keygen_command(args.out)


def _run_audit_public_key(args: argparse.Namespace) -> int:
    from gateway.services.audit_checkpoint import public_pem

    signer = _signer(Settings())
    if signer is None:
        return 2
    print(public_pem(signer.public_key).decode(), end="")
    return 0


def _run_audit_seal(args: argparse.Namespace) -> int:
    from gateway.cli_audit import seal_command

    settings = Settings()
    url = args.database_url or settings.database_url
    return seal_command(url, _verify_key(settings))


def _signer(settings: Settings) -> CheckpointSigner | None:
    """The checkpoint signer (CHAKONG_AUDIT_SIGNING_KEY_FILE, or the demo's with CHAKONG_DEMO);
    ``None``, with the reason printed, when there is none."""
    from gateway.app import ConfigurationError, checkpoint_signer

    try:
        return checkpoint_signer(settings, required=True)
    except ConfigurationError as exc:
        print(str(exc), file=sys.stderr)
        return None


def _verify_key(settings: Settings) -> bytes:
    """The gateway's audit key; the demo's when none is configured (to check a demo's log)."""
    from gateway.app import audit_key

    if not settings.audit_key.get_secret_value() and not settings.demo:
        print(
            "未配置 CHAKONG_AUDIT_KEY，使用演示密钥 / no CHAKONG_AUDIT_KEY: using the demo key",
            file=sys.stderr,
        )
        settings = settings.model_copy(update={"demo": True})
    return audit_key(settings)


def _run_conformance(args: argparse.Namespace) -> int:
    from gateway.cli_inquire import url_problem
    from mocks.contract.kit import UnusableTokenError, check_endpoint

    problem = url_problem(args.url)
    if problem is not None:
        print(f"--url: {' / '.join(problem)}", file=sys.stderr)
        return 2
    try:
        results = asyncio.run(check_endpoint(args.url, args.token, args.agency))
    except UnusableTokenError as exc:
        print(f"--token: {exc}", file=sys.stderr)
        return 2
    for result in results:
        mark = "PASS" if result.passed else "FAIL"
        print(f"{mark}  {result.name}  {result.detail}")
    passed = sum(r.passed for r in results)
    failed = len(results) - passed
    print(f"{passed} 项通过，{failed} 项未通过 / {passed} passed, {failed} failed")
    return 0 if passed == len(results) else 1


def _run_report(args: argparse.Namespace) -> int:
    from gateway.cli_inquire import fetch_report, url_problem

    problem = url_problem(args.url)  # before _client_command: --url's own message, status 2
    if problem is not None:
        print(f"--url: {' / '.join(problem)}", file=sys.stderr)
        return 2

    async def report(gateway: GatewayClient) -> int:
        body, name = await fetch_report(gateway, args.case, args.subject, args.kind, args.format)
        _save(args.out, body, name)
        return 0

    return _client_command(args, report)


def _save(out: str | None, body: bytes, name: str) -> None:
    if out == "-":
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
        return
    path = Path(out or name)
    path.write_bytes(body)
    print(path)


def _run_inquire(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    from gateway.api import build_schema
    from gateway.cli_inquire import InquireOptions, run_inquire

    options = InquireOptions(
        case_number=args.case,
        source=args.file,
        out=args.out,
        batch=args.batch,
        deadline_ms=args.deadline_ms,
        restart=args.restart,
    )
    console = Console(stderr=True, soft_wrap=True)

    async def inquire(gateway: GatewayClient) -> int:
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        )
        with Bar(*columns, console=console) as bar:

            def started(total: int, done: int) -> Callable[[int], None]:
                task = bar.add_task("查询 / inquiring", total=total, completed=done)
                return lambda n: bar.advance(task, n)

            def writing(rows: int) -> Callable[[int], None]:
                task = bar.add_task("写入 / writing", total=rows)
                return lambda n: bar.advance(task, n)

            result = await run_inquire(
                gateway, options, build_schema()._schema, started=started, writing=writing
            )
        console.print(
            f"{args.out}: 本次查询 {result.asked} 人，跳过已完成 {result.skipped} 人，"
            f"财产 {result.assets} 条，问题行 {result.bad} 行 / asked about {result.asked}, "
            f"skipped {result.skipped} done before, {result.assets} assets, {result.bad} bad rows"
        )
        return 0

    try:
        return _client_command(args, inquire)
    except KeyboardInterrupt:
        console.print(
            "已中断，进度已保存；再次运行同一命令即可继续 / interrupted: the progress is kept; run "
            "the same command again to go on"
        )
        return 130


def _client_command(
    args: argparse.Namespace, command: Callable[[GatewayClient], Awaitable[int]]
) -> int:
    """Run a command against the gateway at ``--url`` with ``--token``; its errors, coded."""
    import httpx

    from gateway.cli_inquire import CliError, GatewayClient, check_url

    token = args.token or os.environ.get("CHAKONG_TOKEN")
    if not token:
        print(
            "缺少令牌：请设置 CHAKONG_TOKEN 或使用 --token / no token: set CHAKONG_TOKEN or use "
            "--token",
            file=sys.stderr,
        )
        return 2

    async def main() -> int:
        async with httpx.AsyncClient(base_url=check_url(args.url), timeout=CLIENT_TIMEOUT_S) as c:
            return await command(GatewayClient(c, token))

    try:
        return asyncio.run(main())
    except CliError as exc:
        print(f"{exc.code}: {exc.message}", file=sys.stderr)
    except httpx.HTTPError as exc:
        print(f"无法连接网关 / cannot reach the gateway at {args.url}: {exc!r}", file=sys.stderr)
    except OSError as exc:  # the input or output file
        print(f"文件错误 / file error: {exc}", file=sys.stderr)
    return 1


def _report_seeding(task: asyncio.Task[int]) -> None:
    if task.cancelled():
        return
    failure = task.exception()
    if failure is not None:
        print(f"Demo list: recording failed: {failure!r}", flush=True)
    elif task.result() == 0:
        print("Demo list: recorded by an earlier demo on this database", flush=True)
    else:
        print(f"Demo list: {task.result()} entries recorded", flush=True)


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


if __name__ == "__main__":
    sys.exit(main())
