"""EncryptedTextField, BlindIndexField and ``manage.py rotate_keys`` (security.md CR1, CR4).

The test models live in their own app registry (``Meta.apps``) under the ``common`` label, so
they never reach the project's registry or ``makemigrations``; their table is created once per
module outside any transaction (SQLite's schema editor refuses to run inside one).
"""

import base64
import hashlib
import io
import secrets

import pytest
from django.apps.registry import Apps
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models

from renkou.common import crypto
from renkou.common.crypto import DecryptionError
from renkou.common.fields import (
    BlindIndexField,
    EncryptedTextField,
    encrypted_fields,
    encrypted_models,
)
from renkou.common.management.commands import rotate_keys
from renkou.common.models import AuditEntry

TEST_APPS = Apps()
ID_NUMBER = "11010519491231002X"  # the GB 11643 specimen number
MOBILE = "13912345678"
NAME = "张三丰"


class Sample(models.Model):  # noqa: DJ008 test model
    id_number = EncryptedTextField(null=True, blank=True)
    phone = EncryptedTextField(blank=True, default="")
    id_number_index = BlindIndexField(blank=True)
    note = models.CharField(max_length=20, blank=True)

    class Meta:
        app_label = "common"
        apps = TEST_APPS
        db_table = "common_test_crypto_sample"


class ContactBase(models.Model):
    phone = EncryptedTextField(blank=True)

    class Meta:
        abstract = True
        app_label = "common"
        apps = TEST_APPS


class Mother(ContactBase):  # noqa: DJ008 test model
    class Meta:
        app_label = "common"
        apps = TEST_APPS


class Father(ContactBase):  # noqa: DJ008 test model
    class Meta:
        app_label = "common"
        apps = TEST_APPS


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def key_id_of(key: str) -> str:
    return hashlib.sha256(base64.b64decode(key)).hexdigest()[:8]


def raw_rows(*columns: str) -> list[tuple]:
    """The columns as stored, read past the ORM."""
    table = connection.ops.quote_name(Sample._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {names} FROM {table} ORDER BY id")  # noqa: S608 fixed names
        return cursor.fetchall()


@pytest.fixture(scope="module")
def sample_table(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with connection.schema_editor() as editor:
            editor.create_model(Sample)
        yield
        with connection.schema_editor() as editor:
            editor.delete_model(Sample)


@pytest.fixture
def key_a(settings, sample_table, db) -> str:
    settings.RENKOU_FIELD_KEY = new_key()
    settings.RENKOU_FIELD_OLD_KEYS = []
    settings.RENKOU_FIELD_SUITE = crypto.AES256GCM
    return settings.RENKOU_FIELD_KEY


@pytest.fixture
def only_sample(monkeypatch):
    """``rotate_keys`` sees the test model as the one encrypted model installed."""
    monkeypatch.setattr(rotate_keys, "encrypted_models", lambda: [Sample])


def seed(count: int) -> list[Sample]:
    rows = [
        Sample(
            id_number=None if n % 5 == 0 else f"{ID_NUMBER[:-4]}{n:04d}",
            phone="" if n % 3 == 0 else f"139{n:08d}",
            note=str(n),
        )
        for n in range(count)
    ]
    return Sample.objects.bulk_create(rows)


# Storage --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [ID_NUMBER, NAME, "a" * 5000, " 前后有空格 "])
def test_the_column_holds_ciphertext_only(key_a, value):
    row = Sample.objects.create(id_number=value, phone=MOBILE)
    [(stored, phone)] = raw_rows("id_number", "phone")
    for token, plain in ((stored, value), (phone, MOBILE)):
        assert token.startswith(f"v1:aes256gcm:{key_id_of(key_a)}:")
        assert plain not in token
    assert crypto.decrypt(stored, "common.Sample.id_number") == value
    row.refresh_from_db()
    assert (row.id_number, row.phone) == (value, MOBILE)
    assert Sample.objects.values_list("id_number", flat=True).get() == value


def test_updates_are_encrypted_too(key_a):
    row = Sample.objects.create(id_number=ID_NUMBER)
    row.phone = MOBILE
    row.save(update_fields=["phone"])
    [(phone,)] = raw_rows("phone")
    assert phone.startswith("v1:") and MOBILE not in phone
    assert Sample.objects.get(pk=row.pk).phone == MOBILE


def test_no_value_is_stored_as_is_and_queryable(key_a):
    Sample.objects.create(id_number=None, phone="", note="empty")
    Sample.objects.create(id_number=ID_NUMBER, phone=MOBILE, note="full")
    assert raw_rows("id_number", "phone")[0] == (None, "")
    assert list(Sample.objects.filter(id_number__isnull=True).values_list("note", flat=True)) == [
        "empty"
    ]
    assert list(Sample.objects.filter(id_number=None).values_list("note", flat=True)) == ["empty"]
    assert list(Sample.objects.filter(phone="").values_list("note", flat=True)) == ["empty"]
    assert list(Sample.objects.exclude(phone="").values_list("note", flat=True)) == ["full"]


def test_a_ciphertext_copied_into_another_column_does_not_open(key_a):
    Sample.objects.create(id_number=ID_NUMBER, phone=MOBILE)
    table = connection.ops.quote_name(Sample._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET phone = id_number")  # noqa: S608 fixed names
    with pytest.raises(DecryptionError):
        Sample.objects.get()


def test_context_names_the_concrete_model_and_field():
    assert Sample._meta.get_field("id_number").context == "common.Sample.id_number"
    # An inherited copy (like simple-history's historical copy) is bound to its own table.
    assert Mother._meta.get_field("phone").context == "common.Mother.phone"
    assert Father._meta.get_field("phone").context == "common.Father.phone"
    assert EncryptedTextField(context="people.Person.phone").context == "people.Person.phone"


# Lookups --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lookup",
    [
        {"id_number": ID_NUMBER},
        {"id_number__iexact": ID_NUMBER},
        {"phone__icontains": "1391"},
        {"phone__startswith": "139"},
        {"id_number__in": [ID_NUMBER]},
        {"phone__gt": "1"},
        {"phone": models.F("id_number")},
        {"phone__regex": "^1"},
    ],
)
def test_searching_an_encrypted_column_is_refused(key_a, lookup):
    with pytest.raises(FieldError, match="blind index"):
        Sample.objects.filter(**lookup)


def test_unknown_transforms_are_refused(key_a):
    with pytest.raises(FieldError):
        Sample.objects.filter(phone__lower="x")


def test_search_goes_through_the_blind_index(key_a):
    digest = crypto.blind_index(ID_NUMBER, "sample.id_number")
    Sample.objects.create(id_number=ID_NUMBER, id_number_index=digest)
    Sample.objects.create(id_number=ID_NUMBER[:-1] + "0")
    assert Sample.objects.get(id_number_index=digest).id_number == ID_NUMBER


# Definition -----------------------------------------------------------------------------------


def test_deconstruct_is_stable():
    name, path, args, kwargs = Sample._meta.get_field("phone").deconstruct()
    assert (path, args, kwargs) == (
        "renkou.common.fields.EncryptedTextField",
        [],
        {"blank": True, "default": ""},
    )
    pinned = EncryptedTextField(context="people.Person.phone")
    assert pinned.deconstruct()[3] == {"context": "people.Person.phone"}
    assert pinned.clone().deconstruct() == pinned.deconstruct()

    index = Sample._meta.get_field("id_number_index")
    assert (index.max_length, index.db_index, index.editable) == (64, True, False)
    assert index.deconstruct()[1:] == ("renkou.common.fields.BlindIndexField", [], {"blank": True})
    assert BlindIndexField(db_index=False).deconstruct()[3] == {"db_index": False}
    assert index.clone().deconstruct()[1:] == index.deconstruct()[1:]


def test_indexing_an_encrypted_column_fails_the_system_check():
    class Indexed(models.Model):  # noqa: DJ008 test model
        phone = EncryptedTextField(unique=True)

        class Meta:
            app_label = "common"
            apps = Apps()

    errors = Indexed._meta.get_field("phone").check()
    assert [error.id for error in errors] == ["renkou.E001"]
    assert Sample._meta.get_field("phone").check() == []


def test_encrypted_models_finds_the_encrypted_columns():
    assert [f.name for f in encrypted_fields(Sample)] == ["id_number", "phone"]
    assert encrypted_fields(Mother) == [Mother._meta.get_field("phone")]
    assert all(encrypted_fields(model) for model in encrypted_models())


# Rotation -------------------------------------------------------------------------------------


def rotate(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate_keys", *args, stdout=out)
    return out.getvalue()


def audit_rows() -> list[tuple]:
    entries = AuditEntry.objects.filter(action=rotate_keys.ACTION).order_by("seq")
    return list(entries.values_list("object_type", "row_count", "result"))


def stale(rows: list[Sample]) -> int:
    return sum(1 for row in rows if row.id_number or row.phone)


def test_key_rotation_reencrypts_every_row(settings, key_a, only_sample):
    rows = seed(23)
    assert stale(rows) == 21  # two rows hold no value at all
    key_b = new_key()
    settings.RENKOU_FIELD_KEY, settings.RENKOU_FIELD_OLD_KEYS = key_b, [key_a]

    dry = rotate("--dry-run")
    assert "common.Sample：21 行需要重新加密" in dry
    assert {token.split(":")[2] for (token,) in raw_rows("id_number") if token} == {
        key_id_of(key_a)
    }
    assert audit_rows() == []

    assert "common.Sample：重新加密 21 行" in rotate("--batch", "5")
    settings.RENKOU_FIELD_OLD_KEYS = []  # the old key is gone: every row must still open
    tokens = [token for pair in raw_rows("id_number", "phone") for token in pair if token]
    assert len(tokens) == 23 - 5 + 23 - 8
    assert {token.split(":")[2] for token in tokens} == {key_id_of(key_b)}
    expected = [(r.id_number, r.phone, r.note) for r in rows]
    assert list(Sample.objects.order_by("pk").values_list("id_number", "phone", "note")) == expected

    assert "common.Sample：重新加密 0 行" in rotate()  # idempotent
    assert audit_rows() == [("common.Sample", 21, "ok"), ("common.Sample", 0, "ok")]


def test_a_suite_switch_is_rotated_the_same_way(settings, key_a, only_sample):
    rows = seed(7)
    settings.RENKOU_FIELD_SUITE = crypto.SM4GCM
    assert f"common.Sample：重新加密 {stale(rows)} 行" in rotate()
    tokens = [token for pair in raw_rows("id_number", "phone") for token in pair if token]
    assert {token.split(":", 2)[1] for token in tokens} == {crypto.SM4GCM}
    assert [r.id_number for r in Sample.objects.order_by("pk")] == [r.id_number for r in rows]
    assert "重新加密 0 行" in rotate()


def test_a_row_under_a_lost_key_stops_the_run_and_is_audited(settings, key_a, only_sample):
    seed(3)
    settings.RENKOU_FIELD_KEY = new_key()  # key A forgotten: its rows cannot be re-encrypted
    with pytest.raises(CommandError, match="unknown field key id"):
        rotate()
    assert audit_rows() == [("common.Sample", 0, "failed")]


def test_a_malformed_ciphertext_is_named_by_primary_key(key_a, only_sample):
    row = Sample.objects.create(phone=MOBILE)
    table = connection.ops.quote_name(Sample._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET phone = %s", [MOBILE])  # noqa: S608 fixed names
    with pytest.raises(CommandError, match=f"common.Sample pk={row.pk}"):
        rotate()


def test_batch_must_be_positive(key_a):
    with pytest.raises(CommandError):
        rotate("--batch", "0")


def test_rotate_keys_runs_on_the_installed_models(key_a):
    assert "密钥轮换完成" in rotate()
