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


COMMON = "too common"
KEYBOARD = "next to each other on a keyboard"
REPEATED = "repeats the same characters"
RUN = "a run of letters or digits"
DATE = "a date or a year"
OWN_ADDRESS = "built from your email address"
LOCAL_PART = "before the @"


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short pass", f"at least {MIN_LENGTH} characters"),
        ("a" * (MAX_LENGTH + 1), f"at most {MAX_LENGTH} characters"),
        ("password1234", COMMON),
        ("qwertyuiop12", COMMON),
        ("Sunshine2024!!!", COMMON),
        ("monkeydragon", COMMON),
        # Keyboard walks, in rows, columns and zigzags.
        ("zxcvbnm,./asdf", KEYBOARD),
        ("mnbvcxzlkjhgfds", KEYBOARD),
        # So common they are on the lists of passwords.
        ("1qaz2wsx3edc4rfv", COMMON),
        ("qwertasdfgzxcvb", COMMON),
        ("asdfghjkl;'123", COMMON),
        # Repeated characters and words.
        ("aaaaaaaaaaaaaaaa", REPEATED),
        ("!!!!!!!!!!!!!!!!", REPEATED),
        ("iloveyouiloveyou", REPEATED),
        ("abcabcabcabc", REPEATED),
        ("abcdefghijklmn", RUN),
        ("987654321098", RUN),
        ("1987-06-14!!", DATE),
        ("14.06.1987.14", DATE),
        # Full-width, ligature and other compatibility forms read as what they look like.
        ("ｐａｓｓｗｏｒｄ１２３４", COMMON),
        ("ＱＷＥＲＴＹＵＩＯＰ１２", COMMON),
        ("ａａａａａａａａａａａａａａ", REPEATED),
        ("ｚｘｃｖｂｎｍ，．／ａｓｄｆ", KEYBOARD),
        # The part of the address before the @, in any case or form, with or without its dots.
        ("my name is sam.rivers, hi", LOCAL_PART),
        ("SAM.RIVERS is my password", LOCAL_PART),
        ("i am SamRivers of the north", LOCAL_PART),
        ("ｓａｍ．ｒｉｖｅｒｓ forever and ever", LOCAL_PART),
        # Made of the address's pieces (too short to refuse on their own): still guessable.
        ("riverssam2024", OWN_ADDRESS),
        ("sam rivers example", OWN_ADDRESS),
        ("Example.org, Rivers & Sam!", OWN_ADDRESS),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(app, password, fragment):
    with app.test_request_context("/admin/"), pytest.raises(WeakPassword) as refused:
        check_password(password, "Sam.Rivers@example.org")
    assert fragment in str(refused.value.message)


@pytest.mark.parametrize(
    ("email", "password", "refused"),
    [
        # Local parts of three characters or more may not appear, whatever their case or form.
        ("bob@example.org", "tangerine bob lamp quartz", True),
        ("BOB@example.org", "tangerine ＢＯＢ lamp quartz", True),
        ("zoé@example.org", "tangerine ZOÉ lamp quartz", True),
        ("a.b.c@example.org", "tangerine abc lamp quartz", True),
        # Shorter ones would refuse too much ("jo" is in "major"), but zxcvbn weighs them.
        ("jo@example.org", "major tangerine lamp quartz", False),
        ("x@example.org", "tangerine lamp quartz x", False),
    ],
)
def test_the_address_local_part_is_checked_at_every_length_that_makes_sense(
    app, email, password, refused
):
    with app.test_request_context("/admin/"):
        if refused:
            with pytest.raises(WeakPassword) as error:
                check_password(password, email)
            assert LOCAL_PART in str(error.value.message)
        else:
            check_password(password, email)


@pytest.mark.parametrize(
    ("password", "english", "french"),
    [
        ("password1234", COMMON, "trop courant"),
        ("zxcvbnm,./asdf", KEYBOARD, "clavier"),
        ("aaaaaaaaaaaaaaaa", REPEATED, "répète"),
        ("abcdefghijklmn", RUN, "suite de lettres ou de chiffres"),
        ("sam rivers example", OWN_ADDRESS, "adresse courriel"),
    ],
)
def test_reasons_are_given_in_english_and_french(app, password, english, french):
    for path, fragment in (("/en/", english), ("/fr/", french)):
        with app.test_request_context(path):
            app.preprocess_request()
            with pytest.raises(WeakPassword) as refused:
                check_password(password, "Sam.Rivers@example.org")
            assert fragment in str(refused.value.message), path


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
