"""Sign a person in without the identity provider: for the test suite only, never in a deployment.

The session it starts is a real one, through the same code as the OIDC callback, so middleware,
CSRF, tenant switching and logout behave as after a real login. It is mounted only when the
settings say `test_sign_in`, which no environment variable can set (only code can), and
`create_app` refuses even that unless browsers reach the app on the reserved `.test` domain,
which never resolves on the internet.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit
from uuid import UUID

from litestar import Request, Response, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.params import Body
from litestar.status_codes import HTTP_204_NO_CONTENT
from msgspec import Struct

from avhopp.platform.auth.oidc import VerifiedIdentity
from avhopp.platform.auth.routes import begin_session
from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.scope.route_permissions import PUBLIC
from avhopp.platform.web.csrf import EXCLUDE_FROM_CSRF

TEST_SIGN_IN_PATH = "/test/sign-in"
TEST_ISSUER = "urn:avhopp:test-sign-in"
"""The issuer recorded on test sessions, so that none can pass for a login at a real provider."""
_RESERVED_TEST_DOMAIN = ".test"


class SignInForTestsRefusedError(RuntimeError):
    """The test sign-in was asked for outside the test settings."""


class SignInForm(Struct):
    """Who signs in, and optionally the tenant they act for (one of theirs)."""

    user_id: UUID
    tenant_id: UUID | None = None


def check_test_sign_in_allowed(public_url: str) -> None:
    """Refuse the test sign-in unless the app's public address is on the reserved `.test` domain."""
    host = urlsplit(public_url).hostname or ""
    if not host.endswith(_RESERVED_TEST_DOMAIN):
        msg = "Testinloggningen får bara slås på i testernas inställningar (en adress under .test)."
        raise SignInForTestsRefusedError(msg)


# No session authorises this form, so there is nothing for a cross-site request to borrow.
@post(
    TEST_SIGN_IN_PATH,
    opt={"permission": PUBLIC, EXCLUDE_FROM_CSRF: True},
    include_in_schema=False,
    status_code=HTTP_204_NO_CONTENT,
)
async def sign_in_for_tests(
    request: Request[Any, Any, Any],
    data: Annotated[SignInForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Response[None]:
    """Start a session for the person, as the OIDC callback does after a verified login."""
    async with context_session(request.app.state.sessions, RequestContext(user_id=data.user_id)) as session:
        if await request.app.state.people.principal(session, data.user_id, None) is None:
            raise PermissionDeniedException
    identity = VerifiedIdentity(issuer=TEST_ISSUER, subject=str(data.user_id), display_name="", email=None, id_token="")
    response = Response[None](None, status_code=HTTP_204_NO_CONTENT)
    await begin_session(request, response, identity, data.user_id, data.tenant_id)
    return response


TEST_SIGN_IN_ROUTES = [sign_in_for_tests]
