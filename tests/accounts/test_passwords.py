"""Password rules: long enough, not too long, not common, not the account's own address."""

from __future__ import annotations

import pytest

from petition.accounts.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    WeakPassword,
    check_password,
    common_passwords,
    generate_password,
    hash_password,
    verify_password,
)


def test_the_common_password_list_ships_with_the_package():
    common = common_passwords()
    assert len(common) > 10_000
    assert {"password", "123456", "qwertyuiop", "iloveyou"} <= common


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "Tr0ub4dor&3 on a boat",
        "lentil soup at midnight",
        "xq7#Lm2!pW9r",
        "mauve kettle, seven oranges and a very patient heron on the dock",
    ],
)
def test_good_passwords_are_accepted(password):
    check_password(password, "sam.rivers@example.org")


def test_long_passphrases_are_welcome_up_to_the_cap():
    passphrase = "the quick brown fox jumps over the lazy dog near the old mill ok"
    assert len(passphrase) >= 64
    check_password(passphrase)
    check_password(("tangerine lamp " * 20)[: MAX_LENGTH - 1] + "z")


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short pass", f"at least {MIN_LENGTH} characters"),
        ("a" * (MAX_LENGTH + 1), f"at most {MAX_LENGTH} characters"),
        ("password1234", "too common"),
        ("qwertyuiop12", "too common"),
        ("Sunshine2024!!!", "too common"),
        ("iloveyouiloveyou", "too common"),
        ("abcabcabcabc", "too common"),
        ("abcdefghijklmn", "too common"),
        ("987654321098", "too common"),
        ("my name is sam.rivers, hi", "before the @"),
        ("SAM.RIVERS is my password", "before the @"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(app, password, fragment):
    with app.test_request_context("/admin/"), pytest.raises(WeakPassword) as refused:
        check_password(password, "Sam.Rivers@example.org")
    assert fragment in str(refused.value.message)


def test_generated_passwords_pass_the_rules_and_differ():
    first, second = generate_password(), generate_password()
    assert first != second
    check_password(first, "sam.rivers@example.org")
    assert len(first) >= 20


def test_hashes_are_argon2id_and_verify():
    stored = hash_password("correct horse battery staple")
    assert stored.startswith("$argon2id$")
    assert "m=19456,t=2,p=1" in stored
    assert verify_password(stored, "correct horse battery staple")
    assert not verify_password(stored, "correct horse battery stapler")
    assert not verify_password(None, "correct horse battery staple")
    assert not verify_password("not a hash", "anything")
