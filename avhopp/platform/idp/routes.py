"""The provider's routes under /idp. Each is public to the platform's guard: the provider authenticates by itself.

The token endpoint is excluded from CSRF checks (clients authenticate with their secret and
send no cookies); the HTML forms carry Litestar's CSRF token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath

from avhopp.platform.idp.authorize import show_authorization, submit_authorization
from avhopp.platform.idp.discovery import provider_metadata
from avhopp.platform.idp.logout import end_session_endpoint
from avhopp.platform.idp.provider import Provider, ProviderBinding, ProviderLimits
from avhopp.platform.idp.resets import complete_reset_page, reset_page
from avhopp.platform.idp.responses import NO_STORE
from avhopp.platform.idp.token_endpoint import token, userinfo

if TYPE_CHECKING:
    from avhopp.platform.settings import Settings

_PUBLIC = {"permission": "public"}
_JWKS_MAX_AGE = 60


@get("/.well-known/openid-configuration", opt=_PUBLIC, include_in_schema=False, sync_to_thread=False)
def discovery_document(provider: NamedDependency[Provider]) -> dict[str, Any]:
    """OpenID Connect Discovery."""
    return provider_metadata(provider.issuer)


@get("/jwks", opt=_PUBLIC, include_in_schema=False)
async def jwks(provider: NamedDependency[Provider]) -> Response[dict[str, Any]]:
    """The published public keys, including retired ones whose tokens may still be valid."""
    return Response(await provider.keys.jwks(), headers={"Cache-Control": f"public, max-age={_JWKS_MAX_AGE}"})


@get("/authorize", opt=_PUBLIC, include_in_schema=False)
async def authorize_page(request: Request[Any, Any, Any], provider: NamedDependency[Provider]) -> Response[Any]:
    """The authorization endpoint: single sign-on, or the login form."""
    return await show_authorization(request, provider)


@post("/authorize", opt=_PUBLIC, include_in_schema=False)
async def authorize_form(request: Request[Any, Any, Any], provider: NamedDependency[Provider]) -> Response[Any]:
    """A step of the login form."""
    return await submit_authorization(request, provider)


@post("/token", opt={**_PUBLIC, "exclude_from_csrf": True}, include_in_schema=False)
async def token_endpoint(request: Request[Any, Any, Any], provider: NamedDependency[Provider]) -> Response[Any]:
    """The token endpoint, for clients authenticating with their secret."""
    return await token(request, provider)


@get("/userinfo", opt=_PUBLIC, include_in_schema=False)
async def userinfo_endpoint(
    request: Request[Any, Any, Any], provider: NamedDependency[Provider]
) -> Response[dict[str, Any]]:
    """Claims about the person a Bearer access token was issued for."""
    return Response(await userinfo(request, provider), headers=NO_STORE)


@get("/logout", opt=_PUBLIC, include_in_schema=False)
async def logout_request(request: Request[Any, Any, Any], provider: NamedDependency[Provider]) -> Response[Any]:
    """RP-initiated logout."""
    return await end_session_endpoint(request, provider, confirmed=False)


@post("/logout", opt=_PUBLIC, include_in_schema=False)
async def logout_confirmed(request: Request[Any, Any, Any], provider: NamedDependency[Provider]) -> Response[Any]:
    """The person confirmed the logout."""
    return await end_session_endpoint(request, provider, confirmed=True)


@get("/aterstall/{token:str}", opt=_PUBLIC, include_in_schema=False)
async def reset_link(provider: NamedDependency[Provider], token: FromPath[str]) -> Response[Any]:
    """A reset link an administrator handed over: ask for the other factor (and the new password)."""
    return await reset_page(provider, token)


@post("/aterstall/{token:str}", opt=_PUBLIC, include_in_schema=False)
async def reset_link_form(
    request: Request[Any, Any, Any], provider: NamedDependency[Provider], token: FromPath[str]
) -> Response[Any]:
    """A step of completing a reset."""
    return await complete_reset_page(request, provider, token)


def identity_provider_router(settings: Settings, *, limits: ProviderLimits | None = None) -> Router:
    """The provider at /idp; its issuer is `{settings.public_url}/idp`. Mount it in one app."""
    binding = ProviderBinding(settings, limits or ProviderLimits())

    def provide_provider(request: Request[Any, Any, Any]) -> Provider:
        return binding.provider(request.app.state)

    return Router(
        path="/idp",
        route_handlers=[
            discovery_document,
            jwks,
            authorize_page,
            authorize_form,
            token_endpoint,
            userinfo_endpoint,
            logout_request,
            logout_confirmed,
            reset_link,
            reset_link_form,
        ],
        dependencies={"provider": Provide(provide_provider, sync_to_thread=False)},
    )
