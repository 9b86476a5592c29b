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

from gateway.app import create_app
from gateway.explorer import (
    ASSETS,
    ASSETS_DIR,
    ASSETS_URL_PREFIX,
    BUILD_COMMAND,
    BUILD_DIR,
    BUILD_URL_PREFIX,
    BUILT,
    FONT_CSS_URL,
    INSTALL_COMMAND,
    assets_missing,
    build_missing,
    built_outputs,
    explorer_page,
    explorer_routes,
)
from gateway.settings import Settings

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


def _client(
    assets_dir: Path = ASSETS_DIR, build_dir: Path = BUILD_DIR, **page_kwargs: str
) -> TestClient:
    page = explorer_page(
        endpoint=page_kwargs.pop("endpoint", "/graphql"),
        default_query=page_kwargs.pop("default_query", QUERY),
        **page_kwargs,
    )

    def index(_request: Request) -> HTMLResponse:
        return HTMLResponse(page)

    app = Starlette(routes=[Route("/", index), *explorer_routes(assets_dir, build_dir)])
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


def _require_build() -> None:
    """Fail (not skip) when the result view is not built: `make install` builds it."""
    missing = build_missing()
    if missing:
        pytest.fail(
            f"the explorer's result view is not built (missing {', '.join(missing)}): "
            f"run `make install` or `{BUILD_COMMAND}` from the repository root first",
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
        assert url.startswith((f"{ASSETS_URL_PREFIX}/", f"{BUILD_URL_PREFIX}/")) or url == "data:,"
    assert "http://" not in page
    assert "https://" not in page
    assert "url(" not in page
    # every allow-listed asset and built file is used: stylesheets, then scripts in order
    names = [url.split("/")[-1].split("?")[0] for url in urls[1:]]
    assert names == [
        "graphiql.min.css",
        "fonts.css",
        "results.css",
        "react.production.min.js",
        "react-dom.production.min.js",
        "graphiql.min.js",
        "results.js",
    ]
    assert sorted(names) == sorted([*ASSETS, *BUILT])


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
    assert len(parsed.scripts) == len([n for n in [*ASSETS, *BUILT] if n.endswith(".js")]) + 1
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
    assert paths == {f"{ASSETS_URL_PREFIX}/{name}" for name in ASSETS} | {
        f"{BUILD_URL_PREFIX}/{{name:path}}"
    }


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
        "/explorer/build/meta.json",
        "/explorer/build/../package.json",
        "/explorer/build/%2e%2e/package.json",
        "/explorer/build/fonts/",
        "/explorer/build/fonts/noto-sans-sc-118-400-normal.woff2",
        "/explorer/build/results.js.map",
        "/explorer/build/",
    ],
)
def test_unknown_asset_is_404(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/explorer/build/nonexist.css",
        "/explorer/build/results.js/",
        "/explorer/build/meta.json",
        "/explorer/build/fonts/stray.woff2",
        "/explorer/build/",
    ],
)
def test_an_unknown_built_file_is_the_coded_404_of_an_unknown_asset(
    tmp_path: Path, path: str
) -> None:
    _fake_build(tmp_path / "dist")
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'g.db'}", demo=True)
    app = create_app(settings)  # no lifespan: these routes need none of its resources
    app.router.routes[:] = [
        route
        for route in app.router.routes
        if not getattr(route, "path", "").startswith(BUILD_URL_PREFIX)
    ] + explorer_routes(build_dir=tmp_path / "dist")
    client = TestClient(app)
    asset = client.get(f"{ASSETS_URL_PREFIX}/nonexist.css")  # the router's own 404
    response = client.get(path)

    assert response.status_code == asset.status_code == 404
    assert response.headers["content-type"] == asset.headers["content-type"]
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json() == asset.json()
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["extensions"]["messageZh"]
    assert error["extensions"]["messageEn"]
    # the same answer from the explorer's routes alone, in an application of their own
    with _client(build_dir=tmp_path / "dist") as alone:
        assert alone.get(path).json() == asset.json()


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


def test_page_boots_the_result_view_and_still_works_without_it() -> None:
    page = explorer_page(endpoint="/graphql", default_query=QUERY)
    boot = _parse(page).scripts[-1]

    assert "fetcher = ChakongResults.watch(fetcher, panel)" in boot
    assert "if (window.ChakongResults)" in boot  # not built: GraphiQL alone, and a message
    assert BUILD_COMMAND in boot
    assert '<aside id="chakong-results"' in page
    assert 'id="show-json"' in page  # the JSON one click away
    assert '"Noto Sans SC"' in page


# --- the build's routes ------------------------------------------------------------------


def _fake_build(build_dir: Path) -> None:
    (build_dir / "fonts").mkdir(parents=True)
    (build_dir / "fonts.css").write_text("@font-face{}", encoding="utf-8")
    (build_dir / "results.css").write_text(".cr-body{}", encoding="utf-8")
    (build_dir / "results.js").write_text("var ChakongResults = {};", encoding="utf-8")
    (build_dir / "fonts" / "a-1.woff2").write_bytes(b"wOF2")
    (build_dir / "fonts" / "stray.woff2").write_bytes(b"wOF2")  # not one of esbuild's outputs
    names = ["fonts.css", "fonts/a-1.woff2"]
    outputs: dict[str, object] = {f"{build_dir.name}/{name}": {} for name in names}
    (build_dir / "meta.json").write_text(json.dumps({"outputs": outputs}), encoding="utf-8")


def test_only_the_builds_outputs_are_served(tmp_path: Path) -> None:
    build_dir = tmp_path / "dist"
    _fake_build(build_dir)

    assert built_outputs(build_dir) == {"fonts.css", "fonts/a-1.woff2"}
    with _client(build_dir=build_dir) as client:
        font = client.get(f"{BUILD_URL_PREFIX}/fonts/a-1.woff2")
        assert font.status_code == 200
        assert font.headers["content-type"] == "font/woff2"
        assert "immutable" in font.headers["cache-control"]
        assert client.get(f"{BUILD_URL_PREFIX}/results.js").text == "var ChakongResults = {};"
        assert client.get(f"{BUILD_URL_PREFIX}/fonts/stray.woff2").status_code == 404
        assert client.get(f"{BUILD_URL_PREFIX}/meta.json").status_code == 404


def _linked(page: str, name: str) -> str:
    """The URL the page links for a file it names (with its ``?v=``)."""
    (url,) = [u for u in _parse(page).urls if u.split("?")[0].endswith(f"/{name}")]
    assert "?v=" in url
    return url


@pytest.mark.parametrize("name", ["fonts.css", "results.js"])
def test_only_the_url_the_page_links_is_cached_for_good(tmp_path: Path, name: str) -> None:
    build_dir = tmp_path / "dist"
    _fake_build(build_dir)
    with _client(build_dir=build_dir) as client:
        linked = _linked(client.get("/").text, name)
        versioned = client.get(linked)
        assert versioned.status_code == 200
        assert versioned.headers["cache-control"] == "public, max-age=31536000, immutable"
        # as docs/explorer.md's example links fonts.css, with an old version, twice
        stale = f"{BUILD_URL_PREFIX}/{name}"
        for url in (stale, f"{stale}?v=0123456789ab", f"{linked}&v=0123456789ab"):
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.headers["cache-control"] == "no-cache", url
            assert response.headers["etag"] == versioned.headers["etag"], url
            assert response.headers["last-modified"], url


def test_an_unversioned_asset_is_revalidated(client: TestClient) -> None:
    _require_assets()
    linked = _linked(client.get("/").text, "graphiql.min.css")
    assert "immutable" in client.get(linked).headers["cache-control"]
    response = client.get(f"{ASSETS_URL_PREFIX}/graphiql.min.css")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    etag = response.headers["etag"]
    again = client.get(f"{ASSETS_URL_PREFIX}/graphiql.min.css", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""


def test_a_file_the_caller_has_is_304_until_it_changes(tmp_path: Path) -> None:
    build_dir = tmp_path / "dist"
    _fake_build(build_dir)
    url = FONT_CSS_URL  # as docs/explorer.md's example links it
    with _client(build_dir=build_dir) as client:
        first = client.get(url)
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        for validators in (
            {"If-None-Match": etag},
            {"If-None-Match": f'"other", W/{etag}'},  # weak comparison, as RFC 9110 says
            {"If-None-Match": "*"},
            {"If-Modified-Since": modified},
        ):
            response = client.get(url, headers=validators)
            assert response.status_code == 304, validators
            assert response.content == b""
            assert response.headers["etag"] == etag
            assert response.headers["cache-control"] == "no-cache"
        # an ETag that is not the file's, or If-Modified-Since with an If-None-Match that fails
        for validators in (
            {"If-None-Match": '"other"'},
            {"If-None-Match": '"other"', "If-Modified-Since": modified},
            {"If-Modified-Since": "yesterday"},
        ):
            response = client.get(url, headers=validators)
            assert response.status_code == 200, validators
            assert response.text == "@font-face{}"
        # the font's pieces name their hash: immutable, and 304 too
        piece = client.get(f"{BUILD_URL_PREFIX}/fonts/a-1.woff2")
        assert "immutable" in piece.headers["cache-control"]
        headers = {"If-None-Match": piece.headers["etag"]}
        assert client.get(f"{BUILD_URL_PREFIX}/fonts/a-1.woff2", headers=headers).status_code == 304

        # an upgrade: the browser's copy is no longer the file's, and the new one is sent
        (build_dir / "fonts.css").write_text("@font-face{font-display:swap}", encoding="utf-8")
        upgraded = client.get(url, headers={"If-None-Match": etag})
        assert upgraded.status_code == 200
        assert upgraded.text == "@font-face{font-display:swap}"
        assert upgraded.headers["etag"] != etag


def test_an_unbuilt_result_view_gives_a_bilingual_404(tmp_path: Path) -> None:
    absent = tmp_path / "dist"
    assert build_missing(absent) == list(BUILT)
    assert built_outputs(absent) == frozenset()

    with _client(build_dir=absent) as client:
        for name in BUILT:
            response = client.get(f"{BUILD_URL_PREFIX}/{name}")
            assert response.status_code == 404
            assert response.headers["cache-control"] == "no-store"
            assert "未安装" in response.text
            assert "not installed" in response.text
            assert BUILD_COMMAND in response.text
            assert str(tmp_path) not in response.text
        assert client.get("/").status_code == 200


def test_the_result_view_is_built() -> None:
    _require_build()
    assert build_missing() == []
    script = (BUILD_DIR / "results.js").read_text(encoding="utf-8")
    assert "var ChakongResults" in script
    assert "watch" in script
    assert "translate" in script


def _covers(face: str, char: str) -> bool:
    """Whether an @font-face's unicode-range holds ``char``."""
    ranges = re.search(r"unicode-range:\s*([^;]+)", face)
    assert ranges
    for part in ranges.group(1).split(","):
        low, _, high = part.strip().removeprefix("U+").partition("-")
        if int(low, 16) <= ord(char) <= int(high or low, 16):
            return True
    return False


def test_the_chinese_font_is_served_split_by_unicode_range(client: TestClient) -> None:
    _require_build()
    response = client.get(FONT_CSS_URL)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    css = response.text
    faces = re.findall(r"@font-face\s*{(.*?)}", css, re.S)
    chinese = [face for face in faces if "U+4e" in face or "U+5" in face]

    assert len(faces) > 100  # two weights, many pieces each
    assert chinese
    assert all('font-family: "Noto Sans SC"' in face for face in faces)
    assert {"400", "700"} <= set(re.findall(r"font-weight: (\d+)", css))
    urls = re.findall(r'url\("?\./([^")]+)"?\)', css)
    assert urls
    assert not [u for u in urls if "//" in u]
    # the regular piece with 周 in it, as the page asks for it
    woff2 = next(
        url
        for face in faces
        if "font-weight: 400" in face and _covers(face, "周")
        for url in re.findall(r'url\("?\./([^")]+\.woff2)"?\)', face)
    )
    font = client.get(f"{BUILD_URL_PREFIX}/{woff2}")
    assert font.status_code == 200
    assert font.headers["content-type"] == "font/woff2"
    assert font.content[:4] == b"wOF2"
