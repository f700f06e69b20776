"""The shape of the code: imports point one way, no module is part of a cycle, functions stay short.

Read from the source with ``ast``, so imports inside functions and ``TYPE_CHECKING`` blocks
count too, and so do the modules the scene catalogue names (``load_scene_class`` imports
them with ``import_module``).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from explainer.core.python_source import imported_names

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("attention", "scenes", "explainer")
MAX_FUNCTION_LINES = 80  # in explainer/ and scenes/, not counting the docstring
MAX_MODULE_LINES = 400  # every module of the three packages, docstrings and all
MAX_CLASS_LINES = 200  # every class of the three packages, from its line to its last
MAX_SCRIPT_LINES = 400  # each of the explorer's script modules
# a package may import only the packages before it in this order (the arrow points down)
ALLOWED = {"attention": {"attention"}, "scenes": {"attention", "scenes"}}
# the folders of each package, bottom first: a folder may import itself and the folders
# before it, never one after it ("" is the package's own top-level modules)
LAYERS = {
    "attention": ("", "models", "worked", "story", "numbers"),
    "explainer": ("", "core", "voice", "plan", "audio", "render", "distribute", "outputs",
                  "pipeline", "batch", "live", "cli", "dev"),
}  # fmt: skip
TOP_LEVEL_ENTRY = "explainer.__main__"  # ``python -m explainer``: the command line, on top


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The project modules ``path`` imports anywhere in it, TYPE_CHECKING blocks included."""
    return {m for m in imported_names(path, name) if m in known}


def _catalogue_modules() -> set[str]:
    """The chapter modules the catalogue names, read from its source (never imported here)."""
    tree = ast.parse((ROOT / "scenes" / "catalogue.py").read_text(encoding="utf-8"))
    calls = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and ast.unparse(n.func) == "ChapterEntry"
    ]
    return {c.args[1].value for c in calls if isinstance(c.args[1], ast.Constant)}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    graph = {name: _imports(path, name, known) - {name} for name, path in modules.items()}
    graph["scenes"] |= _catalogue_modules()  # load_scene_class: import_module(entry.module)
    return graph


def test_the_graph_sees_type_checking_imports_and_the_catalogue() -> None:
    graph = _graph()
    assert "scenes.narration" in graph["scenes"]  # under TYPE_CHECKING in scenes/__init__.py
    assert {"scenes.s1_tokens", "scenes.s13_word_sense"} <= graph["scenes"]
    assert len(_catalogue_modules()) == 18


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in graph.get(node, ()):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_is_part_of_an_import_cycle() -> None:
    assert _cycles(_graph()) == []


def test_imports_point_down_the_layers() -> None:
    wrong = [
        f"{module} imports {imported}"
        for module, imports in _graph().items()
        for imported in imports
        if module.split(".")[0] in ALLOWED
        and imported.split(".")[0] not in ALLOWED[module.split(".")[0]]
    ]
    assert wrong == []


def _body_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = function.body
    has_docstring = (
        body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
    )
    first = body[1] if has_docstring and len(body) > 1 else body[0]
    return (function.end_lineno or function.lineno) - first.lineno + 1


SHORT = sorted(p for pkg in ("explainer", "scenes") for p in (ROOT / pkg).rglob("*.py"))


@pytest.mark.parametrize("path", SHORT, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_function_in_explainer_or_scenes_is_longer_than_80_lines(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = [
        f"{node.name}: {_body_lines(node)} lines"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and _body_lines(node) > MAX_FUNCTION_LINES
    ]
    assert long == []


def test_mypy_strict_is_clean_on_attention_and_explainer() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "attention", "explainer"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:]


def _folder(module: str) -> tuple[str, int]:
    """``explainer.voice.engines`` -> ("explainer", index of "voice" in its layers)."""
    package, *rest = module.split(".")
    layers = LAYERS[package]
    if module in (TOP_LEVEL_ENTRY, package):  # the facade and the entry re-export the rest
        return package, len(layers)
    return package, layers.index(rest[0]) if len(rest) > 1 or (rest and rest[0] in layers) else 0


def test_every_module_lives_in_a_known_folder() -> None:
    unknown = [m for m in _modules() if m.split(".")[0] in LAYERS and len(m.split(".")) > 2
               and m.split(".")[1] not in LAYERS[m.split(".")[0]]]  # fmt: skip
    assert unknown == []


def test_folders_import_only_the_folders_below_them() -> None:
    wrong = [
        f"{module} imports {imported}"
        for module, imports in _graph().items()
        if module.split(".")[0] in LAYERS
        for imported in imports
        if imported.split(".")[0] == module.split(".")[0]
        and imported != "explainer"  # its __init__ holds only __version__
        and _folder(imported)[1] > _folder(module)[1]
    ]
    assert wrong == []


def test_nothing_at_run_time_imports_the_development_tools() -> None:
    wrong = [f"{module} imports {imported}" for module, imports in _graph().items()
             if not module.startswith("explainer.dev")
             for imported in imports if imported.startswith("explainer.dev")]  # fmt: skip
    assert wrong == []


def test_the_layer_rule_sees_an_upward_import() -> None:
    assert _folder("explainer.core.errors")[1] < _folder("explainer.voice.engines")[1]
    assert _folder("attention.core")[1] == 0 < _folder("attention.models.llama")[1]
    assert _folder("explainer.__main__")[1] > _folder("explainer.cli.app")[1]


ALL_MODULES = sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


@pytest.mark.parametrize("path", ALL_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_over_400_lines_and_no_class_over_200(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    lines = len(source.splitlines())
    assert lines <= MAX_MODULE_LINES, f"{lines} lines: split it by concern"
    long = [
        f"{node.name}: {(node.end_lineno or node.lineno) - node.lineno + 1} lines"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ClassDef)
        and (node.end_lineno or node.lineno) - node.lineno + 1 > MAX_CLASS_LINES
    ]
    assert long == []


def test_the_explorer_script_is_in_modules_the_page_joins() -> None:
    from explainer.outputs.explore.page import DECODER_SCRIPT_FILES, SCRIPT_FILES

    folder = ROOT / "explainer" / "outputs" / "explore" / "static" / "js"
    on_disk = sorted(p.name for p in folder.glob("*.js"))
    # every module joined by a page (an encoder's or a decoder's), none forgotten
    assert sorted({*SCRIPT_FILES, *DECODER_SCRIPT_FILES}) == on_disk
    sizes = {n: len((folder / n).read_text(encoding="utf-8").splitlines()) for n in on_disk}
    assert len(sizes) > 1
    assert max(sizes.values()) <= MAX_SCRIPT_LINES, sizes
