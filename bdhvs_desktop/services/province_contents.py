"""What a ward's proposal package says, checked before the province office writes it: its text
without invisible format characters, vote figures that agree with themselves and with the minutes,
and candidates' facts this program can read (a warning, not a refusal). services/province_check.py
runs these checks after the package's bytes and signatures."""

from __future__ import annotations

import dataclasses
import unicodedata
from typing import Any

from bdhvs_desktop.documents import package_format as pf
from bdhvs_desktop.domain.score_facts import FactsFormatError, facts_from_dict
from bdhvs_desktop.domain.text import clean


def _visible_text(value: Any) -> Any:
    if isinstance(value, str):
        return value if value.isascii() else "".join(ch for ch in value if unicodedata.category(ch) != "Cf")
    if isinstance(value, list):
        return [_visible_text(v) for v in value]
    if isinstance(value, dict):
        return {_visible_text(k): _visible_text(v) for k, v in value.items()}
    return value


def visible(opened: pf.OpenedPackage) -> pf.OpenedPackage:
    """The package's data without invisible format characters (Unicode category Cf: zero-width
    spaces and joiners, bidi overrides, BOMs, soft hyphens) in any text: a name with one is the same
    name (the same person across wards, domain/text.py: name_key) and shows as it reads. The
    signatures were made over the bytes, which are kept as they came."""
    return dataclasses.replace(opened, data=_visible_text(opened.data), ward_name=_visible_text(opened.ward_name))


def vote_problems(data: dict) -> list[str]:
    """Where the ward's vote figures contradict themselves (Vietnamese): a candidate's votes
    (``ward_votes``, which the ranking's tie-break reads) differ from the votes the minutes of that
    meeting record for them, or more votes are cast than members present, or more present than members."""
    meetings = {m.get("number"): m for m in (data.get("council") or {}).get("meetings") or []}
    out = []
    for c in data["candidates"]:
        v = c.get("ward_votes") or {}
        if not v:
            continue
        who = clean(c["name"])
        cast = v["for"] + v["against"] + v["abstain"]
        present, members = v.get("present") or 0, v.get("members") or 0
        if present and cast > present:
            out.append(f"{who}: {cast} phiếu mà chỉ có {present} thành viên dự họp")
        if members and present > members:
            out.append(f"{who}: {present} thành viên dự họp mà Hội đồng chỉ có {members} thành viên")
        meeting = meetings.get(v.get("meeting"))
        if meeting is None and len(meetings) == 1:
            meeting = next(iter(meetings.values()))
        recorded = [x for x in (meeting or {}).get("votes") or [] if x.get("candidate") == c["key"]]
        if recorded and all((x["for"], x["against"], x["abstain"]) != (v["for"], v["against"], v["abstain"])
                            for x in recorded):
            x = recorded[0]
            out.append(f"{who}: gói ghi {v['for']} đồng ý, {v['against']} không đồng ý, {v['abstain']} không biểu "
                       f"quyết, biên bản họp {meeting.get('number') or ''} ghi {x['for']}, {x['against']}, "
                       f"{x['abstain']} phiếu")
    return out


def facts_warnings(opened: pf.OpenedPackage) -> tuple[str, ...]:
    """The candidates whose facts this program cannot read: imported, but not ranked (the ranking says why)."""
    bad = []
    for c in opened.data["candidates"]:
        try:
            if not c.get("facts"):
                raise FactsFormatError("không có dữ liệu sự kiện (facts).")
            facts_from_dict(c["facts"])
        except FactsFormatError as exc:
            bad.append(f"{clean(c['name'])}: {exc}")
    if not bad:
        return ()
    more = f" và {len(bad) - 5} hồ sơ khác" if len(bad) > 5 else ""
    return (f"Không đọc được dữ liệu chấm điểm của {len(bad)} hồ sơ (nhập được nhưng chưa xếp hạng được): "
            + "; ".join(bad[:5]) + more + ".",)
