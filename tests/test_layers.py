"""The layers run one way: nothing imports a layer above its own.

    gateway.domain  <-  gateway.store  <-  gateway.services  <-  gateway.schema
        <-  gateway.resolvers  <-  gateway.api  <-  gateway.http, gateway.app, gateway.cli

``connectors`` sit beside ``gateway.store``: they may use the domain, never the services or the
GraphQL layers; ``mocks`` use neither connectors nor the gateway's layers (the contract between
them is the committed ``openapi.json``), but for the conformance kit. Imports are read from the
source (``ast``), including those inside functions and ``TYPE_CHECKING`` blocks.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ORDER = [
    "gateway.domain",
    "gateway.store",
    "gateway.services",
    "gateway.schema",
    "gateway.resolvers",
    "gateway.api",
]
TOP = ("gateway.http", "gateway.app", "gateway.cli", "gateway.demo")


def layer(module: str) -> int | None:
    for index, name in enumerate(ORDER):
        if module == name or module.startswith(name + "."):
            return index
    if module.startswith(TOP):
        return len(ORDER)
    return None


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules(package: str) -> list[tuple[str, Path]]:
    base = ROOT / package.replace(".", "/")
    return [
        (".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"), p)
        for p in sorted(base.rglob("*.py"))
        if "node_modules" not in p.parts
    ]


@pytest.mark.parametrize("package", ["gateway", "connectors"])
def test_no_module_imports_a_layer_above_its_own(package: str) -> None:
    upward = []
    for name, path in modules(package):
        own = layer(name)
        if package == "connectors":
            own = layer("gateway.store")  # beside the store: the domain only
        if own is None:
            continue
        for imported in imports(path):
            theirs = layer(imported)
            if theirs is not None and theirs > own:
                upward.append(f"{name} imports {imported}")
    assert upward == []


def test_mocks_use_neither_the_connectors_nor_the_gateways_layers() -> None:
    crossing = []
    for name, path in modules("mocks"):
        if name.startswith("mocks.contract"):
            continue  # the conformance kit: connector owners run it against their endpoint
        for imported in imports(path):
            if imported.startswith("connectors") or (
                layer(imported) is not None and not imported.startswith("gateway.domain")
            ):
                crossing.append(f"{name} imports {imported}")
    assert crossing == []
