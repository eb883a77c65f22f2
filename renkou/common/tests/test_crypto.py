"""Field encryption, blind index and masking (security.md CR2, CR4): both suites round-trip any
text, every tampering is caught, a ciphertext is bound to its column, and a rotated key or suite
still opens old ciphertexts while flagging them for ``rotate_keys``."""

import base64
import hashlib
import hmac
import re
import secrets

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.exceptions import ImproperlyConfigured
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from renkou.common import crypto
from renkou.common.crypto import DecryptionError

CONTEXT = "people.Person.id_number"
ID_NUMBER = "11010519491231002X"  # the GB 11643 specimen number
TOKEN = re.compile(r"v1:(aes256gcm|sm4gcm):[0-9a-f]{8}:[A-Za-z0-9_-]+")
SUITES = pytest.mark.parametrize("suite", crypto.SUITES)
FIXTURE_OK = hsettings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def key_id_of(key: str) -> str:
    return hashlib.sha256(base64.b64decode(key)).hexdigest()[:8]


def payload(token: str) -> bytes:
    text = token.rsplit(":", 1)[1]
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def with_payload(token: str, data: bytes) -> str:
    head = token.rsplit(":", 1)[0]
    return f"{head}:{base64.urlsafe_b64encode(data).rstrip(b'=').decode()}"


@pytest.fixture
def key_a(settings) -> str:
    settings.RENKOU_FIELD_KEY = new_key()
    settings.RENKOU_FIELD_OLD_KEYS = []
    settings.RENKOU_FIELD_SUITE = crypto.AES256GCM
    return settings.RENKOU_FIELD_KEY


# Round trip and format ------------------------------------------------------------------------


@SUITES
@FIXTURE_OK
@given(value=st.text(), context=st.text(min_size=1, max_size=40))
@example(value="", context=CONTEXT)
@example(value="张三丰 · 𠀀𝄞", context=CONTEXT)
@example(value=ID_NUMBER, context=CONTEXT)
def test_round_trip_for_any_text(settings, key_a, suite, value, context):
    settings.RENKOU_FIELD_SUITE = suite
    token = crypto.encrypt(value, context)
    assert TOKEN.fullmatch(token)
    assert token.split(":")[1:3] == [suite, key_id_of(key_a)]
    assert crypto.decrypt(token, context) == value
    assert not crypto.needs_rotation(token)


@SUITES
def test_two_encryptions_of_one_value_differ(settings, key_a, suite):
    settings.RENKOU_FIELD_SUITE = suite
    first, second = crypto.encrypt(ID_NUMBER, CONTEXT), crypto.encrypt(ID_NUMBER, CONTEXT)
    assert first != second
    assert payload(first)[:12] != payload(second)[:12]  # fresh nonce
    assert ID_NUMBER not in first


def test_an_independent_implementation_opens_both_suites(settings, key_a):
    """The documented format is all a second tool needs (key, HKDF info, nonce ‖ ct ‖ tag)."""
    key = base64.b64decode(key_a)
    aes = payload(crypto.encrypt(ID_NUMBER, CONTEXT))
    assert AESGCM(key).decrypt(aes[:12], aes[12:], CONTEXT.encode()) == ID_NUMBER.encode()

    settings.RENKOU_FIELD_SUITE = crypto.SM4GCM
    sm4 = payload(crypto.encrypt(ID_NUMBER, CONTEXT))
    sm4_key = HKDF(hashes.SHA256(), length=16, salt=None, info=b"renkou sm4").derive(key)
    nonce, body, tag = sm4[:12], sm4[12:-16], sm4[-16:]
    decryptor = Cipher(algorithms.SM4(sm4_key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(CONTEXT.encode())
    assert decryptor.update(body) + decryptor.finalize() == ID_NUMBER.encode()


# Tampering ------------------------------------------------------------------------------------


@SUITES
def test_every_flipped_bit_of_the_payload_is_caught(settings, key_a, suite):
    settings.RENKOU_FIELD_SUITE = suite
    token = crypto.encrypt("13912345678", CONTEXT)
    data = payload(token)
    for bit in range(len(data) * 8):
        flipped = bytearray(data)
        flipped[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(DecryptionError):
            crypto.decrypt(with_payload(token, bytes(flipped)), CONTEXT)


@SUITES
def test_every_changed_character_of_the_token_is_caught(settings, key_a, suite):
    """Header, payload, and the unused low bits of the last base64 character alike."""
    settings.RENKOU_FIELD_SUITE = suite
    token = crypto.encrypt("张三", CONTEXT)
    for index, original in enumerate(token):
        for replacement in "A-_0:gw=é":
            if replacement == original:
                continue
            changed = token[:index] + replacement + token[index + 1 :]
            with pytest.raises(DecryptionError):
                crypto.decrypt(changed, CONTEXT)


@SUITES
def test_truncated_or_extended_tokens_are_caught(settings, key_a, suite):
    settings.RENKOU_FIELD_SUITE = suite
    token = crypto.encrypt(ID_NUMBER, CONTEXT)
    data = payload(token)
    for cut in (1, 15, 16, len(data) - 12):
        with pytest.raises(DecryptionError):
            crypto.decrypt(with_payload(token, data[:-cut]), CONTEXT)
    with pytest.raises(DecryptionError):
        crypto.decrypt(with_payload(token, data + b"\x00"), CONTEXT)


@SUITES
def test_a_ciphertext_moved_to_another_column_fails(settings, key_a, suite):
    settings.RENKOU_FIELD_SUITE = suite
    token = crypto.encrypt(ID_NUMBER, CONTEXT)
    for other in ("people.Person.phone", "people.HistoricalPerson.id_number", "", CONTEXT + " "):
        with pytest.raises(DecryptionError):
            crypto.decrypt(token, other)


def test_a_token_relabelled_with_the_other_suite_fails(key_a):
    token = crypto.encrypt(ID_NUMBER, CONTEXT)
    with pytest.raises(DecryptionError):
        crypto.decrypt(token.replace(":aes256gcm:", ":sm4gcm:"), CONTEXT)


@pytest.mark.parametrize(
    "token",
    [
        "",
        ID_NUMBER,
        "v1",
        "v1:aes256gcm:00000000",
        "v2:aes256gcm:00000000:AAAA",
        "v1:des:00000000:" + "A" * 40,
        "v1:aes256gcm:00000000:" + "A" * 36 + "!!",
        None,
        42,
    ],
)
def test_malformed_tokens_raise_decryption_error(key_a, token):
    with pytest.raises(DecryptionError):
        crypto.decrypt(token, CONTEXT)
    with pytest.raises(DecryptionError):
        crypto.needs_rotation(token)


def test_decryption_error_is_a_value_error():
    assert issubclass(DecryptionError, ValueError)


# Keys, rotation and suites --------------------------------------------------------------------


def test_an_unknown_key_id_is_refused(settings, key_a):
    token = crypto.encrypt(ID_NUMBER, CONTEXT)
    settings.RENKOU_FIELD_KEY = new_key()
    with pytest.raises(DecryptionError, match="unknown field key id"):
        crypto.decrypt(token, CONTEXT)


def test_an_old_key_still_decrypts_and_flags_rotation(settings, key_a):
    old = crypto.encrypt(ID_NUMBER, CONTEXT)
    key_b = new_key()
    settings.RENKOU_FIELD_KEY, settings.RENKOU_FIELD_OLD_KEYS = key_b, [key_a]
    assert crypto.decrypt(old, CONTEXT) == ID_NUMBER
    assert crypto.needs_rotation(old)
    new = crypto.encrypt(ID_NUMBER, CONTEXT)
    assert new.split(":")[2] == key_id_of(key_b)
    assert not crypto.needs_rotation(new)
    assert crypto.current_scheme() == f"aes256gcm:{key_id_of(key_b)}"


def test_a_suite_switch_flags_rotation_and_still_decrypts(settings, key_a):
    old = crypto.encrypt(ID_NUMBER, CONTEXT)
    settings.RENKOU_FIELD_SUITE = crypto.SM4GCM
    assert crypto.needs_rotation(old)
    assert crypto.decrypt(old, CONTEXT) == ID_NUMBER
    assert crypto.encrypt(ID_NUMBER, CONTEXT).startswith("v1:sm4gcm:")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RENKOU_FIELD_SUITE", "des"),
        ("RENKOU_FIELD_KEY", "c2hvcnQ="),
        ("RENKOU_FIELD_KEY", "not base64!"),
        ("RENKOU_FIELD_OLD_KEYS", ["c2hvcnQ="]),
    ],
)
def test_bad_settings_are_refused(settings, key_a, name, value):
    setattr(settings, name, value)
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt(ID_NUMBER, CONTEXT)


# Blind index ----------------------------------------------------------------------------------


def test_blind_index_is_a_keyed_hmac_per_purpose(settings):
    settings.RENKOU_INDEX_KEY = key = new_key()
    digest = crypto.blind_index(ID_NUMBER, "person.id_number")
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert digest == crypto.blind_index(ID_NUMBER, "person.id_number")
    expected = hmac.new(
        base64.b64decode(key), b"person.id_number\x00" + ID_NUMBER.encode(), hashlib.sha256
    ).hexdigest()
    assert digest == expected
    assert digest != crypto.blind_index(ID_NUMBER, "person.phone")
    assert digest != crypto.blind_index(ID_NUMBER[:-1] + "0", "person.id_number")
    settings.RENKOU_INDEX_KEY = new_key()
    assert digest != crypto.blind_index(ID_NUMBER, "person.id_number")


def test_blind_index_purpose_cannot_shift_the_separator():
    with pytest.raises(ValueError, match="NUL"):
        crypto.blind_index("x", "person\x00id")


# Masking --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "masked"),
    [
        # A resident ID keeps the province and prefecture only (docs/masking.md).
        ("62302219900101123X", crypto.ID_NUMBER, "6230**************"),
        ("623022900101123", crypto.ID_NUMBER, "6230***********"),
        # Other documents keep their series letter.
        ("E12345678", crypto.ID_NUMBER, "E********"),
        ("Q620123456", crypto.ID_NUMBER, "Q*********"),
        ("XT0000000000000042", crypto.ID_NUMBER, "X*****************"),
        ("13912345678", crypto.PHONE, "139********"),
        ("0941-1234567", crypto.PHONE, "094*********"),
        # An account keeps its last digits only while 4 stay hidden after the issuer's 6.
        ("6230521234567890123", crypto.ACCOUNT, "6230***********0123"),
        ("6230521234567894", crypto.ACCOUNT, "6230********7894"),
        ("623052123456", crypto.ACCOUNT, "6230******56"),
        ("62305212345", crypto.ACCOUNT, "***********"),
        ("123", crypto.PHONE, "***"),
        ("", crypto.PHONE, ""),
        (None, crypto.ID_NUMBER, ""),
    ],
)
def test_mask(value, kind, masked):
    assert crypto.mask(value, kind) == masked


def test_mask_defaults_to_a_document_number_and_refuses_an_unknown_kind():
    assert crypto.mask("62302219900101123X") == "6230**************"
    with pytest.raises(ValueError, match="unknown kind"):
        crypto.mask("13912345678", "name")
