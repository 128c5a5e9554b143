"""Encryption at rest with the app's secret key (``TANDEM_SECRET_KEY``), through ``cryptography``'s AES-GCM and HKDF.

**The key.** ``TANDEM_SECRET_KEY`` holds one or more keys, comma-separated, each 32 random bytes in URL-safe
base64 (``tandem secret-key`` prints a new one). The first key encrypts; every key listed decrypts, so a key is
rotated by putting a new one first, running ``tandem secret-key --rotate`` (re-encrypts what is stored) and
dropping the old one once nothing sealed under it is left (an open pulse round's ballots are re-sealed too).
The key lives only in the app's environment, never in the database, a log line or a backup of the database.

**Purposes.** Every use has its own purpose name; its key is derived from the secret key with HKDF (SHA-256), and
the purpose is the AES-GCM associated data as well, so a ballot can never be opened as a token or the reverse.

**Format.** ``version (1 byte) | key id (4 bytes) | nonce (12 bytes) | ciphertext+tag``. The key id is derived
from the key (HKDF, its own purpose), so it tells which listed key opens a value and nothing about the key itself.
With ``pad_to`` the plaintext is padded to a multiple of that many bytes before it is sealed, so the length of a
sealed value says nothing about the length of what is in it.
"""

from __future__ import annotations

import base64
import binascii
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.config import KEY_BYTES, MissingKey, load_settings, parse_keys

VERSION = 1
NONCE_BYTES = 12
KEY_ID_BYTES = 4
TEXT_PREFIX = "enc1:"  # an encrypted text column's value starts with this (a plaintext one never does)


class CannotOpen(Exception):
    """No listed key opens this value (it was sealed under a key that is no longer listed, or it was altered)."""


def new_key() -> str:
    """A fresh secret key, as ``TANDEM_SECRET_KEY`` wants it."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def _derive(key: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=f"tandem:{purpose}".encode()).derive(key)


def _pad(data: bytes, pad_to: int) -> bytes:
    framed = len(data).to_bytes(4, "big") + data
    return framed + b"\0" * (-len(framed) % pad_to)


def _unpad(data: bytes) -> bytes:
    size = int.from_bytes(data[:4], "big")
    if size > len(data) - 4:
        raise CannotOpen("bad padding")
    return data[4 : 4 + size]


@dataclass(frozen=True)
class _Key:
    key_id: bytes
    master: bytes


class Keyring:
    """The app's keys: the first seals, every one opens."""

    def __init__(self, keys: Iterable[bytes]) -> None:
        self._keys = [_Key(_derive(k, "key-id")[:KEY_ID_BYTES], k) for k in keys]
        if not self._keys:
            raise MissingKey("no key given")
        self._aead: dict[tuple[bytes, str], AESGCM] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_text(cls, text: str) -> Keyring:
        return cls(parse_keys(text))

    def _cipher(self, key: _Key, purpose: str) -> AESGCM:
        with self._lock:
            found = self._aead.get((key.key_id, purpose))
            if found is None:
                found = self._aead[(key.key_id, purpose)] = AESGCM(_derive(key.master, purpose))
            return found

    @property
    def current_id(self) -> bytes:
        return self._keys[0].key_id

    def seal(self, purpose: str, plaintext: bytes, *, pad_to: int | None = None) -> bytes:
        key = self._keys[0]
        data = _pad(plaintext, pad_to) if pad_to else b"\xff" + plaintext
        nonce = os.urandom(NONCE_BYTES)
        body = self._cipher(key, purpose).encrypt(nonce, data, purpose.encode())
        return bytes([VERSION]) + key.key_id + nonce + body

    def open(self, purpose: str, sealed: bytes) -> bytes:
        if len(sealed) < 1 + KEY_ID_BYTES + NONCE_BYTES + 16 or sealed[0] != VERSION:
            raise CannotOpen("not a sealed value")
        key_id = sealed[1 : 1 + KEY_ID_BYTES]
        nonce = sealed[1 + KEY_ID_BYTES : 1 + KEY_ID_BYTES + NONCE_BYTES]
        body = sealed[1 + KEY_ID_BYTES + NONCE_BYTES :]
        for key in self._keys:
            if key.key_id != key_id:
                continue
            try:
                data = self._cipher(key, purpose).decrypt(nonce, body, purpose.encode())
            except InvalidTag:
                continue
            return data[1:] if data[:1] == b"\xff" else _unpad(data)
        raise CannotOpen("no listed key opens this value")

    def sealed_with_current(self, sealed: bytes) -> bool:
        return len(sealed) > KEY_ID_BYTES and sealed[1 : 1 + KEY_ID_BYTES] == self.current_id

    def encrypt_text(self, purpose: str, text: str) -> str:
        """A text column's value, encrypted: ``enc1:`` and URL-safe base64."""
        return TEXT_PREFIX + base64.urlsafe_b64encode(self.seal(purpose, text.encode("utf-8"))).decode("ascii")

    def decrypt_text(self, purpose: str, value: str) -> str:
        """The text behind ``encrypt_text``'s value; a value without the prefix is returned as it is (written
        before encryption was turned on; ``tandem secret-key --rotate`` encrypts those)."""
        if not is_encrypted(value):
            return value
        try:
            raw = base64.urlsafe_b64decode(value[len(TEXT_PREFIX) :].encode("ascii"))
        except (binascii.Error, ValueError) as exc:
            raise CannotOpen("not an encrypted text") from exc
        return self.open(purpose, raw).decode("utf-8")


def is_encrypted(value: str | None) -> bool:
    return isinstance(value, str) and value.startswith(TEXT_PREFIX)


# -- the process's keyring ---------------------------------------------------------------------------------
_current: Keyring | None = None
_guard = threading.Lock()


def use(ring: Keyring | None) -> None:
    """Make ``ring`` this process's keyring; None forgets it (the next ``keyring()`` reads the settings again)."""
    global _current
    with _guard:
        _current = ring


def keyring() -> Keyring:
    """This process's keyring: the one set with ``use``, else the one in ``TANDEM_SECRET_KEY`` (from the environment
    or ``.env``). Raises MissingKey when there is none."""
    global _current
    with _guard:
        if _current is not None:
            return _current
    text = load_settings().secret_key
    if not text:
        raise MissingKey("TANDEM_SECRET_KEY: not set; `tandem secret-key` prints one")
    return _use_text(text)


def _use_text(text: str) -> Keyring:
    ring = Keyring.from_text(text)
    use(ring)
    return ring


def ensure() -> Keyring:
    """The keyring if one is configured, else a fresh key for this process only: for ``tandem demo`` and the
    tests, whose databases are thrown away with the process."""
    try:
        return keyring()
    except MissingKey:
        return _use_text(new_key())
