"""Settings read from the environment and validated once, at start.

A wrong value stops the platform with one line that names the variable; no traceback.
"""

from __future__ import annotations

import enum
import ipaddress
import os
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from avhopp.platform.sealing import accept_previous_key

if TYPE_CHECKING:
    from collections.abc import Mapping

APP_ROLE_DEFAULT = "avhopp_app"
ProxyNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_BROKER_SCHEMES = ("amqp", "amqps", "redis", "rediss")
_MIN_SECRET_LENGTH = 32
_MAIL_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_HOST_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$|^\[[0-9A-Fa-f:.]+\]$")


class SettingsError(ValueError):
    """A setting is missing or wrong; the message names the variable and is safe to print."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"Fel i inställningen {variable}: {problem}")
        self.variable = variable


OPEN_DATA_LICENCES: dict[str, tuple[str, str]] = {
    "CC0-1.0": ("Creative Commons Zero v1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "CC-BY-4.0": ("Creative Commons Attribution 4.0 International", "https://creativecommons.org/licenses/by/4.0/"),
    "CC-BY-SA-4.0": (
        "Creative Commons Attribution-ShareAlike 4.0 International",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
}
"""The licences the directory's open data may be published under, by SPDX id: (title, address)."""
DEFAULT_DATA_LICENCE = "CC0-1.0"
"""The common choice for Swedish public-sector open data."""


@dataclass(frozen=True, slots=True)
class OidcClientSettings:
    """An external OpenID Connect provider, found by discovery from its issuer URL."""

    issuer: str
    client_id: str
    client_secret: str


class SmtpSecurity(enum.StrEnum):
    """How the connection to the SMTP server is protected."""

    NONE = "none"
    STARTTLS = "starttls"
    TLS = "tls"


_DEFAULT_SMTP_PORTS = {SmtpSecurity.NONE: 25, SmtpSecurity.STARTTLS: 587, SmtpSecurity.TLS: 465}
_SMTP_DETAILS = ("AVHOPP_SMTP_PORT", "AVHOPP_SMTP_TLS", "AVHOPP_SMTP_USER", "AVHOPP_SMTP_PASSWORD", "AVHOPP_SMTP_FROM")


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """The SMTP server notification e-mail goes through."""

    host: str
    port: int
    security: SmtpSecurity
    user: str | None
    password: str | None
    sender: str
    """The From address."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the platform reads from its environment."""

    database_url: URL | None
    """Owner connection: migrations and reference data. None on the embedded server or runtime-only."""
    database_app_url: URL | None
    """Runtime connection as the role that owns nothing. None means the owner's URL as `avhopp_app`."""
    broker_url: str | None
    """RabbitMQ or Redis. None means jobs run in-process."""
    secret_key: str
    data_dir: Path
    host: str
    port: int
    log_level: str
    otlp_endpoint: str | None
    public_url: str
    """Where browsers reach the platform, without a trailing slash; OIDC redirects are built from it."""
    oidc: OidcClientSettings | None
    """The organisation's identity provider. None means the platform's built-in provider."""
    smtp: SmtpSettings | None = None
    """Where notification e-mail goes. None means notifications are shown in the app only."""
    session_idle: timedelta = timedelta(minutes=30)
    """A person's session ends after this long without a request."""
    session_lifetime: timedelta = timedelta(hours=12)
    """A person's session ends this long after sign-in, however active they are."""
    trusted_proxies: tuple[ProxyNetwork, ...] = ()
    """Proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed; none by default."""
    disclosure_threshold: int = 5
    """Statistics hide counts below this (and enough others that none can be worked out)."""
    previous_secret_key: str | None = None
    """The secret key being retired: sealed values still under it open until `avhopp keys rekey` is done."""
    job_poll_interval: float = 1.0
    """Seconds between the job relay's look-ups, which also bound how long stopping the app takes.
    No variable sets it; the test suite shortens it, as it starts and stops an app per person."""
    directory_licence: str = DEFAULT_DATA_LICENCE
    """The SPDX id of the licence the directory's data packages give the data (one of OPEN_DATA_LICENCES)."""
    test_sign_in: bool = False
    """Mount the test suite's sign-in (avhopp.platform.auth.sign_in_for_tests). No variable sets it: only
    code can, and `create_app` refuses it unless the public URL is on the reserved `.test` domain."""

    @property
    def embedded(self) -> bool:
        """True when the platform runs its own PostgreSQL."""
        return self.database_url is None and self.database_app_url is None


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the settings; raise SettingsError naming the first bad variable."""
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("AVHOPP_DATA_DIR") or platformdirs.user_data_dir("avhopp"))
    database_url = _database_url(env, "DATABASE_URL")
    database_app_url = _database_url(env, "DATABASE_APP_URL")
    if database_app_url is not None:
        _check_role_name("DATABASE_APP_URL", database_app_url.username)
        if database_url is not None and database_app_url.database != database_url.database:
            raise SettingsError("DATABASE_APP_URL", "måste gälla samma databas som DATABASE_URL.")
    host = env.get("AVHOPP_HOST") or "127.0.0.1"
    port = _port(env)
    session_idle, session_lifetime = _session_timeouts(env)
    previous_secret_key = _previous_secret_key(env)
    settings = Settings(
        database_url=database_url,
        database_app_url=database_app_url,
        broker_url=_broker_url(env),
        secret_key=_secret_key(env, data_dir, required=database_url is not None or database_app_url is not None),
        data_dir=data_dir,
        host=host,
        port=port,
        log_level=_log_level(env),
        otlp_endpoint=_otlp_endpoint(env),
        public_url=_http_url(env, "AVHOPP_PUBLIC_URL") or f"http://{host}:{port}",
        oidc=_oidc(env),
        smtp=_smtp(env),
        session_idle=session_idle,
        session_lifetime=session_lifetime,
        trusted_proxies=_trusted_proxies(env),
        previous_secret_key=previous_secret_key,
        directory_licence=_directory_licence(env),
        disclosure_threshold=_disclosure_threshold(env),
    )
    if previous_secret_key is not None:
        accept_previous_key(settings.secret_key, previous_secret_key)
    return settings


def _directory_licence(env: Mapping[str, str]) -> str:
    raw = env.get("AVHOPP_DIRECTORY_LICENCE") or DEFAULT_DATA_LICENCE
    if raw not in OPEN_DATA_LICENCES:
        raise SettingsError("AVHOPP_DIRECTORY_LICENCE", f"måste vara en av {', '.join(OPEN_DATA_LICENCES)}.")
    return raw


def _database_url(env: Mapping[str, str], variable: str) -> URL | None:
    raw = env.get(variable)
    if not raw:
        return None
    try:
        url = make_url(raw)
    except ArgumentError:
        raise SettingsError(variable, "är ingen giltig databasadress (postgresql://användare@värd/databas).") from None
    if url.get_backend_name() != "postgresql":
        raise SettingsError(variable, "måste vara en PostgreSQL-adress som börjar med postgresql://.")
    if not url.database:
        raise SettingsError(variable, "saknar databasens namn (postgresql://användare@värd/databas).")
    if not url.username:
        raise SettingsError(variable, "saknar användare (postgresql://användare@värd/databas).")
    return url.set(drivername="postgresql+psycopg")


def _check_role_name(variable: str, role: str | None) -> None:
    if role is None or not _ROLE_NAME.fullmatch(role):
        raise SettingsError(variable, "användarnamnet får bara innehålla a–z, 0–9 och understreck.")


def _broker_url(env: Mapping[str, str]) -> str | None:
    raw = env.get("BROKER_URL")
    if not raw:
        return None
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme not in _BROKER_SCHEMES:
        raise SettingsError("BROKER_URL", "måste börja med amqp:// (RabbitMQ) eller redis:// (Redis).")
    return raw


def _secret_key(env: Mapping[str, str], data_dir: Path, *, required: bool) -> str:
    raw = env.get("AVHOPP_SECRET_KEY")
    if raw:
        if len(raw) < _MIN_SECRET_LENGTH:
            raise SettingsError("AVHOPP_SECRET_KEY", f"måste vara minst {_MIN_SECRET_LENGTH} tecken lång.")
        return raw
    if required:
        # Several processes share one database server; a key made up per machine would differ between them.
        raise SettingsError("AVHOPP_SECRET_KEY", "saknas. Den krävs när plattformen använder en databasserver.")
    return _embedded_secret(data_dir)


def _previous_secret_key(env: Mapping[str, str]) -> str | None:
    raw = env.get("AVHOPP_PREVIOUS_SECRET_KEY")
    if not raw:
        return None
    if len(raw) < _MIN_SECRET_LENGTH:
        raise SettingsError("AVHOPP_PREVIOUS_SECRET_KEY", f"måste vara minst {_MIN_SECRET_LENGTH} tecken lång.")
    if raw == env.get("AVHOPP_SECRET_KEY"):
        raise SettingsError("AVHOPP_PREVIOUS_SECRET_KEY", "måste skilja sig från AVHOPP_SECRET_KEY.")
    return raw


def _trusted_proxies(env: Mapping[str, str]) -> tuple[ProxyNetwork, ...]:
    raw = env.get("AVHOPP_TRUSTED_PROXIES") or ""
    try:
        return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in raw.split(",") if item.strip())
    except ValueError:
        raise SettingsError(
            "AVHOPP_TRUSTED_PROXIES", "ska vara IP-adresser eller nät åtskilda med kommatecken, t.ex. 10.0.0.0/8."
        ) from None


def _embedded_secret(data_dir: Path) -> str:
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _port(env: Mapping[str, str]) -> int:
    return _port_number("AVHOPP_PORT", env.get("AVHOPP_PORT") or "8000")


def _port_number(variable: str, raw: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 65536:  # noqa: PLR2004 - the TCP port range
        raise SettingsError(variable, "måste vara ett portnummer mellan 1 och 65535.")
    return int(raw)


def _session_timeouts(env: Mapping[str, str]) -> tuple[timedelta, timedelta]:
    idle = timedelta(minutes=_whole_number(env, "AVHOPP_SESSION_IDLE_MINUTES", 30, maximum=24 * 60))
    lifetime = timedelta(hours=_whole_number(env, "AVHOPP_SESSION_MAX_HOURS", 12, maximum=7 * 24))
    if idle > lifetime:
        raise SettingsError("AVHOPP_SESSION_IDLE_MINUTES", "får inte vara längre än AVHOPP_SESSION_MAX_HOURS.")
    return idle, lifetime


def _whole_number(env: Mapping[str, str], variable: str, default: int, *, maximum: int) -> int:
    raw = env.get(variable) or str(default)
    if not (raw.isascii() and raw.isdigit() and 0 < int(raw) <= maximum):
        raise SettingsError(variable, f"måste vara ett heltal från 1 till {maximum}.")
    return int(raw)


def _disclosure_threshold(env: Mapping[str, str]) -> int:
    # Below 3 a hidden count would hardly hide anyone; above 100 hardly any statistic could be shown.
    threshold = _whole_number(env, "AVHOPP_DISCLOSURE_THRESHOLD", 5, maximum=100)
    if threshold < 3:  # noqa: PLR2004 - the rule stated in the comment above
        raise SettingsError("AVHOPP_DISCLOSURE_THRESHOLD", "måste vara ett heltal från 3 till 100.")
    return threshold


def _log_level(env: Mapping[str, str]) -> str:
    raw = (env.get("AVHOPP_LOG_LEVEL") or "INFO").upper()
    if raw not in _LOG_LEVELS:
        raise SettingsError("AVHOPP_LOG_LEVEL", f"måste vara en av {', '.join(_LOG_LEVELS)}.")
    return raw


def _http_url(env: Mapping[str, str], variable: str) -> str | None:
    raw = env.get(variable)
    if not raw:
        return None
    if not raw.startswith(("http://", "https://")) or any(c in raw for c in " ?#"):
        raise SettingsError(variable, "måste vara en adress som börjar med https:// (utan ? eller #).")
    return raw.rstrip("/")


def _oidc(env: Mapping[str, str]) -> OidcClientSettings | None:
    names = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")
    given = [name for name in names if env.get(name)]
    if not given:
        return None
    missing = [name for name in names if name not in given]
    if missing:
        raise SettingsError(missing[0], "saknas. OIDC_ISSUER, OIDC_CLIENT_ID och OIDC_CLIENT_SECRET anges tillsammans.")
    issuer = _http_url(env, "OIDC_ISSUER")
    assert issuer is not None  # noqa: S101 - given above
    return OidcClientSettings(issuer=issuer, client_id=env["OIDC_CLIENT_ID"], client_secret=env["OIDC_CLIENT_SECRET"])


def _otlp_endpoint(env: Mapping[str, str]) -> str | None:
    raw = env.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    if not raw:
        return None
    if not raw.startswith(("http://", "https://")):
        raise SettingsError("OTEL_EXPORTER_OTLP_ENDPOINT", "måste börja med http:// eller https://.")
    return raw


def _smtp(env: Mapping[str, str]) -> SmtpSettings | None:
    host = env.get("AVHOPP_SMTP_HOST")
    if not host:
        stray = next((name for name in _SMTP_DETAILS if env.get(name)), None)
        if stray is not None:
            raise SettingsError("AVHOPP_SMTP_HOST", f"saknas, men {stray} är satt. Ange servern eller ta bort {stray}.")
        return None
    if not _HOST_NAME.fullmatch(host):
        raise SettingsError("AVHOPP_SMTP_HOST", "måste vara ett värdnamn eller en IP-adress, utan port eller schema.")
    security = _smtp_security(env)
    raw_port = env.get("AVHOPP_SMTP_PORT")
    port = _DEFAULT_SMTP_PORTS[security] if not raw_port else _port_number("AVHOPP_SMTP_PORT", raw_port)
    user, password = env.get("AVHOPP_SMTP_USER") or None, env.get("AVHOPP_SMTP_PASSWORD") or None
    if (user is None) != (password is None):
        missing = "AVHOPP_SMTP_PASSWORD" if password is None else "AVHOPP_SMTP_USER"
        raise SettingsError(missing, "saknas. AVHOPP_SMTP_USER och AVHOPP_SMTP_PASSWORD anges tillsammans.")
    if password is not None and security is SmtpSecurity.NONE:
        raise SettingsError("AVHOPP_SMTP_TLS", "får inte vara none med ett lösenord, som då skulle gå okrypterat.")
    sender = env.get("AVHOPP_SMTP_FROM") or ""
    if not _MAIL_ADDRESS.fullmatch(sender):
        raise SettingsError("AVHOPP_SMTP_FROM", "måste vara en e-postadress, t.ex. avhopp@kommun.se.")
    return SmtpSettings(host=host, port=port, security=security, user=user, password=password, sender=sender)


def _smtp_security(env: Mapping[str, str]) -> SmtpSecurity:
    raw = (env.get("AVHOPP_SMTP_TLS") or SmtpSecurity.STARTTLS.value).lower()
    try:
        return SmtpSecurity(raw)
    except ValueError:
        raise SettingsError("AVHOPP_SMTP_TLS", "måste vara en av none, starttls, tls.") from None
