"""The store: PynamoDB models of the tables and the ways they are read and written.

Only this package imports PynamoDB. Each table's models live in the module of their concern, with the
access patterns they serve written next to them (keys, indexes, conditional writes):

  registers    enterprises, agencies, inspectors (and certificate guards), inspection items
  notices      the notice outbox, contacts
  obligations  obligations with deadlines, the active regions, official calendars
  plans        plan versions, the plan index, special campaigns
  tasks        tasks, assignments, draws, enterprises' own requests
  visits       visits, their event chains, scans, and the tallies a scan coordinates on
  tallies      the tallies table's counters and the counts the judicial bureau watches
  feedback     ratings and their quarterly sums, complaints
  supervision  the judicial bureau's samples, cases, letters and measures
  subsidy      subsidy applicants and results
  idempotency  Idempotency-Key records

A function imports only the modules of the tables it uses: PynamoDB inspects every model class as it is
defined, and a cold start pays for each (bench/cold_start.py). Keys and indexes must match
`infra/tables.yml` (the single source of truth for the tables; tests/unit/test_store_schema.py compares
the two). No path a phone calls uses Scan.
"""

from __future__ import annotations

from pynamodb.expressions.update import Action as Action  # the type of an update, e.g. `Obligation.due.set(...)`

from sheqi.store import pagination as pagination
from sheqi.store.access import Cancelled as Cancelled
from sheqi.store.access import KeyTaken as KeyTaken
from sheqi.store.access import Transaction as Transaction
from sheqi.store.access import batch_read as batch_read
from sheqi.store.access import claiming as claiming
from sheqi.store.access import get_or_404 as get_or_404
from sheqi.store.access import get_or_none as get_or_none
from sheqi.store.access import put_if_absent as put_if_absent
from sheqi.store.access import save_if as save_if
from sheqi.store.access import update_if as update_if
