"""The current schema, as SQLAlchemy Core tables, for the store's queries.

Migrations (`migrations.py`) build the database; these definitions must describe what
the newest migration leaves behind (a test reflects a migrated database and compares).

`links.thread_id` stores "no thread" as `''` rather than NULL: both backends treat NULLs
as distinct in a unique constraint, and a chat without a thread must have one link only.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

__all__ = [
    "ID",
    "TIMESTAMP",
    "announcements",
    "api_keys",
    "chat_paces",
    "cursors",
    "key_budgets",
    "leases",
    "link_activity",
    "links",
    "message_map",
    "metadata",
    "notify_settings",
    "offsets",
    "outbox",
    "plan_snapshots",
    "replicas",
    "schema_version",
    "seen_events",
]

# SQLite only auto-increments an INTEGER PRIMARY KEY (the rowid alias), not BIGINT.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP: sa.Double[float] = sa.Double()  # epoch seconds from the injected clock

metadata = sa.MetaData()

schema_version = sa.Table(
    "store_schema_version",
    metadata,
    sa.Column("version", sa.Integer, nullable=False),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("digest", sa.String(64), nullable=False, unique=True),
    sa.Column("fingerprint", sa.String(12), nullable=False),
    sa.Column("ciphertext", sa.Text, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
)

links = sa.Table(
    "links",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("platform", sa.String, nullable=False),
    sa.Column("chat_id", sa.String, nullable=False),
    sa.Column("thread_id", sa.String, nullable=False, server_default=""),
    sa.Column("trip_id", sa.String, nullable=False),
    sa.Column("trip_title", sa.String, nullable=False),
    sa.Column("channel_id", sa.String, nullable=False),
    sa.Column("channel_name", sa.String, nullable=False),
    sa.Column("key_id", ID, sa.ForeignKey("api_keys.id"), nullable=False),
    sa.Column("owner_user_id", sa.String, nullable=False),
    sa.Column("scopes", sa.Text, nullable=False),
    sa.Column("language", sa.String, nullable=False),
    sa.Column("show_sensitive", sa.Boolean, nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("created_by", sa.String, nullable=True),
    sa.UniqueConstraint("platform", "chat_id", "thread_id", name="uq_links_chat"),
    sa.Index("ix_links_channel", "trip_id", "channel_id"),
)

cursors = sa.Table(
    "cursors",
    metadata,
    sa.Column("trip_id", sa.String, primary_key=True),
    sa.Column("channel_id", sa.String, primary_key=True),
    sa.Column("cursor", sa.Text, nullable=False),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
)

message_map = sa.Table(
    "message_map",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    # The Osoto side of a row is one of two (migration 6): the Osoto message, or,
    # for a chat line still on its way there, its outbox entry (`PendingPost`).
    sa.Column("osoto_message_id", sa.String, nullable=True),
    sa.Column("trip_id", sa.String, nullable=False),
    sa.Column("channel_id", sa.String, nullable=False),
    sa.Column("platform", sa.String, nullable=False),
    sa.Column("chat_id", sa.String, nullable=False),
    sa.Column("thread_id", sa.String, nullable=True),
    sa.Column("chat_message_id", sa.String, nullable=False),
    sa.Column("part", sa.Integer, nullable=False),
    sa.Column("origin", sa.String(8), nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("outbox_entry_id", ID, nullable=True),
    # One chat message may carry several lines (a merged message, migration 5). Each
    # rule is kept for both sides: NULLs never collide, so a rule holds on its side.
    sa.UniqueConstraint(
        "platform",
        "chat_id",
        "chat_message_id",
        "osoto_message_id",
        name="uq_message_map_chat_line",
    ),
    sa.UniqueConstraint(
        "osoto_message_id", "platform", "chat_id", "part", name="uq_message_map_parts"
    ),
    sa.UniqueConstraint(
        "platform",
        "chat_id",
        "chat_message_id",
        "outbox_entry_id",
        name="uq_message_map_entry_line",
    ),
    sa.UniqueConstraint(
        "outbox_entry_id", "platform", "chat_id", "part", name="uq_message_map_entry_parts"
    ),
    sa.CheckConstraint(
        "(osoto_message_id IS NULL) <> (outbox_entry_id IS NULL)", name="ck_message_map_one_ref"
    ),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("idempotency_key", sa.String(255), nullable=False, unique=True),
    sa.Column("link_id", ID, sa.ForeignKey("links.id", ondelete="CASCADE"), nullable=False),
    sa.Column("trip_id", sa.String, nullable=False),
    sa.Column("channel_id", sa.String, nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    # At most one parent column is set (migration 2; see `models.Parent`).
    sa.Column("parent_osoto_message_id", sa.String, nullable=True),
    sa.Column("parent_chat_message_id", sa.String, nullable=True),
    sa.Column("parent_outbox_id", ID, nullable=True),
    sa.Column("source_platform", sa.String, nullable=False),
    sa.Column("source_chat_id", sa.String, nullable=False),
    sa.Column("source_thread_id", sa.String, nullable=True),
    sa.Column("source_message_id", sa.String, nullable=False),
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", TIMESTAMP, nullable=False),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("osoto_message_id", sa.String, nullable=True),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
    # The lead entry of the merged post this entry was cut into (migration 5).
    sa.Column("batch_id", ID, nullable=True),
    sa.Index("ix_outbox_queue", "status", "trip_id", "channel_id", "id"),
    sa.Index("ix_outbox_osoto_message", "osoto_message_id"),
    # A reply to a line still in the outbox finds that line's entry (migration 2).
    sa.Index("ix_outbox_source", "source_platform", "source_chat_id", "source_message_id"),
)

seen_events = sa.Table(
    "seen_events",
    metadata,
    sa.Column("platform", sa.String, primary_key=True),
    sa.Column("event_id", sa.String, primary_key=True),
    sa.Column("seen_at", TIMESTAMP, nullable=False),
    sa.Index("ix_seen_events_seen_at", "seen_at"),
)

offsets = sa.Table(
    "offsets",
    metadata,
    sa.Column("platform", sa.String, primary_key=True),
    sa.Column("name", sa.String, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
)

link_activity = sa.Table(
    "link_activity",
    metadata,
    sa.Column("link_id", ID, sa.ForeignKey("links.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("last_in_at", TIMESTAMP, nullable=True),
    sa.Column("last_out_at", TIMESTAMP, nullable=True),
)

# The announcements' tables (migration 3).
notify_settings = sa.Table(
    "notify_settings",
    metadata,
    sa.Column("link_id", ID, sa.ForeignKey("links.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("changes", sa.Boolean, nullable=False),
    sa.Column("reminders", sa.Boolean, nullable=False),
    sa.Column("commitment_lead", sa.Integer, nullable=True),
    sa.Column("flight_lead", sa.Integer, nullable=True),
    sa.Column("stay_mornings", sa.Boolean, nullable=False),
    sa.Column("brief_at", sa.String(5), nullable=True),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
)

announcements = sa.Table(
    "announcements",
    metadata,
    sa.Column("link_id", ID, sa.ForeignKey("links.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("identity", sa.String(255), primary_key=True),
    sa.Column("sent_at", TIMESTAMP, nullable=False),
    sa.Index("ix_announcements_sent_at", "sent_at"),
)

plan_snapshots = sa.Table(
    "plan_snapshots",
    metadata,
    sa.Column("trip_id", sa.String, primary_key=True),
    sa.Column("snapshot", sa.Text, nullable=False),
    sa.Column("updated_at", TIMESTAMP, nullable=False),
)

# PostgreSQL replicas (`_leases.py`); times are the database server's.
replicas = sa.Table(
    "replicas",
    metadata,
    sa.Column("replica_id", sa.String(200), primary_key=True),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    # The share of each platform's bot-wide rate this replica paces to (`_leases.py`).
    sa.Column("pace_share", sa.Double, nullable=True),
)

leases = sa.Table(
    "leases",
    metadata,
    sa.Column("unit", sa.String(200), primary_key=True),
    sa.Column("holder", sa.String(200), nullable=True),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_leases_holder", "holder"),
)

# A key's requests of the last minute, among replicas (`_budgets.py`): epoch seconds
# of the senders' wall clocks (the limiter's margin covers their disagreement).
key_budgets = sa.Table(
    "key_budgets",
    metadata,
    sa.Column("key_fingerprint", sa.String(64), primary_key=True),
    sa.Column(
        "sends",
        sa.JSON().with_variant(postgresql.ARRAY(sa.Double()), "postgresql"),
        nullable=False,
    ),
)

# A chat's per-chat buckets among replicas (`_chat_paces.py`): their tokens and the
# senders' wall-clock time they were counted at.
chat_paces = sa.Table(
    "chat_paces",
    metadata,
    sa.Column("chat_key", sa.String(200), primary_key=True),
    sa.Column(
        "tokens",
        sa.JSON().with_variant(postgresql.ARRAY(sa.Double()), "postgresql"),
        nullable=False,
    ),
    sa.Column("counted_at", sa.Double(), nullable=False),
)
