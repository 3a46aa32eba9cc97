"""The areas of the main window, in navigation order: (key, title, "module:Class")."""

from __future__ import annotations

import importlib

from bdhvs_desktop.gui.i18n import tr

PAGES = [
    ("overview", tr("Tổng quan"), "bdhvs_desktop.gui.pages.overview:OverviewPage"),
    ("plan", tr("Kế hoạch và tiến độ"), "bdhvs_desktop.gui.pages.plan:PlanPage"),
    ("units", tr("Đơn vị"), "bdhvs_desktop.gui.pages.units:UnitsPage"),
    ("people", tr("Nhân sự"), "bdhvs_desktop.gui.pages.people:PeoplePage"),
    ("activities", tr("Hoạt động"), "bdhvs_desktop.gui.pages.activities:ActivitiesPage"),
    ("models", tr("Mô hình"), "bdhvs_desktop.gui.pages.digital_models:ModelsPage"),
    ("scoring", tr("Chấm điểm"), "bdhvs_desktop.gui.pages.scoring:ScoringPage"),
    ("council", tr("Hội đồng"), "bdhvs_desktop.gui.pages.council:CouncilPage"),
    ("dossier", tr("Hồ sơ"), "bdhvs_desktop.gui.pages.dossier:DossierPage"),
    ("reports", tr("Báo cáo"), "bdhvs_desktop.gui.pages.reports:ReportsPage"),
]

# Shown only when the database is a province office's (services/office.py), after the first paint.
PROVINCE_PAGES = [
    ("province_wards", tr("Hồ sơ các phường"), "bdhvs_desktop.gui.pages.province_wards:ProvinceWardsPage"),
    ("province_duplicates", tr("Trùng lặp"), "bdhvs_desktop.gui.pages.province_duplicates:ProvinceDuplicatesPage"),
    ("province_ranking", tr("Xếp hạng cấp tỉnh"), "bdhvs_desktop.gui.pages.province_ranking:ProvinceRankingPage"),
]


def page_class(spec: str):
    """The page class for "module:Class", or None when that module is not present."""
    module_name, class_name = spec.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    return getattr(module, class_name)
