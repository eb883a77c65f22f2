"""Template context for the admin shell: the menu, and a banner when the data is synthetic."""

from django.core.cache import cache
from django.http import HttpRequest

from renkou.common.models import SiteNote
from renkou.system.menu import menu_for, menu_html

SYNTHETIC_KEY = "renkou:synthetic_data"


def synthetic_data_note() -> str:
    """The synthetic-data notice, cached for a minute (it changes only when demo data loads)."""
    note = cache.get(SYNTHETIC_KEY)
    if note is None:
        row = SiteNote.objects.filter(key="synthetic_data").first()
        note = row.value if row else ""
        cache.set(SYNTHETIC_KEY, note, 60)
    return note


def shell(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "menu_html": menu_html(menu_for(user, request.path)),
        "synthetic_note": synthetic_data_note(),
    }
