"""The product's own consistency checks that `bdhvs check` reports (services/maintenance.py adds
SQLite's integrity and foreign-key checks): records that contradict each other, the audit chain,
the server and the backups."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, text
from sqlalchemy.orm import aliased

from bdhvs_desktop.services import audit
from bdhvs_desktop.services.backups import list_backups
from bdhvs_desktop.services.upkeep import Finding
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


def _names(rows, limit: int = 5) -> str:
    names = [str(r) for r in rows]
    text = ", ".join(names[:limit])
    if len(names) > limit:
        text += f" và {len(names) - limit} người/mục khác"
    return text


def consistency_findings(db: Database, *, today: dt.date | None = None) -> list[Finding]:
    """The product's own checks, each a Vietnamese finding: records that the database
    accepts but that make the campaign's figures or the dossier wrong."""

    findings: list[Finding] = []
    with db.read() as s:
        # People in inactive (dissolved or merged) units.
        rows = s.execute(
            select(m.Person.full_name, m.Unit.name, m.Unit.merged_into_id)
            .join(m.Unit, m.Person.unit_id == m.Unit.id).where(m.Unit.active.is_(False))
            .order_by(m.Unit.name, m.Person.full_name)
        ).all()
        if rows:
            by_unit: dict[str, list[str]] = {}
            for person, unit, _merged in rows:
                by_unit.setdefault(unit, []).append(person)
            detail = "; ".join(f"{u}: {_names(p, 3)}" for u, p in by_unit.items())
            findings.append(Finding("warning", f"{len(rows)} người thuộc đơn vị đã ngừng hoạt động hoặc đã sáp nhập "
                                               f"({detail}). Hãy chuyển họ sang đơn vị đang hoạt động."))
        # Candidates whose subject (unit or person) is gone.
        unit_alias, person_alias = aliased(m.Unit), aliased(m.Person)
        cands = s.execute(
            select(m.Candidate.id, m.Candidate.subject_type, m.Candidate.unit_id, m.Candidate.person_id,
                   unit_alias.id, unit_alias.active, unit_alias.name, person_alias.id, person_alias.full_name)
            .outerjoin(unit_alias, m.Candidate.unit_id == unit_alias.id)
            .outerjoin(person_alias, m.Candidate.person_id == person_alias.id)
            .order_by(m.Candidate.id)
        ).all()
        gone, inactive = [], []
        for cid, stype, unit_id, person_id, u_id, u_active, u_name, p_id, _p_name in cands:
            if stype == "unit":
                if unit_id is None or u_id is None:
                    gone.append(f"#{cid} (tập thể, đơn vị {unit_id if unit_id is not None else 'trống'})")
                elif not u_active:
                    inactive.append(f"#{cid} ({u_name})")
            elif stype == "person":
                if person_id is None or p_id is None:
                    gone.append(f"#{cid} (cá nhân, người {person_id if person_id is not None else 'trống'})")
            else:
                gone.append(f"#{cid} (loại đối tượng không rõ: {stype})")
        if gone:
            findings.append(Finding("error", f"{len(gone)} hồ sơ đề nghị khen thưởng không còn đối tượng (đơn vị hoặc "
                                             f"người đã bị xóa): {_names(gone)}."))
        if inactive:
            findings.append(Finding("warning", f"{len(inactive)} hồ sơ đề nghị khen thưởng tập thể của đơn vị đã ngừng "
                                               f"hoạt động: {_names(inactive)}."))
        # Candidates under discipline (Decree 152/2025, Art. 4: held back).
        disciplined = s.execute(
            select(m.Person.full_name).join(m.Candidate, m.Candidate.person_id == m.Person.id)
            .where(m.Person.under_discipline.is_(True), m.Candidate.status != "rejected")
        ).scalars().all()
        if disciplined:
            findings.append(Finding("warning", f"{len(disciplined)} người được đề nghị khen thưởng đang bị kỷ luật "
                                               f"hoặc xem xét kỷ luật: {_names(disciplined)}."))
        # Votes exceeding the council's members.
        members_by_campaign = dict(s.execute(
            select(m.CouncilMember.campaign_id, func.count()).where(m.CouncilMember.active.is_(True))
            .group_by(m.CouncilMember.campaign_id)).all())
        present_by_meeting = dict(s.execute(
            select(m.MeetingAttendance.meeting_id, func.count()).where(m.MeetingAttendance.present.is_(True))
            .group_by(m.MeetingAttendance.meeting_id)).all())
        subject_names = {cid: (p_name if stype == "person" else u_name) for cid, stype, _u, _p, _ui, _ua, u_name, _pi,
                         p_name in cands}
        votes = s.execute(
            select(m.Vote.id, m.Vote.meeting_id, m.Vote.candidate_id, m.Vote.votes_for, m.Vote.votes_against,
                   m.Vote.votes_abstain, m.CouncilMeeting.campaign_id, m.CouncilMeeting.number,
                   m.CouncilMeeting.ballots_valid)
            .join(m.CouncilMeeting, m.Vote.meeting_id == m.CouncilMeeting.id).order_by(m.Vote.id)
        ).all()
        for vid, meeting_id, cand_id, v_for, v_against, v_abstain, campaign_id, number, ballots_valid in votes:
            total = (v_for or 0) + (v_against or 0) + (v_abstain or 0)
            members = members_by_campaign.get(campaign_id, 0)
            who = subject_names.get(cand_id)
            meeting = f"cuộc họp {number or meeting_id}" + (f", {who}" if who else "")
            if min(v_for or 0, v_against or 0, v_abstain or 0) < 0:
                findings.append(Finding("error", f"Phiếu biểu quyết #{vid} ({meeting}, hồ sơ #{cand_id}) có số phiếu âm."))
            if total > members:
                findings.append(Finding("error", f"Phiếu biểu quyết #{vid} ({meeting}, hồ sơ #{cand_id}): tổng {total} "
                                                 f"phiếu nhiều hơn số thành viên Hội đồng ({members})."))
            elif meeting_id in present_by_meeting and total > present_by_meeting[meeting_id]:
                findings.append(Finding("error", f"Phiếu biểu quyết #{vid} ({meeting}, hồ sơ #{cand_id}): tổng {total} "
                                                 f"phiếu nhiều hơn số thành viên có mặt ({present_by_meeting[meeting_id]})."))
            elif ballots_valid is not None and total > ballots_valid:
                findings.append(Finding("error", f"Phiếu biểu quyết #{vid} ({meeting}, hồ sơ #{cand_id}): tổng {total} "
                                                 f"phiếu nhiều hơn số phiếu hợp lệ ({ballots_valid})."))
        # Manual criterion results about a unit or person that no longer exists.
        orphans = 0
        for subject_type, model in (("unit", m.Unit), ("person", m.Person)):
            orphans += s.scalar(
                select(func.count()).select_from(m.ManualResult)
                .where(m.ManualResult.subject_type == subject_type,
                       m.ManualResult.subject_id.notin_(select(model.id)))) or 0
        if orphans:
            findings.append(Finding("warning", f"{orphans} kết quả chấm tiêu chí thủ công thuộc về đơn vị hoặc người "
                                               "không còn tồn tại."))
        # Citizen IDs that are not 12 digits.
        bad_cccd = s.execute(select(m.Person.full_name, m.Person.cccd).where(m.Person.cccd.is_not(None))).all()
        bad = [name for name, cccd in bad_cccd if cccd and not (len(cccd) == 12 and cccd.isdigit())]
        if bad:
            findings.append(Finding("warning", f"{len(bad)} người có số CCCD không đủ 12 chữ số: {_names(bad)}."))
        # The keyed chain of council decisions, compared with the tables and the anchors.
        findings.extend(chain_findings(s))
    if db.is_sqlite and db.path is not None:
        findings.append(_backup_finding(db, today or dt.date.today()))
    elif not db.is_sqlite:
        findings.append(_server_finding(db))
    if not any(f.level != "ok" for f in findings):
        findings.insert(0, Finding("ok", "Kiểm tra nhất quán dữ liệu: không phát hiện vấn đề."))
    return findings


def chain_findings(s) -> list[Finding]:
    """The decision chain: keyed hashes intact, the tables' decisions equal to what the
    chain recorded (and recomputed from the votes), every recorded anchor still reached."""

    findings: list[Finding] = []
    chained = s.scalar(select(func.count()).select_from(m.AuditEntry).where(m.AuditEntry.chained.is_(True))) or 0
    problems = audit.verify_chain(s)
    if problems:
        findings.append(Finding("error", f"Chuỗi nhật ký các quyết định của Hội đồng bị phá vỡ ({len(problems)} "
                                         "chỗ): nhật ký đã bị sửa hoặc xóa ngoài chương trình."))
        findings.extend(Finding("error", p.message) for p in problems[:10])
    else:
        findings.append(Finding("ok", f"Chuỗi nhật ký quyết định của Hội đồng: {chained} mục, không bị sửa."))
    differences = audit.verify_decisions(s)
    if differences:
        findings.append(Finding("error", f"Quyết định của Hội đồng trong các bảng khác với chuỗi nhật ký "
                                         f"({len(differences)} chỗ): dữ liệu đã bị sửa ngoài chương trình."))
        findings.extend(Finding("error", p.message) for p in differences[:30])
    else:
        findings.append(Finding("ok", "Biểu quyết, điểm danh, số phiếu và trạng thái hồ sơ trong các bảng khớp với "
                                      "chuỗi nhật ký."))
    anchors = audit.verify_anchors(s)
    findings.extend(Finding("error", p.message) for p in anchors[:10])
    recorded = len(audit.stored_anchors(s)) + len(audit.local_anchors(s))
    if recorded and not anchors:
        findings.append(Finding("ok", f"Đã đối chiếu {recorded} mã neo đã ghi (trong cơ sở dữ liệu và trên máy này): "
                                      "chuỗi vẫn đi qua tất cả."))
    head = audit.current_anchor(s)
    findings.append(Finding("ok", f"Mã neo hiện tại của chuỗi nhật ký: {head.code} ({head.seq} mục); so với mã in "
                                  "trên biên bản bằng lệnh 'bdhvs audit verify --code ...'."))
    return findings


def _server_finding(db: Database) -> Finding:
    with db.read() as s:
        if db.engine.url.get_backend_name() == "postgresql":
            version = s.execute(text("SHOW server_version")).scalar()
            name = s.execute(text("SELECT current_database()")).scalar()
            return Finding("ok", f"Máy chủ PostgreSQL {version}, cơ sở dữ liệu {name}: kết nối tốt. Sao lưu bằng pg_dump "
                                 "trên máy chủ (chương trình không tự sao lưu cơ sở dữ liệu dùng chung).")
    return Finding("ok", f"Cơ sở dữ liệu {db.engine.url.get_backend_name()}: kết nối tốt.")


def _backup_finding(db: Database, today: dt.date) -> Finding:
    copies = list_backups(db)
    if not copies:
        return Finding("warning", "Chưa có bản sao lưu nào của cơ sở dữ liệu này (Tệp → Sao lưu ngay, "
                                  "hoặc lệnh 'bdhvs backup').")
    newest = copies[0]
    age = (today - newest.taken_at.date()).days
    when = f"{newest.taken_at:%d/%m/%Y %H:%M}"
    if age > 7:
        return Finding("warning", f"Bản sao lưu gần nhất đã cũ ({age} ngày, {when}); hãy sao lưu ngay.")
    return Finding("ok", f"Bản sao lưu gần nhất: {when} ({len(copies)} bản trong thư mục sao lưu).")

