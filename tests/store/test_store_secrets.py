"""API keys at rest: encrypted, rotated, never shown; wrong secrets are clear errors."""

from __future__ import annotations

import logging

import pytest
from storetest import API_KEY, AddLink, Backend

from osoto_bridge.store import (
    SecretError,
    Store,
    StoreError,
    fingerprint,
    generate_secret_key,
)
from osoto_bridge.store.crypto import KeyCipher


async def test_keys_are_encrypted_at_rest(
    store: Store, add_link: AddLink, backend: Backend
) -> None:
    await add_link()
    rows = await backend.raw("SELECT * FROM api_keys")
    assert len(rows) == 1
    on_disk = " ".join(str(value) for value in rows[0])
    assert API_KEY not in on_disk
    assert "TOPSECRET" not in on_disk
    assert rows[0].fingerprint == fingerprint(API_KEY)


async def test_the_file_holds_no_plaintext_key(tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("raw") / "bridge.db"
    async with Store.open(f"sqlite+aiosqlite:///{path}", secret_keys=[generate_secret_key()]) as s:
        await s.add_link(
            platform="telegram",
            chat_id="1",
            thread_id=None,
            trip_id="t",
            trip_title="T",
            channel_id="c",
            channel_name="general",
            api_key=API_KEY,
            owner_user_id="u",
            scopes=(),
        )
    raw = b"".join(p.read_bytes() for p in path.parent.iterdir())
    assert API_KEY.encode() not in raw
    assert b"TOPSECRET" not in raw


def test_fingerprint_is_twelve_hex_digits_of_sha256() -> None:
    import hashlib

    assert fingerprint(API_KEY) == hashlib.sha256(API_KEY.encode()).hexdigest()[:12]
    assert fingerprint("osk_a") != fingerprint("osk_b")


async def test_rotation_then_dropping_the_old_secret(persistent_backend: Backend) -> None:
    old = persistent_backend.secret_keys[0]
    async with persistent_backend.open() as store:
        link = await store.add_link(
            platform="slack",
            chat_id="C1",
            thread_id=None,
            trip_id="t1",
            trip_title="Lisbon",
            channel_id="c1",
            channel_name="general",
            api_key=API_KEY,
            owner_user_id="u1",
            scopes=(),
        )
        await store.add_link(
            platform="slack",
            chat_id="C2",
            thread_id=None,
            trip_id="t1",
            trip_title="Lisbon",
            channel_id="c1",
            channel_name="general",
            api_key="osk_second",
            owner_user_id="u1",
            scopes=(),
        )
    new = generate_secret_key()
    async with persistent_backend.open(secret_keys=[new, old]) as store:
        assert await store.api_key_for(link) == API_KEY  # old key still decrypts
        assert await store.rotate_secrets() == 2
    async with persistent_backend.open(secret_keys=[new]) as store:
        assert await store.api_key_for(link) == API_KEY
        assert await store.verify_secrets() == 2
    async with persistent_backend.open(secret_keys=[old]) as store:
        with pytest.raises(SecretError):
            await store.api_key_for(link)


async def test_a_wrong_secret_is_a_clear_store_error(
    persistent_backend: Backend,
) -> None:
    async with persistent_backend.open() as store:
        link = await store.add_link(
            platform="slack",
            chat_id="C1",
            thread_id=None,
            trip_id="t1",
            trip_title="Lisbon",
            channel_id="c1",
            channel_name="general",
            api_key=API_KEY,
            owner_user_id="u1",
            scopes=(),
        )
    async with persistent_backend.open(secret_keys=[generate_secret_key()]) as store:
        with pytest.raises(StoreError) as caught:
            await store.api_key_for(link)
        assert isinstance(caught.value, SecretError)
        message = str(caught.value)
        assert "none of the configured secret keys" in message
        assert link.key_fingerprint in message
        assert API_KEY not in message
        # Not a cryptography traceback: nothing chained.
        assert caught.value.__cause__ is None and caught.value.__suppress_context__
        with pytest.raises(SecretError, match=link.key_fingerprint):
            await store.verify_secrets()
        with pytest.raises(SecretError):
            await store.rotate_secrets()
    # A failed rotation changed nothing: the right secret still works.
    async with persistent_backend.open() as store:
        assert await store.api_key_for(link) == API_KEY


@pytest.mark.parametrize(
    "keys", [[], ["not-a-fernet-key"], ["short"], "a-single-string-not-a-list"]
)
async def test_malformed_secret_keys_are_refused_without_echoing_them(
    backend: Backend, keys: list[str]
) -> None:
    with pytest.raises(SecretError) as caught:
        await backend.open(secret_keys=keys)
    assert caught.value.__cause__ is None
    for key in keys if isinstance(keys, list) else [keys]:
        assert key not in str(caught.value)


async def test_no_key_in_any_repr_log_or_error(
    store: Store, add_link: AddLink, backend: Backend, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    link = await add_link()
    assert await store.api_key_for(link) == API_KEY
    await store.rotate_secrets()
    await store.update_link(link.id, language="de")
    texts = [
        repr(link),
        str(link),
        repr(store),
        repr(KeyCipher(backend.secret_keys)),
        repr(backend.open()),
        caplog.text,
        *(record.getMessage() for record in caplog.records),
    ]
    for text in texts:
        assert API_KEY not in text
        assert "TOPSECRET" not in text
        for secret in backend.secret_keys:
            assert secret not in text
    assert fingerprint(API_KEY) in caplog.text  # logged as a fingerprint instead


def test_generate_secret_key_makes_distinct_valid_keys() -> None:
    first, second = generate_secret_key(), generate_secret_key()
    assert first != second
    cipher = KeyCipher([first])
    assert cipher.decrypt(cipher.encrypt("osk_x"), what="test") == "osk_x"


def test_secret_errors_name_the_operator_s_commands_not_functions() -> None:
    from osoto_bridge.store.crypto import KeyCipher

    with pytest.raises(SecretError) as malformed:
        KeyCipher(["not-a-key"])
    assert "`osoto-bridge secret-key`" in str(malformed.value)
    token = KeyCipher([generate_secret_key()]).encrypt("osk_x")
    with pytest.raises(SecretError) as undecryptable:
        KeyCipher([generate_secret_key()]).decrypt(token, what="key 1")
    assert "`osoto-bridge links rotate-secret`" in str(undecryptable.value)
    assert "()" not in str(malformed.value) + str(undecryptable.value)
