"""Notices: the outbox of every notice and reminder, and where each box gets SMS and mail.

Notices       PK recipient, SK notice_id (outbox: one record per notice, id is deterministic)
  - a recipient's notices, newest first                                Query by_time (recipient, created_at)
  - a recipient's pending reminders, by obligation                     Query recipient, begins_with "reminder:"
  - create exactly once                                                PutItem if notice_id does not exist
  - to deliver now, per shard (sparse)                                 Query undelivered (delivery_shard, next_attempt_at <= now)
  - dead letters for the platform admin (sparse)                       Query dead_letters ("dead", created_at)
"""

from __future__ import annotations

import random

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from sheqi.store.tables import index, strings, table

DELIVERY_SHARDS = 8  # undelivered notices spread over this many index partitions


class NoticeUndelivered(GlobalSecondaryIndex["Notice"]):
    """Sparse: notices still to be sent (or retried) by a channel, by when to try next."""

    Meta = index("undelivered")
    delivery_shard = UnicodeAttribute(hash_key=True)
    next_attempt_at = UnicodeAttribute(range_key=True)


class NoticeDeadLetters(GlobalSecondaryIndex["Notice"]):
    """Sparse: notices no channel could deliver after every retry, for the platform admin."""

    Meta = index("dead_letters")
    dead_letter = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class NoticeByTime(GlobalSecondaryIndex["Notice"]):
    """A box's notices in the order they were written (the table's sort key is the deterministic id)."""

    Meta = index("by_time")
    recipient = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class Notice(Model):
    Meta = table("notices")
    recipient = UnicodeAttribute(hash_key=True)  # agency:<id>, enterprise:<id>, inspector:<id>, judicial:<region>
    notice_id = UnicodeAttribute(range_key=True)  # deterministic: <kind>:<subject>:<stage>
    kind = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    article = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="pending")  # pending / acknowledged (by the recipient)
    acknowledged_at = UnicodeAttribute(null=True)
    acknowledged_by = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    # Delivery by SMS / mail (delivery.py): pending -> sent, or in_app (no channel for the recipient), or
    # dead (every retry failed). While pending it is in the undelivered index; when dead, in dead_letters.
    delivery = UnicodeAttribute(default="pending")
    delivery_shard = UnicodeAttribute(null=True, default=lambda: f"s{random.randrange(DELIVERY_SHARDS)}")
    next_attempt_at = UnicodeAttribute(null=True, default=lambda: "0")  # "0": at once
    attempts = NumberAttribute(default=0)
    last_error = UnicodeAttribute(null=True)
    delivered_at = UnicodeAttribute(null=True)
    channels = strings(default=list)
    dead_letter = UnicodeAttribute(null=True)
    undelivered = NoticeUndelivered()
    dead_letters = NoticeDeadLetters()
    by_time = NoticeByTime()


class Contact(Model):
    """Where a notice box gets SMS and mail (key `contact#<recipient>`); enterprises default to their
    registered contact."""

    Meta = table("tallies")
    tally_key = UnicodeAttribute(hash_key=True)
    sms = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(recipient: str) -> str:
        return f"contact#{recipient}"
