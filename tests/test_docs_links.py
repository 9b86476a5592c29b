"""Every link in the repository's Markdown resolves, and none points outside the repository.

A clone holds nothing but the repository, so a relative link (or a ``../`` path named in the
text) must land on a file inside it, and a ``#anchor`` on a heading of its target; an http(s)
link must go to a public address, never to a local one. Anchors follow GitHub's rule: the heading
in lower case, without punctuation, spaces made hyphens, a ``-1``, ``-2`` ... on repeats.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIPPED_DIRS = {"node_modules", "__pycache__", "out"}  # and every hidden one (.git, .venv, ...)
EXPECTED = {"README.md", "docs/security.md", "docs/http-api.md", "docs/agency-contract.md"}
LOCAL_HOSTS = re.compile(r"^(localhost|127\.|0\.0\.0\.0|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)")

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1[`~]*[ \t]*$", re.M | re.S)
INLINE_CODE = re.compile(r"(`+)(.+?)\1", re.S)
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.M)
HTML_ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")
PARENT_PATH = re.compile(r"(?<![\w./-])((?:\.\./)+[\w.@-]+(?:/[\w.@-]+)*)")


def markdown_files(root: Path) -> list[Path]:
    """Every ``*.md`` under ``root``, but in hidden, installed or generated folders."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        found += [Path(folder) / name for name in sorted(files) if name.endswith(".md")]
    return found


def without_fences(text: str) -> str:
    return FENCE.sub("", text)


def slug(heading: str) -> str:
    text = INLINE_CODE.sub(lambda m: m.group(2), heading)
    text = LINK.sub(lambda m: m.group(0)[1 : m.group(0).index("]")], text)
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(doc: Path) -> set[str]:
    text = without_fences(doc.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    found = set(HTML_ANCHOR.findall(text))
    for heading in HEADING.findall(text):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(text: str) -> list[str]:
    """The targets of the Markdown links outside code."""
    return LINK.findall(INLINE_CODE.sub("code", text))


def problems(doc: Path, root: Path) -> list[str]:
    """What is wrong with ``doc``'s links, one line each (empty when nothing is)."""
    text = without_fences(doc.read_text(encoding="utf-8"))
    name = doc.relative_to(root).as_posix()
    found: list[str] = []
    for target in links(text):
        parts = urlsplit(target)
        if parts.scheme in {"http", "https"}:
            if LOCAL_HOSTS.match(parts.hostname or "") or (parts.hostname or "").endswith(".local"):
                found.append(f"{name}: {target} is a local address, not a public one")
            continue
        if parts.scheme or parts.netloc:
            found.append(f"{name}: {target} is neither a relative link nor an http(s) one")
            continue
        path, anchor = unquote(parts.path), unquote(parts.fragment)
        if path.startswith("/"):
            found.append(f"{name}: {target} is absolute: link relative to the document")
            continue
        resolved = (doc.parent / path).resolve() if path else doc
        if not resolved.is_relative_to(root):
            found.append(f"{name}: {target} points outside the repository")
        elif not resolved.exists():
            found.append(f"{name}: {target} does not exist")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            found.append(f"{name}: {target}: no heading #{anchor} in {resolved.name}")
    for mention in PARENT_PATH.findall(LINK.sub("", text)):  # paths named, not linked
        if not (doc.parent / mention).resolve().is_relative_to(root):
            found.append(f"{name}: `{mention}` names a path outside the repository")
    return found


def test_every_markdown_file_is_checked():
    checked = {doc.relative_to(ROOT).as_posix() for doc in markdown_files(ROOT)}
    assert checked >= EXPECTED, EXPECTED - checked
    assert "bench/RESULTS.md" in checked


@pytest.mark.parametrize(
    "doc", markdown_files(ROOT), ids=lambda doc: doc.relative_to(ROOT).as_posix()
)
def test_links_resolve_inside_the_repository(doc: Path):
    assert problems(doc, ROOT) == []


def test_the_check_finds_broken_links(tmp_path: Path):
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    (repo / "docs" / "guide.md").write_text(
        "# Guide\n\n## What each `status` means\n\n## Notes\n\n## Notes\n", encoding="utf-8"
    )
    (repo / "README.md").write_text(
        "# Read me / 读我\n\n"
        "[ok](docs/guide.md#what-each-status-means) [ok](docs/guide.md#notes-1) [bad](#读我)\n"
        "[ok](#read-me--读我) [ok](https://www.python.org/) `[not a link](nowhere.md)`\n"
        "```\n[in a fence](nowhere.md)\n```\n"
        "[gone](docs/missing.md) [no anchor](docs/guide.md#nothing) [out](../shared/DESIGN.md)\n"
        "[local](http://127.0.0.1:8000/graphql) [root](/etc/passwd) see `../shared/DESIGN.md`\n",
        encoding="utf-8",
    )
    found = problems(repo / "README.md", repo)
    assert found == [
        "README.md: #读我: no heading #读我 in README.md",
        "README.md: docs/missing.md does not exist",
        "README.md: docs/guide.md#nothing: no heading #nothing in guide.md",
        "README.md: ../shared/DESIGN.md points outside the repository",
        "README.md: http://127.0.0.1:8000/graphql is a local address, not a public one",
        "README.md: /etc/passwd is absolute: link relative to the document",
        "README.md: `../shared/DESIGN.md` names a path outside the repository",
    ]
    assert problems(repo / "docs" / "guide.md", repo) == []
