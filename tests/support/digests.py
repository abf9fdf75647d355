"""A digest of every table's rows, to show that a request changed nothing in the database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text

if TYPE_CHECKING:
    from sqlalchemy import Engine

# What any request or a starting app may write on its own: when a session was last used, a
# rate limit's count, the periodic jobs an app starts, what the daily reminder job writes (its
# reminders and their notifications), and how far the periodic copy to the follow-up statistics
# has come, which can land while a test runs.
BOOKKEEPING = (
    "web_session",
    "rate_limit_window",
    "job_schedule",
    "job_run",
    "job_outbox",
    "directory_reminder",
    "notification",
    "followup_stat_mark",
)


def table_digests(owner_engine: Engine) -> dict[str, str]:
    """Each table of the public schema (but the bookkeeping) with an md5 of all its rows.

    An administrative role that is a superuser sees every row. Any other owner is subject to the
    forced row-level security: it is lifted inside this one transaction, which is rolled back, so
    no other connection ever sees it off.
    """
    with owner_engine.connect() as connection, connection.begin() as transaction:
        tables = connection.execute(
            text(
                "SELECT relname, relforcerowsecurity FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                " AND relkind = 'r' AND relname <> ALL(:bookkeeping) ORDER BY relname"
            ),
            {"bookkeeping": list(BOOKKEEPING)},
        ).all()
        bypasses = connection.execute(
            text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).scalar_one()
        for name, forced in tables:
            if forced and not bypasses:
                connection.execute(text(f'ALTER TABLE public."{name}" NO FORCE ROW LEVEL SECURITY'))
        digests = {
            name: connection.execute(
                text(
                    f"SELECT md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), '')) FROM public.\"{name}\" t"
                )
            ).scalar_one()
            for name, _ in tables
        }
        transaction.rollback()
    return digests
