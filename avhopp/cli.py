"""The `avhopp` command: start the platform and run its administrative tasks.

This module composes the platform and the domain modules, so it sits at the package top,
above all of them.
"""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from avhopp import all_models  # noqa: F401 - every table, so that `keys rekey` finds every sealed column
from avhopp.authorization import complete_registry
from avhopp.directory.catalogue.cli import directory_cli, seed_directory
from avhopp.directory.catalogue.loading import NoCoordinatorError
from avhopp.directory.catalogue.seed import seed_catalogue
from avhopp.identity_setup import hash_demo_passwords, set_up_built_in_identity
from avhopp.platform.audit.chain import chain_key
from avhopp.platform.audit.cli import audit_cli
from avhopp.platform.database import (
    RuntimeRoleError,
    create_app_engine,
    create_owner_engine,
    session_factory,
    verify_runtime_role,
)
from avhopp.platform.embedded import embedded_cluster_exists
from avhopp.platform.geography.load import load_geography
from avhopp.platform.geography.reference import shipped_geography
from avhopp.platform.idp import ensure_identity_provider, idp_cli
from avhopp.platform.idp.keys import SecretKeyChangedError
from avhopp.platform.jobs import run_worker
from avhopp.platform.logs import configure_logging
from avhopp.platform.migrate import RuntimeRoleMissingError, current_revision, downgrade, migrate
from avhopp.platform.models import Base
from avhopp.platform.notifications import configure_mail
from avhopp.platform.rekey import count_values, rekey, sealed_tables
from avhopp.platform.seed_versions import content_digest, record_seed, seed_digests
from avhopp.platform.settings import Settings, SettingsError, load_settings
from avhopp.platform.startup import DatabaseUnavailableError, DatabaseUrls, open_database
from avhopp.tenants.registry.administration import AdministrationError
from avhopp.tenants.registry.demo import DEMO_PEOPLE
from avhopp.tenants.registry.provisioning import TenantSpec, demo_tenants, geographic_tenants, provision_tenants
from avhopp.tenants.registry.roles import role_names
from avhopp.tenants.registry.rollout import RolloutLine, RolloutOutcome, invite_from_file, read_rollout

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from sqlalchemy import Connection
    from sqlalchemy.engine import URL

    from avhopp.platform.idp import CreatedAccount, TemporaryPassword
    from avhopp.platform.upsert import UpsertCounts

_console = Console(stderr=True, soft_wrap=True)


def _with_settings(command: Callable[..., None]) -> Callable[..., None]:
    """Read the settings when a command runs (not for --help), and set up logging."""

    @functools.wraps(command)
    def run(*args: object, **kwargs: object) -> None:
        command(_settings(), *args, **kwargs)

    return run


def _settings(**options: str | None) -> Settings:
    """The settings from the environment, where a command-line option given (AVHOPP_PORT="8080") wins."""
    given = {variable: value for variable, value in options.items() if value is not None}
    settings = load_settings(os.environ | given if given else None)
    configure_logging(settings.log_level)
    return settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(context: click.Context) -> None:
    """Avhopp: nationell samordningsplattform för stöd till avhoppare."""
    complete_registry()
    context.obj = _OwnerAccess()


class _OwnerAccess:
    """What `avhopp idp ...` needs (avhopp.platform.idp.OwnerAccess), read only when used."""

    @functools.cached_property
    def settings(self) -> Settings:
        settings = load_settings()
        configure_logging(settings.log_level)
        return settings

    @contextmanager
    def owner_transaction(self) -> Iterator[Connection]:
        with _as_owner(self.settings) as (owner_url, _), _owner_transaction(owner_url) as connection:
            yield connection

    @contextmanager
    def runtime_url(self) -> Iterator[URL]:
        with _database(self.settings) as urls:
            yield urls.app


@cli.command()
@click.option("--host", help="Adressen att lyssna på. Annars AVHOPP_HOST, normalt 127.0.0.1.")
@click.option("--port", type=click.IntRange(1, 65535), help="Porten att lyssna på. Annars AVHOPP_PORT, normalt 8000.")
def serve(host: str | None, port: int | None) -> None:
    """Starta plattformen (inbyggd PostgreSQL om ingen databas är angiven)."""
    # SIGTERM (systemd, Docker, Kubernetes) stops the platform as Ctrl-C does. uvicorn shuts the
    # app and its jobs down and then raises the signal again: without this, its default action
    # would end the process before the embedded database is stopped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    settings = _settings(AVHOPP_HOST=host, AVHOPP_PORT=None if port is None else str(port))
    with ThreadPoolExecutor(max_workers=1) as pool:
        # A new embedded cluster gets the demo accounts: their passwords are hashed (seconds of
        # argon2) in another thread while the cluster is created and migrated.
        new_cluster = settings.embedded and settings.oidc is None and not embedded_cluster_exists(settings.data_dir)
        passwords = pool.submit(hash_demo_passwords) if new_cluster else None
        with _database(settings) as urls:
            if urls.owner is not None:
                migrate(urls.owner, urls.app)
                _show_new_accounts(_load_reference_data(settings, urls.owner, urls.app, passwords))
            _serve(settings, urls.app)


def _serve(settings: Settings, app_url: URL) -> None:
    import uvicorn  # noqa: PLC0415 - only this command serves

    from avhopp.app import build_app  # noqa: PLC0415
    from avhopp.platform.web.forwarding import server_proxy_options  # noqa: PLC0415

    asyncio.run(_check_runtime_role(app_url))
    app = build_app(settings, app_url)
    _console.print(f"[bold green]Avhopp är igång:[/] http://{settings.host}:{settings.port}/  (stoppa med Ctrl-C)")
    with suppress(KeyboardInterrupt):
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            access_log=False,
            log_config=None,
            **server_proxy_options(settings),
        )
    if settings.embedded:
        _console.print("Stoppar den inbyggda databasen; dina data finns kvar till nästa start.")


@cli.command()
@_with_settings
def worker(settings: Settings) -> None:
    """Kör bakgrundsjobb från BROKER_URL (i drift, bredvid webbprocesserna)."""
    from avhopp.app import JOBS  # noqa: PLC0415 - registers every module's jobs before the worker starts

    _console.print(f"Bakgrundsjobb från modulerna: {len(JOBS)}")
    configure_mail(settings)
    with _database(settings) as urls, suppress(KeyboardInterrupt):
        run_worker(settings, urls.app)


@cli.group()
def db() -> None:
    """Databasens schema."""


@db.command("migrate")
@click.argument("revision", default="head")
@_with_settings
def db_migrate(settings: Settings, revision: str) -> None:
    """Uppgradera schemat till REVISION (normalt den senaste)."""
    with _as_owner(settings) as (owner_url, app_url):
        migrate(owner_url, app_url, revision)
        _console.print(f"Databasen är på version {current_revision(owner_url)}.")


@db.command("downgrade")
@click.argument("revision")
@click.confirmation_option(prompt="Nedgradering kan radera data. Fortsätta?")
@_with_settings
def db_downgrade(settings: Settings, revision: str) -> None:
    """Nedgradera schemat till REVISION ("base" tar bort alla tabeller)."""
    with _as_owner(settings) as (owner_url, app_url):
        downgrade(owner_url, app_url, revision)
        _console.print(f"Databasen är på version {current_revision(owner_url) or 'base'}.")


@db.command("current")
@_with_settings
def db_current(settings: Settings) -> None:
    """Visa schemats version."""
    with _as_owner(settings) as (owner_url, _):
        click.echo(current_revision(owner_url) or "base")


@cli.group()
def geography() -> None:
    """Sveriges geografi (län, kommuner, polisregioner)."""


@geography.command("load")
@_with_settings
def geography_load(settings: Settings) -> None:
    """Läs in eller uppdatera geografin; en ny körning ändrar ingenting."""
    with _as_owner(settings) as (owner_url, _):
        _report("Geografi", _load_geography(owner_url))


@cli.group()
def tenants() -> None:
    """Organisationerna (tenants) på plattformen."""


@tenants.command("provision")
@click.option("--demo", is_flag=True, help="Även demo-organisationerna (verksamheter, stödlinjen, Brå).")
@_with_settings
def tenants_provision(settings: Settings, *, demo: bool) -> None:
    """Skapa en organisation för varje kommun och länsstyrelse; en ny körning ändrar ingenting."""
    with _as_owner(settings) as (owner_url, _):
        _report("Organisationer", _provision(owner_url, geographic_tenants() + (demo_tenants() if demo else [])))


@tenants.command("invite-admin")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", "by", required=True, help="E-postadressen till den nationella administratör som bjuder in.")
@_with_settings
def tenants_invite_admin(settings: Settings, file: Path, by: str) -> None:
    """Bjud in första administratören i många organisationer från en CSV-fil.

    Varje rad: organisationens kortadress (t.ex. kommun-1480) eller id, e-postadress och
    eventuellt ja för en andra administratör. Felaktiga rader rapporteras; de andra bjuds in.
    """
    try:
        content = file.read_text(encoding="utf-8-sig")
    except (UnicodeDecodeError, OSError) as error:
        raise click.ClickException(f"Filen kunde inte läsas som UTF-8-text: {error.__class__.__name__}") from None
    lines, outcomes = read_rollout(content)
    with _database(settings) as urls, _progress("Inbjudningar", len(lines)) as advance:
        try:
            outcomes += asyncio.run(_invite_admins(settings, urls.app, lines, by, advance))
        except AdministrationError as error:
            raise click.ClickException(error.message) from None
    for outcome in sorted(outcomes, key=lambda o: o.number):
        mark = "[green]OK[/]" if outcome.ok else "[red]FEL[/]"
        _console.print(f"Rad {outcome.number} {outcome.tenant}: {mark} {outcome.message}", markup=True)
        if outcome.link:
            # No SMTP server: the link exists only here; it is printed to standard output to be passed on.
            click.echo(f"{outcome.tenant}\t{outcome.link}")
    refused = sum(1 for outcome in outcomes if not outcome.ok)
    _console.print(f"Inbjudna: {len(outcomes) - refused}, felaktiga rader: {refused}")
    if refused:
        raise SystemExit(1)


async def _invite_admins(
    settings: Settings, app_url: URL, lines: list[RolloutLine], by: str, advance: Callable[[int], None]
) -> list[RolloutOutcome]:
    engine = create_app_engine(app_url, pool_size=1)
    try:
        return await invite_from_file(
            session_factory(engine, audit_key=chain_key(settings.secret_key)),
            lines,
            by=by,
            secret_key=settings.secret_key,
            public_url=settings.public_url,
            mail=settings.smtp is not None,
            progress=advance,
        )
    finally:
        await engine.dispose()


@contextmanager
def _database(settings: Settings) -> Iterator[DatabaseUrls]:
    if settings.embedded:
        _console.print(f"Inbyggd PostgreSQL i {settings.data_dir / 'pgdata'}")
    with open_database(settings) as urls:
        yield urls


@contextmanager
def _as_owner(settings: Settings) -> Iterator[tuple[URL, URL]]:
    with _database(settings) as urls:
        if urls.owner is None:
            raise OwnerRequiredError
        yield urls.owner, urls.app


class OwnerRequiredError(RuntimeError):
    """A schema or reference-data command run with the runtime role only."""

    def __init__(self) -> None:
        super().__init__("Kommandot ändrar databasen och behöver ägarrollens anslutning i DATABASE_URL.")


async def _check_runtime_role(app_url: URL) -> None:
    """Refuse before serving, with one line, rather than from inside the server's start-up."""
    engine = create_app_engine(app_url, pool_size=1)
    try:
        await verify_runtime_role(engine)
    finally:
        await engine.dispose()


@contextmanager
def _owner_transaction(owner_url: URL) -> Iterator[Connection]:
    engine = create_owner_engine(owner_url)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def _load_reference_data(
    settings: Settings, owner_url: URL, app_url: URL, passwords: Future[list[TemporaryPassword]] | None
) -> list[CreatedAccount]:
    """What a start loads as the owner, each step only when its content has changed since the last start.

    Returns the demo accounts created by this start, with `passwords` if they were hashed ahead.
    """
    with _owner_transaction(owner_url) as connection:
        done = seed_digests(connection)

    def when_changed(step: str, content: object, load: Callable[[], object]) -> None:
        digest = content_digest(content)
        if done.get(step) != digest:
            load()
            with _owner_transaction(owner_url) as connection:
                record_seed(connection, step, digest)

    when_changed("geography", shipped_geography(), lambda: _load_geography(owner_url))
    specs = geographic_tenants() + (demo_tenants() if settings.embedded else [])
    when_changed("tenants", specs, lambda: _provision(owner_url, specs))
    # The first start hashes the demo passwords and makes a signing key, seconds of work in C,
    # in another thread while this one writes the directory's seed.
    with ThreadPoolExecutor(max_workers=1) as pool:
        identity = None
        if settings.oidc is None:
            identity = pool.submit(
                set_up_built_in_identity,
                owner_url,
                settings,
                demo=settings.embedded,
                passwords=() if passwords is None else passwords.result(),
            )
        if settings.embedded:
            when_changed("directory", seed_catalogue(), lambda: _seed_directory(app_url))
        return [] if identity is None else identity.result()


def _seed_directory(app_url: URL) -> None:
    counts = seed_directory(app_url)
    _console.print(f"Katalogen: {counts.published} nya uppgifter från startdata.")


def _load_geography(owner_url: URL) -> UpsertCounts:
    geo = shipped_geography()
    total = len(geo.police_regions) + len(geo.counties) + len(geo.municipalities)
    with _owner_transaction(owner_url) as connection, _progress("Geografi", total) as advance:
        return load_geography(connection, advance)


def _provision(owner_url: URL, specs: list[TenantSpec]) -> UpsertCounts:
    with _owner_transaction(owner_url) as connection, _progress("Organisationer", len(specs)) as advance:
        return provision_tenants(connection, specs, advance)


@contextmanager
def _progress(label: str, total: int) -> Iterator[Callable[[int], None]]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=_console, transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda steps: progress.advance(task, steps)


def _show_new_accounts(accounts: list[CreatedAccount]) -> None:
    if not accounts:
        return
    people = {person.username: person for person in DEMO_PEOPLE}
    tenant_names = {spec.slug: spec.name for spec in geographic_tenants() + demo_tenants()}
    _console.print("\n[bold]Demokonton[/] – lösenorden visas bara nu, spara dem:")
    for account in accounts:
        person = people[account.username]
        where = "; ".join(f"{tenant_names[slug]}: {', '.join(role_names(roles))}" for slug, roles in person.memberships)
        _console.print(
            f"  [bold]{account.username}[/]  lösenord [bold]{account.password}[/]  {person.display_name}, {where}"
        )
    _console.print(
        "Vid första inloggningen väljer du ett eget lösenord och kopplar en autentiseringsapp (TOTP) till kontot.\n"
    )


@cli.group()
def keys() -> None:
    """Plattformens hemliga nyckel (AVHOPP_SECRET_KEY): byt den utan att förlora förseglade uppgifter."""


@keys.command("rekey")
@click.option(
    "--batch-size", type=click.IntRange(1, 10_000), default=200, show_default=True, help="Rader per transaktion."
)
@_with_settings
def keys_rekey(settings: Settings, batch_size: int) -> None:
    """Försegla om allt lagrat under AVHOPP_SECRET_KEY som ännu ligger under AVHOPP_PREVIOUS_SECRET_KEY.

    Går att avbryta och köra igen: det som redan är omförseglat hoppas över. När kommandot
    säger klart kan den gamla nyckeln tas bort ur inställningarna.
    """
    if settings.previous_secret_key is None:
        raise click.ClickException(
            "Ange den gamla nyckeln i AVHOPP_PREVIOUS_SECRET_KEY och den nya i AVHOPP_SECRET_KEY."
        )
    tables = sealed_tables(Base.metadata)
    with _as_owner(settings) as (owner_url, _):
        engine = create_owner_engine(owner_url)
        try:
            with engine.begin() as connection:
                total = count_values(connection, tables)
            with _progress("Förseglar om", total) as advance:
                report = rekey(
                    engine.begin,
                    tables,
                    (settings.previous_secret_key, settings.secret_key),
                    advance=advance,
                    batch_size=batch_size,
                )
            # The platform's own client secret is derived from the key: store the new one's digest.
            with engine.begin() as connection:
                ensure_identity_provider(connection, settings, [])
        finally:
            engine.dispose()
    _console.print(f"Omförseglade {report.rekeyed} värden; {report.already} låg redan under den nya nyckeln.")
    if not report.done:
        unreadable = ", ".join(f"{name}: {count}" for name, count in sorted(report.unreadable.items()))
        _console.print(
            f"[bold red]Går inte att öppna med någon av nycklarna[/] ({unreadable}); behåll den gamla nyckeln."
        )
        sys.exit(1)
    _console.print("Klart: inget ligger kvar under den gamla nyckeln. Ta bort AVHOPP_PREVIOUS_SECRET_KEY.")


def _report(label: str, counts: UpsertCounts) -> None:
    _console.print(f"{label}: {counts.inserted} nya, {counts.updated} uppdaterade, {counts.unchanged} oförändrade.")


cli.add_command(idp_cli)
cli.add_command(audit_cli)
cli.add_command(directory_cli)

# Errors the user can act on: one line, no traceback.
_USER_ERRORS = (
    SettingsError,
    DatabaseUnavailableError,
    RuntimeRoleError,
    RuntimeRoleMissingError,
    OwnerRequiredError,
    SecretKeyChangedError,
    NoCoordinatorError,
)


def main() -> None:
    """Entry point of the `avhopp` command."""
    try:
        cli()
    except _USER_ERRORS as error:
        _console.print(f"[bold red]{error}[/]", highlight=False)
        sys.exit(2)
