"""The dossier settings (form set, issuer format, numbers, signers) and the form set they name,
checked once per change of its files; the warnings the dossier page shows about them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop import paths
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.dossier.common import (
    DEFAULT_FORM_SET,
    ISSUER_FORMATS,
    ISSUERS,
    SETTING_KEYS,
    DossierError,
    DossierSettings,
    _setting,
)
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database


def _read_settings(s: Session) -> DossierSettings:
    c = s.scalar(select(m.Campaign).order_by(m.Campaign.id).limit(1))
    dossier = ((c.details or {}).get("dossier") or {}) if c else {}
    # The preset's dossier.issuer used to choose the format; the award forms decide it now.
    fmt = _setting(s, SETTING_KEYS["issuer_format"], "auto")
    issuer = _setting(s, SETTING_KEYS["issuer"], "auto")
    day = _setting(s, SETTING_KEYS["date"], None)
    try:
        day = dt.date.fromisoformat(day) if day else None
    except (TypeError, ValueError):
        day = None
    return DossierSettings(
        form_set=str(_setting(s, SETTING_KEYS["form_set"], dossier.get("form_set") or DEFAULT_FORM_SET)),
        issuer_format=fmt if fmt in ISSUER_FORMATS else "auto",
        issuer=issuer if issuer in ISSUERS else "auto",
        date=day,
        number=str(_setting(s, SETTING_KEYS["number"], "") or ""),
        minutes_number=str(_setting(s, SETTING_KEYS["minutes_number"], "") or ""),
        signer_name=str(_setting(s, SETTING_KEYS["signer_name"], "") or ""),
        signer_title=str(_setting(s, SETTING_KEYS["signer_title"], "") or ""),
        # "Kính gửi" follows each award form's authority; this setting overrides it.
        recipient=str(_setting(s, SETTING_KEYS["recipient"], "") or ""),
        make_zip=bool(_setting(s, SETTING_KEYS["make_zip"], False)),
    )


def load_settings(db: Database) -> DossierSettings:
    with db.read() as s:
        return _read_settings(s)


def save_settings(db: Database, **changes: Any) -> DossierSettings:
    """Change dossier settings (keys of SETTING_KEYS); each change is audited."""
    require_role(db, "secretary", action="sửa thiết lập hồ sơ")
    unknown = set(changes) - set(SETTING_KEYS)
    if unknown:
        raise DossierError(f"Không có thiết lập hồ sơ: {', '.join(sorted(unknown))}")
    if "issuer_format" in changes and changes["issuer_format"] not in ISSUER_FORMATS:
        raise DossierError("Thể thức văn bản phải là 'auto' (theo thẩm quyền khen thưởng), 'party' (văn bản của "
                           f"Đảng) hoặc 'state' (văn bản hành chính), không phải “{changes['issuer_format']}”.")
    if "issuer" in changes and changes["issuer"] not in ISSUERS:
        raise DossierError("Người trình phải là 'auto', 'council' (Hội đồng Thi đua - Khen thưởng) hoặc 'ward' "
                           f"(Ủy ban nhân dân/Đảng ủy cấp dưới của cấp khen), không phải “{changes['issuer']}”.")
    if "date" in changes:
        value = changes["date"]
        if isinstance(value, dt.date):
            changes["date"] = value.isoformat()
        elif value not in (None, ""):
            raise DossierError(f"Ngày văn bản không hợp lệ: “{value}”.")
        else:
            changes["date"] = None
    if "form_set" in changes:
        names = {n for n, _t in available_form_sets()}
        if changes["form_set"] not in names:
            raise DossierError(f"Không có bộ mẫu “{changes['form_set']}” (có: {', '.join(sorted(names))}).")
    with db.session() as s:
        for name, value in changes.items():
            key = SETTING_KEYS[name]
            row = s.get(m.Setting, key)
            old = row.value if row else None
            if isinstance(value, str):
                value = value.strip()
            if old == value:
                continue
            if row is None:
                s.add(m.Setting(key=key, value=value))
            else:
                row.value = value
            audit.record(s, user=db.user, action="update", entity="setting", field=key, old=old, new=value)
        s.flush()
        return _read_settings(s)


def form_set_dirs() -> tuple[Path, Path]:
    """(built-in forms_templates/, the user's template folder that takes precedence)."""

    return paths.forms_templates_dir(), paths.user_templates_dir()


def available_form_sets() -> list[tuple[str, str]]:
    """(name, title) of every form set found, built-in or the user's."""
    from bdhvs_desktop.documents.formsets import list_form_sets  # lazy: start-up

    builtin, user = form_set_dirs()
    return [(fs.name, fs.title) for fs in list_form_sets(builtin, user)]


_CHECKED: dict[str, tuple[tuple, Any]] = {}


def _fingerprint(name: str, builtin: Path, user: Path) -> tuple:
    """Name, size and modification time of every file of the set in both folders."""
    out = []
    for root in (user, builtin):
        folder = Path(root) / name
        if folder.is_dir():
            for f in sorted(folder.iterdir()):
                try:
                    st = f.stat()
                except OSError:
                    continue
                out.append((str(f), st.st_size, st.st_mtime_ns))
    return tuple(out)


def load_checked_form_set(name: str):
    """The form set, every template checked (documents.formsets.FormSetError lists problems).

    A set whose files have not changed since it was last checked in this process is not
    checked again (the checked set holds the templates' bytes, so what is rendered is
    exactly what was checked); any edit, added or removed file means a new check."""
    from bdhvs_desktop.documents.formsets import load_form_set  # lazy: start-up

    builtin, user = form_set_dirs()
    key = _fingerprint(name, builtin, user)
    cached = _CHECKED.get(name)
    if cached is not None and cached[0] == key and key:
        return cached[1]
    form_set = load_form_set(name, builtin, user)
    _CHECKED[name] = (key, form_set)
    return form_set


def _decree_short(decree: str) -> str:
    """"Nghị định số 152/2025/NĐ-CP" out of the decree's full title."""

    m_ = re.search(r"Nghị định số\s+\S+", decree or "")
    return m_.group(0) if m_ else (decree or "")


def form_set_warning(fs: Any, day: dt.date | None) -> str:
    """A warning when *day* is after the form set's ``in_force_until``, naming the decree
    that replaced it ("" otherwise). The office may still choose the set (a local plan may
    cite the old decree)."""
    until = getattr(fs, "in_force_until", None)
    if day is None or until is None or day <= until:
        return ""
    replaced_by = getattr(fs, "replaced_by", "") or ""
    successor = ""
    if replaced_by:
        from bdhvs_desktop.documents.formsets import list_form_sets  # lazy: start-up

        builtin, user = form_set_dirs()
        found = {x.name: x for x in list_form_sets(builtin, user)}.get(replaced_by)
        successor = _decree_short(found.decree) if found is not None else ""
        successor = f"{successor} (bộ mẫu “{replaced_by}”)" if successor else f"bộ mẫu “{replaced_by}”"
    return (f"Cảnh báo: bộ mẫu “{fs.name}” theo {_decree_short(fs.decree)} chỉ còn hiệu lực đến ngày "
            f"{until.strftime('%d/%m/%Y')}" + (f", đã được thay thế bởi {successor}" if successor else "")
            + f"; hồ sơ ghi ngày {day.strftime('%d/%m/%Y')}. Văn phòng vẫn có thể dùng bộ mẫu này nếu kế hoạch "
            "thi đua dẫn chiếu nó.")


def form_set_warning_named(name: str, day: dt.date | None) -> str:
    """form_set_warning for the form set called *name* ("" when it is not found)."""
    from bdhvs_desktop.documents.formsets import list_form_sets  # lazy: start-up

    builtin, user = form_set_dirs()
    found = {x.name: x for x in list_form_sets(builtin, user)}.get(name)
    return form_set_warning(found, day or dt.date.today()) if found is not None else ""


def settings_warning(db: Database, day: dt.date | None = None) -> str:
    """The form set warning for the current settings (for the command line)."""
    st = load_settings(db)
    return form_set_warning_named(st.form_set, st.date or day or dt.date.today())
