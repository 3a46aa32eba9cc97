"""Yearly emulation and award statistics (Circular 02/2023/TT-BNV, forms 0601 to 0603, and the
program's summary table) from the campaigns in the database and the award register.

    forms = available_forms()                         # [(code, title), ...] from resources/statistics
    report = statistics_report(db, 2026, "all")       # StatsReport: one StatTable per form
    write_statistics(db, 2026, "0602", "tk.xlsx")     # or .pdf; atomic

The counting is domain/statistics.py; the layouts are data (resources/statistics/*.toml).
A campaign's classification for form 0601 (who launched it, scope, method) is read from
campaign.details["statistics"] when present; a province's plan ("tỉnh …") is launched at province
level; otherwise the layout's [defaults] apply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from bdhvs_desktop import paths
from bdhvs_desktop.documents.atomic import atomic_write_bytes
from bdhvs_desktop.domain import statistics as stats
from bdhvs_desktop.domain.statistics import LayoutError, StatTable
from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.errors import ServiceError
from bdhvs_desktop.storage import models as m
from bdhvs_desktop.storage.engine import Database

Progress = Callable[[int, int, str], None]
FORMATS = (".xlsx", ".pdf")
MIN_YEAR, MAX_YEAR = 1945, 2100


class StatisticsError(ServiceError):
    """Bad input for the statistics (year, form, file); the message is Vietnamese."""


class StatisticsCancelled(StatisticsError):
    pass


@dataclass(frozen=True)
class StatsReport:
    year: int
    reporting_unit: str  # "ỦY BAN NHÂN DÂN PHƯỜNG LA GI"
    place: str  # "La Gi"
    sign_date: dt.date
    tables: tuple[StatTable, ...]
    #: awards in the register with no decision date: not counted in any year
    undated_awards: int = 0

    @property
    def warnings(self) -> list[str]:
        out = [w for t in self.tables for w in t.warnings]
        if self.undated_awards:
            out.append(f"{self.undated_awards} khen thưởng trong sổ chưa có ngày quyết định nên không được tính vào "
                       "năm nào.")
        return out


@dataclass(frozen=True)
class StatsResult:
    path: Path
    size: int
    report: StatsReport


def layouts_dir() -> Path:
    return paths.resources_dir() / "statistics"


def load_layouts(folder: Path | None = None) -> list[stats.Layout]:
    """Every layout file of the folder, checked, in form-code order (0601, 0602, 0603, then others).
    A broken file raises LayoutError naming the file and the key."""
    folder = Path(folder) if folder else layouts_dir()
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise StatisticsError(f"Không tìm thấy tệp bố cục biểu thống kê nào (*.toml) trong {folder}. "
                              "Hãy cài đặt lại chương trình.")
    layouts = [stats.load_layout(f) for f in files]
    seen: dict[str, Path] = {}
    for lay in layouts:
        key = lay.code.casefold()
        if key in seen:
            raise LayoutError(f"mã biểu “{lay.code}” trùng với tệp “{seen[key].name}”.", path=lay.path, key="form.code")
        seen[key] = lay.path  # type: ignore[assignment]
    return sorted(layouts, key=lambda x: (not x.code.isdigit(), x.code))


def available_forms(folder: Path | None = None) -> list[tuple[str, str]]:
    return [(lay.code, lay.title) for lay in load_layouts(folder)]


def _select(layouts: list[stats.Layout], form: str) -> list[stats.Layout]:
    wanted = (form or "").strip()
    if wanted.casefold() in ("all", "tat-ca", "tất cả"):
        return layouts
    chosen = [lay for lay in layouts if lay.code.casefold() == wanted.casefold()]
    if not chosen:
        codes = ", ".join(lay.code for lay in layouts)
        raise StatisticsError(f"Không có biểu thống kê “{form}” (chọn một trong: {codes}, hoặc all).")
    return chosen


def check_year(year: object) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise StatisticsError(f"Năm báo cáo “{year}” không hợp lệ (cần một năm từ {MIN_YEAR} đến {MAX_YEAR}).")
    return year


def _campaign_stat(c: m.Campaign) -> stats.CampaignStat:
    own = (c.details or {}).get("statistics") or {}
    if not isinstance(own, dict):
        own = {}

    def pick(key: str) -> str | None:
        value = own.get(key)
        return value if value in stats.FILTER_VALUES["campaigns"][key] else None

    return stats.CampaignStat(id=c.id, name=c.name, start=c.start_date, end=c.end_date,
                              organizer=pick("organizer") or stats.organizer_of_locality(c.locality_full),
                              scope=pick("scope"), method=pick("method"))


def statistics_report(db: Database, year: int, form: str = "all", *, sign_date: dt.date | None = None,
                      folder: Path | None = None) -> StatsReport:
    """The chosen forms filled in for *year* from the database."""
    require_role(db, "viewer", action="xem thống kê thi đua, khen thưởng")
    year = check_year(year)
    all_layouts = load_layouts(folder)
    layouts = _select(all_layouts, form)
    # An award of a campaign takes its campaign's method; a campaign with no classification of its
    # own takes form 0601's default (the same default for every form of the report).
    campaign_default = next((lay.defaults["method"] for lay in all_layouts if lay.source == "campaigns"), "thematic")
    with db.session() as s:
        campaign_rows = list(s.scalars(select(m.Campaign).order_by(m.Campaign.id)))
        campaigns = [_campaign_stat(c) for c in campaign_rows]
        first = campaign_rows[0] if campaign_rows else None
        header = ((first.details or {}).get("preset") or {}) if first else {}
        unit = header.get("issuer_state") or header.get("issuer_party") or (
            (first.locality_full or "").upper() if first else "")
        place = (first.locality or "") if first else ""
        rows = s.execute(select(m.AwardRecord.id, m.AwardRecord.subject_type, m.AwardRecord.award_name,
                                m.AwardRecord.level, m.AwardRecord.kind, m.AwardRecord.decision_date,
                                m.AwardRecord.campaign_id)).all()
    awards = [stats.AwardStat(id=r.id, subject_type=r.subject_type, award_name=r.award_name or "", level=r.level,
                              kind=r.kind, decision_date=r.decision_date, campaign_id=r.campaign_id) for r in rows]
    undated = sum(1 for a in awards if a.decision_date is None)
    tables = tuple(stats.compute(lay, year, campaigns=campaigns, awards=awards,
                                 default_campaign_method=campaign_default) for lay in layouts)
    return StatsReport(year=year, reporting_unit=unit, place=place, sign_date=sign_date or dt.date.today(),
                       tables=tables, undated_awards=undated)


def write_statistics(db: Database, year: int, form: str, path: Path | str, *, sign_date: dt.date | None = None,
                     progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
                     folder: Path | None = None) -> StatsResult:
    """Fill the chosen forms for *year* and write them to *path* (.xlsx: one sheet per form;
    .pdf: one form after another), replacing the file atomically."""
    from bdhvs_desktop.documents import statistics_docs  # lazy: start-up (openpyxl, reportlab)

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise StatisticsError(f"Tệp thống kê phải có đuôi .xlsx hoặc .pdf: {path.name}")
    if progress:
        progress(0, 2, "Đang đếm phong trào và khen thưởng")
    report = statistics_report(db, year, form, sign_date=sign_date, folder=folder)
    if cancelled is not None and cancelled():
        raise StatisticsCancelled("Đã hủy xuất thống kê.")
    if progress:
        progress(1, 2, "Đang ghi tệp")
    blob = statistics_docs.build_pdf(report) if suffix == ".pdf" else statistics_docs.build_xlsx(report)
    if cancelled is not None and cancelled():
        raise StatisticsCancelled("Đã hủy xuất thống kê.")
    atomic_write_bytes(path, blob)
    if progress:
        progress(2, 2, "Xong")
    return StatsResult(path=path, size=len(blob), report=report)
