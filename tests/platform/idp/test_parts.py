"""The provider's building blocks on their own: hashing, TOTP, sealing, rate limits, lockout, login state."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from argon2 import PasswordHasher

from avhopp.platform.idp.accounts import UnknownUsernameLockout
from avhopp.platform.idp.login import LoginState, Stage, open_state, seal_state
from avhopp.platform.idp.passwords import check_password, hash_password, new_password_problem, temporary_password
from avhopp.platform.idp.totp import matching_step, new_secret, qr_code_svg
from avhopp.platform.sealing import SealError, seal, unseal

SECRET_KEY = "k" * 40


def test_passwords_are_argon2id_and_old_parameters_are_rehashed() -> None:
    current = hash_password("rätt häst batteri häftklammer")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("rätt häst batteri häftklammer")

    assert current.startswith("$argon2id$")
    assert check_password(current, "rätt häst batteri häftklammer").new_hash is None
    upgraded = check_password(weak, "rätt häst batteri häftklammer")
    assert upgraded.ok
    assert upgraded.new_hash is not None
    assert upgraded.new_hash.startswith("$argon2id$")
    assert not check_password(current, "fel").ok
    assert not check_password("not a hash", "anything").ok
    assert not check_password(current, "x" * 10_000).ok


def test_temporary_passwords_are_long_and_random() -> None:
    passwords = {temporary_password() for _ in range(50)}

    assert len(passwords) == 50
    assert all(len(password) >= 24 for password in passwords)
    assert all(new_password_problem(password, password, "someone") is None for password in passwords)


def test_new_password_rules() -> None:
    assert new_password_problem("", "", "kim") == "Skriv ett nytt lösenord."
    assert new_password_problem("kort", "kort", "kim") == "Lösenordet behöver vara minst 12 tecken långt."
    assert new_password_problem("kim.berg.1234", "kim.berg.1234", "kim.berg.1234") is not None
    assert new_password_problem("en lång fras här", "en annan fras", "kim") is not None


def test_totp_accepts_one_step_of_drift_and_names_the_step() -> None:
    secret = new_secret()
    totp = pyotp.TOTP(secret)
    now = time.time()
    step = totp.timecode(now)

    assert matching_step(secret, totp.at(now), now) == step
    assert matching_step(secret, totp.at(now - 30), now) == step - 1
    assert matching_step(secret, totp.at(now + 30), now) == step + 1
    assert matching_step(secret, totp.at(now + 90), now) is None
    assert matching_step(secret, "12 34 5x", now) is None
    assert matching_step(secret, "", now) is None
    code = totp.at(now)
    assert matching_step(secret, f"{code[:3]} {code[3:]}", now) == step


def test_the_qr_code_has_no_inline_style_or_script() -> None:
    svg = qr_code_svg("otpauth://totp/Avhopp:kim?secret=ABC&issuer=Avhopp", "QR-kod")

    assert svg.startswith("<svg")
    assert "style" not in svg
    assert "script" not in svg
    assert "<title>QR-kod</title>" in svg


def test_sealed_values_open_only_for_their_purpose_context_and_key() -> None:
    account = uuid.uuid4().bytes
    sealed = seal(SECRET_KEY, "idp.totp-secret", b"JBSWY3DPEHPK3PXP", account)

    assert unseal(SECRET_KEY, "idp.totp-secret", sealed, account) == b"JBSWY3DPEHPK3PXP"
    for key, purpose, context in (
        ("o" * 40, "idp.totp-secret", account),
        (SECRET_KEY, "idp.signing-key", account),
        (SECRET_KEY, "idp.totp-secret", uuid.uuid4().bytes),
    ):
        with pytest.raises(SealError):
            unseal(key, purpose, sealed, context)
    with pytest.raises(SealError):
        unseal(SECRET_KEY, "idp.totp-secret", sealed[:-1] + bytes([sealed[-1] ^ 1]), account)


def test_the_login_state_cookie_cannot_be_forged_or_kept() -> None:
    state = LoginState(uuid.uuid4(), Stage.ENROL, int(time.time()) + 60, pending_secret=new_secret())
    expired = LoginState(uuid.uuid4(), Stage.TOTP, int(time.time()) - 1)

    assert open_state(SECRET_KEY, seal_state(SECRET_KEY, state)) == state
    assert open_state("o" * 40, seal_state(SECRET_KEY, state)) is None
    assert open_state(SECRET_KEY, seal_state(SECRET_KEY, expired)) is None
    assert open_state(SECRET_KEY, "garbage!") is None
    assert open_state(SECRET_KEY, None) is None


def test_unknown_usernames_lock_after_five_failures_for_fifteen_minutes() -> None:
    lockout = UnknownUsernameLockout()
    now = datetime.now(UTC)

    assert [lockout.record_failure("okand", now) for _ in range(5)] == [False] * 4 + [True]
    assert lockout.locked("okand", now + timedelta(minutes=14))
    assert not lockout.locked("okand", now + timedelta(minutes=16))
    assert not lockout.locked("nagon-annan", now)
