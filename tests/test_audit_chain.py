"""Attacks on the council decisions' audit chain (issue #15, point 8), each as an attacker
would do it: a direct SQL edit of the database file from another program, a deleted tail,
a chain recomputed with plain SHA-256, a chain rewritten by someone holding the key; and
`bdhvs check`, the printed anchor and the key file that catch them."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import stat

import pytest

from bdhvs_desktop.services.maintenance import check_database

DEMO_APPROVED = "Đảng ủy UBND phường"  # candidate #1 of the demo ward: approved and locked


def errors(db) -> list[str]:
    return [f.message for f in check_database(db) if f.level == "error"]


def raw(db) -> sqlite3.Connection:
    """Another program on the same file (DB Browser, the sqlite3 shell...)."""
    return sqlite3.connect(db.path, isolation_level=None)


def candidate(db, name: str) -> tuple[int, str]:
    with raw(db) as conn:
        return conn.execute(
            "SELECT c.id, c.status FROM candidate c LEFT JOIN unit u ON u.id = c.unit_id "
            "LEFT JOIN person p ON p.id = c.person_id WHERE coalesce(u.name, p.full_name) = ?", (name,)).fetchone()


def test_the_demo_ward_checks_clean(demo_db):
    assert errors(demo_db) == []


# --------------------------------------------------------------------------- deleted rows


def test_deleting_the_last_rows_of_the_audit_log_is_reported(demo_db):
    with raw(demo_db) as conn:
        conn.execute("DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log ORDER BY id DESC LIMIT 3)")
    found = errors(demo_db)
    assert found, "a deleted tail went unnoticed"
    assert any("Hồ sơ #" in e and "chuỗi nhật ký ghi" in e for e in found), found


def test_deleting_every_audit_row_is_reported(demo_db):
    with raw(demo_db) as conn:
        conn.execute("DELETE FROM audit_log")
    found = errors(demo_db)
    assert any(DEMO_APPROVED in e and "không có quyết định nào" in e for e in found), found


def test_a_deleted_tail_that_changed_no_decision_is_caught_by_the_last_anchor(demo_db):
    from bdhvs_desktop.services import audit

    with demo_db.session() as s:  # a chained entry that changes no decision (e.g. a restore note)
        audit.record(s, user="thu-ky", action="note", entity="database", note="mục cuối", chained=True)
    anchor = audit.take_anchor(demo_db, purpose="minutes")
    assert errors(demo_db) == []
    with raw(demo_db) as conn:
        conn.execute("DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log WHERE chained = 1)")
    found = errors(demo_db)
    assert any("thiếu phần cuối" in e and anchor.code in e for e in found), found
    # The attacker also erases the anchors kept in the database: the copy outside it remains.
    with raw(demo_db) as conn:
        conn.execute("DELETE FROM audit_anchor")
    found = errors(demo_db)
    assert any("thiếu phần cuối" in e and "tệp neo trên máy này" in e for e in found), found


# --------------------------------------------------------------------------- edited tables


def test_vote_counts_edited_in_sql_are_reported_with_the_candidate_named(demo_db):
    cid, _ = candidate(demo_db, "Võ Hoàng Vũ")  # rejected 0 for, 6 against
    with raw(demo_db) as conn:
        conn.execute("UPDATE vote SET votes_for = 6, votes_against = 0 WHERE candidate_id = ?", (cid,))
    found = errors(demo_db)
    assert any("Võ Hoàng Vũ" in e and "6 tán thành, 0 không tán thành" in e
               and "0 tán thành, 6 không tán thành" in e for e in found), found
    # ... and the decision recomputed from the table no longer matches the status.
    assert any("Võ Hoàng Vũ" in e and "tính lại" in e for e in found), found


def test_candidate_status_edited_in_sql_is_reported_with_the_candidate_named(demo_db):
    cid, status = candidate(demo_db, "Võ Hoàng Vũ")
    assert status == "rejected"
    with raw(demo_db) as conn:
        conn.execute("UPDATE candidate SET status = 'approved', locked = 1 WHERE id = ?", (cid,))
    found = errors(demo_db)
    assert any(f"Hồ sơ #{cid} (Võ Hoàng Vũ)" in e and "“Được thông qua”" in e and "“Không được thông qua”" in e
               for e in found), found


def test_attendance_and_ballots_edited_in_sql_are_reported(demo_db):
    with raw(demo_db) as conn:
        conn.execute("UPDATE meeting_attendance SET present = 1, absence_reason = NULL")
        conn.execute("UPDATE council_meeting SET ballots_valid = 4")
    found = errors(demo_db)
    assert any("điểm danh" in e and "Phiên họp #" in e for e in found), found
    assert any("số phiếu" in e and "hợp lệ 4" in e for e in found), found


# --------------------------------------------------------------------------- recomputed chains


def _legacy_digest(row: dict, prev: str | None) -> str:
    """Main's unkeyed chain: plain SHA-256 over the entry and the previous hash."""
    at = dt.datetime.fromisoformat(row["at"]).isoformat(timespec="microseconds")
    payload = json.dumps([at, row["user"], row["action"], row["entity"], row["entity_id"], row["field"],
                          row["old_value"], row["new_value"], row["note"], prev], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _forge_vote(conn: sqlite3.Connection, cid: int) -> None:
    """Turn a rejection into an approval in the tables and in what the log says about it."""
    conn.execute("UPDATE vote SET votes_for = 6, votes_against = 0 WHERE candidate_id = ?", (cid,))
    conn.execute("UPDATE candidate SET status = 'approved', locked = 1 WHERE id = ?", (cid,))
    conn.execute("UPDATE audit_log SET new_value = 'approved' WHERE entity = 'candidate' AND entity_id = ? "
                 "AND field = 'status' AND new_value = 'rejected'", (cid,))
    columns = [r[1] for r in conn.execute("PRAGMA table_info(audit_log)")]
    if "state" in columns:  # make the recorded decision state say the same
        for eid, state in conn.execute("SELECT id, state FROM audit_log WHERE state IS NOT NULL").fetchall():
            data = json.loads(state)
            key = f"candidate:{cid}"
            if (data.get("subjects") or {}).get(key):
                data["subjects"][key].update(status="approved", locked=True, votes={"1": [6, 0, 0]})
                conn.execute("UPDATE audit_log SET state = ? WHERE id = ?",
                             (json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")), eid))


def test_a_chain_recomputed_with_plain_sha256_after_an_edit_is_reported(demo_db):
    cid, _ = candidate(demo_db, "Võ Hoàng Vũ")
    with raw(demo_db) as conn:
        conn.row_factory = sqlite3.Row
        _forge_vote(conn, cid)
        prev = None
        for row in conn.execute("SELECT * FROM audit_log WHERE chained = 1 ORDER BY id").fetchall():
            digest = _legacy_digest(dict(row), prev)
            conn.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row["id"]))
            prev = digest
    found = errors(demo_db)
    assert any("Chuỗi nhật ký" in e and "bị phá vỡ" in e for e in found), found
    assert any("không có khóa" in e for e in found), found


def test_a_rewrite_with_the_key_is_caught_by_the_anchor_printed_on_the_minutes(demo_db, tmp_path):
    """Even someone holding the key, who rewrites and re-chains the log consistently with the
    tables, cannot make the chain reach the code printed on the minutes again."""
    from test_dossier import doc_text

    from bdhvs_desktop.services import audit, dossier
    from bdhvs_desktop.storage import audit_chain
    from bdhvs_desktop.storage.models import AuditEntry

    out = dossier.generate_dossier(demo_db, tmp_path / "ho-so", at=dt.date(2026, 11, 20))
    manifest = json.loads(out.manifest.read_text(encoding="utf-8"))
    printed = manifest["audit_anchor"]["code"]
    # The anchor sits in the signature block (a table): read every paragraph, tables included.
    minutes = doc_text(sorted(out.folder.glob("bien-ban-hop-xet*.docx"))[-1])
    assert f"Mã neo nhật ký quyết định: {printed}" in minutes
    assert audit.verify_code(demo_db, printed).found
    assert errors(demo_db) == []

    cid, _ = candidate(demo_db, "Võ Hoàng Vũ")
    with raw(demo_db) as conn:
        _forge_vote(conn, cid)
    key = audit_chain.load_key()
    with demo_db.session() as s:  # re-chain everything with the real key
        prev = None
        for e in s.query(AuditEntry).filter(AuditEntry.chained.is_(True)).order_by(AuditEntry.id):
            e.prev_hash = prev
            e.hash = audit_chain.keyed_digest(key, e, prev)
            prev = e.hash
    with demo_db.read() as s:
        assert audit.verify_chain(s) == []  # the chain itself is consistent again ...
    found = errors(demo_db)
    assert any("viết lại" in e and printed in e for e in found), found  # ... but no longer reaches the anchor
    result = audit.verify_code(demo_db, printed)
    assert not result.found and "KHÔNG khớp" in result.message
    again = dossier.generate_dossier(demo_db, tmp_path / "ho-so-2", at=dt.date(2026, 11, 20), draft=True)
    reprinted = json.loads(again.manifest.read_text(encoding="utf-8"))["audit_anchor"]["code"]
    assert reprinted != printed


# --------------------------------------------------------------------------- the key


def test_the_key_file_is_created_on_first_use_for_its_owner_only(tmp_path, monkeypatch):
    from bdhvs_desktop.services import audit
    from bdhvs_desktop.storage.engine import open_database

    monkeypatch.setenv("BDHVS_AUDIT_KEY_FILE", str(tmp_path / "keys" / "audit.key"))
    db = open_database(tmp_path / "k.sqlite3")
    try:
        assert not (tmp_path / "keys" / "audit.key").exists()  # no decision yet: no key
        with db.session() as s:
            audit.record(s, user="thu-ky", action="note", entity="database", note="một", chained=True)
        path = tmp_path / "keys" / "audit.key"
        assert path.exists()
        if os.name == "posix":
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
        with db.read() as s:
            assert audit.verify_chain(s) == []
        # Another computer's key (or a forged one): the chain cannot be verified with it.
        monkeypatch.setenv("BDHVS_AUDIT_KEY_FILE", str(tmp_path / "other.key"))
        (tmp_path / "other.key").write_text("ab" * 32)
        with db.read() as s:
            problems = [p.message for p in audit.verify_chain(s)]
        assert any("khóa khác" in p for p in problems), problems
        monkeypatch.setenv("BDHVS_AUDIT_KEY_FILE", str(tmp_path / "missing.key"))
        with db.read() as s:
            problems = [p.message for p in audit.verify_chain(s)]
        assert any("không có tệp khóa" in p for p in problems), problems
    finally:
        db.dispose()


# --------------------------------------------------------------------------- migration


def _legacy_db(tmp_path, *, tamper: bool):
    """A database at schema 0002 with an unkeyed chain of three decisions."""
    from bdhvs_desktop.storage.migrate import upgrade_to_head

    path = tmp_path / "old.sqlite3"
    upgrade_to_head(f"sqlite:///{path}", target="0002")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    prev = None
    for n in range(3):
        row = {"at": f"2026-11-0{n + 1} 10:00:00.000000", "user": "chu-tich", "action": "vote", "entity": "candidate",
               "entity_id": 90 + n, "field": "votes", "old_value": None, "new_value": f"[{5 + n}, 0, 0]", "note": None}
        digest = _legacy_digest(row, prev)
        conn.execute("INSERT INTO audit_log (at, user, action, entity, entity_id, field, old_value, new_value, note, "
                     "chained, prev_hash, hash) VALUES (:at, :user, :action, :entity, :entity_id, :field, :old_value, "
                     ":new_value, :note, 1, :prev, :hash)", {**row, "prev": prev, "hash": digest})
        prev = digest
    if tamper:
        conn.execute("UPDATE audit_log SET new_value = '[9, 0, 0]' WHERE entity_id = 91")
    conn.close()
    return path


@pytest.mark.parametrize("tamper", [False, True])
def test_migration_rechains_an_unkeyed_chain_and_records_its_state(tmp_path, tamper):
    from bdhvs_desktop.services import audit
    from bdhvs_desktop.storage.engine import open_database
    from bdhvs_desktop.storage.models import AuditEntry

    db = open_database(_legacy_db(tmp_path, tamper=tamper))
    try:
        with db.read() as s:
            entries = s.query(AuditEntry).filter(AuditEntry.chained.is_(True)).order_by(AuditEntry.id).all()
            problems = [p.message for p in audit.verify_chain(s)]
        assert [e.action for e in entries] == ["vote", "vote", "vote", "rekey"]
        assert all(e.key_id for e in entries)
        marker = json.loads(entries[-1].state)
        assert marker["legacy"]["entries"] == 3 and marker["legacy"]["problems"] == (1 if tamper else 0)
        if tamper:  # the damage done before the migration is not laundered by it
            assert any("chuỗi cũ" in p and "1 chỗ" in p for p in problems), problems
        else:
            assert problems == []
        # After the migration, an entry recomputed with plain SHA-256 is caught.
        with db.session() as s:
            first = s.get(AuditEntry, entries[0].id)
            first.new_value = "[0, 7, 0]"
            first.hash = _legacy_digest({"at": first.at.isoformat(sep=" "), "user": first.user,
                                         "action": first.action, "entity": first.entity,
                                         "entity_id": first.entity_id, "field": first.field,
                                         "old_value": first.old_value, "new_value": first.new_value,
                                         "note": first.note}, None)
        with db.read() as s:
            assert any(p.entry_id == entries[0].id for p in audit.verify_chain(s))
    finally:
        db.dispose()


# --------------------------------------------------------------------------- the anchor itself


def test_the_anchor_code_and_qr(demo_db):
    import io

    from PIL import Image

    from bdhvs_desktop.services import audit
    from bdhvs_desktop.storage.audit_chain import normalise_code

    now = audit.anchor_now(demo_db)
    assert len(now.code) == 14 and now.code.count("-") == 2 and now.seq > 0
    assert now.head_hash in now.qr_data and now.code in now.qr_data
    png = Image.open(io.BytesIO(now.qr_png()))
    assert png.size[0] == png.size[1] >= 200
    typed = now.code.lower().replace("-", " ")
    assert normalise_code(typed) == now.code and audit.verify_code(demo_db, typed).found


def test_anchors_taken_before_a_restore_do_not_flag_the_restored_chain(demo_db, tmp_path):
    """A restore legitimately goes back to a shorter chain: the anchors recorded since the
    backup are superseded by the keyed "restore" entry, not reported as a deleted tail."""
    from bdhvs_desktop.services import audit, restore
    from bdhvs_desktop.services.maintenance import backup

    copy = backup(demo_db, tmp_path / "truoc.sqlite3")
    with demo_db.session() as s:
        audit.record(s, user="thu-ky", action="note", entity="database", note="sau sao lưu", chained=True)
    audit.take_anchor(demo_db, purpose="minutes")
    path = demo_db.path
    demo_db.dispose()
    restore.restore(path, copy, folder=tmp_path / "backups")
    from bdhvs_desktop.storage.engine import open_database

    db = open_database(path)
    try:
        assert errors(db) == []
        with raw(db) as conn:  # but cutting the restore entry off brings the anchor back into force
            conn.execute("DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log WHERE chained = 1)")
        assert any("thiếu phần cuối" in e for e in errors(db))
    finally:
        db.dispose()


def test_a_computer_without_the_chains_key_refuses_to_sign(tmp_path, monkeypatch):
    """A second workstation (or a new computer) without the key would start a second,
    unverifiable chain: the decision is refused with a message naming the key file."""
    from bdhvs_desktop.services import audit
    from bdhvs_desktop.storage.audit_chain import AuditKeyError
    from bdhvs_desktop.storage.engine import open_database
    from bdhvs_desktop.storage.models import AuditEntry

    monkeypatch.setenv("BDHVS_AUDIT_KEY_FILE", str(tmp_path / "a.key"))
    db = open_database(tmp_path / "k.sqlite3")
    try:
        with db.session() as s:
            audit.record(s, user="thu-ky", action="note", entity="database", note="một", chained=True)
        monkeypatch.setenv("BDHVS_AUDIT_KEY_FILE", str(tmp_path / "b.key"))
        with pytest.raises(AuditKeyError, match="audit.key"):
            with db.session() as s:
                audit.record(s, user="thu-ky", action="note", entity="database", note="hai", chained=True)
        assert not (tmp_path / "b.key").exists()
        with db.read() as s:
            assert s.query(AuditEntry).count() == 1
        monkeypatch.setenv("BDHVS_AUDIT_KEY_FILE", str(tmp_path / "a.key"))  # the key copied over: works again
        with db.session() as s:
            audit.record(s, user="thu-ky", action="note", entity="database", note="ba", chained=True)
        with db.read() as s:
            assert audit.verify_chain(s) == []
    finally:
        db.dispose()
