"""webhook items pulls (issue 5): events stay pending until a pull stored their items

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consumed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_webhook_event_pending", ["shop_id", "consumed_at"], unique=False)
    # Events recorded before this revision were handed to incremental pulls already.
    op.execute("UPDATE webhook_event SET consumed_at = received_at")


def downgrade() -> None:
    with op.batch_alter_table("webhook_event", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_event_pending")
        batch_op.drop_column("consumed_at")
