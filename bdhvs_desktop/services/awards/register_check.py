"""The award register checked against the proposals (`bdhvs check`, the maintenance page): an
entry "issued here" belongs to a candidate in the issued state, and a candidate sent up while
its award form already has a decision in the register is pointed out."""

from __future__ import annotations

from sqlalchemy import select

from bdhvs_desktop.domain import vocab
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


def register_findings(db: Database) -> list[tuple[str, str]]:
    """`bdhvs check` on the register: (level, Vietnamese message) pairs.

    An entry "issued here" must belong to a candidate in the "issued" state (the decision sets
    both in one transaction); a candidate sent up by the final dossier while a decision for the
    same award form is already in the register is reported so the office enters its decision."""
    issued = vocab.AwardSource.ISSUED.value
    out: list[tuple[str, str]] = []
    with db.read() as s:
        records = list(s.scalars(select(m.AwardRecord).order_by(m.AwardRecord.id)))
        if not records:
            return out
        here = [r for r in records if r.source == issued]
        bad = 0
        for r in here:
            ref = f"mục số {r.id} ({r.subject_name}, Quyết định số {r.decision_number or '…'})"
            if r.candidate_id is None:
                out.append(("warning", (f"Sổ khen thưởng: {ref} ghi là quyết định lập tại đây nhưng không còn hồ sơ "
                                       "đề nghị nào gắn với mục này.")))
                bad += 1
                continue
            cand = s.get(m.Candidate, r.candidate_id)
            if cand is not None and cand.status != vocab.CandidateStatus.ISSUED:
                label = vocab.CANDIDATE_STATUS_LABELS.get(vocab.CandidateStatus(cand.status), cand.status) \
                    if cand.status in {x.value for x in vocab.CandidateStatus} else cand.status
                out.append(("error", (f"Sổ khen thưởng: {ref} là khen thưởng của hồ sơ đề nghị số {cand.id}, nhưng hồ "
                                     f"sơ này đang ở trạng thái “{label}”, không phải đã có quyết định khen thưởng.")))
                bad += 1
        decided_forms: dict[int, str] = {}
        for r in here:
            if r.award_form_id is not None and r.decision_number:
                decided_forms.setdefault(r.award_form_id, r.decision_number)
        in_register = {r.candidate_id for r in records if r.candidate_id is not None}
        waiting = [c for c in s.scalars(select(m.Candidate).where(m.Candidate.status == vocab.CandidateStatus.ISSUED)
                                        .order_by(m.Candidate.id))
                   if c.id not in in_register and c.award_form_id in decided_forms]
        for c in waiting:
            name = c.unit.name if c.subject_type == "unit" and c.unit else (c.person.full_name if c.person else "")
            out.append(("warning", (f"Hồ sơ đề nghị số {c.id} ({name}, {c.award_form.name}) đã lập hồ sơ trình khen "
                                   f"thưởng nhưng chưa có trong sổ khen thưởng, dù hình thức này đã có Quyết định số "
                                   f"{decided_forms[c.award_form_id]}: nhập số quyết định của hồ sơ này (bdhvs "
                                   "decision issue) hoặc kiểm tra lại.")))
        if not bad and not waiting:
            out.append(("ok", (f"Sổ khen thưởng: {len(records)} mục ({len(here)} do quyết định lập tại đây), khớp với "
                              "trạng thái các hồ sơ đề nghị.")))
    return out
