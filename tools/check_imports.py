"""Exit 1 when the modules of `s2s_search/` import each other in a circle, imports inside functions included.

A lazy import hides a circle from Python (it runs only when the function does) but not from a reader: each module
should be readable after the ones it stands on. Prints the import graph's circles, or the module count.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "s2s_search"


def imports(path: Path, modules: set[str]) -> set[str]:
    "The package modules that the module at `path` imports anywhere in its body"
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module: found.add(node.module.split(".")[0])
            elif node.level == 1: found.update(a.name for a in node.names)
            elif node.module == PACKAGE: found.update(a.name for a in node.names)
            elif node.module and node.module.startswith(PACKAGE + "."): found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith(PACKAGE + "."))
    return (found & modules) - {path.stem}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    "The strongly connected components of `graph` with more than one module (Tarjan)"
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    def visit(v: str) -> None:
        index[v] = low[v] = len(index); stack.append(v); on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index: visit(w); low[v] = min(low[v], low[w])
            elif w in on_stack: low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on_stack.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1: out.append(sorted(comp))
    for v in sorted(graph):
        if v not in index: visit(v)
    return out


def main() -> int:
    paths = {p.stem: p for p in (ROOT / PACKAGE).glob("*.py") if not p.stem.startswith("_")}
    graph = {m: imports(p, set(paths)) for m, p in paths.items()}
    found = circles(graph)
    for c in found:
        print("import circle: " + " -> ".join(c + [c[0]]) + "  (" + "; ".join(f"{a} imports {', '.join(sorted(graph[a] & set(c)))}" for a in c) + ")")
    if not found: print(f"{len(graph)} modules, no import circle (imports inside functions included)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
