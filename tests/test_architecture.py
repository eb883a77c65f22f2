"""Architecture rules (architecture.md "Data flows one way"; house style rules 4, 5 and 14).

1. An app imports only apps of lower layers: never a higher one, never another app of its own
   layer. The layers are those of docs/adr/0003-layers.md (the house-style order, refined);
   the test reads them from there, so the table below cannot drift from the record. Every
   module counts, views and tests included: a test that needs two apps lives in the higher one.
2. Views never fetch by primary key, nor with ``get_object_or_404``, outside the scoping
   chokepoint (``get_visible_or_404`` / ``visible_to``); reads of unscoped tables go through
   the app's selectors, which say why they are not scoped.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "renkou"
ADR = ROOT.parent / "docs" / "adr" / "0003-layers.md"
LAYERS = {
    "common": 0,
    "geo": 1,
    "accounts": 2,
    "people": 3,
    "events": 4,
    "programs": 4,
    "benefits": 4,
    "todo": 5,
    "supervision": 6,
    "tipoffs": 6,
    "floating": 6,
    "assessment": 7,
    "reports": 8,
    "cases": 9,
    "system": 10,
    "api": 10,
}


def _sources(*, tests: bool = True):
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if len(rel.parts) < 2 or rel.parts[0] not in LAYERS or "migrations" in rel.parts:
            continue
        if "tests" in rel.parts and not tests:
            continue
        yield rel.parts[0], path


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def _rel(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def violations(sources) -> list[str]:
    """``path imports module`` for every import of an app of the same or a higher layer."""
    found = []
    for app, path in sources:
        for module in _imports(path):
            parts = module.split(".")
            if parts[0] != "renkou" or len(parts) < 2 or parts[1] not in LAYERS:
                continue
            target = parts[1]
            if target != app and LAYERS[target] >= LAYERS[app]:
                found.append(f"{_rel(path)} imports {module}")
    return found


def test_apps_import_only_lower_layers():
    assert violations(_sources()) == []


def test_the_rule_catches_upward_sideways_and_test_imports(tmp_path):
    """The imports this test was made to stop: accounts ↔ geo, programs → events, a test of a
    lower app reaching up. Each is refused when written into a module of that app."""
    cases = [
        ("geo", "views.py", "from renkou.accounts.constants import Perm\n"),
        ("programs", "figures.py", "from renkou.events.selectors import sums\n"),
        ("events", "tests/test_x.py", "from renkou.reports.indicators import evaluate\n"),
        ("common", "tests/test_x.py", "from renkou.accounts.models import LoginLog\n"),
    ]
    for app, name, text in cases:
        path = tmp_path / app / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        assert violations([(app, path)]) == [f"{_rel(path)} imports {text.split()[1]}"]
    fine = tmp_path / "reports.py"
    fine.write_text("from renkou.events.selectors import sums\nfrom renkou.reports import y\n")
    assert violations([("reports", fine)]) == []


def test_the_layers_are_the_recorded_ones():
    """The ADR's order line (``common ← geo ← …``, ``|`` between apps of one layer) is LAYERS."""
    line = next(
        x.strip("` ") for x in ADR.read_text(encoding="utf-8").splitlines() if "common ←" in x
    )
    recorded = {
        app.strip(): layer
        for layer, group in enumerate(line.split("←"))
        for app in group.split("|")
    }
    assert recorded == LAYERS


def test_the_layer_table_covers_every_app():
    apps = {p.name for p in ROOT.iterdir() if (p / "apps.py").exists()}
    assert apps == set(LAYERS), f"apps missing from LAYERS: {apps - set(LAYERS)}"


UNSCOPED = re.compile(r"\.objects\.(get|filter)\(\s*(pk|id)\s*=|\bget_object_or_404\(")


def _is_view_module(app: str, path: Path) -> bool:
    return path.name.endswith("views.py") or path.name == "api.py" or app == "api"


def unscoped_fetches(sources) -> list[str]:
    offenders = []
    for app, path in sources:
        if not _is_view_module(app, path):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if UNSCOPED.search(line):
                offenders.append(f"{_rel(path)}:{number}: {line.strip()}")
    return offenders


def test_views_never_fetch_by_pk_without_the_chokepoint():
    offenders = unscoped_fetches(_sources(tests=False))
    assert offenders == [], "use get_visible_or_404 / visible_to(): " + "; ".join(offenders)


def test_every_views_module_is_scanned(tmp_path):
    """Views modules of any name (``card_views.py``, ``payment_views.py``, the API app) and
    both ways of fetching by key are caught."""
    lines = {
        "card_views.py": "x = Card.objects.get(pk=pk)\n",
        "payment_views.py": "roll = get_object_or_404(Roll, pk=pk)\n",
        "views.py": "row = Thing.objects.filter( id = key).first()\n",
    }
    sources = []
    for name, text in lines.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        sources.append(("benefits", tmp_path / name))
    (tmp_path / "serializers.py").write_text("x = get_object_or_404(Unit, pk=1)\n")
    sources.append(("api", tmp_path / "serializers.py"))
    (tmp_path / "services.py").write_text("x = Unit.objects.get(pk=1)\n")
    sources.append(("benefits", tmp_path / "services.py"))
    found = unscoped_fetches(sources)
    assert [Path(f.split(":")[0]).name for f in found] == [*lines, "serializers.py"]


def _imported_names(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                yield node.module, alias.name


SHARED = {"Actor": "renkou.common.actors", "ConflictError": "renkou.common.actors"}


def strays(sources) -> list[str]:
    """Imports of a shared concept (``SHARED``) from anywhere but the module defining it."""
    return [
        f"{_rel(path)} imports {name} from {module}"
        for _, path in sources
        for module, name in _imported_names(path)
        if name in SHARED and module.startswith("renkou") and module != SHARED[name]
    ]


def test_shared_concepts_are_imported_from_their_one_home(tmp_path):
    """Actor and ConflictError live in renkou.common.actors; no app re-exports them."""
    assert strays(_sources()) == []
    stray = tmp_path / "views.py"
    stray.write_text("from renkou.people.services import Actor, person_register\n")
    assert strays([("events", stray)]) == [
        f"{_rel(stray)} imports Actor from renkou.people.services"
    ]


def private_imports(sources) -> list[str]:
    """Names starting with ``_`` imported from another app: what an app shares is public."""
    return [
        f"{_rel(path)} imports {name} from {module}"
        for app, path in sources
        for module, name in _imported_names(path)
        if name.startswith("_")
        and module.split(".")[:1] == ["renkou"]
        and len(module.split(".")) > 1
        and module.split(".")[1] != app
    ]


def test_no_private_name_is_imported_from_another_app(tmp_path):
    assert private_imports(_sources()) == []
    reach = tmp_path / "forms.py"
    reach.write_text("from renkou.people.forms import PICK, _css\nfrom renkou.todo import _x\n")
    assert private_imports([("todo", reach)]) == [
        f"{_rel(reach)} imports _css from renkou.people.forms"
    ]


def _bare_unit_row_querysets(path: Path) -> list[str]:
    """ScopedQuerySet subclasses whose whole body is ``personal = False`` (and a docstring):
    copies of ``renkou.geo.scope.UnitRowQuerySet``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ClassDef):
            continue
        bases = [b.value if isinstance(b, ast.Subscript) else b for b in node.bases]  # X[Any]
        if not any(getattr(b, "id", "") == "ScopedQuerySet" for b in bases):
            continue
        body = [s for s in node.body if not isinstance(s, ast.Expr)]  # docstring
        if len(body) == 1 and ast.unparse(body[0]) == "personal = False":
            found.append(f"{_rel(path)}: {node.name}")
    return found


def test_rows_without_personal_data_use_the_one_unit_row_queryset(tmp_path):
    scope = ROOT / "geo" / "scope.py"
    found = [f for _, path in _sources() for f in _bare_unit_row_querysets(path)]
    assert found == [f"{_rel(scope)}: UnitRowQuerySet"]
    copy = tmp_path / "models.py"
    copy.write_text('class QuotaQuerySet(ScopedQuerySet):\n    """x"""\n\n    personal = False\n')
    assert _bare_unit_row_querysets(copy) == [f"{_rel(copy)}: QuotaQuerySet"]
    copy.write_text("class QuotaQuerySet(ScopedQuerySet[Any]):\n    personal = False\n")
    assert _bare_unit_row_querysets(copy) == [f"{_rel(copy)}: QuotaQuerySet"]
