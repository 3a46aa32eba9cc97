"""The award forms a certificate (Giấy khen) is printed for, and where its text goes on the blank.

Each form's layout is the office's edited copy, else the built-in one of its format (state or
party). The edited layouts are stored as JSON in the Setting table ("certificates.layout.<CODE>"),
so every PC of a shared office prints with the same positions; each is checked when read.

    layout = get_layout(db, "GK_CT_UBND")          # the office's copy, else the built-in one
    save_layout(db, layout); reset_layout(db, "GK_CT_UBND")"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from bdhvs_desktop.documents import certificate_layout as cl
from bdhvs_desktop.documents.atomic import atomic_write_bytes
from bdhvs_desktop.documents.certificates import (
    CertificateError,
)
from bdhvs_desktop.services import audit
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

LAYOUT_SETTING = "certificates.layout."


@dataclass(frozen=True)
class AwardFormInfo:
    code: str
    name: str
    level: str
    issuer: str
    format: str  # "state" | "party"


def award_form_format(issuer: str | None) -> str:
    """"party" for a party body (Ban Thường vụ Đảng ủy, Tỉnh ủy), "state" for a People's Committee."""
    text = (issuer or "").lower()
    if "ủy ban nhân dân" in text or "uỷ ban nhân dân" in text:
        return "state"
    if "đảng" in text or "tỉnh ủy" in text or "huyện ủy" in text or "thường vụ" in text:
        return "party"
    return "state"


def _form_format(f: m.AwardForm, c: m.Campaign | None = None) -> str:
    """The form set's word first (as the dossier and the decision read it), else the issuer's name."""

    s = object_session(f)
    if c is None and s is not None:
        c = s.scalar(select(m.Campaign).order_by(m.Campaign.id).limit(1))
    info = (((c.details or {}).get("award_forms") or {}).get(f.code) or {}) if c is not None else {}
    fmt = info.get("authority")
    return fmt if fmt in ("state", "party") else award_form_format(f.issuer)


def form_info(f: m.AwardForm, c: m.Campaign | None = None) -> AwardFormInfo:
    return AwardFormInfo(code=f.code, name=f.name, level=f.level or "", issuer=f.issuer or "",
                         format=_form_format(f, c))


def list_award_forms(db: Database) -> list[AwardFormInfo]:
    with db.read() as s:
        return [form_info(f) for f in s.scalars(select(m.AwardForm).order_by(m.AwardForm.id))]


def form_by_code(s: Session, code: str) -> m.AwardForm:
    f = s.scalar(select(m.AwardForm).where(m.AwardForm.code == code))
    if f is None:
        codes = ", ".join(s.scalars(select(m.AwardForm.code).order_by(m.AwardForm.id)))
        raise CertificateError(f"Không có hình thức khen thưởng mã “{code}” (có: {codes or 'chưa có'}).")
    return f


def _read_layout(s: Session, code: str, fmt: str) -> tuple[cl.Layout, bool]:
    row = s.get(m.Setting, LAYOUT_SETTING + code)
    if row is not None and row.value is not None:
        layout = cl.layout_from_dict(row.value, f"{code} (bản của văn phòng)")
        return replace(layout, code=code), True
    return cl.builtin_layout(code, fmt), False


def get_layout(db: Database, code: str) -> cl.Layout:
    """The layout an award form prints with: the office's edited copy, else the built-in one."""
    with db.read() as s:
        f = form_by_code(s, code)
        return _read_layout(s, code, _form_format(f))[0]


def layout_is_edited(db: Database, code: str) -> bool:
    with db.read() as s:
        row = s.get(m.Setting, LAYOUT_SETTING + code)
        return row is not None and row.value is not None


def default_layout(db: Database, code: str) -> cl.Layout:
    with db.read() as s:
        f = form_by_code(s, code)
        return cl.builtin_layout(code, _form_format(f))


def save_layout(db: Database, layout: cl.Layout) -> cl.Layout:
    """Store the office's copy of an award form's layout (checked first; audited)."""
    require_role(db, "secretary", action="sửa mẫu in giấy khen")
    checked = cl.layout_from_dict(layout.to_dict(), layout.code or "?")
    with db.session() as s:
        form_by_code(s, layout.code)
        key = LAYOUT_SETTING + layout.code
        row = s.get(m.Setting, key)
        old = row.value if row else None
        value = checked.to_dict()
        if old == value:
            return checked
        if row is None:
            s.add(m.Setting(key=key, value=value))
        else:
            row.value = value
        audit.record(s, user=db.user, action="update", entity="setting", field=key, old=old, new=value)
    return checked


def reset_layout(db: Database, code: str) -> cl.Layout:
    """Forget the office's copy: the award form prints with the built-in layout again."""
    require_role(db, "secretary", action="sửa mẫu in giấy khen")
    with db.session() as s:
        f = form_by_code(s, code)
        row = s.get(m.Setting, LAYOUT_SETTING + code)
        if row is not None:
            audit.record(s, user=db.user, action="delete", entity="setting", field=row.key, old=row.value, new=None)
            s.delete(row)
        return cl.builtin_layout(code, _form_format(f))


def import_layout(db: Database, code: str, path: Path) -> cl.Layout:
    layout = cl.load_layout_file(Path(path))
    return save_layout(db, replace(layout, code=code))


def export_layout(db: Database, code: str, path: Path) -> Path:
    layout = get_layout(db, code)
    path = Path(path)
    if path.suffix.lower() not in (".toml", ".json"):
        raise CertificateError(f"Tệp “{path.name}” phải có đuôi .toml hoặc .json.")
    text = cl.layout_to_json(layout) if path.suffix.lower() == ".json" else cl.layout_to_toml(layout)
    return atomic_write_bytes(path, text.encode("utf-8"))
