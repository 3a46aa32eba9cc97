"""The check that a dossier's Tờ trình agree with the minutes they cite: members present and in
total, collectives and individuals approved per meeting, and each proposal's totals."""

from __future__ import annotations

from collections.abc import Sequence

from bdhvs_desktop.documents import context as dc
from bdhvs_desktop.services.dossier.common import (
    DossierError,
    MinutesDocument,
    vn_short,
)


def check_counts(submission: dc.SubmissionContext | Sequence[dc.SubmissionContext],
                 minutes_docs: list[MinutesDocument] | tuple) -> None:
    """Refuse Tờ trình whose counts differ from the minutes they cite: members present and in
    total, collectives and individuals approved -- per meeting, summed over the Tờ trình when
    a meeting's approvals go to several authorities -- and each proposal's totals."""
    submissions = [submission] if isinstance(submission, dc.SubmissionContext) else list(submission)
    by_key = {(x.context.start.date() if x.context.start else None, x.context.number.symbol(x.context.issuer)
               if x.context.number.number else ""): x.context for x in minutes_docs}
    problems = []
    carried: dict[tuple, list[int]] = {}
    for sub in submissions:
        for cite in sub.meetings:
            key = (cite.date, cite.minutes_symbol)
            mins = by_key.get(key)
            where = f"Biên bản họp Hội đồng ngày {cite.date_text}" + (f" (số {cite.minutes_symbol})"
                                                                     if cite.minutes_symbol else "")
            if mins is None:
                problems.append(f"Tờ trình dẫn {where} nhưng hồ sơ không có biên bản đó.")
                continue
            for label, ours, theirs in (("số thành viên có mặt", cite.present, len(mins.present_members)),
                                        ("tổng số thành viên Hội đồng", cite.total, len(mins.members))):
                if ours != theirs:
                    problems.append(f"{where}: Tờ trình ghi {label} là {ours}, biên bản ghi {theirs}.")
            sums = carried.setdefault(key, [0, 0])
            sums[0] += cite.collectives
            sums[1] += cite.individuals
        for label, ours, cited in (("tập thể", len(sub.collectives), sum(x.collectives for x in sub.meetings)),
                                   ("cá nhân", len(sub.individuals), sum(x.individuals for x in sub.meetings))):
            if ours != cited:
                which = f" (Tờ trình gửi {sub.recipient})" if len(submissions) > 1 else ""
                problems.append(f"Tờ trình đề nghị {ours} {label} nhưng các biên bản họp Hội đồng được dẫn chỉ ghi "
                                f"{cited} {label} được thông qua (hồ sơ được thông qua mà không có kết quả biểu quyết "
                                f"trong biên bản?){which}.")
    for key, (n_coll, n_ind) in carried.items():
        mins = by_key[key]
        where = f"Biên bản họp Hội đồng ngày {vn_short(key[0])}" + (f" (số {key[1]})" if key[1] else "")
        for label, ours, theirs in (("số tập thể được thông qua", n_coll, mins.passed_collectives),
                                    ("số cá nhân được thông qua", n_ind, mins.passed_individuals)):
            if ours != theirs:
                problems.append(f"{where}: các Tờ trình ghi {label} là {ours}, biên bản ghi {theirs}.")
    if problems:
        raise DossierError("Tờ trình không khớp với biên bản họp Hội đồng; chưa lập hồ sơ:\n- "
                           + "\n- ".join(problems))
