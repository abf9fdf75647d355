"""The menu offers exactly the pages that open: it is computed from the permissions a person holds."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from avhopp.app import PARTS
from avhopp.authorization import complete_registry
from avhopp.platform.audit.views import AUDIT_WEB
from avhopp.tenants.registry.models import TenantKind
from avhopp.tenants.registry.roles import Role
from tests.support.people import person_in

if TYPE_CHECKING:
    from tests.conftest import SignIn

# One demo tenant of each kind, to hold each role where it may be granted.
TENANT_OF_KIND = {
    TenantKind.MUNICIPALITY: "kommun-1480",
    TenantKind.OPERATION: "kc-goteborg",
    TenantKind.OTHER_AUTHORITY: "polisen-bergslagen",
    TenantKind.COUNTY_BOARD: "lansstyrelsen-14",
    TenantKind.GUIDANCE_LINE: "stodlinjen",
    TenantKind.NATIONAL_COORDINATOR: "bra",
}
NAV = tuple(entry for part in (*PARTS, AUDIT_WEB) for entry in part.nav)
PATHS = {entry.path for entry in NAV} | {"/"}
# Each role once, in the first kind of tenant where it may be granted.
ROLES_WHERE_GRANTABLE = [
    (role.name, TENANT_OF_KIND[TenantKind(min(role.tenant_kinds))]) for role in complete_registry()
]
# Held where they make no sense (data from before the rule, or written around it): the pages
# bound to another kind of tenant are neither offered nor open.
ROLES_IN_THE_WRONG_KIND = [
    ("directory_reviewer", "kommun-1480"),
    ("line_operator", "kc-goteborg"),
    ("line_supervisor", "bra"),
    ("national_analyst", "kommun-1480"),
]
_MENU = re.compile(r'<nav class="app-nav".*?</nav>', re.DOTALL)
_LINK = re.compile(r'href="([^"]+)"')


def menu_of(page: str) -> set[str]:
    menu = _MENU.search(page)
    assert menu is not None
    return set(_LINK.findall(menu.group(0)))


@pytest.mark.parametrize(
    ("role", "tenant"),
    ROLES_WHERE_GRANTABLE + ROLES_IN_THE_WRONG_KIND,
    ids=[f"{role}@{tenant}" for role, tenant in ROLES_WHERE_GRANTABLE + ROLES_IN_THE_WRONG_KIND],
)
async def test_the_menu_offers_exactly_the_pages_that_open(sign_in: SignIn, role: str, tenant: str) -> None:
    browser = await sign_in(person_in(tenant, Role(role), key=f"menu-{role}-{tenant}"))

    shown = menu_of((await browser.get("/")).text)

    assert shown <= PATHS
    assert {"/", "/konto"} <= shown
    for path in sorted(PATHS):
        status = (await browser.get(path)).status_code
        if path in shown:
            assert status == 200, f"{path} is in the menu of {role} in {tenant} but answers {status}"
        else:
            assert status in {403, 404}, f"{path} opens for {role} in {tenant} but is not in the menu"


def test_every_role_has_a_page_of_its_own_in_the_menu() -> None:
    named = {entry.permission for entry in NAV}
    roles_without_pages = [
        role.name for role in complete_registry() if not named & {granted.key for granted in role.permissions}
    ]
    assert roles_without_pages == []
