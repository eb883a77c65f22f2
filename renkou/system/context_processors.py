"""Template context for the admin shell: the menu and the account's unit."""

from django.http import HttpRequest

from renkou.system.menu import menu_for


def shell(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"menu": menu_for(user, request.path)}
