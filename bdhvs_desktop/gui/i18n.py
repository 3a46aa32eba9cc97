"""User-facing text goes through Qt's translation system; Vietnamese is the source language,
so it is what ships by default, and a .qm for another language can be loaded later."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from bdhvs_desktop.paths import resources_dir

CONTEXT = "bdhvs"


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def install_translators(app) -> list[QTranslator]:
    """Vietnamese for Qt's own dialogs when Qt ships it, and the program's .qm if present."""
    translators = []
    locale = QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam)
    QLocale.setDefault(locale)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name, folder in (("qtbase", qt_dir), ("bdhvs", str(resources_dir() / "i18n"))):
        translator = QTranslator(app)
        if translator.load(locale, name, "_", folder):
            app.installTranslator(translator)
            translators.append(translator)
    return translators
