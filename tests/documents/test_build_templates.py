"""The committed .docx templates are what forms_templates/build_templates.py produces."""

from __future__ import annotations

import importlib.util
import zipfile

from .sample_data import BUILTIN_FORMS


def _load_builder():
    spec = importlib.util.spec_from_file_location("build_templates", BUILTIN_FORMS / "build_templates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _parts(path):
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_committed_templates_match_the_build_script(tmp_path):
    builder = _load_builder()
    written = builder.build_all(tmp_path)
    assert len(written) == 10  # five forms (the award decision included) in two sets
    for path in written:
        committed = BUILTIN_FORMS / path.parent.name / path.name
        assert committed.is_file(), committed
        assert _parts(path) == _parts(committed), (
            f"{committed} is out of date: run .venv/bin/python forms_templates/build_templates.py")


def test_both_sets_ship_the_same_layout():
    for file in ("to-trinh-mau-01.docx", "bien-ban-hop-xet.docx",
                 "bao-cao-thanh-tich-mau-08-tap-the.docx", "bao-cao-thanh-tich-mau-08-ca-nhan.docx",
                 "quyet-dinh-khen-thuong.docx"):
        assert _parts(BUILTIN_FORMS / "decree-98-2023" / file) == _parts(BUILTIN_FORMS / "decree-152-2025" / file)


def test_no_duplicate_properties_in_templates():
    """Word refuses files with a property element twice (e.g. two w:tblLayout)."""
    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for path in sorted(BUILTIN_FORMS.glob("*/*.docx")):
        for part, data in _parts(path).items():
            if not part.endswith(".xml"):
                continue
            for el in etree.fromstring(data).iter():
                if not (isinstance(el.tag, str) and el.tag.startswith(w) and el.tag.endswith("Pr")):
                    continue
                keys = [(c.tag, c.get(f"{w}type")) for c in el]
                assert len(keys) == len(set(keys)), (path.name, part, el.tag, keys)
