"""The app's secret key: sealing and opening, rotation, padding, and what the settings accept."""

from __future__ import annotations

import pytest

from bot import crypto
from bot.config import ConfigError, load_settings


def test_seal_opens_only_with_the_purpose_and_a_listed_key() -> None:
    old, new = crypto.new_key(), crypto.new_key()
    ring = crypto.Keyring.from_text(old)
    sealed = ring.seal("ballot", b"mood 2, the comment")
    assert b"mood" not in sealed
    assert ring.open("ballot", sealed) == b"mood 2, the comment"
    with pytest.raises(crypto.CannotOpen):
        ring.open("token", sealed)  # another purpose never opens it
    rotated = crypto.Keyring.from_text(f"{new},{old}")
    assert rotated.open("ballot", sealed) == b"mood 2, the comment"  # an old key still opens
    assert not rotated.sealed_with_current(sealed)
    assert rotated.sealed_with_current(rotated.seal("ballot", b"x"))
    with pytest.raises(crypto.CannotOpen):
        crypto.Keyring.from_text(new).open("ballot", sealed)  # a key that is no longer listed does not
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(crypto.CannotOpen):
        ring.open("ballot", tampered)


def test_padding_hides_the_length_and_two_seals_differ() -> None:
    ring = crypto.Keyring.from_text(crypto.new_key())
    short, long = ring.seal("ballot", b"a", pad_to=4096), ring.seal("ballot", b"a" * 4000, pad_to=4096)
    assert len(short) == len(long)
    assert ring.open("ballot", long) == b"a" * 4000
    assert ring.seal("ballot", b"a", pad_to=4096) != short  # a fresh nonce each time


def test_encrypted_text_round_trip_and_plain_text_passes() -> None:
    ring = crypto.Keyring.from_text(crypto.new_key())
    value = ring.encrypt_text("token", "xoxb-123")
    assert crypto.is_encrypted(value) and "xoxb" not in value
    assert ring.decrypt_text("token", value) == "xoxb-123"
    assert ring.decrypt_text("token", "xoxb-legacy") == "xoxb-legacy"


@pytest.mark.parametrize("bad", ["short", "x" * 44, "a,b"])
def test_a_malformed_key_is_one_line_naming_the_variable(bad: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(TANDEM_SECRET_KEY=bad)
    assert str(err.value).startswith("TANDEM_SECRET_KEY:") and "\n" not in str(err.value)


def test_the_key_is_a_secret_the_settings_never_show() -> None:
    key = crypto.new_key()
    settings = load_settings(TANDEM_SECRET_KEY=f" {key} ")
    assert key not in repr(settings) and key in settings.secrets()
    with pytest.raises(ConfigError):
        load_settings(TANDEM_SECRET_KEY="").require_secret_key()
