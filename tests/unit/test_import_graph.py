"""The layer's shape holds: contexts over shared floors with dependencies pointing down only (the
import-linter contracts in pyproject.toml), no import circle between any two modules, and each handler
importing one context and the floors."""

import ast
import logging
from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]
CONTEXTS = {"registry", "inspections", "plans", "reminders", "supervision", "science", "subsidy"}


def test_import_linter_contracts_hold(capsys):
    # lint_imports configures logging by dictConfig, which disables every logger made before it: the
    # app's own too, for the rest of this test process.
    enabled = [log for log in logging.root.manager.loggerDict.values() if isinstance(log, logging.Logger) and not log.disabled]
    try:
        assert lint_imports(config_filename=str(ROOT / "pyproject.toml")) == 0, capsys.readouterr().out
    finally:
        for log in enabled:
            log.disabled = False


def test_no_module_imports_itself_through_a_circle():
    graph = grimp.build_graph("sheqi")
    circles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                circles.append(" -> ".join((module, *back)))
    assert circles == []


@pytest.mark.parametrize("handler", sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("functions/*/handler.py")))
def test_a_handler_imports_one_context_and_the_floors(handler):
    tree = ast.parse((ROOT / handler).read_text(encoding="utf-8"))
    modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    contexts = {m.split(".")[1] for m in modules if m.startswith("sheqi.") and m.split(".")[1] in CONTEXTS}
    assert len(contexts) <= 1, f"{handler} imports contexts {sorted(contexts)}"
