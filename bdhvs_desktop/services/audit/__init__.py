"""The audit log: who changed what, when, from which value to which.

Entries about council decisions (votes, attendance, ballots, status, locks, score
snapshots, member scores, reopenings) are chained, and what protects them is:

* **a keyed chain**: each chained entry's HMAC-SHA-256 (key outside the database,
  storage/audit_chain.py) covers its content, the decision state of the rows it is about
  (canonical JSON in `state`) and the previous chained entry's hash;
* **the tables compared with the chain**: `verify_decisions` reads the decision state of
  every candidate and meeting from the tables and compares it with the last state the chain
  recorded, and recomputes each decided result from the votes and attendance in the tables;
* **anchors outside the database**: the chain head as a short code and a QR code, printed
  on the minutes and written in the dossier manifest, kept in `audit_anchor` (so a backup
  carries them) and in a file in the user's data folder; a rewritten chain no longer has
  the printed code, a chain missing its tail no longer reaches the last anchor.

Chained entries are added to the database when the transaction commits, under a
transaction-level lock (storage/locks.serialize), so two workstations never fork the chain.

The package splits the log (issue #12); every name stays importable from
`bdhvs_desktop.services.audit` as before (callers write `audit.record(...)`):

    log       recording entries (plain and chained) and a record's history
    verify    verifying the chain (each entry's keyed hash and link)
    decisions comparing the decision tables with the chain, recomputing each decided result
    anchors   the chain's anchors: current code, stored and local copies, checks
    codes     a code printed on paper checked against the chain"""

from __future__ import annotations

from bdhvs_desktop.services.audit.anchors import (
    Anchor,
    AnchorStatus,
    anchor_now,
    anchor_statuses,
    anchors_file,
    current_anchor,
    local_anchors,
    meeting_anchor,
    record_anchor,
    save_anchor,
    stored_anchors,
    take_anchor,
    verify_anchors,
)
from bdhvs_desktop.services.audit.codes import CodeMatch, match_code, verify_code
from bdhvs_desktop.services.audit.decisions import FIELD_TEXT, MEETING_STATUS_TEXT, STATUS_TEXT, verify_decisions
from bdhvs_desktop.services.audit.log import (
    ALWAYS_CHAINED,
    ANCHORS_FILE,
    CHAIN_LOCK,
    HistoryRow,
    history,
    log,
    record,
    record_changes,
)
from bdhvs_desktop.services.audit.verify import ChainProblem, verify_chain

__all__ = [
    "ALWAYS_CHAINED",
    "ANCHORS_FILE",
    "CHAIN_LOCK",
    "HistoryRow",
    "history",
    "log",
    "record",
    "record_changes",
    "ChainProblem",
    "FIELD_TEXT",
    "MEETING_STATUS_TEXT",
    "STATUS_TEXT",
    "verify_chain",
    "verify_decisions",
    "Anchor",
    "AnchorStatus",
    "CodeMatch",
    "anchor_now",
    "anchor_statuses",
    "anchors_file",
    "current_anchor",
    "local_anchors",
    "match_code",
    "meeting_anchor",
    "record_anchor",
    "save_anchor",
    "stored_anchors",
    "take_anchor",
    "verify_anchors",
    "verify_code",
]
