"""Settings: every bad value is refused with a message that names its variable."""

from __future__ import annotations

import stat
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from avhopp.platform.settings import SettingsError, SmtpSecurity, SmtpSettings, load_settings

if TYPE_CHECKING:
    from pathlib import Path

SECRET = "s" * 40


def test_no_settings_means_embedded_with_a_generated_secret_kept_between_starts(tmp_path: Path) -> None:
    first = load_settings({"AVHOPP_DATA_DIR": str(tmp_path)})
    second = load_settings({"AVHOPP_DATA_DIR": str(tmp_path)})

    assert first.embedded
    assert first.broker_url is None
    assert len(first.secret_key) >= 32
    assert second.secret_key == first.secret_key
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_database_url_selects_the_server_and_psycopg(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "AVHOPP_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgresql://owner@db.example:5433/avhopp",
            "AVHOPP_SECRET_KEY": SECRET,
            "BROKER_URL": "amqp://guest:guest@mq:5672/",
        }
    )

    assert not settings.embedded
    assert settings.database_url is not None
    assert settings.database_url.drivername == "postgresql+psycopg"
    assert settings.database_url.port == 5433
    assert settings.broker_url == "amqp://guest:guest@mq:5672/"


def test_the_public_url_defaults_to_the_listening_address_and_oidc_to_the_built_in_provider(tmp_path: Path) -> None:
    settings = load_settings({"AVHOPP_DATA_DIR": str(tmp_path), "AVHOPP_PORT": "8123"})
    external = load_settings(
        {
            "AVHOPP_DATA_DIR": str(tmp_path),
            "AVHOPP_PUBLIC_URL": "https://avhopp.example.se/",
            "OIDC_ISSUER": "https://idp.example.se/realms/kommun",
            "OIDC_CLIENT_ID": "avhopp",
            "OIDC_CLIENT_SECRET": "hemligt",
        }
    )

    assert settings.public_url == "http://127.0.0.1:8123"
    assert settings.oidc is None
    assert external.public_url == "https://avhopp.example.se"
    assert external.oidc is not None
    assert external.oidc.issuer == "https://idp.example.se/realms/kommun"


def test_the_runtime_url_alone_is_a_server_without_the_owner(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "AVHOPP_DATA_DIR": str(tmp_path),
            "DATABASE_APP_URL": "postgresql://avhopp_app:pw@db.example/avhopp",
            "AVHOPP_SECRET_KEY": SECRET,
        }
    )

    assert not settings.embedded
    assert settings.database_url is None
    assert settings.database_app_url is not None
    assert settings.database_app_url.username == "avhopp_app"


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysql://u@h/db", "AVHOPP_SECRET_KEY": SECRET}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://u@h", "AVHOPP_SECRET_KEY": SECRET}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://h/db", "AVHOPP_SECRET_KEY": SECRET}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://u@h/db"}, "AVHOPP_SECRET_KEY"),
        ({"DATABASE_URL": "postgresql://u@h/db", "AVHOPP_SECRET_KEY": "short"}, "AVHOPP_SECRET_KEY"),
        ({"DATABASE_APP_URL": "postgresql://app@h/db"}, "AVHOPP_SECRET_KEY"),
        (
            {
                "DATABASE_URL": "postgresql://u@h/db",
                "AVHOPP_SECRET_KEY": SECRET,
                "DATABASE_APP_URL": "postgresql://app;drop@h/db",
            },
            "DATABASE_APP_URL",
        ),
        (
            {
                "DATABASE_URL": "postgresql://u@h/db",
                "AVHOPP_SECRET_KEY": SECRET,
                "DATABASE_APP_URL": "postgresql://app@h/other",
            },
            "DATABASE_APP_URL",
        ),
        ({"BROKER_URL": "kafka://broker:9092"}, "BROKER_URL"),
        ({"AVHOPP_PORT": "http"}, "AVHOPP_PORT"),
        ({"AVHOPP_PORT": "70000"}, "AVHOPP_PORT"),
        ({"AVHOPP_LOG_LEVEL": "LOUD"}, "AVHOPP_LOG_LEVEL"),
        ({"AVHOPP_SESSION_IDLE_MINUTES": "0"}, "AVHOPP_SESSION_IDLE_MINUTES"),
        ({"AVHOPP_SESSION_IDLE_MINUTES": "²"}, "AVHOPP_SESSION_IDLE_MINUTES"),
        ({"AVHOPP_SESSION_MAX_HOURS": "-1"}, "AVHOPP_SESSION_MAX_HOURS"),
        ({"AVHOPP_DISCLOSURE_THRESHOLD": "2"}, "AVHOPP_DISCLOSURE_THRESHOLD"),
        ({"AVHOPP_DISCLOSURE_THRESHOLD": "101"}, "AVHOPP_DISCLOSURE_THRESHOLD"),
        ({"AVHOPP_SESSION_MAX_HOURS": "9" * 30}, "AVHOPP_SESSION_MAX_HOURS"),
        ({"AVHOPP_SESSION_IDLE_MINUTES": "90", "AVHOPP_SESSION_MAX_HOURS": "1"}, "AVHOPP_SESSION_IDLE_MINUTES"),
        ({"AVHOPP_PUBLIC_URL": "avhopp.example.se"}, "AVHOPP_PUBLIC_URL"),
        ({"OIDC_ISSUER": "https://idp.example.se/realms/x", "OIDC_CLIENT_ID": "avhopp"}, "OIDC_CLIENT_SECRET"),
        ({"OIDC_ISSUER": "idp.example.se", "OIDC_CLIENT_ID": "a", "OIDC_CLIENT_SECRET": "b"}, "OIDC_ISSUER"),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"}, "OTEL_EXPORTER_OTLP_ENDPOINT"),
        ({"AVHOPP_SMTP_FROM": "avhopp@kommun.se"}, "AVHOPP_SMTP_HOST"),
        ({"AVHOPP_SMTP_HOST": "smtp://mail.kommun.se", "AVHOPP_SMTP_FROM": "a@kommun.se"}, "AVHOPP_SMTP_HOST"),
        ({"AVHOPP_SMTP_HOST": "mail.kommun.se"}, "AVHOPP_SMTP_FROM"),
        ({"AVHOPP_SMTP_HOST": "mail.kommun.se", "AVHOPP_SMTP_FROM": "Avhopp"}, "AVHOPP_SMTP_FROM"),
        (
            {"AVHOPP_SMTP_HOST": "mail.kommun.se", "AVHOPP_SMTP_FROM": "a@kommun.se", "AVHOPP_SMTP_PORT": "x"},
            "AVHOPP_SMTP_PORT",
        ),
        (
            {"AVHOPP_SMTP_HOST": "mail.kommun.se", "AVHOPP_SMTP_FROM": "a@kommun.se", "AVHOPP_SMTP_TLS": "ssl3"},
            "AVHOPP_SMTP_TLS",
        ),
        (
            {"AVHOPP_SMTP_HOST": "mail.kommun.se", "AVHOPP_SMTP_FROM": "a@kommun.se", "AVHOPP_SMTP_USER": "u"},
            "AVHOPP_SMTP_PASSWORD",
        ),
        (
            {
                "AVHOPP_SMTP_HOST": "mail.kommun.se",
                "AVHOPP_SMTP_FROM": "a@kommun.se",
                "AVHOPP_SMTP_TLS": "none",
                "AVHOPP_SMTP_USER": "u",
                "AVHOPP_SMTP_PASSWORD": "p",
            },
            "AVHOPP_SMTP_TLS",
        ),
        ({"AVHOPP_DIRECTORY_LICENCE": "MIT"}, "AVHOPP_DIRECTORY_LICENCE"),
        ({"AVHOPP_DIRECTORY_LICENCE": "cc0-1.0"}, "AVHOPP_DIRECTORY_LICENCE"),
    ],
)
def test_a_bad_value_names_its_variable(tmp_path: Path, environ: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({"AVHOPP_DATA_DIR": str(tmp_path), **environ})

    assert raised.value.variable == variable
    assert variable in str(raised.value)
    assert "\n" not in str(raised.value)


def test_the_directory_data_is_cc0_unless_another_open_licence_is_chosen(tmp_path: Path) -> None:
    base = {"AVHOPP_DATA_DIR": str(tmp_path)}

    assert load_settings(base).directory_licence == "CC0-1.0"
    assert load_settings(base | {"AVHOPP_DIRECTORY_LICENCE": "CC-BY-4.0"}).directory_licence == "CC-BY-4.0"


def test_sessions_time_out_after_30_idle_minutes_and_12_hours_unless_set(tmp_path: Path) -> None:
    base = {"AVHOPP_DATA_DIR": str(tmp_path)}

    default = load_settings(base)
    chosen = load_settings(base | {"AVHOPP_SESSION_IDLE_MINUTES": "15", "AVHOPP_SESSION_MAX_HOURS": "8"})

    assert (default.session_idle, default.session_lifetime) == (timedelta(minutes=30), timedelta(hours=12))
    assert (chosen.session_idle, chosen.session_lifetime) == (timedelta(minutes=15), timedelta(hours=8))


def test_statistics_hide_counts_below_five_unless_set(tmp_path: Path) -> None:
    base = {"AVHOPP_DATA_DIR": str(tmp_path)}
    assert load_settings(base).disclosure_threshold == 5
    assert load_settings(base | {"AVHOPP_DISCLOSURE_THRESHOLD": "10"}).disclosure_threshold == 10


def test_smtp_is_optional_and_its_port_follows_the_protection(tmp_path: Path) -> None:
    base = {"AVHOPP_DATA_DIR": str(tmp_path)}
    mail = {"AVHOPP_SMTP_HOST": "mail.kommun.se", "AVHOPP_SMTP_FROM": "avhopp@kommun.se"}

    assert load_settings(base).smtp is None
    assert load_settings(base | mail).smtp == SmtpSettings(
        "mail.kommun.se", 587, SmtpSecurity.STARTTLS, None, None, "avhopp@kommun.se"
    )
    implicit = load_settings(
        base | mail | {"AVHOPP_SMTP_TLS": "TLS", "AVHOPP_SMTP_USER": "u", "AVHOPP_SMTP_PASSWORD": "p"}
    )
    assert implicit.smtp is not None
    assert (implicit.smtp.port, implicit.smtp.security, implicit.smtp.user) == (465, SmtpSecurity.TLS, "u")
    local = load_settings(base | mail | {"AVHOPP_SMTP_TLS": "none", "AVHOPP_SMTP_PORT": "2525"})
    assert local.smtp is not None
    assert (local.smtp.port, local.smtp.security) == (2525, SmtpSecurity.NONE)
