"""The shape of bot/: no import circles and no import up the layers domain < models < blocks < services < flows <
handlers; bot/domain is pure (it imports nothing of bot/ but itself).

The import graph is read from the source with ``ast``: every ``import`` and ``from ... import`` counts, at module level
and inside functions alike (an import inside a function is a dependency all the same; it only runs later). An
import names the modules it loads: ``from bot.services import matching`` is ``bot.services.matching`` and the package
``bot.services``; a module's own ancestor packages are left out (a package's ``__init__`` handing names on is not a
circle).

``KNOWN_CIRCLES`` would list a circle someone is still taking apart; it is empty, and a new circle fails here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"
LAYERS = ("domain", "models", "blocks", "services", "flows", "handlers")

KNOWN_CIRCLES: list[frozenset[str]] = []  # none left

Graph = dict[str, set[str]]


def modules(root: Path) -> dict[str, Path]:
    """Module name -> file, for every .py under ``root`` (a package; ``__init__`` is the package itself)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        found[".".join(parts)] = path
    return found


def _targets(name: str, path: Path, node: ast.Import | ast.ImportFrom, known: dict[str, Path]) -> set[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:  # relative: from the module's package, one level up per extra dot
            package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, base] if base else package)
        names = [f"{base}.{alias.name}" for alias in node.names] + [base]
    out = set()
    pkg = next(iter(known)).split(".")[0]
    for target in names:
        while target and target not in known:  # a name inside a module: the module
            target = target.rpartition(".")[0]
        if target and target.split(".")[0] == pkg:
            out.add(target)
    return out


def import_graph(root: Path) -> Graph:
    """Module -> the modules of the same package it imports (anywhere in its source)."""
    known = modules(root)
    graph: Graph = {name: set() for name in known}
    for name, path in known.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                continue
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                graph[name] |= {
                    t for t in _targets(name, path, node, known) if t != name and not name.startswith(t + ".")
                }
    return graph


def circles(graph: Graph) -> list[frozenset[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        found.append(frozenset(group))
    return found


def layer_of(name: str, layers: Iterable[str] = LAYERS) -> int | None:
    parts = name.split(".")
    order = list(layers)
    return order.index(parts[1]) if len(parts) > 1 and parts[1] in order else None


def upward(graph: Graph, layers: Iterable[str] = LAYERS) -> list[tuple[str, str]]:
    """Every import from a lower layer into a higher one."""
    out = []
    for source, targets in sorted(graph.items()):
        for target in sorted(targets):
            low, high = layer_of(source, layers), layer_of(target, layers)
            if low is not None and high is not None and high > low:
                out.append((source, target))
    return out


def _describe(group: frozenset[str], graph: Graph) -> str:
    edges = [f"    {a} -> {b}" for a in sorted(group) for b in sorted(graph[a] & group)]
    return f"circle of {len(group)}: " + ", ".join(sorted(group)) + "\n" + "\n".join(edges)


@pytest.fixture(scope="module")
def graph() -> Graph:
    return import_graph(BOT)


def test_bot_has_no_import_circles_but_the_known_ones(graph: Graph) -> None:
    found = circles(graph)
    unknown = [group for group in found if group not in KNOWN_CIRCLES]
    gone = [group for group in KNOWN_CIRCLES if group not in found]
    assert not unknown, "import circles in bot/:\n" + "\n".join(_describe(g, graph) for g in unknown)
    assert not gone, "circles in KNOWN_CIRCLES that are gone or changed (take them off the list):\n" + "\n".join(
        ", ".join(sorted(g)) for g in gone
    )


def test_no_import_runs_up_the_layers(graph: Graph) -> None:
    up = upward(graph)
    assert up == [], "imports up the layers " + " < ".join(LAYERS) + ":\n" + "\n".join(f"    {a} -> {b}" for a, b in up)


def test_domain_imports_nothing_of_bot_but_itself(graph: Graph) -> None:
    outside = sorted(
        (source, target)
        for source, targets in graph.items()
        if source == "bot.domain" or source.startswith("bot.domain.")
        for target in targets
        if target != "bot.domain" and not target.startswith("bot.domain.")
    )
    assert outside == []


def test_no_service_imports_a_flow_or_a_handler(graph: Graph) -> None:
    bad = sorted(
        (source, target)
        for source, targets in graph.items()
        if source.startswith("bot.services.")
        for target in targets
        if target.split(".")[:2] in (["bot", "flows"], ["bot", "handlers"])
    )
    assert bad == []


def test_the_graph_sees_imports_inside_functions_and_relative_ones(tmp_path: Path) -> None:
    """The checks above are only as good as the graph: a circle closed by an import inside a function, a relative
    import, ``from package import module``, and an import up the layers are all found in a small package."""
    pkg = tmp_path / "pkg"
    for folder in ("", "domain", "services", "flows"):
        (pkg / folder).mkdir(exist_ok=True)
        (pkg / folder / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg import b\n")
    (pkg / "b.py").write_text("def later():\n    from pkg.a import thing\n    return thing\n")
    (pkg / "domain" / "rules.py").write_text("from __future__ import annotations\nfrom . import pure\n")
    (pkg / "domain" / "pure.py").write_text("X = 1\n")
    (pkg / "services" / "s.py").write_text("def job():\n    from pkg.flows import f\n    return f\n")
    (pkg / "flows" / "f.py").write_text("from ..services import s\n")
    g = import_graph(pkg)
    assert g["pkg.a"] == {"pkg.b"} and g["pkg.b"] == {"pkg.a"}
    assert g["pkg.domain.rules"] == {"pkg.domain.pure"}
    assert g["pkg.flows.f"] == {"pkg.services", "pkg.services.s"}
    assert set(circles(g)) == {frozenset({"pkg.a", "pkg.b"}), frozenset({"pkg.services.s", "pkg.flows.f"})}
    assert upward(g, ("domain", "services", "flows")) == [
        ("pkg.services.s", "pkg.flows"),
        ("pkg.services.s", "pkg.flows.f"),
    ]
