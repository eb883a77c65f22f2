"""What the page benches share: a bench account of a role in a county (created once, with no
initial-password prompt and no usable password) and a test client signed in as it, with the
two-factor step counted as done. Import after ``django.setup()``."""

from django.test import Client
from django.utils import timezone

from renkou.accounts.models import User
from renkou.geo.constants import full_code
from renkou.geo.models import Unit

HOST = {"SERVER_NAME": "127.0.0.1"}


def bench_user(county: str, role: str, name: str, full_name: str = "性能测试") -> User:
    unit = Unit.objects.current().get(code=full_code(county))
    user = User.objects.filter(username=name).first()
    if user is None:
        user = User(
            username=name, role=role, unit=unit, full_name=full_name, must_change_password=False
        )
        user.set_unusable_password()
        user.save()
    return user


def signed_in(user: User) -> Client:
    client = Client(**HOST)
    client.force_login(user)
    session = client.session
    now = timezone.now().timestamp()
    session["renkou_auth_at"] = session["renkou_seen_at"] = now
    session.save()
    return client
