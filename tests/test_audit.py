"""The audit log and its hash chain for council decisions."""

from sqlalchemy import select, update

from bdhvs_desktop.services import audit
from bdhvs_desktop.storage.models import AuditEntry


def test_chain_verifies_and_detects_edits_and_deletions(db):
    with db.session() as s:
        audit.record(s, user="thu-ky", action="update", entity="person", entity_id=1, field="vneid_proficient_on",
                     old=None, new="2026-03-31")
        for i in range(4):
            audit.record(s, user="chu-tich", action="vote", entity="candidate", entity_id=i, field="votes_for",
                         old=0, new=5 + i, chained=True)
    with db.read() as s:
        assert audit.verify_chain(s) == []
        assert [h.new_value for h in audit.history(s, "person", 1)] == ["2026-03-31"]
    with db.session() as s:
        third = s.scalars(select(AuditEntry).where(AuditEntry.chained.is_(True)).order_by(AuditEntry.id)).all()[2]
        s.execute(update(AuditEntry).where(AuditEntry.id == third.id).values(new_value="9"))
    with db.read() as s:
        problems = audit.verify_chain(s)
        assert [p.entry_id for p in problems] == [third.id]
        assert "bị sửa" in problems[0].message
    with db.session() as s:
        s.delete(s.get(AuditEntry, third.id))
    with db.read() as s:
        assert any("bị xóa" in p.message for p in audit.verify_chain(s))


def test_record_changes_skips_unchanged_fields(db):
    with db.session() as s:
        audit.record_changes(s, user="u", entity="unit", entity_id=3, changes={"name": ("A", "B"), "kind": ("x", "x")})
    with db.read() as s:
        rows = audit.history(s, "unit", 3)
        assert [(r.field, r.old_value, r.new_value) for r in rows] == [("name", "A", "B")]
