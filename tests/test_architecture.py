"""Architecture rules (architecture.md "Data flows one way"; house style rules 4 and 5).

1. Lower apps never import higher ones. The domain modules (models, services, selectors,
   constants, …) follow the layer order strictly; presentation modules (views, urls, forms,
   api) may also use ``renkou.accounts`` for the permission decorators and roles.
2. Views never fetch by primary key without the scoping chokepoint.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "renkou"
LAYERS = {
    "common": 0,
    "geo": 1,
    "accounts": 2,
    "people": 3,
    "events": 4,
    "programs": 5,
    "benefits": 5,
    "todo": 6,
    "assessment": 6,
    "reports": 7,
    "system": 8,
    "api": 8,
}
PRESENTATION = {"views.py", "urls.py", "forms.py", "api.py", "tables.py", "filters.py"}


def _sources():
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if len(rel.parts) < 2 or rel.parts[0] not in LAYERS:
            continue
        if "tests" in rel.parts or "migrations" in rel.parts:
            continue
        yield rel.parts[0], path


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_lower_apps_never_import_higher_ones():
    violations = []
    for app, path in _sources():
        for module in _imports(path):
            parts = module.split(".")
            if parts[0] != "renkou" or len(parts) < 2 or parts[1] not in LAYERS:
                continue
            target = parts[1]
            if LAYERS[target] <= LAYERS[app]:
                continue
            if target == "accounts" and path.name in PRESENTATION:
                continue
            violations.append(f"{path.relative_to(ROOT)} imports {module}")
    assert violations == []


def test_the_layer_table_covers_every_app():
    apps = {p.name for p in ROOT.iterdir() if (p / "apps.py").exists()}
    assert apps <= set(LAYERS), f"apps missing from LAYERS: {apps - set(LAYERS)}"


UNSCOPED = re.compile(r"\.objects\.(get|filter)\(\s*(pk|id)\s*=")


def test_views_never_fetch_by_pk_without_the_chokepoint():
    offenders = []
    for _app, path in _sources():
        if path.name not in {"views.py", "api.py"}:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if UNSCOPED.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "use get_visible_or_404 / visible_to(): " + "; ".join(offenders)
