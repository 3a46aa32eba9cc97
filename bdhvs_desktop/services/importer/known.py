"""What an import finds in the database and how it writes changes to it: the one pre-loaded lookup of
units and people, unit references as the file cites them, the records this file creates, and the
bulk update with its audit. `KnownRecords` is the part of `core.Importer` that holds it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from bdhvs_desktop.documents import excel_io as xio
from bdhvs_desktop.domain.text import fold, name_key
from bdhvs_desktop.services import audit
from bdhvs_desktop.storage import models as m


@dataclass
class NewRef:
    """A record created by this import; its id is known only after the insert."""
    sheet: str
    row: int
    id: int | None = None
    name: str = ""  # a person's full name, to check a later row that cites the same CCCD


class KnownRecords:
    """The records that exist (loaded once per run) and the bulk write of changes. Mixed into
    `core.Importer`, whose `error` it reports a wrong unit reference with."""

    def load(self, s: Session) -> None:
        span = s.execute(select(m.Campaign.start_date, m.Campaign.end_date).order_by(m.Campaign.id).limit(1)).first()
        self.campaign_span = (span[0], span[1]) if span else None
        self.units: dict[str, dict[str, Any]] = {}
        for u in s.execute(select(m.Unit.id, m.Unit.code, m.Unit.name, m.Unit.kind, m.Unit.parent_id,
                                  m.Unit.is_party_org, m.Unit.households, m.Unit.adult_residents,
                                  m.Unit.active, m.Unit.merged_into_id)):
            self.units[u.code] = dict(u._mapping)
        self.unit_code_by_id = {u["id"]: code for code, u in self.units.items()}
        self.file_units: dict[str, int] = {}  # code -> row, units created by this file
        self.file_unit_values: dict[str, tuple[str | None, Any]] = {}  # code -> (name, is party org) in the file
        self.person_fields = ("full_name", "birth_date", "sex", "cccd", "unit_id", "position", "is_party_member",
                              "is_public_servant", "vneid_proficient_on", "can_guide", "people_guided",
                              "under_discipline")
        cols = [m.Person.id, m.Person.name_key, m.Person.version] + [getattr(m.Person, f) for f in self.person_fields]
        self.people: dict[int, dict[str, Any]] = {}
        self.people_by_cccd: dict[str, int] = {}
        self.people_by_key: dict[tuple[str, dt.date | None, str | None], list[int]] = {}
        self.people_by_name_unit: dict[tuple[str, str | None], list[Any]] = {}
        for r in s.execute(select(*cols)):
            p = dict(r._mapping)
            self.people[p["id"]] = p
            unit_code = self.unit_code_by_id.get(p["unit_id"])
            if p["cccd"]:
                self.people_by_cccd[p["cccd"]] = p["id"]
            self.people_by_key.setdefault((p["name_key"], p["birth_date"], unit_code), []).append(p["id"])
            self.people_by_name_unit.setdefault((p["name_key"], unit_code), []).append(p["id"])

    def unit_ref(self, sheet: xio.SheetData, row: int, key: str, code: str | None) -> str | None:
        """The code of an existing active unit or one created by this file; None after an error."""
        if code is None:
            return None
        if code in self.file_units:
            return code
        unit = self.units.get(code)
        if unit is None:
            folded = {c.casefold(): c for c in self.units}
            hint = f" (có phải \"{folded[code.casefold()]}\"?)" if code.casefold() in folded else ""
            self.error(sheet, row, key, f"Mã đơn vị \"{code}\" không có trong danh sách đơn vị{hint}. Hãy thêm đơn vị "
                                        "ở trang DonVi hoặc sửa mã.")
            return None
        if not unit["active"]:
            target = self.unit_code_by_id.get(unit["merged_into_id"])
            extra = f" vào \"{target}\"; hãy dùng mã {target}" if target else ""
            self.error(sheet, row, key, f"Đơn vị \"{code}\" đã ngừng hoạt động (sáp nhập{extra}).")
            return None
        return code

    def unit_party(self, code: str) -> tuple[str | None, bool | None]:
        """(name, is a party organisation) of a unit as it will be after this import."""
        unit = self.units.get(code) or {}
        name, party = self.file_unit_values.get(code, (None, None))
        name = name or unit.get("name")
        if party is None:
            party = unit.get("is_party_org")
            if party is None and code in self.file_units:
                party = False  # a new unit is not a party organisation unless the file says so
        return name, None if party is None else bool(party)

    def user_of(self, s: Session) -> str | None:
        return s.info.get("user")

    def unit_id(self, code: str | None) -> int | None:
        return None if code is None else self.units[code]["id"]


    def bulk_update(self, s: Session, model: type, entity: str, updates: list[tuple[int, dict[str, tuple[Any, Any]]]],
                     *, person: bool = False) -> None:
        """executemany UPDATE grouped by the set of changed columns; bumps version; audited."""
        table = model.__table__
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for rid, changes in updates:
            params = {"b_id": rid}
            for f, (_old, new) in changes.items():
                if f == "unit_id":
                    new = self.unit_id(new)
                params["v_" + f] = new
                if person and f == "full_name":
                    params["v_name_key"] = name_key(new)
                    params["v_search_key"] = fold(new)
            groups.setdefault(tuple(sorted(k[2:] for k in params if k.startswith("v_"))), []).append(params)
        for cols, params in groups.items():
            values = {c: bindparam("v_" + c) for c in cols}
            values["version"] = table.c.version + 1
            if person:
                values["updated_at"] = m.utcnow()
            s.execute(update(table).where(table.c.id == bindparam("b_id")).values(values)
                      .execution_options(synchronize_session=False), params)
        user = self.user_of(s)
        for rid, changes in updates:
            audit.record_changes(s, user=user, entity=entity, entity_id=rid, changes=changes, action="import")


def cccd_owner_message(cccd: str, owner: str, written: str) -> str:
    return (f"Số CCCD {cccd} đã là của \"{owner}\", khác họ tên ghi ở dòng này (\"{written}\"). Dòng này không "
            f"được dùng để sửa \"{owner}\": nếu số CCCD bị gõ nhầm, hãy sửa lại; nếu người này đã đổi họ tên, hãy "
            "sửa họ tên ở cửa sổ Nhân sự.")


def queue_update(updates: list, counts: Any, key: Any, changes: dict[str, tuple[Any, Any]]) -> None:
    """Queue a record's changes for the write step, or count it unchanged."""
    if changes:
        updates.append((key, changes))
        counts.updated += 1
    else:
        counts.unchanged += 1


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """{field: (old, new)} of the values that differ; a blank cell never erases a stored value."""
    return {f: (old[f], v) for f, v in new.items() if old[f] != v and not (v is None and old[f] is not None)}
