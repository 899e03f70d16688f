"""The test suite's own rules: test files laid out like the code, names that read as
sentences, and no test module importing another. What modules share lives in
tests/factories.py and tests/support/ (plain helpers) and in conftest.py (fixtures)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.core

TESTS = Path(__file__).resolve().parent
CODE = TESTS.parent / "jiuzhu"
APPS = {p.name for p in CODE.iterdir() if (p / "__init__.py").exists()}
# Top-level test modules other than those of a top-level module (jiuzhu/frames.py →
# tests/test_frames.py): the suite's own checks, and walks through every app at once.
# test_screen_text.py walks every app's pages as each role, looking for codes on screen.
TOP_LEVEL = {"test_layout.py", "test_factories.py", "test_e2e_browser.py", "test_csp_browser.py",
             "test_screen_text.py"}  # fmt: skip


def _python_files() -> list[Path]:
    return sorted(
        p for p in TESTS.rglob("*.py")
        if not any(part == "__pycache__" or part.startswith(".") for part in p.parts)
    )  # fmt: skip


def _test_modules() -> list[Path]:
    return [p for p in _python_files() if p.name.startswith("test_")]


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(TESTS.parent).with_suffix("").parts)


def _imports(source: str, module: str) -> list[tuple[int, str]]:
    """Every module the source of `module` imports (relative imports resolved), with its line;
    `from x import y` counts as importing x and x.y (y may be a module)."""
    parts = module.split(".")
    package = parts if parts[-1] == "__init__" else parts[:-1]
    package = [p for p in package if p != "__init__"]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def _is_test_module(dotted: str) -> bool:
    parts = dotted.split(".")
    return parts[0] == "tests" and any(p.startswith("test_") or p == "conftest" for p in parts)


def test_no_test_module_imports_another_test_module_or_a_conftest():
    offences = [
        f"{path.relative_to(TESTS.parent)}:{line} imports {name}"
        for path in _python_files()
        for line, name in _imports(path.read_text(encoding="utf-8"), _module_name(path))
        if _is_test_module(name)
    ]
    assert offences == [], (
        "测试模块之间不得互相导入:共用的辅助函数放 tests/support/ 或 tests/factories.py,"
        "共用的 fixture 放 conftest.py\n" + "\n".join(offences)
    )


def test_the_import_check_sees_absolute_and_relative_imports_of_test_modules():
    source = (
        "from tests.households.test_api import login\n"
        "from .test_intake import report\n"
        "from ..households import test_spreadsheets\n"
        "from .. import conftest\n"
        "from tests.support.clients import api_login\n"
        "from ..factories import CaseFactory\n"
    )
    flagged = {
        name for _, name in _imports(source, "tests.cases.test_new") if _is_test_module(name)
    }
    assert flagged == {
        "tests.households.test_api", "tests.households.test_api.login",
        "tests.cases.test_intake", "tests.cases.test_intake.report",
        "tests.households.test_spreadsheets", "tests.conftest",
    }  # fmt: skip


def test_every_test_module_sits_in_the_folder_of_the_code_it_tests():
    misplaced = []
    for path in _test_modules():
        rel = path.relative_to(TESTS)
        if len(rel.parts) == 1:
            if rel.name not in TOP_LEVEL and not (CODE / rel.name.removeprefix("test_")).exists():
                misplaced.append(str(rel))
        elif len(rel.parts) != 2 or rel.parts[0] not in APPS:
            misplaced.append(str(rel))
    assert misplaced == [], f"测试文件应放在与 jiuzhu/ 下同名的文件夹中: {misplaced}"


def test_every_test_folder_is_a_package_named_after_an_app_or_the_support_package():
    folders = [
        p for p in TESTS.iterdir()
        if p.is_dir() and p.name != "__pycache__" and not p.name.startswith(".")
    ]  # fmt: skip
    assert folders
    for folder in folders:
        assert folder.name in APPS | {"support"}, folder.name
        assert (folder / "__init__.py").exists(), folder.name


def test_only_test_modules_hold_tests():
    for path in _python_files():
        if path.name.startswith("test_"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tests = [n.name for n in ast.walk(tree)
                 if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]  # fmt: skip
        assert tests == [], f"{path.relative_to(TESTS)}: {tests}"


def test_every_test_name_reads_as_a_sentence_of_at_least_four_words():
    short = []
    for path in _test_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "name", "")
            if isinstance(node, ast.FunctionDef) and name.startswith("test_") \
                    and len(name.split("_")[1:]) < 4:  # fmt: skip
                short.append(f"{path.relative_to(TESTS)}::{name}")
    assert short == []
