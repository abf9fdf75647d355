"""At start, as the owner: the built-in identity provider and the demo people linked to it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from avhopp.platform.database import create_owner_engine
from avhopp.platform.idp import ensure_identity_provider
from avhopp.tenants.registry.demo import DEMO_PEOPLE, link_demo_people

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from avhopp.platform.idp import CreatedAccount
    from avhopp.platform.settings import Settings


def set_up_built_in_identity(owner_url: URL, settings: Settings, *, demo: bool) -> list[CreatedAccount]:
    """Keys, the platform's client and (for demos) the demo accounts; returns accounts new this time.

    A new account's password is returned once, to be shown once, and is stored nowhere else.
    """
    people = DEMO_PEOPLE if demo else ()
    engine = create_owner_engine(owner_url)
    try:
        with engine.begin() as connection:
            setup = ensure_identity_provider(
                connection, settings, [(person.username, person.display_name) for person in people]
            )
            if demo:
                link_demo_people(connection, setup.issuer, setup.subjects)
    finally:
        engine.dispose()
    return setup.created_accounts
