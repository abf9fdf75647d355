"""At start, as the owner: the built-in identity provider and the demo people linked to it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from avhopp.platform.database import create_owner_engine
from avhopp.platform.idp import ensure_identity_provider, issuer_for, new_temporary_password
from avhopp.platform.seed_versions import content_digest, record_seed, seed_digests
from avhopp.tenants.registry.demo import DEMO_PEOPLE, link_demo_people

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.engine import URL

    from avhopp.platform.idp import CreatedAccount, TemporaryPassword
    from avhopp.platform.settings import Settings

DEMO_STEP = "demo-identity"
"""The seed step of the demo people, their accounts and memberships (see avhopp.platform.seed_versions)."""


def hash_demo_passwords() -> list[TemporaryPassword]:
    """One temporary password per demo person, hashed: seconds of argon2 that a first start overlaps."""
    return [new_temporary_password() for _ in DEMO_PEOPLE]


def set_up_built_in_identity(
    owner_url: URL, settings: Settings, *, demo: bool, passwords: Iterable[TemporaryPassword] = ()
) -> list[CreatedAccount]:
    """Keys, the platform's client and (for demos) the demo accounts; returns accounts new this time.

    The demo people are written only when they, or the issuer their accounts belong to, have
    changed since the last start. A new account's password (from `passwords` while they last)
    is returned once, to be shown once, and is stored nowhere else.
    """
    engine = create_owner_engine(owner_url)
    try:
        with engine.begin() as connection:
            digest = content_digest([issuer_for(settings), DEMO_PEOPLE])
            people = DEMO_PEOPLE if demo and seed_digests(connection).get(DEMO_STEP) != digest else ()
            setup = ensure_identity_provider(
                connection, settings, [(person.username, person.display_name) for person in people], passwords
            )
            if people:
                link_demo_people(connection, setup.issuer, setup.subjects)
                record_seed(connection, DEMO_STEP, digest)
    finally:
        engine.dispose()
    return setup.created_accounts
