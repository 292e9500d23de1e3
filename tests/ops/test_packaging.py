"""The package builds as its metadata says: an SPDX license string, a LICENSE file,
and docs that cite only what the repository holds."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _minimum(requirement: str) -> Version:
    req = Requirement(requirement)
    floors = [Version(s.version) for s in req.specifier if s.operator in (">=", "==", "~=")]
    assert floors, f"{requirement}: no lower bound"
    return max(floors)


def test_an_spdx_license_string_requires_setuptools_77() -> None:
    """setuptools before 77 rejects `license = "MIT"` (PEP 639) at build time."""
    license_value = PYPROJECT["project"]["license"]
    assert isinstance(license_value, str)
    (setuptools,) = [r for r in PYPROJECT["build-system"]["requires"] if r.startswith("setuptools")]
    assert _minimum(setuptools) >= Version("77")


def test_the_mit_license_file_ships() -> None:
    assert PYPROJECT["project"]["license"] == "MIT"
    assert "LICENSE" in PYPROJECT["project"]["license-files"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "Permission is hereby granted, free of charge" in text


def _docs() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_docs_cite_no_file_outside_the_repository() -> None:
    for page in _docs():
        text = page.read_text(encoding="utf-8")
        assert "../shared" not in text, page.name
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if re.match(r"[a-z]+:", target):
                continue  # a URL
            resolved = (page.parent / target).resolve()
            assert resolved.is_relative_to(ROOT), (page.name, target)
            assert resolved.exists(), (page.name, target)
