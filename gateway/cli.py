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
import sys
from collections.abc import Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr, ValidationError

from connectors.registry import AGENCIES
from gateway.auth.principal import PERMISSIONS, Role
from gateway.logs import mask_root_handlers, uvicorn_log_config
from gateway.settings import AgencySettings, Settings

if TYPE_CHECKING:
    from gateway.services.audit_checkpoint import CheckpointSigner

log = logging.getLogger("chakong")


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
        print(f"配置无效 / invalid configuration:\n{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        if isinstance(exc, BrokenPipeError) or exc.errno != errno.EADDRINUSE:
            raise
        print(
            f"端口已被占用，请用 --port 换一个端口（make demo PORT=8080） / a port is already in "
            f"use ({exc.strerror}): choose another with --port (make demo PORT=8080)",
            file=sys.stderr,
        )
        return 2
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chakong", description="查控 debtor-asset inquiry gateway"
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="the gateway and every mock agency, on embedded defaults")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument(
        "--mock-latency-ms", type=float, default=40.0, help="median extra latency of the mocks"
    )
    demo.add_argument("--database-url", default=None, help="default: sqlite file chakong.db")
    demo.set_defaults(run=_run_demo)

    serve = sub.add_parser("serve", help="the gateway alone, configured by CHAKONG_* variables")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.set_defaults(run=_run_serve)

    mocks = sub.add_parser("mocks", help="the mock agencies alone, as HTTP servers")
    mocks.add_argument("--host", default="127.0.0.1")
    mocks.add_argument(
        "--port", type=int, default=9100, help="first port; agencies take consecutive ports"
    )
    mocks.add_argument("--agencies", default="", help="comma-separated, default: all with a mock")
    mocks.add_argument("--token", default=None, help="bearer token; default: a random one")
    mocks.add_argument("--latency-ms", type=float, default=0.0)
    mocks.add_argument("--tail-ms", type=float, default=0.0)
    mocks.add_argument("--error-rate", type=float, default=0.0)
    mocks.set_defaults(run=_run_mocks)

    schema = sub.add_parser(
        "schema", help="print the GraphQL schema (SDL), as in docs/schema.graphql"
    )
    schema.set_defaults(run=_run_schema)

    contract = sub.add_parser(
        "contract",
        help="write or check the agencies' committed contracts (connectors/<agency>/openapi.json)",
    )
    contract.add_argument("action", choices=("write", "check"))
    contract.add_argument(
        "--refresh-examples",
        action="store_true",
        help="take the example answers anew from the mocks (default: keep the committed ones)",
    )
    contract.set_defaults(run=_run_contract)

    token = sub.add_parser(
        "token",
        help="issue a bearer token (signed with CHAKONG_AUTH__KEYS__*, else the demo key)",
    )
    token.add_argument(
        "--role", required=True, choices=[r.value for r in Role if r is not Role.PUBLIC]
    )
    token.add_argument(
        "--court", type=_court_code, help="court code as in case numbers, e.g. 苏0812"
    )
    token.add_argument("--judge", help="judge id (JUDGE)")
    token.add_argument("--department", help="department id (DEPARTMENT)")
    token.add_argument("--subject", help="who the token is for (default: from role and scope)")
    token.add_argument(
        "--ttl", type=_seconds, default=None, help="seconds (more than 0); default from settings"
    )
    token.add_argument(
        "--permission",
        action="append",
        default=[],
        choices=sorted(PERMISSIONS),
        help="a grant for a JUDGE token (approve_deductions: approve another judge's deduction)",
    )
    token.set_defaults(run=_run_token)

    reconcile = sub.add_parser(
        "reconcile",
        help="settle UNKNOWN controls: ask the agencies, adopt their answers, resend only what "
        "they never saw (CHAKONG_DATABASE_URL, CHAKONG_AGENCIES__*)",
    )
    reconcile.add_argument("--passes", type=int, default=5, help="at most this many passes")
    reconcile.add_argument("--wait", type=float, default=2.0, help="seconds between passes")
    reconcile.set_defaults(run=_run_reconcile)

    audit = sub.add_parser("audit", help="the audit log")
    audit_sub = audit.add_subparsers(required=True, metavar="ACTION")
    verify = audit_sub.add_parser(
        "verify", help="check the audit log's hash chain (CHAKONG_DATABASE_URL, CHAKONG_AUDIT_KEY)"
    )
    verify.add_argument("--database-url", default=None)
    verify.add_argument(
        "--checkpoint", metavar="FILE", help="prove the log still extends this signed checkpoint"
    )
    verify.add_argument(
        "--public-key",
        metavar="FILE",
        help="the checkpoint key's public key (PEM); default: that of the gateway's own key",
    )
    verify.add_argument(
        "--log-name", help="the log's name the checkpoint must carry (CHAKONG_AUDIT_LOG_NAME)"
    )
    verify.add_argument(
        "--hashes-only",
        action="store_true",
        help="without the audit key: check the sequence numbers and hash links only",
    )
    verify.set_defaults(run=_run_audit_verify)
    checkpoint = audit_sub.add_parser(
        "checkpoint",
        help="verify the chain, then sign its head (CHAKONG_AUDIT_SIGNING_KEY_FILE)",
    )
    checkpoint.add_argument("--database-url", default=None)
    checkpoint.add_argument("--out", metavar="FILE", help="default: print the JSON")
    checkpoint.set_defaults(run=_run_audit_checkpoint)
    keygen = audit_sub.add_parser(
        "keygen", help="a new Ed25519 key pair for checkpoints: FILE (private) and FILE.pub"
    )
    keygen.add_argument("--out", metavar="FILE", required=True)
    keygen.set_defaults(run=_run_audit_keygen)
    public_key = audit_sub.add_parser(
        "public-key", help="print the public key of the checkpoint signing key (PEM)"
    )
    public_key.set_defaults(run=_run_audit_public_key)
    seal = audit_sub.add_parser(
        "seal", help="seal the head of a log written before revision 0002, once it verifies"
    )
    seal.add_argument("--database-url", default=None)
    seal.set_defaults(run=_run_audit_seal)

    conformance = sub.add_parser(
        "conformance", help="check an agency endpoint against the agency contract"
    )
    conformance.add_argument("--agency", required=True, choices=AGENCIES.names())
    conformance.add_argument("--url", required=True, help="the endpoint's base URL")
    conformance.add_argument("--token", required=True)
    conformance.set_defaults(run=_run_conformance)
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
    return seconds


def _run_demo(args: argparse.Namespace) -> int:
    return _run(_demo(args))


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
                print(f"  {who:<22} {token}")
            print(f"\n查控 chakong demo is running. Open the explorer: {gateway.url}/graphql")
            print("Press Ctrl-C to stop.", flush=True)
            await _until_signalled()
            seeding.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await seeding
    return 0


def _run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.app import ConfigurationError, create_app
    from gateway.server import uvicorn_options

    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    settings = Settings(**overrides)
    try:
        app = create_app(settings)
    except ConfigurationError as exc:
        print(f"配置无效 / invalid configuration: {exc}", file=sys.stderr)
        return 2
    unknown = [a for a in AGENCIES.names() if not settings.agency(a).url]
    if unknown:
        log.info("agencies without a URL answer NOT_CONFIGURED: %s", ", ".join(unknown))
    uvicorn.run(
        app,
        log_config=uvicorn_log_config(),
        host=settings.host,
        port=settings.port,
        log_level="info",
        **uvicorn_options(settings),
    )
    return 0


def _run_mocks(args: argparse.Namespace) -> int:
    return _run(_mocks(args))


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
    agencies = names or list(MOCK_AGENCIES)
    missing = [a for a in agencies if a not in MOCK_AGENCIES]
    if missing:
        print(f"没有模拟服务 / no mock for: {', '.join(missing)}", file=sys.stderr)
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
    from gateway.auth.tokens import TokenService, demo_auth

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
    subject = args.subject or _default_subject(role, args)
    try:
        token = TokenService(auth).issue(
            role,
            subject=subject,
            court=args.court,
            judge=args.judge,
            department=args.department,
            ttl_s=args.ttl,
            permissions=args.permission,
        )
    except ValueError as exc:
        print(f"无法签发令牌 / cannot issue the token: {exc}", file=sys.stderr)
        return 2
    print(token)
    return 0


def _default_subject(role: Role, args: argparse.Namespace) -> str:
    scope = [v for v in (args.court, args.judge, args.department) if v]
    return ":".join([role.value.lower(), *scope])


def _run_reconcile(args: argparse.Namespace) -> int:
    from gateway.cli_controls import reconcile_command

    settings = Settings()
    return reconcile_command(
        settings, _verify_key(settings), passes=max(1, args.passes), wait_s=max(0.0, args.wait)
    )


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
    from mocks.contract.kit import check_endpoint

    results = asyncio.run(check_endpoint(args.url, args.token, args.agency))
    for result in results:
        mark = "PASS" if result.passed else "FAIL"
        print(f"{mark}  {result.name}  {result.detail}")
    passed = sum(r.passed for r in results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


def _run(main: Coroutine[Any, Any, int]) -> int:
    """Run on uvloop where it is installed (as uvicorn does for ``serve``), else asyncio."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def _report_seeding(task: asyncio.Task[int]) -> None:
    if task.cancelled():
        return
    failure = task.exception()
    if failure is not None:
        print(f"Demo list: recording failed: {failure!r}", flush=True)
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
