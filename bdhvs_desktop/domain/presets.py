"""Plan presets: read and check the TOML files in resources/presets (phases, targets, criteria).

A preset carries every number of a plan; the program knows none of them. The loader checks
what an office may get wrong while editing one in Notepad (a key typed wrong, a date written
"31/03/2026", a code used twice, a phase that does not exist) and says so in Vietnamese,
naming the file, the line and the key. Pure Python: no Qt, no database."""

from __future__ import annotations

import datetime as dt
import tomllib
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bdhvs_desktop.domain.preset_model import (  # noqa: F401  (the data and vocabularies, exported from here)
    _CODE_RE,
    _NAME_RE,
    ACTIVITY_KINDS,
    AUTHORITY_KINDS,
    AWARD_LEVELS,
    CAMPAIGN_END,
    CAMPAIGN_START,
    CRITERIA_LEVELS,
    CRITERION_TYPES,
    ISSUER_KINDS,
    MEASURES,
    METHODS,
    MODEL_STATUSES,
    PERIODS,
    REQUIRED,
    RULES,
    SCHEMA_VERSION,
    SCOPES,
    SUBJECT_KINDS,
    TARGET_VALUE,
    UNIT_KINDS,
    VALUE_KINDS,
    AwardForm,
    Campaign,
    CriteriaSet,
    Criterion,
    Dossier,
    Phase,
    Preset,
    PresetError,
    PresetHeader,
    PresetInfo,
    Target,
    Task,
    Unit,
    _Spec,
)
from bdhvs_desktop.domain.preset_toml import (  # noqa: F401  (exported from here as before)
    _TOML_MESSAGES,
    _as_date,
    _Ctx,
    _key_text,
    _Lines,
    _nfc,
    _Table,
    _toml_error,
    _unknown,
    _unknown_key,
)


def load_preset(path: str | Path) -> Preset:
    """Read one preset file and check it. Raises PresetError (message in Vietnamese)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PresetError(f"không đọc được tệp ({exc.strerror or exc}).", path=path) from exc
    try:
        text = raw.decode("utf-8-sig")  # Notepad may add a BOM
    except UnicodeDecodeError as exc:
        raise PresetError("tệp không được lưu với bảng mã UTF-8; trong Notepad chọn "
                          "Lưu thành… > Mã hóa: UTF-8.", path=path) from exc
    try:
        data = _nfc(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(path, text, exc) from exc
    return _Parser(_Ctx(path, _Lines(text)), data).parse()


class _Parser:
    def __init__(self, ctx: _Ctx, data: dict[str, Any]):
        self.ctx = ctx
        self.root = _Table(ctx, data, ())

    def parse(self) -> Preset:
        ctx = self.ctx
        header = self._header(_Table(ctx, self.root.table("preset", True), ("preset",)))
        campaign = self._campaign(_Table(ctx, self.root.table("campaign", True), ("campaign",)))
        self.campaign = campaign
        phases = self._phases(self.root.array("phases", False))
        self.phase_numbers = {p.number for p in phases}
        units = self._units(self.root.array("units", False))
        self.unit_codes = {u.code for u in units}
        tasks = tuple(self._task(i, t) for i, t in enumerate(self.root.array("tasks", False)))
        targets = self._targets(self.root.array("targets", True))
        self.target_codes = {t.code for t in targets}
        criteria_sets = self._criteria_sets(self.root.array("criteria_sets", True))
        award_forms = self._award_forms(self.root.array("award_forms", True))
        dossier = self._dossier(_Table(ctx, self.root.table("dossier", True), ("dossier",)))
        self.root.done()
        return Preset(ctx.path, header, campaign, phases, tasks, units, targets, criteria_sets,
                      award_forms, dossier)

    # --- helpers

    def _item(self, section: str, index: int, data: dict[str, Any]) -> _Table:
        code = data.get("code") if isinstance(data.get("code"), str) else None
        label = f"mục [[{section}]] thứ {index + 1}" + (f' (mã "{code}")' if code else "")
        return _Table(self.ctx, data, (section, index), label)

    def _unique(self, items: list[tuple[_Table, str]], what: str, seen: set[str] | None = None) -> None:
        seen = set() if seen is None else seen
        for table, code in items:
            if code in seen:
                raise table.fail("code", f'mã {what} "{code}" bị trùng; mỗi mã chỉ được dùng một lần.')
            seen.add(code)

    def _in_campaign(self, table: _Table, key: str, day: dt.date) -> None:
        c = self.campaign
        if not c.start <= day <= c.end:
            raise table.fail(key, f"ngày {_vn(day)} nằm ngoài thời gian phong trào "
                                  f"({_vn(c.start)} – {_vn(c.end)}, mục [campaign]).")

    def _phase_ref(self, table: _Table, key: str, required: bool) -> int | None:
        number = table.integer(key, required, minimum=1)
        if number is not None and number not in self.phase_numbers:
            known = ", ".join(str(n) for n in sorted(self.phase_numbers)) or "chưa có giai đoạn nào"
            raise table.fail(key, f"giai đoạn {number} không có trong các mục [[phases]] ({known}).")
        return number

    def _unit_ref(self, table: _Table, key: str, value: str) -> None:
        if value and value not in self.unit_codes:
            known = ", ".join(sorted(self.unit_codes)) or "chưa khai báo [[units]]"
            raise table.fail(key, f'đơn vị "{value}" không có trong các mục [[units]] ({known}).')

    # --- sections

    def _header(self, t: _Table) -> PresetHeader:
        version = t.integer("schema_version", False, minimum=1) or SCHEMA_VERSION
        if version > SCHEMA_VERSION:
            raise t.fail("schema_version", f"tệp dùng phiên bản định dạng {version}, chương trình này chỉ "
                                           f"đọc được đến {SCHEMA_VERSION}; hãy cập nhật chương trình.")
        name = t.text("name")
        if not _NAME_RE.match(name):
            raise t.fail("name", f'tên "{name}" chỉ được gồm chữ thường không dấu, chữ số và dấu "-".')
        if name != self.ctx.path.stem:
            raise t.fail("name", f'tên "{name}" phải trùng với tên tệp "{self.ctx.path.stem}" '
                                 "(khi sao chép tệp, hãy sửa cả khóa name).")
        h = PresetHeader(
            name=name, title=t.text("title"), source=t.text("source"), locality=t.text("locality"),
            locality_full=t.text("locality_full"), province=t.text("province"),
            issuer_party=t.text("issuer_party"),
            issuer_party_parent=t.text("issuer_party_parent", allow_empty=True),
            issuer_state=t.text("issuer_state"), schema_version=version, default=t.flag("default"),
            notes=t.text("notes", False),
        )
        t.done()
        return h

    def _campaign(self, t: _Table) -> Campaign:
        c = Campaign(t.text("name"), t.date("start"), t.date("end"))
        if c.end < c.start:
            raise t.fail("end", "ngày kết thúc phong trào phải sau ngày bắt đầu.")
        t.done()
        return c

    def _phases(self, raw: list[Any]) -> tuple[Phase, ...]:
        phases: list[tuple[_Table, Phase]] = []
        for i, data in enumerate(raw):
            t = self._item("phases", i, data)
            p = Phase(number=t.integer("number", minimum=1), name=t.text("name"), start=t.date("start"),
                      end=t.date("end"), description=t.text("description", False),
                      focus=t.str_list("focus", False), timing=t.text("timing", False))
            if p.end < p.start:
                raise t.fail("end", "ngày kết thúc giai đoạn phải sau ngày bắt đầu.")
            self._in_campaign(t, "start", p.start)
            self._in_campaign(t, "end", p.end)
            t.done()
            phases.append((t, p))
        for n, (t, p) in enumerate(sorted(phases, key=lambda tp: tp[1].number), start=1):
            if p.number != n:
                raise t.fail("number", f"các giai đoạn phải đánh số liên tục 1, 2, 3…; "
                                       f"thiếu hoặc trùng giai đoạn {n}.")
        ordered = sorted(phases, key=lambda tp: tp[1].number)
        for (_, a), (t, b) in zip(ordered, ordered[1:]):
            if b.start <= a.end:
                raise t.fail("start", f"giai đoạn {b.number} bắt đầu ({_vn(b.start)}) trước khi giai đoạn "
                                      f"{a.number} kết thúc ({_vn(a.end)}).")
        return tuple(p for _, p in ordered)

    def _units(self, raw: list[Any]) -> tuple[Unit, ...]:
        units: list[tuple[_Table, Unit]] = []
        for i, data in enumerate(raw):
            t = self._item("units", i, data)
            u = Unit(code=t.code(), name=t.text("name"), kind=t.choice("kind", UNIT_KINDS),
                     parent=t.text("parent", False), is_party_org=t.flag("is_party_org"))
            t.done()
            units.append((t, u))
        self._unique([(t, u.code) for t, u in units], "đơn vị")
        parents = {u.code: u.parent for _, u in units}
        for t, u in units:
            if u.parent and u.parent not in parents:
                raise t.fail("parent", f'đơn vị cấp trên "{u.parent}" không có trong các mục [[units]].')
            seen, cur = {u.code}, u.parent
            while cur:
                if cur in seen:
                    raise t.fail("parent", f'quan hệ cấp trên của "{u.code}" tạo thành vòng lặp.')
                seen.add(cur)
                cur = parents.get(cur, "")
        return tuple(u for _, u in units)

    def _task(self, i: int, data: Any) -> Task:
        t = self._item("tasks", i, data)
        task = Task(phase=self._phase_ref(t, "phase", True), title=t.text("title"),
                    responsible=t.text("responsible"), due=t.date("due"),
                    description=t.text("description", False),
                    responsible_unit=t.text("responsible_unit", False), timing=t.text("timing", False),
                    source=t.text("source", False))
        self._in_campaign(t, "due", task.due)
        self._unit_ref(t, "responsible_unit", task.responsible_unit)
        t.done()
        return task

    def _targets(self, raw: list[Any]) -> tuple[Target, ...]:
        out: list[tuple[_Table, Target]] = []
        for i, data in enumerate(raw):
            t = self._item("targets", i, data)
            measure = t.choice("measure", tuple(MEASURES))
            kinds, spec = MEASURES[measure]
            value_kind = t.choice("value_kind", VALUE_KINDS)
            if value_kind not in kinds:
                raise t.fail("value_kind", f'chỉ tiêu đo bằng "{measure}" chỉ tính được theo: '
                                           f'{", ".join(kinds)}.')
            value = t.number("target", minimum=0.0)
            if value_kind == "percent" and value > 100:
                raise t.fail("target", "chỉ tiêu tính theo phần trăm không được lớn hơn 100.")
            if value_kind == "count" and value != int(value):
                raise t.fail("target", "chỉ tiêu tính theo số lượng (count) phải là số nguyên.")
            params = self._params(t, "params", spec, target_value=value)
            tg = Target(code=t.code(), name=t.text("name"), measure=measure, value_kind=value_kind,
                        target=value, start=t.date("start"), deadline=t.date("deadline"),
                        scope=t.choice("scope", SCOPES), phase=self._phase_ref(t, "phase", False),
                        params=params, at_risk_margin=t.number("at_risk_margin", False, minimum=0.0),
                        source=t.text("source", False), responsible_unit=t.text("responsible_unit", False),
                        description=t.text("description", False))
            if tg.deadline < tg.start:
                raise t.fail("deadline", "hạn (deadline) phải sau ngày bắt đầu tính (start).")
            self._in_campaign(t, "start", tg.start)
            self._in_campaign(t, "deadline", tg.deadline)
            self._unit_ref(t, "responsible_unit", tg.responsible_unit)
            if measure == "excellent_models_quota":
                if tg.scope != "responsible_body":
                    raise t.fail("scope", 'chỉ tiêu "excellent_models_quota" phải có scope = "responsible_body".')
                if "min_count" in params and params["min_count"] != value:
                    raise t.fail("target", f"target ({value:g}) phải bằng params.min_count "
                                           f"({params['min_count']}).")
            t.done()
            out.append((t, tg))
        self._unique([(t, tg.code) for t, tg in out], "chỉ tiêu")
        return tuple(tg for _, tg in out)

    def _params(self, t: _Table, key: str, spec: _Spec, target_value: float | None = None) -> dict[str, Any]:
        raw = t.table(key)
        p = _Table(self.ctx, raw, t.path + (key,), t.item)
        for name in raw:  # a typo first, before it shows up as a missing key
            if name not in spec:
                raise p.fail(name, _unknown_key(name, set(spec)) if spec else
                             f'khóa "{name}" không được hỗ trợ; mục này không có tham số (params = {{}}).')
        out: dict[str, Any] = {}
        for name, (kind, default) in spec.items():
            value = self._param(p, name, kind, default == REQUIRED)
            if value is None:
                value = {CAMPAIGN_START: self.campaign.start, CAMPAIGN_END: self.campaign.end,
                         TARGET_VALUE: None if target_value is None else round(target_value),
                         REQUIRED: None}.get(default, default) if isinstance(default, str) else default
                if isinstance(value, list):
                    value = list(value)
            if value is not None:
                out[name] = value
        p.done()
        return out

    def _param(self, p: _Table, name: str, kind: str, required: bool) -> Any:
        if name not in p.data:
            p._get(name, required)  # raises when required
            return None
        readers: dict[str, Callable[[], Any]] = {
            "bool": lambda: p.flag(name),
            "int": lambda: p.integer(name, minimum=1),
            "float": lambda: p.number(name),
            "str": lambda: p.text(name, required, allow_empty=not required) or None,
            "date": lambda: p.date(name),
            "activity_kind": lambda: p.choice(name, ACTIVITY_KINDS),
            "activity_kinds": lambda: list(p.str_list(name, True, ACTIVITY_KINDS)),
            "model_status": lambda: p.choice(name, MODEL_STATUSES),
            "per": lambda: p.choice(name, PERIODS),
            "unit": lambda: p.text(name),
            "target": lambda: p.text(name),
        }
        value = readers[kind]()
        if value is None:
            return None
        if kind == "unit":
            self._unit_ref(p, name, value)
        elif kind == "target" and value not in self.target_codes:
            raise p.fail(name, f'chỉ tiêu "{value}" không có trong các mục [[targets]].')
        elif kind == "date":
            self._in_campaign(p, name, value)
        return value

    def _criteria_sets(self, raw: list[Any]) -> tuple[CriteriaSet, ...]:
        sets: list[tuple[_Table, CriteriaSet]] = []
        criterion_codes: list[tuple[_Table, str]] = []
        for i, data in enumerate(raw):
            t = self._item("criteria_sets", i, data)
            subject = t.choice("subject_kind", SUBJECT_KINDS)
            criteria = []
            for j, cdata in enumerate(t.array("criteria")):
                ct = _Table(self.ctx, cdata, ("criteria_sets", i, "criteria", j),
                            f'{t.item}, tiêu chí thứ {j + 1}'
                            + (f' (mã "{cdata["code"]}")' if isinstance(cdata.get("code"), str) else ""))
                crit = self._criterion(ct, subject)
                criterion_codes.append((ct, crit.code))
                criteria.append(crit)
            cs = CriteriaSet(code=t.code(), name=t.text("name"), subject_kind=subject, criteria=tuple(criteria),
                             min_points=t.number("min_points", False, minimum=0.0) or 0.0,
                             description=t.text("description", False),
                             level=t.choice("level", CRITERIA_LEVELS, False, "ward"))
            twin = next((o for _, o in sets if o.subject_kind == subject and o.level == cs.level), None)
            if twin is not None:
                raise t.fail("level", f'đã có bộ tiêu chí "{twin.code}" cho đối tượng "{subject}" ở cấp '
                                      f'"{cs.level}"; mỗi đối tượng có tối đa một bộ cấp phường (level = "ward") '
                                      'và một bộ cấp tỉnh (level = "province").')
            if cs.min_points > cs.max_points:
                raise t.fail("min_points", f"điểm tối thiểu ({cs.min_points:g}) lớn hơn tổng điểm tối đa "
                                           f"của các tiêu chí chấm điểm ({cs.max_points:g}).")
            t.done()
            sets.append((t, cs))
        self._unique([(t, s.code) for t, s in sets], "bộ tiêu chí")
        self._unique(criterion_codes, "tiêu chí")
        return tuple(s for _, s in sets)

    def _criterion(self, t: _Table, subject: str) -> Criterion:
        code, name = t.code(), t.text("name")
        ctype = t.choice("type", CRITERION_TYPES)
        method = t.choice("method", METHODS)
        max_points = t.number("max_points", False, minimum=0.0) or 0.0
        if ctype == "points" and max_points <= 0:
            raise t.fail("max_points", "tiêu chí chấm điểm (type = \"points\") cần max_points lớn hơn 0.")
        if ctype == "gate" and max_points:
            raise t.fail("max_points", "tiêu chí điều kiện (type = \"gate\") không có điểm; bỏ max_points "
                                       "hoặc để 0.")
        rule, params = "", {}
        if method == "auto":
            rule = t.choice("rule", tuple(RULES))
            spec, subjects = RULES[rule]
            if subject not in subjects:
                raise t.fail("rule", f'quy tắc "{rule}" không dùng được cho đối tượng "{subject}" '
                                     f'(chỉ cho: {", ".join(subjects)}).')
            params = self._params(t, "params", spec)
            if rule == "min_activities" and "start" in params and "end" in params \
                    and params["end"] < params["start"]:
                raise t.fail("params", "params.end phải sau params.start.")
        else:
            for key in ("rule", "params"):
                if t.data.get(key):
                    raise t.fail(key, 'tiêu chí chấm tay (method = "manual") không có rule/params; '
                                      "Hội đồng ghi kết quả trực tiếp.")
                t.seen.add(key)
        crit = Criterion(code=code, name=name, type=ctype, method=method, max_points=max_points, rule=rule,
                         params=params, description=t.text("description", False), source=t.text("source", False))
        t.done()
        return crit

    def _award_forms(self, raw: list[Any]) -> tuple[AwardForm, ...]:
        out = []
        for i, data in enumerate(raw):
            t = self._item("award_forms", i, data)
            issuer = t.text("issuer")
            authority = t.choice("authority", AUTHORITY_KINDS, False)
            stated = authority_of(issuer)
            if not authority:
                if stated is None:
                    raise t.fail("authority", f'thiếu khóa bắt buộc "authority": không đoán được "{issuer}" là cơ '
                                              'quan nhà nước hay của Đảng; ghi authority = "state" (Ủy ban nhân dân) '
                                              'hoặc "party" (Đảng ủy, Tỉnh ủy).')
                authority = stated
            elif stated is not None and stated != authority:
                raise t.fail("authority", f'"{issuer}" là {_AUTHORITY_WORDS[stated]}, nhưng authority = '
                                          f'"{authority}"; phải là "{stated}".')
            recipient = t.text("recipient", False)
            if recipient and authority_of(recipient) not in (None, authority):
                raise t.fail("recipient", f'Tờ trình đề nghị hình thức này gửi {_AUTHORITY_WORDS[authority]} có '
                                          f'thẩm quyền ("{issuer}"), không gửi "{recipient}".')
            af = AwardForm(code=t.code(), name=t.text("name"), level=t.choice("level", AWARD_LEVELS),
                           issuer=issuer, subject_kinds=t.str_list("subject_kinds", True, SUBJECT_KINDS),
                           recipient=recipient, description=t.text("description", False),
                           prize_amount=t.integer("prize_amount", False, minimum=0), authority=authority)
            if af.prize_amount is not None and af.prize_amount > 1_000_000_000:
                raise t.fail("prize_amount", "tiền thưởng (đồng) quá lớn; kiểm tra lại số chữ số.")
            t.done()
            out.append((t, af))
        self._unique([(t, a.code) for t, a in out], "hình thức khen thưởng")
        return tuple(a for _, a in out)

    def _dossier(self, t: _Table) -> Dossier:
        d = Dossier(form_set=t.text("form_set"), recipient=t.text("recipient"),
                    plan_ref=t.str_list("plan_ref"), campaign_title=t.text("campaign_title"),
                    award_type=t.text("award_type", False) or "chuyên đề",
                    issuer=t.choice("issuer", ISSUER_KINDS, False, "party"),
                    signing_authority=t.text("signing_authority", False), doc_symbol=t.text("doc_symbol", False))
        if not _NAME_RE.match(d.form_set):
            raise t.fail("form_set", f'bộ mẫu "{d.form_set}" phải là tên thư mục, ví dụ "decree-98-2023".')
        t.done()
        return d


_AUTHORITY_WORDS = {"state": "cơ quan nhà nước", "party": "cơ quan của Đảng"}
_PARTY_WORDS = ("đảng ủy", "đảng uỷ", "tỉnh ủy", "tỉnh uỷ", "thành ủy", "thành uỷ", "huyện ủy", "huyện uỷ",
                "ban thường vụ", "ban chấp hành đảng", "chi bộ", "đảng bộ")
_STATE_WORDS = ("ủy ban nhân dân", "uỷ ban nhân dân", "ubnd", "chủ tịch nước", "thủ tướng", "chính phủ",
                "hội đồng nhân dân")


def authority_of(text: str) -> str | None:
    """"state" or "party" when the name of a body says which it is, else None.

    "Chủ tịch Ủy ban nhân dân phường La Gi" -> "state"; "Ban Thường vụ Đảng ủy phường La Gi"
    -> "party"; "Giám đốc Sở Nội vụ" -> None."""
    low = unicodedata.normalize("NFC", text or "").lower()
    party = any(w in low for w in _PARTY_WORDS)
    state = any(w in low for w in _STATE_WORDS)
    if party == state:
        return None
    return "party" if party else "state"


def _vn(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


# --------------------------------------------------------------------------- folders


def list_presets(folder: str | Path) -> list[PresetInfo]:
    """Every *.toml preset of a folder, the default first, then by name. A file that does not
    load is listed with `error` set, so the office sees why instead of a missing entry."""
    infos = []
    for path in sorted(Path(folder).glob("*.toml")):
        try:
            p = load_preset(path)
        except PresetError as exc:
            infos.append(PresetInfo(name=path.stem, path=path, title=path.stem, error=str(exc)))
            continue
        h = p.preset
        infos.append(PresetInfo(name=h.name, path=path, title=h.title, source=h.source,
                                locality_full=h.locality_full, province=h.province,
                                campaign_start=p.campaign.start, campaign_end=p.campaign.end,
                                default=h.default))
    return sorted(infos, key=lambda i: (not i.default, i.error is not None, i.name))


def default_preset(folder: str | Path) -> PresetInfo | None:
    """The preset marked `default = true` (the first usable one if none is marked)."""
    usable = [i for i in list_presets(folder) if i.ok]
    return next((i for i in usable if i.default), usable[0] if usable else None)
