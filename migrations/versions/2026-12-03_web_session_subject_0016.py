"""A web session names the person's subject at the provider, so the provider's administration can end it.

Sessions from before are given the subject of the identity they were started with; any left
without one (the test sign-in's) are dropped, and their holders sign in again.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("web_session", sa.Column("subject", sa.Text(), nullable=True))
    op.execute(
        "UPDATE web_session s SET subject = i.subject FROM user_identity i"
        " WHERE i.user_id = s.user_id AND i.issuer = s.issuer"
    )
    op.execute("DELETE FROM web_session WHERE subject IS NULL")
    op.alter_column("web_session", "subject", nullable=False)
    op.create_index("ix_web_session_issuer_subject", "web_session", ["issuer", "subject"])


def downgrade() -> None:
    op.drop_index("ix_web_session_issuer_subject", table_name="web_session")
    op.drop_column("web_session", "subject")
