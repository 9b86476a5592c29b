"""GraphiQL explorer that works on an isolated court network.

The page loads nothing from the internet: its scripts and stylesheet come from this
folder's ``node_modules`` (installed from the npm registry with :data:`INSTALL_COMMAND`,
versions pinned in ``package.json``/``package-lock.json``) and are served by the gateway
from an explicit allow-list of files, never from a general static mount.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
from collections.abc import Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

__all__ = [
    "ASSETS",
    "ASSETS_DIR",
    "ASSETS_URL_PREFIX",
    "INSTALL_COMMAND",
    "assets_missing",
    "explorer_page",
    "explorer_routes",
]

_HERE = Path(__file__).resolve().parent

ASSETS_DIR: Path = _HERE / "node_modules"
"""Where ``npm ci`` puts the third-party browser code."""

ASSETS_URL_PREFIX = "/explorer/assets"
INSTALL_COMMAND = "npm ci --prefix gateway/explorer --no-audit --no-fund"

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

# Safe to cache for good: the URLs carry a hash of package-lock.json (see _asset_url).
_CACHE_FOREVER = "public, max-age=31536000, immutable"

_NOT_INSTALLED = (
    "查控 GraphQL 浏览器的前端资源未安装：缺少 {missing}。\n"
    "请在仓库根目录运行 `make demo`，或运行：{command}\n"
    "\n"
    "The chakong GraphQL explorer's browser assets are not installed: {missing} is missing.\n"
    "From the repository root run `make demo`, or: {command}\n"
)


def assets_missing(assets_dir: Path = ASSETS_DIR) -> list[str]:
    """The allow-listed asset files (paths inside node_modules) that are not present."""
    return [rel for rel, _ in ASSETS.values() if not (assets_dir / rel).is_file()]


def explorer_routes(assets_dir: Path = ASSETS_DIR) -> list[BaseRoute]:
    """One GET route per allow-listed asset, under :data:`ASSETS_URL_PREFIX`."""
    return [
        Route(
            f"{ASSETS_URL_PREFIX}/{name}",
            _asset_endpoint(assets_dir / rel, rel, content_type),
            methods=["GET"],
            name=f"explorer-asset:{name}",
        )
        for name, (rel, content_type) in ASSETS.items()
    ]


def _asset_endpoint(path: Path, rel: str, content_type: str) -> Callable[[Request], Response]:
    # A sync endpoint: Starlette runs it in a worker thread, so the stat does not block.
    def endpoint(_request: Request) -> Response:
        try:
            stat_result = os.stat(path)
        except OSError:
            return PlainTextResponse(
                _NOT_INSTALLED.format(missing=rel, command=INSTALL_COMMAND),
                status_code=404,
                headers={"Cache-Control": "no-store"},
            )
        return FileResponse(
            path,
            media_type=content_type,
            stat_result=stat_result,
            headers={"Cache-Control": _CACHE_FOREVER, "X-Content-Type-Options": "nosniff"},
        )

    return endpoint


@functools.cache
def _assets_version() -> str:
    """Short hash of the lock file, so a change of pinned versions changes every URL."""
    try:
        data = (_HERE / "package-lock.json").read_bytes()
    except OSError:
        return "0"
    return hashlib.sha256(data).hexdigest()[:12]


def _asset_url(name: str) -> str:
    return f"{ASSETS_URL_PREFIX}/{name}?v={_assets_version()}"


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
    stylesheets = "\n".join(
        f'<link rel="stylesheet" href="{_asset_url(name)}">'
        for name, (_, content_type) in ASSETS.items()
        if content_type == _CSS
    )
    scripts = "\n".join(
        f'<script src="{_asset_url(name)}"></script>'
        for name, (_, content_type) in ASSETS.items()
        if content_type == _JS
    )
    return _PAGE.format(
        title=html.escape(title),
        stylesheets=stylesheets,
        scripts=scripts,
        config=config,
        command=html.escape(INSTALL_COMMAND),
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
    font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC",
      "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei",
      sans-serif;
  }}
  .explorer-header {{
    flex: none; padding: 6px 16px; background: #1f2937; color: #f9fafb;
    font-size: 15px; display: flex; gap: 12px; align-items: baseline;
  }}
  .explorer-header small {{ color: #cbd5e1; font-size: 13px; }}
  .explorer-alert {{
    flex: none; margin: 16px; padding: 12px 16px; border: 2px solid #b91c1c;
    background: #fef2f2; color: #7f1d1d; font-size: 15px; line-height: 1.6;
  }}
  .explorer-alert[hidden] {{ display: none; }}
  .explorer-alert code {{ background: #fee2e2; padding: 0 4px; }}
  #graphiql {{ flex: 1; min-height: 0; }}
</style>
</head>
<body>
<header class="explorer-header">
  <strong>{title}</strong>
  <small>GraphQL 接口浏览器 · GraphQL explorer</small>
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
<main id="graphiql">正在加载… · Loading…</main>
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
  try {{
    var fetcher = GraphiQL.createFetcher({{ url: config.endpoint }});
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
    ReactDOM.createRoot(document.getElementById("graphiql")).render(explorer);
  }} catch (error) {{
    fail(String(error));
  }}
}})();
</script>
</body>
</html>
"""
