"""The offline GraphiQL explorer: page markup, asset allow-list, missing-asset handling."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from gateway.explorer import (
    ASSETS,
    ASSETS_DIR,
    ASSETS_URL_PREFIX,
    INSTALL_COMMAND,
    assets_missing,
    explorer_page,
    explorer_routes,
)

with warnings.catch_warnings():
    # Starlette 1.x asks for httpx2 behind its TestClient; this project pins httpx 0.28.
    warnings.filterwarnings(
        "ignore",
        message="Using `httpx` with `starlette.testclient` is deprecated",
        category=StarletteDeprecationWarning,
    )
    from starlette.testclient import TestClient

QUERY = '{ debtor(id: "x") { name } }'
VARIABLES = '{"id": "x"}'


class _Links(HTMLParser):
    """Every src/href in a page, plus the bodies of inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value or "" for name, value in attrs if name in {"src", "href"}]
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def _parse(page: str) -> _Links:
    parser = _Links()
    parser.feed(page)
    parser.close()
    return parser


def _client(assets_dir: Path = ASSETS_DIR, **page_kwargs: str) -> TestClient:
    page = explorer_page(
        endpoint=page_kwargs.pop("endpoint", "/graphql"),
        default_query=page_kwargs.pop("default_query", QUERY),
        **page_kwargs,
    )

    def index(_request: Request) -> HTMLResponse:
        return HTMLResponse(page)

    app = Starlette(routes=[Route("/", index), *explorer_routes(assets_dir)])
    return TestClient(app)


@pytest.fixture
def client() -> Iterator[TestClient]:
    with _client() as test_client:
        yield test_client


def _require_assets() -> None:
    """Fail (not skip) when `npm ci` has not been run: CI must install the assets."""
    missing = assets_missing()
    if missing:
        pytest.fail(
            f"explorer assets are not installed (missing {', '.join(missing)}): "
            f"run `{INSTALL_COMMAND}` from the repository root first",
            pytrace=False,
        )


def _config(page: str) -> dict[str, str]:
    match = re.search(r"var config = (.*?);\n", page)
    assert match, "inline config not found"
    config: dict[str, str] = json.loads(match.group(1))
    return config


# --- the page (needs no node_modules) ----------------------------------------------------


def test_page_loads_only_local_assets(client: TestClient) -> None:
    page = client.get("/").text
    urls = _parse(page).urls

    assert urls
    for url in urls:
        assert not url.startswith(("http:", "https:", "//")), url
        assert url.startswith(f"{ASSETS_URL_PREFIX}/") or url == "data:,", url
    assert "http://" not in page
    assert "https://" not in page
    assert "url(" not in page
    # every allow-listed asset is used, scripts in dependency order
    names = [url.removeprefix(f"{ASSETS_URL_PREFIX}/").split("?")[0] for url in urls[1:]]
    assert names == list(ASSETS)


def test_page_mounts_graphiql_against_endpoint_with_headers_editor() -> None:
    page = explorer_page(endpoint="/api/graphql", default_query=QUERY)
    boot = _parse(page).scripts[-1]

    assert _config(page)["endpoint"] == "/api/graphql"
    assert "GraphiQL.createFetcher({ url: config.endpoint })" in boot
    assert "isHeadersEditorEnabled: true" in boot
    assert "shouldPersistHeaders: true" in boot
    assert "ReactDOM.createRoot(" in boot
    # GraphiQL's default logo links to its website: replaced by our own title
    assert "React.createElement(GraphiQL.Logo, null, config.title)" in boot
    assert "<title>chakong 查控" in page


def test_page_shows_bilingual_message_when_scripts_fail_to_load() -> None:
    page = explorer_page(endpoint="/graphql", default_query=QUERY)
    boot = _parse(page).scripts[-1]

    assert re.search(r'<div id="explorer-error"[^>]* hidden>', page)
    assert "加载失败" in page
    assert "failed to load" in page
    assert INSTALL_COMMAND in page
    assert "if (!window.React || !window.ReactDOM || !window.GraphiQL)" in boot
    assert "box.hidden = false" in boot


def test_default_query_and_variables_are_embedded() -> None:
    page = explorer_page(endpoint="/graphql", default_query=QUERY, default_variables=VARIABLES)
    config = _config(page)

    assert config["query"] == QUERY
    assert config["variables"] == VARIABLES
    assert "query: config.query" in page
    assert "variables: config.variables" in page


def test_script_breakout_in_query_is_escaped() -> None:
    nasty = '# </script><script>alert("x")</script> <!-- \u2028 & </SCRIPT>\n{ a }'
    page = explorer_page(
        endpoint="/graphql",
        default_query=nasty,
        default_variables="</script>",
        default_headers='{"Authorization": "</script>"}',
    )
    parsed = _parse(page)

    # only our own script elements: one per JS asset plus the boot script
    assert len(parsed.scripts) == len([n for n in ASSETS if n.endswith(".js")]) + 1
    assert page.lower().count("</script>") == len(parsed.scripts)
    assert "<!--" not in parsed.scripts[-1]
    assert _config(page) == {
        "endpoint": "/graphql",
        "query": nasty,
        "variables": "</script>",
        "headers": '{"Authorization": "</script>"}',
        "title": "chakong 查控",
    }


def test_title_is_html_escaped() -> None:
    page = explorer_page(endpoint="/graphql", default_query=QUERY, title="<b>法院</b>")

    assert "<b>" not in page
    assert "&lt;b&gt;法院&lt;/b&gt;" in page


# --- the asset routes --------------------------------------------------------------------


def test_routes_are_exactly_the_allow_list() -> None:
    paths = {getattr(route, "path", None) for route in explorer_routes()}
    assert paths == {f"{ASSETS_URL_PREFIX}/{name}" for name in ASSETS}


@pytest.mark.parametrize(
    "path",
    [
        "/explorer/assets/graphiql.min.js.map",
        "/explorer/assets/react.development.js",
        "/explorer/assets/react/umd/react.production.min.js",
        "/explorer/assets/package.json",
        "/explorer/assets/../package-lock.json",
        "/explorer/assets/",
        "/explorer/node_modules/graphiql/graphiql.min.js",
    ],
)
def test_unknown_asset_is_404(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_missing_assets_give_bilingual_404(tmp_path: Path) -> None:
    absent = tmp_path / "node_modules"
    assert assets_missing(absent) == [rel for rel, _ in ASSETS.values()]

    with _client(absent) as client:
        for name, (rel, _) in ASSETS.items():
            response = client.get(f"{ASSETS_URL_PREFIX}/{name}")
            assert response.status_code == 404
            assert response.headers["content-type"].startswith("text/plain")
            assert response.headers["cache-control"] == "no-store"
            body = response.text
            assert "未安装" in body
            assert "not installed" in body
            assert rel in body
            assert "make demo" in body
            assert INSTALL_COMMAND in body
            assert "Traceback" not in body
            assert str(tmp_path) not in body
        # the page itself still renders, so it can show its own message
        assert client.get("/").status_code == 200


# --- the installed assets (need `npm ci`) ------------------------------------------------


def test_assets_are_installed() -> None:
    _require_assets()
    assert assets_missing() == []


def test_every_referenced_asset_is_served(client: TestClient) -> None:
    _require_assets()
    urls = [u for u in _parse(client.get("/").text).urls if u.startswith(ASSETS_URL_PREFIX)]
    expected = {".js": "text/javascript", ".css": "text/css"}

    assert len(urls) == len(ASSETS)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        suffix = Path(url.split("?")[0]).suffix
        assert response.headers["content-type"].split(";")[0] == expected[suffix], url
        cache = response.headers["cache-control"]
        assert "immutable" in cache, url
        assert "max-age=31536000" in cache, url
        assert response.headers["x-content-type-options"] == "nosniff"
        assert len(response.content) > 1000, url


def test_served_files_are_the_pinned_umd_builds(client: TestClient) -> None:
    _require_assets()
    react = client.get(f"{ASSETS_URL_PREFIX}/react.production.min.js").text
    react_dom = client.get(f"{ASSETS_URL_PREFIX}/react-dom.production.min.js").text
    graphiql = client.get(f"{ASSETS_URL_PREFIX}/graphiql.min.js").text

    assert "18.3.1" in react
    assert "18.3.1" in react_dom
    assert "window.GraphiQL = " in graphiql
    assert "createFetcher" in graphiql
    assert client.head(f"{ASSETS_URL_PREFIX}/graphiql.min.css").status_code == 200


def test_installed_css_references_nothing_external() -> None:
    _require_assets()
    css = (ASSETS_DIR / ASSETS["graphiql.min.css"][0]).read_text(encoding="utf-8")
    urls = re.findall(r"url\(\s*['\"]?([^'\")]*)", css)

    assert urls  # fonts and icons are there, inlined
    assert all(url.startswith("data:") for url in urls), [u[:60] for u in urls]
    assert "@import" not in css
