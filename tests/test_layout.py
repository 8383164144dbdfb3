"""The package's layout: one folder per job, a handful of top-level modules, no imports through the facade."""

from __future__ import annotations

import ast
import importlib

from corpora import REPO

PACKAGE = REPO / "dbom"
TOP_LEVEL_MODULES = {"__init__.py", "__main__.py", "cli.py", "model.py", "manifest.py", "errors.py"}


def test_top_level_holds_only_the_modules_every_stage_uses() -> None:
    modules = {p.name for p in PACKAGE.glob("*.py")}
    assert modules == TOP_LEVEL_MODULES


def test_each_job_folder_says_what_its_job_is() -> None:
    folders = [p for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file()]
    assert len(folders) >= 10
    for folder in folders:
        docstring = ast.get_docstring(ast.parse((folder / "__init__.py").read_text(encoding="utf-8")))
        assert docstring, f"{folder.name}/__init__.py has no docstring"


def test_no_module_imports_the_package_facade_except_its_version() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import) and any(alias.name == "dbom" for alias in node.names):
                offenders.append(f"{path.relative_to(REPO)}: import dbom")
            if isinstance(node, ast.ImportFrom) and node.module == "dbom" and node.level == 0:
                names = {alias.name for alias in node.names}
                if names - {"__version__"}:
                    offenders.append(f"{path.relative_to(REPO)}: from dbom import {', '.join(sorted(names))}")
    assert offenders == []


def test_public_api_and_documented_import_paths() -> None:
    import dbom

    importlib.import_module("dbom.scanning.scanner")  # importing the scanner's folder must not shadow dbom.scan
    assert callable(dbom.scan) and callable(dbom.write) and callable(dbom.load) and callable(dbom.validate_file)
    assert callable(dbom.diff) and callable(dbom.attach) and isinstance(dbom.Recorder, type)
    from dbom.compare.diff import diff

    assert dbom.diff is diff
