"""A notebook's own definitions (06's ``train``, ...), loaded from the notebook itself for tests and
benchmarks, so that a change to the lesson is tested as written (CONTRIBUTING.md says how to call it).

Only definitions run, never a whole notebook: the top-level imports, ``def``, ``class`` and assignments
of the code cells that the asked-for names need, in notebook order. Loops, prints and plots do not run.
"""

from __future__ import annotations

import ast
import builtins
import symtable
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

import nbformat
from IPython.core.inputtransformer2 import TransformerManager

DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)
BUILTINS = frozenset(dir(builtins))


class Statement(NamedTuple):
    """A top-level definition in a notebook: where it is, what it defines and which global names it uses."""

    cell: int
    node: ast.stmt
    defines: frozenset[str]
    uses: frozenset[str]


def load_definitions(path: Path, names: Iterable[str]) -> dict[str, Any]:
    """Run the definitions of ``names`` in the notebook at ``path``, and what they need; return ``{name: value}``.

    A name is taken from its last top-level definition in the notebook (as after Run All). A definition
    brings in the definitions of the global names it uses (its function bodies included), each the last
    one before it, or the last one at all for a name defined only further down (as a function body sees it
    when called). Everything runs in one fresh namespace, in notebook order. A name the notebook does not
    define at the top level of a code cell raises a LookupError.
    """
    wanted = list(names)
    statements = _statements(path)
    defined_at: dict[str, list[int]] = {}
    for position, statement in enumerate(statements):
        for name in statement.defines:
            defined_at.setdefault(name, []).append(position)
    missing = [name for name in wanted if name not in defined_at]
    if missing:
        raise LookupError(f"{path.name} defines no {', '.join(missing)} at the top level of a code cell.")

    def definition(name: str, before: int) -> int | None:
        positions = defined_at.get(name, [])
        earlier = [position for position in positions if position < before]
        return (earlier or positions)[-1] if positions else None

    chosen: set[int] = set()
    to_visit = [defined_at[name][-1] for name in wanted]
    while to_visit:
        position = to_visit.pop()
        if position in chosen:
            continue
        chosen.add(position)
        for name in statements[position].uses:
            needed = definition(name, position)
            if needed is not None:
                to_visit.append(needed)

    namespace: dict[str, Any] = {"__name__": f"lesson_{path.stem}"}
    for position in sorted(chosen):
        statement = statements[position]
        module = ast.Module(body=[statement.node], type_ignores=[])
        exec(compile(module, f"{path.name}, cell {statement.cell}", "exec"), namespace)
    return {name: namespace[name] for name in wanted}


def _statements(path: Path) -> list[Statement]:
    """Every top-level definition in the code cells of the notebook at ``path``, in notebook order."""
    transform = TransformerManager().transform_cell  # IPython syntax (%magics, !commands) to plain Python
    statements = []
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type != "code":
            continue
        for node in ast.parse(transform(cell.source), filename=f"{path.name}, cell {index}").body:
            defines = _defined_names(node)
            if defines:
                statements.append(Statement(index, node, defines, _used_globals(node) - BUILTINS))
    return statements


def _defined_names(node: ast.stmt) -> frozenset[str]:
    """The global names a top-level statement defines, if it is a definition (import, def, class, assignment)."""
    if not isinstance(node, DEFINITIONS):
        return frozenset()
    if isinstance(node, ast.Import | ast.ImportFrom):
        return frozenset((alias.asname or alias.name).split(".")[0] for alias in node.names if alias.name != "*")
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return frozenset([node.name])
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if node.value is not None else []
    return frozenset(name.id for target in targets for name in ast.walk(target) if isinstance(name, ast.Name))


def _used_globals(node: ast.stmt) -> frozenset[str]:
    """The global names a statement reads, at the top level or inside its functions, lambdas and classes."""

    def collect(table: symtable.SymbolTable) -> set[str]:
        top = table.get_type() == "module"
        names = {
            symbol.get_name()
            for symbol in table.get_symbols()
            if symbol.is_referenced() and (top or symbol.is_global())
        }
        for child in table.get_children():
            names |= collect(child)
        return names

    return frozenset(collect(symtable.symtable(ast.unparse(node), "<definition>", "exec")))
