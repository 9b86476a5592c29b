"""GraphiQL explorer that works on an isolated court network.

The page loads nothing from the internet: its scripts and stylesheet come from this
folder's ``node_modules`` (installed from the npm registry with :data:`INSTALL_COMMAND`,
versions pinned in ``package.json``/``package-lock.json``) and are served by the gateway
from an explicit allow-list of files, never from a general static mount.

Our own part, the result view (``src/results.js``, ``src/results.css``) and the Chinese font
(``src/fonts.css``: Noto Sans SC from ``@fontsource/noto-sans-sc``, split by unicode range),
is bundled by esbuild into ``dist/`` at set-up (:data:`BUILD_COMMAND`, run by ``make
install``; never committed). Of ``dist/`` only the files esbuild lists as its outputs in
``dist/meta.json`` are served, under :data:`BUILD_URL_PREFIX`.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.http.status import http_exception

__all__ = [
    "ASSETS",
    "ASSETS_DIR",
    "ASSETS_URL_PREFIX",
    "BUILD_COMMAND",
    "BUILD_DIR",
    "BUILD_URL_PREFIX",
    "BUILT",
    "FONT_CSS_URL",
    "INSTALL_COMMAND",
    "assets_missing",
    "build_missing",
    "built_outputs",
    "explorer_page",
    "explorer_routes",
    "versioned_font_css_url",
]

_HERE = Path(__file__).resolve().parent

ASSETS_DIR: Path = _HERE / "node_modules"
"""Where ``npm ci`` puts the third-party browser code."""

ASSETS_URL_PREFIX = "/explorer/assets"
INSTALL_COMMAND = "npm ci --prefix gateway/explorer --no-audit --no-fund"

BUILD_DIR: Path = _HERE / "dist"
"""Where ``npm run build`` (esbuild) puts the result view and the font."""

BUILD_URL_PREFIX = "/explorer/build"
BUILD_COMMAND = "npm run --prefix gateway/explorer build"
FONT_CSS_URL = f"{BUILD_URL_PREFIX}/fonts.css"
"""The Chinese font's stylesheet (``font-family: "Noto Sans SC"``), for any page of the gateway;
a page of the gateway's own links :func:`versioned_font_css_url`, which is cached for good."""

_JS = "text/javascript; charset=utf-8"
_CSS = "text/css; charset=utf-8"

ASSETS: dict[str, tuple[str, str]] = {
    # URL file name: (path inside node_modules, content type). Scripts in load order.
    "graphiql.min.css": ("graphiql/graphiql.min.css", _CSS),
    "react.production.min.js": ("react/umd/react.production.min.js", _JS),
    "react-dom.production.min.js": ("react-dom/umd/react-dom.production.min.js", _JS),
    "graphiql.min.js": ("graphiql/graphiql.min.js", _JS),
}
"""The only files served; graphiql's UMD bundle already contains graphql-js."""

BUILT: tuple[str, ...] = ("fonts.css", "results.css", "results.js")
"""The built files the page links, in load order (the fonts' files are linked by fonts.css)."""

_BUILT_TYPES = {
    ".js": _JS,
    ".css": _CSS,
    ".woff2": "font/woff2",
    ".woff": "font/woff",
}

# Safe to cache for good only where the URL says which version it is: the page's URLs carry
# ``?v=`` with a hash of package-lock.json and the built files (see _asset_url), the font's
# pieces a hash of their own in their names (esbuild's ``--asset-names=fonts/[name]-[hash]``).
_CACHE_FOREVER = "public, max-age=31536000, immutable"
# Any other request (``/explorer/build/fonts.css`` as docs/explorer.md's example links it,
# an old or a wrong ``?v=``) may be stored but is asked about again each time: answered 304
# when its ETag (or its Last-Modified) still holds, so an upgrade is seen at once.
_REVALIDATE = "no-cache"

_NOT_INSTALLED = (
    "查控 GraphQL 浏览器的前端资源未安装：缺少 {missing}。\n"
    "请在仓库根目录运行 `make demo`，或运行：{command}\n"
    "\n"
    "The chakong GraphQL explorer's browser assets are not installed: {missing} is missing.\n"
    "From the repository root run `make demo`, or: {command}\n"
)
_NOT_BUILT_COMMAND = f"{INSTALL_COMMAND} && {BUILD_COMMAND}"


def assets_missing(assets_dir: Path = ASSETS_DIR) -> list[str]:
    """The allow-listed asset files (paths inside node_modules) that are not present."""
    return [rel for rel, _ in ASSETS.values() if not (assets_dir / rel).is_file()]


def build_missing(build_dir: Path = BUILD_DIR) -> list[str]:
    """The built files the page links (:data:`BUILT`) that are not present in ``build_dir``."""
    return [name for name in BUILT if not (build_dir / name).is_file()]


def built_outputs(build_dir: Path = BUILD_DIR) -> frozenset[str]:
    """The files esbuild says it wrote (paths inside ``build_dir``): the build's allow-list."""
    try:
        modified = os.stat(build_dir / "meta.json").st_mtime_ns
    except OSError:
        return frozenset()
    return _read_outputs(build_dir, modified)


@functools.lru_cache(maxsize=4)
def _read_outputs(build_dir: Path, _modified: int) -> frozenset[str]:
    # keyed by the file's modification time: a rebuild is seen without a restart
    try:
        meta = json.loads((build_dir / "meta.json").read_bytes())
        outputs = meta["outputs"]
    except (OSError, ValueError, KeyError, TypeError):
        return frozenset()
    prefix = f"{build_dir.name}/"
    return frozenset(
        name.removeprefix(prefix)
        for name in outputs
        if isinstance(name, str) and Path(name).suffix in _BUILT_TYPES
    )


def explorer_routes(assets_dir: Path = ASSETS_DIR, build_dir: Path = BUILD_DIR) -> list[BaseRoute]:
    """One GET route per allow-listed asset under :data:`ASSETS_URL_PREFIX`, and one for
    the build's outputs under :data:`BUILD_URL_PREFIX`."""
    return [
        *(
            Route(
                f"{ASSETS_URL_PREFIX}/{name}",
                _asset_endpoint(assets_dir / rel, rel, content_type),
                methods=["GET"],
                name=f"explorer-asset:{name}",
            )
            for name, (rel, content_type) in ASSETS.items()
        ),
        Route(
            f"{BUILD_URL_PREFIX}/{{name:path}}",
            _built_endpoint(build_dir),
            methods=["GET"],
            name="explorer-build",
        ),
    ]


def _file_response(
    request: Request,
    path: Path,
    content_type: str,
    missing: str,
    command: str,
    *,
    immutable: bool,
) -> Response:
    """The file, ``immutable`` or to be revalidated; 304 when the request's validators say the
    caller has it already; a bilingual 404 naming ``command`` when it is not installed."""
    try:
        stat_result = os.stat(path)
    except OSError:
        return PlainTextResponse(
            _NOT_INSTALLED.format(missing=missing, command=command),
            status_code=404,
            headers={"Cache-Control": "no-store"},
        )
    response = FileResponse(
        path,
        media_type=content_type,
        stat_result=stat_result,  # gives the ETag and Last-Modified (of mtime and size)
        headers={
            "Cache-Control": _CACHE_FOREVER if immutable else _REVALIDATE,
            "X-Content-Type-Options": "nosniff",
        },
    )
    if _not_modified(request.headers, response.headers):
        kept = ("cache-control", "etag", "last-modified", "x-content-type-options")
        return Response(
            status_code=304, headers={k: response.headers[k] for k in kept if k in response.headers}
        )
    return response


def _not_modified(request: Headers, response: Headers) -> bool:
    """RFC 9110 13.1.2 and 13.1.3 for a GET: ``If-None-Match`` (weak comparison, ``*``) decides;
    without it, ``If-Modified-Since`` does."""
    if_none_match = request.get("if-none-match")
    if if_none_match is not None:
        etag = response.get("etag", "").removeprefix("W/")
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return bool(etag) and ("*" in tags or etag in tags)
    since, modified = request.get("if-modified-since"), response.get("last-modified")
    if not since or not modified:
        return False
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):  # not an HTTP date: ignored (RFC 9110 13.1.3)
        return False


def _versioned(request: Request) -> bool:
    """The request carries ``?v=`` of the files served now, once: the URL the page links."""
    return request.query_params.getlist("v") == [_assets_version()]


def _asset_endpoint(path: Path, rel: str, content_type: str) -> Callable[[Request], Response]:
    # A sync endpoint: Starlette runs it in a worker thread, so the stat does not block.
    def endpoint(request: Request) -> Response:
        return _file_response(
            request, path, content_type, rel, INSTALL_COMMAND, immutable=_versioned(request)
        )

    return endpoint


def _built_endpoint(build_dir: Path) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        name = str(request.path_params["name"])
        content_type = _BUILT_TYPES.get(Path(name).suffix)
        if content_type and name in BUILT:
            # linked by the page, which gives their version: when not built yet, say how to
            # build them
            immutable = _versioned(request)
        elif content_type and name in await run_in_threadpool(built_outputs, build_dir):
            immutable = True  # the font's pieces: their names carry a hash of their bytes
        else:
            # nothing else is served: the coded 404 of every other unknown path
            return await http_exception(request, HTTPException(404))
        return await run_in_threadpool(
            _file_response,
            request,
            build_dir / name,
            content_type,
            name,
            _NOT_BUILT_COMMAND,
            immutable=immutable,
        )

    return endpoint


@functools.cache
def _assets_version() -> str:
    """Short hash of the lock file and the built files, so a change of pinned versions or of
    the result view changes every URL."""
    digest = hashlib.sha256()
    for path in (_HERE / "package-lock.json", *(BUILD_DIR / name for name in BUILT)):
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"-")
    return digest.hexdigest()[:12]


def _asset_url(name: str) -> str:
    return f"{ASSETS_URL_PREFIX}/{name}?v={_assets_version()}"


def _built_url(name: str) -> str:
    return f"{BUILD_URL_PREFIX}/{name}?v={_assets_version()}"


def versioned_font_css_url() -> str:
    """:data:`FONT_CSS_URL` with the current ``?v=``, as the explorer links it (the report too)."""
    return _built_url("fonts.css")


def _script_json(value: object) -> str:
    """JSON for inside a ``<script>`` element: no ``<``, ``>`` or ``&`` can end it early."""
    text = json.dumps(value, ensure_ascii=False)
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text


def explorer_page(
    *,
    endpoint: str,
    default_query: str,
    default_variables: str = "",
    default_headers: str = "",
    title: str = "chakong 查控",
) -> str:
    """The explorer's HTML: GraphiQL against ``endpoint``, pre-filled, headers editable."""
    config = _script_json(
        {
            "endpoint": endpoint,
            "query": default_query,
            "variables": default_variables,
            "headers": default_headers,
            "title": title,
        }
    )
    css = [_asset_url(name) for name, (_, kind) in ASSETS.items() if kind == _CSS]
    js = [_asset_url(name) for name, (_, kind) in ASSETS.items() if kind == _JS]
    css += [_built_url(name) for name in BUILT if name.endswith(".css")]
    js += [_built_url(name) for name in BUILT if name.endswith(".js")]
    stylesheets = "\n".join(f'<link rel="stylesheet" href="{url}">' for url in css)
    scripts = "\n".join(f'<script src="{url}"></script>' for url in js)
    return _PAGE.format(
        title=html.escape(title),
        stylesheets=stylesheets,
        scripts=scripts,
        config=config,
        command=html.escape(INSTALL_COMMAND),
        build=html.escape(BUILD_COMMAND),
    )


_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{title} · GraphQL 浏览器 / explorer</title>
<link rel="icon" href="data:,">
{stylesheets}
<style>
  html, body {{ height: 100%; margin: 0; }}
  body {{
    display: flex; flex-direction: column;
    /* the served Noto Sans SC first: Chinese renders whatever fonts the machine has (with
       it later in the list, Chromium kept empty boxes for bold text drawn while loading) */
    font-family: "Noto Sans SC", system-ui, sans-serif;
  }}
  .graphiql-container, .CodeMirror-info, .CodeMirror-lint-tooltip, .graphiql-dialog,
  .graphiql-tooltip, [data-radix-popper-content-wrapper] {{
    --font-family: "Roboto", system-ui, "Noto Sans SC", sans-serif;
    --font-family-mono: "Fira Code", ui-monospace, monospace, "Noto Sans SC";
  }}
  .explorer-header {{
    flex: none; padding: 6px 16px; background: #1f2937; color: #f9fafb;
    font-size: 15px; display: flex; gap: 12px; align-items: baseline;
  }}
  .explorer-header small {{ color: #cbd5e1; font-size: 13px; }}
  .explorer-views {{ margin-left: auto; display: flex; gap: 4px; }}
  .explorer-views button {{
    font: inherit; font-size: 13px; padding: 2px 10px; border: 1px solid #94a3b8;
    background: transparent; color: #f9fafb; border-radius: 4px; cursor: pointer;
  }}
  .explorer-views button[aria-pressed="true"] {{ background: #f9fafb; color: #1f2937; }}
  .explorer-alert {{
    flex: none; margin: 16px; padding: 12px 16px; border: 2px solid #b91c1c;
    background: #fef2f2; color: #7f1d1d; font-size: 15px; line-height: 1.6;
  }}
  .explorer-alert[hidden] {{ display: none; }}
  .explorer-alert code {{ background: #fee2e2; padding: 0 4px; }}
  .explorer-body {{ flex: 1; min-height: 0; display: flex; }}
  #graphiql {{ flex: 1 1 45%; min-width: 0; }}
  #chakong-results {{
    flex: 1 1 55%; min-width: 0; overflow: auto; border-left: 3px solid #1f2937;
    background: #fff;
  }}
  #chakong-results[hidden] {{ display: none; }}
  .results-hint {{ margin: 16px; color: #4b5563; }}
</style>
</head>
<body>
<header class="explorer-header">
  <strong>{title}</strong>
  <small>GraphQL 接口浏览器 · GraphQL explorer</small>
  <nav class="explorer-views" aria-label="显示方式 / View">
    <button type="button" id="show-results" aria-pressed="true">结果视图 Result view</button>
    <button type="button" id="show-json" aria-pressed="false">仅 JSON / JSON only</button>
  </nav>
</header>
<div id="explorer-error" class="explorer-alert" role="alert" hidden>
  <strong>浏览器页面加载失败 · The explorer failed to load</strong><br>
  前端资源未安装或无法加载。请运维人员在仓库根目录运行 <code>make demo</code>
  或 <code>{command}</code>，然后刷新本页。<br>
  Its browser assets are missing or could not be loaded. Operator: from the repository
  root run <code>make demo</code> or <code>{command}</code>, then reload this page.
  <div id="explorer-error-detail"></div>
</div>
<noscript>
  <div class="explorer-alert">
    本页面需要启用 JavaScript。· This page needs JavaScript enabled.
  </div>
</noscript>
<div class="explorer-body">
  <main id="graphiql">正在加载… · Loading…</main>
  <aside id="chakong-results" aria-label="结果视图 / Result view" data-state="empty">
    <p class="results-hint">
    运行查询（▶）后，被执行人的查询结果在此以表格显示；原始 JSON 在左侧。<br>
    Run the query (▶): a debtor's answer is drawn here as tables; the raw JSON is on the left.</p>
  </aside>
</div>
{scripts}
<script>
(function () {{
  "use strict";
  var config = {config};
  function fail(detail) {{
    var box = document.getElementById("explorer-error");
    document.getElementById("explorer-error-detail").textContent = detail || "";
    box.hidden = false;
    document.getElementById("graphiql").textContent = "";
  }}
  if (!window.React || !window.ReactDOM || !window.GraphiQL) {{
    fail("React / ReactDOM / GraphiQL not loaded.");
    return;
  }}
  var panel = document.getElementById("chakong-results");
  function show(results) {{
    panel.hidden = !results;
    document.getElementById("show-results").setAttribute("aria-pressed", String(results));
    document.getElementById("show-json").setAttribute("aria-pressed", String(!results));
  }}
  document.getElementById("show-results").onclick = function () {{ show(true); }};
  document.getElementById("show-json").onclick = function () {{ show(false); }};
  try {{
    var fetcher = GraphiQL.createFetcher({{ url: config.endpoint }});
    if (window.ChakongResults) {{
      fetcher = ChakongResults.watch(fetcher, panel);  // draws each answer as tables
    }} else {{
      panel.textContent = "结果视图未构建 · The result view is not built: {build}";
    }}
    var explorer = React.createElement(
      GraphiQL,
      {{
        fetcher: fetcher,
        query: config.query,
        variables: config.variables,
        headers: config.headers || undefined,  // the demo pre-fills a judge's token
        isHeadersEditorEnabled: true,
        shouldPersistHeaders: true,
        defaultEditorToolsVisibility: true
      }},
      // our own logo: GraphiQL's default one links to a website the court network can't reach
      React.createElement(GraphiQL.Logo, null, config.title)
    );
    var root = document.getElementById("graphiql");
    ReactDOM.createRoot(root).render(explorer);
    if (window.ChakongResults) ChakongResults.translate(root);
  }} catch (error) {{
    fail(String(error));
  }}
}})();
</script>
</body>
</html>
"""
