"""The repository's Markdown stands alone: a clone has every file its relative links name, and
nothing points at documents that live outside the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

REPO = Path(__file__).resolve().parents[2]
# [text](target) and [text]: target, with an optional "title"; images too.
LINK = re.compile(r"\]\(\s*(?:<([^>]+)>|([^)\s]+))(?:\s+\"[^\"]*\")?\s*\)|^\s*\[[^\]]+\]:\s*(\S+)", re.MULTILINE)
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
# Paths of documents kept beside the repository by its authors, never inside it.
OUTSIDE = re.compile(r"\.\./shared/|(?<![\w/])shared/spec/|(?<![\w/])spec/[\w-]+\.md|DESIGN\.md|STYLE\.md")


def markdown_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.md"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return sorted(REPO / name for name in listed if (REPO / name).is_file())


def links(text: str) -> list[str]:
    prose = FENCE.sub("", text)
    return [next(group for group in groups if group) for groups in LINK.findall(prose)]


def test_the_repository_has_its_docs():
    names = {p.relative_to(REPO).as_posix() for p in markdown_files()}
    assert {"README.md", "docs/architecture.md", "gateway/README.md", "services/tracking/README.md"} <= names


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_relative_links_resolve_inside_the_repository(path: Path):
    broken = []
    for target in links(path.read_text()):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("#"):
            continue  # a URL (http:, mailto:) or an anchor in the same file
        resolved = (path.parent / unquote(target.split("#", 1)[0])).resolve()
        if not resolved.is_relative_to(REPO) or not resolved.exists():
            broken.append(target)
    assert broken == [], f"{path.relative_to(REPO)} links to files a clone does not have: {broken}"


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_no_document_points_outside_the_repository(path: Path):
    hits = [m.group(0) for m in OUTSIDE.finditer(path.read_text())]
    assert hits == [], f"{path.relative_to(REPO)} refers to documents outside the repository: {hits}"


def test_the_link_check_sees_links():
    text = (
        'see [a](docs/a.md), [b](<../b c.md> "title"), ![img](x.png)\n[ref]: ../shared/x.md\n```\n[no](fenced.md)\n```'
    )
    assert links(text) == ["docs/a.md", "../b c.md", "x.png", "../shared/x.md"]
