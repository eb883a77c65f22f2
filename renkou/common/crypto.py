"""Field encryption, blind indexes and masking (architecture.md "Sensitive fields"; security.md
CR1, CR2, CR4).

A ciphertext reads ``v1:<suite>:<key-id>:<base64url(nonce ‖ ciphertext ‖ tag)>``:

- ``suite`` is ``aes256gcm`` (AES-256-GCM with the 32-byte field key) or ``sm4gcm`` (SM4-GCM for
  商用密码 assessments, with a 16-byte key derived from the field key by HKDF-SHA256). New
  ciphertexts use ``settings.RENKOU_FIELD_SUITE``; both suites always decrypt.
- ``key-id`` is the first 8 hex characters of SHA-256 of the key, so that during a rotation
  (``RENKOU_FIELD_OLD_KEYS``) each ciphertext names the key that opens it.
- the GCM associated data is the caller's ``context`` (``"people.Person.id_number"``), so a
  ciphertext copied into another column or table fails to decrypt.

Keys are read from settings at call time (never at import); decoded and derived keys are cached
under the raw setting values, so a changed setting takes effect at once.
"""

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = "v1"
AES256GCM = "aes256gcm"
SM4GCM = "sm4gcm"
SUITES = (AES256GCM, SM4GCM)
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32


class DecryptionError(ValueError):
    """A ciphertext that cannot be opened: malformed, unknown key id or suite, or a failed tag
    (tampered, truncated, or moved from another column)."""


@dataclass(frozen=True)
class Token:
    suite: str
    key_id: str
    payload: bytes  # nonce ‖ ciphertext ‖ tag


# Keys -------------------------------------------------------------------------------------------


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def _decode(value: str, name: str) -> bytes:
    try:
        key = base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be base64") from exc
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(f"{name} must decode to {KEY_BYTES} bytes")
    return key


@lru_cache(maxsize=8)
def _keyring(current: str, old: tuple[str, ...]) -> tuple[bytes, dict[str, bytes]]:
    """(current key, every usable key by id), cached under the raw setting values."""
    key = _decode(current, "RENKOU_FIELD_KEY")
    old_keys = [_decode(value, "RENKOU_FIELD_OLD_KEYS") for value in old]
    ring = {key_id(old_key): old_key for old_key in old_keys}
    ring[key_id(key)] = key
    return key, ring


def _settings_keyring() -> tuple[bytes, dict[str, bytes]]:
    return _keyring(settings.RENKOU_FIELD_KEY, tuple(settings.RENKOU_FIELD_OLD_KEYS))


def _current_suite() -> str:
    suite = settings.RENKOU_FIELD_SUITE
    if suite not in SUITES:
        raise ImproperlyConfigured(f"RENKOU_FIELD_SUITE must be one of {', '.join(SUITES)}")
    return suite


@lru_cache(maxsize=8)
def _sm4_key(key: bytes) -> bytes:
    # SM4 takes 128-bit keys; derive one rather than truncate, so the two suites never share
    # key material directly.
    hkdf = HKDF(algorithm=hashes.SHA256(), length=16, salt=None, info=b"renkou sm4")
    return hkdf.derive(key)


# Suites -----------------------------------------------------------------------------------------


def _seal(suite: str, key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    """ciphertext ‖ tag."""
    if suite == AES256GCM:
        return AESGCM(key).encrypt(nonce, data, aad)
    encryptor = Cipher(algorithms.SM4(_sm4_key(key)), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(data) + encryptor.finalize() + encryptor.tag


def _open(suite: str, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    """Raise ``InvalidTag`` when the ciphertext, tag, nonce or associated data was altered."""
    if suite == AES256GCM:
        return AESGCM(key).decrypt(nonce, sealed, aad)
    body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(_sm4_key(key)), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(body) + decryptor.finalize()


# Tokens -----------------------------------------------------------------------------------------


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    data = base64.b64decode(padded, altchars=b"-_", validate=True)
    if _b64encode(data) != text:
        # Unused low bits of the last character would otherwise let two strings decode alike.
        raise ValueError("non-canonical base64")
    return data


def parse(token: str) -> Token:
    """Split a ciphertext into its parts; ``DecryptionError`` when it is not one."""
    parts = token.split(":") if isinstance(token, str) else []
    if len(parts) != 4 or parts[0] != VERSION or parts[1] not in SUITES:
        raise DecryptionError("not a v1 field ciphertext")
    try:
        payload = _b64decode(parts[3])
    except ValueError as exc:
        raise DecryptionError("malformed ciphertext payload") from exc
    if len(payload) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("ciphertext payload too short")
    return Token(suite=parts[1], key_id=parts[2], payload=payload)


def encrypt(value: str, context: str) -> str:
    """Encrypt ``value`` under the current key and suite, bound to ``context``."""
    suite = _current_suite()
    key, _ = _settings_keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = _seal(suite, key, nonce, value.encode("utf-8"), context.encode("utf-8"))
    return f"{VERSION}:{suite}:{key_id(key)}:{_b64encode(nonce + sealed)}"


def decrypt(token: str, context: str) -> str:
    """Open a ciphertext with whichever current or old key it names."""
    parsed = parse(token)
    _, ring = _settings_keyring()
    key = ring.get(parsed.key_id)
    if key is None:
        raise DecryptionError(f"unknown field key id {parsed.key_id}")
    nonce, sealed = parsed.payload[:NONCE_BYTES], parsed.payload[NONCE_BYTES:]
    try:
        data = _open(parsed.suite, key, nonce, sealed, context.encode("utf-8"))
    except InvalidTag as exc:
        raise DecryptionError("ciphertext failed authentication") from exc
    return data.decode("utf-8")


def needs_rotation(token: str) -> bool:
    """True when ``token`` was made under another key or suite than new ciphertexts use
    (``DecryptionError`` when it is not a ciphertext at all)."""
    parsed = parse(token)
    key, _ = _settings_keyring()
    return parsed.suite != _current_suite() or parsed.key_id != key_id(key)


def current_scheme() -> str:
    """``<suite>:<key-id>`` of new ciphertexts, for logs and audit rows (the id is not secret)."""
    key, _ = _settings_keyring()
    return f"{_current_suite()}:{key_id(key)}"


# Blind index and masking ------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _index_key(value: str) -> bytes:
    return _decode(value, "RENKOU_INDEX_KEY")


def blind_index(value: str, purpose: str) -> str:
    """HMAC-SHA256 of an already normalised ``value`` under the index key (64 hex characters).

    ``purpose`` ("person.id_number") separates indexes, so equal values in two columns do not
    link. The key lives outside the database: an unkeyed hash of an 18-digit ID number can be
    brute-forced (security.md §0.2).
    """
    if "\x00" in purpose:
        raise ValueError("purpose must not contain NUL")
    message = purpose.encode("utf-8") + b"\x00" + value.encode("utf-8")
    return hmac.new(_index_key(settings.RENKOU_INDEX_KEY), message, hashlib.sha256).hexdigest()


# What a masked value keeps (docs/masking.md): the parts an attacker can learn anyway and
# nothing that, with everything else a page, list or export shows beside it, leaves fewer than
# ``MIN_CANDIDATES`` possible numbers.
ID_NUMBER, PHONE, ACCOUNT = "id_number", "phone", "account"
MIN_CANDIDATES = 1000
MASK_CHAR = "*"
ACCOUNT_MIN_LENGTH = 12  # shorter than a bank card: nothing is kept
ACCOUNT_HIDDEN_AFTER_BIN = 4  # digits hidden after the issuer's 6 (public) ones, at least


def _resident_id_shaped(value: str) -> bool:
    """18 characters (17 digits and a digit or X) or a legacy 15-digit number."""
    if not value.isascii():
        return False
    if len(value) == 18:
        return value[:17].isdigit() and (value[17].isdigit() or value[17] in "Xx")
    return len(value) == 15 and value.isdigit()


def _kept(value: str, kind: str) -> tuple[int, int]:
    """(characters kept at the start, at the end) of a masked value of this kind."""
    if kind == ID_NUMBER:
        # A resident ID keeps its first 4 digits (province and prefecture, known from the unit
        # anyway): the birth date, the sequence (sex) and the check character are hidden. Any
        # other document number (passport, 出生医学证明) keeps its series letter only.
        return (4, 0) if _resident_id_shaped(value) else (1, 0)
    if kind == PHONE:
        # The carrier prefix only: the next 4 digits follow from the area's number blocks
        # (public), so the last 4 must stay hidden.
        return 3, 0
    if kind == ACCOUNT:
        if len(value) < ACCOUNT_MIN_LENGTH:
            return 0, 0
        # The issuer's first 6 digits are public (the bank is named beside the number), and the
        # Luhn check digit follows from the rest: the last digits are kept only while at least
        # 4 digits stay hidden after the issuer's 6, i.e. 10³ candidates.
        return 4, min(4, len(value) - 6 - ACCOUNT_HIDDEN_AFTER_BIN)
    raise ValueError(f"unknown kind of masked value: {kind}")


def mask(value: str | None, kind: str = ID_NUMBER) -> str:
    """The masked display form of an ID (or other document) number, phone or bank account:
    ``mask("62302219900101123X") == "6230**************"``, ``mask("13912345678", PHONE) ==
    "139********"``, ``mask("6230521234567890123", ACCOUNT) == "6230***********0123"``.

    The one definition of masking (docs/masking.md): every page, list, export and report
    shows these forms; the full value comes only from an audited unmask or an approved full
    export.
    """
    if not value:
        return ""
    value = str(value)
    start, end = _kept(value, kind)
    hidden = len(value) - start - end
    if hidden <= 0:
        return MASK_CHAR * len(value)
    return value[:start] + MASK_CHAR * hidden + value[len(value) - end :]
