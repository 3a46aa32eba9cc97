"""Form sets: discovery, per-file precedence of the user's folder, the manifest as the
legal layer, and the template check that runs before anything is generated."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bdhvs_desktop.documents.formsets import (
    FORM_KEYS,
    OPTIONAL_FORM_KEYS,
    FormSetError,
    list_form_sets,
    load_form_set,
)
from bdhvs_desktop.documents.render import render_document

from . import sample_data as sd
from .conftest import patch_docx

SETS = ("decree-98-2023", "decree-152-2025")
TO_TRINH = "to-trinh-mau-01.docx"


def _user_copy(builtin_dir: Path, user_dir: Path, name: str, file: str) -> Path:
    src = builtin_dir / name / file
    dst = user_dir / name / file
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


def _broken(builtin_dir, tmp_path, replacements, *, file=TO_TRINH, part="word/document.xml"):
    user = tmp_path / "user"
    patch_docx(builtin_dir / "decree-98-2023" / file, user / "decree-98-2023" / file,
               replacements, part=part)
    with pytest.raises(FormSetError) as err:
        load_form_set("decree-98-2023", builtin_dir, user)
    return err.value


# ------------------------------------------------------------------- built-in sets


@pytest.mark.parametrize("name", SETS)
def test_builtin_sets_load_and_pass_the_check(builtin_dir, name):
    fs = load_form_set(name, builtin_dir)
    assert set(fs.forms) == set(FORM_KEYS) | set(OPTIONAL_FORM_KEYS)
    assert fs.forms["to_trinh"].file == TO_TRINH
    assert fs.forms["bien_ban"].file == "bien-ban-hop-xet.docx"
    assert fs.forms["bao_cao_tap_the"].file == "bao-cao-thanh-tich-mau-08-tap-the.docx"
    assert fs.forms["bao_cao_ca_nhan"].file == "bao-cao-thanh-tich-mau-08-ca-nhan.docx"
    assert all(spec.source == "builtin" for spec in fs.forms.values())
    assert fs.forms["to_trinh"].form_number == "01"
    assert fs.forms["bao_cao_tap_the"].form_number == "08"
    assert fs.forms["to_trinh"].footnotes  # the form's footnotes are data


def test_legal_basis_is_data_per_decree(fs98, fs152):
    law98, decree98 = fs98.forms["to_trinh"].legal_basis
    law152, decree152 = fs152.forms["to_trinh"].legal_basis
    assert law98 == "Căn cứ Luật Thi đua, khen thưởng ngày 15/6/2022;"
    assert "98/2023/NĐ-CP" in decree98
    assert "06/2022/QH15" in law152
    assert decree152.startswith("Căn cứ Nghị định số 152/2025/NĐ-CP ngày 14 tháng 6 năm 2025")
    assert "98/2023" not in "".join(fs152.forms["to_trinh"].legal_basis)
    assert "152/2025" in fs152.forms["bao_cao_ca_nhan"].form_label


def test_rendered_citations_follow_the_set(fs98, fs152):
    import io

    from docx import Document

    for fs, marker in ((fs98, "98/2023/NĐ-CP"), (fs152, "152/2025/NĐ-CP")):
        doc = Document(io.BytesIO(render_document(fs, sd.submission())))
        cites = [p.text for p in doc.paragraphs if p.text.startswith("Căn cứ Nghị định")]
        assert len(cites) == 1 and marker in cites[0]


def test_list_form_sets(builtin_dir, tmp_path):
    user = tmp_path / "user"
    (user / "my-set").mkdir(parents=True)
    shutil.copyfile(builtin_dir / "decree-98-2023" / "manifest.toml", user / "my-set" / "manifest.toml")
    _user_copy(builtin_dir, user, "decree-98-2023", TO_TRINH)  # a corrected template only
    (user / "notes").mkdir()  # a folder without a manifest is not a set
    listed = {s.name: s for s in list_form_sets(builtin_dir, user)}
    assert "notes" not in listed
    assert listed["decree-98-2023"].sources == ("user", "builtin")
    assert listed["decree-152-2025"].sources == ("builtin",)
    assert {"decree-98-2023", "decree-152-2025", "my-set"} <= set(listed)
    assert "98/2023" in listed["decree-98-2023"].title
    assert listed["my-set"].sources == ("user",)
    assert str(listed["decree-152-2025"].in_force_from) == "2025-07-01"


# ------------------------------------------------------------ per-file precedence


def test_user_template_takes_precedence_file_by_file(builtin_dir, tmp_path):
    user = tmp_path / "user"
    patch_docx(builtin_dir / "decree-98-2023" / TO_TRINH, user / "decree-98-2023" / TO_TRINH,
               {"{{ form.wording.attached_note }}": "{{ form.wording.attached_note }} – bản phường"})
    fs = load_form_set("decree-98-2023", builtin_dir, user)
    assert fs.forms["to_trinh"].source == "user"
    assert fs.forms["to_trinh"].path == user / "decree-98-2023" / TO_TRINH
    assert {fs.forms[k].source for k in ("bien_ban", "bao_cao_tap_the", "bao_cao_ca_nhan")} == {"builtin"}
    assert fs.source == "builtin"  # the manifest still comes from the program
    import io

    from docx import Document

    doc = Document(io.BytesIO(render_document(fs, sd.submission())))
    assert "(Có danh sách kèm theo) – bản phường" in [p.text for p in doc.paragraphs]


def test_user_manifest_takes_precedence(builtin_dir, tmp_path):
    user = tmp_path / "user"
    text = (builtin_dir / "decree-98-2023" / "manifest.toml").read_text(encoding="utf-8")
    text = text.replace('attached_note = "(Có danh sách kèm theo)"',
                        'attached_note = "(Có danh sách và hồ sơ kèm theo)"')
    (user / "decree-98-2023").mkdir(parents=True)
    (user / "decree-98-2023" / "manifest.toml").write_text(text, encoding="utf-8")
    fs = load_form_set("decree-98-2023", builtin_dir, user)
    assert fs.source == "user"
    assert fs.forms["to_trinh"].source == "builtin"
    assert fs.forms["to_trinh"].wording["attached_note"] == "(Có danh sách và hồ sơ kèm theo)"


def test_what_is_rendered_is_what_was_checked(builtin_dir, tmp_path):
    user = tmp_path / "user"
    path = _user_copy(builtin_dir, user, "decree-98-2023", TO_TRINH)
    fs = load_form_set("decree-98-2023", builtin_dir, user)
    path.write_bytes(b"not a docx any more")  # changed on disk after the check
    assert render_document(fs, sd.submission())[:2] == b"PK"


# ----------------------------------------------------------------- template check


def test_unknown_variable_is_rejected_naming_file_and_tag(builtin_dir, tmp_path):
    err = _broken(builtin_dir, tmp_path, {"{{ submission.recipient }}": "{{ submision.recipient }}"})
    [problem] = err.problems
    assert problem.file.name == TO_TRINH
    assert "submision.recipient" in problem.tag
    assert "submision" in problem.message and "không có trong dữ liệu" in problem.message
    assert TO_TRINH in str(err) and "submision.recipient" in str(err)


def test_unknown_field_is_rejected(builtin_dir, tmp_path):
    err = _broken(builtin_dir, tmp_path, {"{{ submission.recipient }}": "{{ submission.recipint }}"})
    [problem] = err.problems
    assert "SubmissionContext" in problem.message and "recipint" in problem.message
    assert problem.tag == "{{ submission.recipint }}"


def test_unknown_field_of_a_loop_variable_is_rejected(builtin_dir, tmp_path):
    err = _broken(builtin_dir, tmp_path,
                  {"{{ n.achievement_summary }}": "{{ n.achievment_summary }}"})
    [problem] = err.problems
    assert "Nominee" in problem.message and "achievment_summary" in problem.message


def test_unknown_wording_key_is_rejected(builtin_dir, tmp_path):
    err = _broken(builtin_dir, tmp_path,
                  {"{{ form.wording.attached_note }}": "{{ form.wording.atached_note }}"})
    [problem] = err.problems
    assert "atached_note" in problem.message and "form.wording" in problem.message


def test_broken_tag_is_rejected_naming_the_tag(builtin_dir, tmp_path):
    err = _broken(builtin_dir, tmp_path, {"{{ submission.recipient }}": "{{ submission.recipient }"})
    problem = err.problems[0]
    assert problem.file.name == TO_TRINH
    assert "thẻ bị hỏng" in problem.message
    assert "submission.recipient" in problem.tag


def test_syntax_error_inside_a_tag_is_rejected(builtin_dir, tmp_path):
    err = _broken(builtin_dir, tmp_path, {"{{ submission.recipient }}": "{{ submission.recipient | }}"})
    [problem] = err.problems
    assert "lỗi cú pháp" in problem.message
    assert problem.tag == "{{ submission.recipient | }}"


def test_unclosed_block_is_rejected_naming_the_opener(builtin_dir, tmp_path):
    err = _broken(builtin_dir, tmp_path, {"{%p endfor %}": "Hết danh sách"})
    assert any("endfor" in p.message and "{% for line in form.legal_basis %}" == p.tag
               for p in err.problems), err.problems


def test_unknown_filter_is_rejected(builtin_dir, tmp_path):
    err = _broken(builtin_dir, tmp_path, {"{{ r }}": "{{ r|bogus }}"})
    assert any("bogus" in p.message for p in err.problems)


def test_filters_that_bypass_escaping_are_not_available(builtin_dir, tmp_path):
    err = _broken(builtin_dir, tmp_path, {"{{ submission.recipient }}": "{{ submission.recipient|safe }}"})
    assert any("safe" in p.message for p in err.problems)


def test_private_attributes_are_rejected(builtin_dir, tmp_path):
    err = _broken(builtin_dir, tmp_path, {"{{ submission.recipient }}": "{{ submission.__class__ }}"})
    assert any("__class__" in p.message for p in err.problems)


def test_text_beside_a_paragraph_tag_would_be_lost(builtin_dir, tmp_path):
    err = _broken(builtin_dir, tmp_path,
                  {"{%p for line in form.legal_basis %}": "Chú ý: {%p for line in form.legal_basis %}"})
    assert any("sẽ bị xóa" in p.message and "Chú ý" in p.message for p in err.problems)


def test_tag_in_document_properties_is_rejected(builtin_dir, tmp_path):
    err = _broken(builtin_dir, tmp_path, {"<dc:title></dc:title>": "<dc:title>{{ submission.recipient }}</dc:title>"},
                  part="docProps/core.xml")
    [problem] = err.problems
    assert problem.part == "docProps/core.xml" and "submission.recipient" in problem.tag


def test_every_problem_is_listed_at_once(builtin_dir, tmp_path):
    user = tmp_path / "user"
    patch_docx(builtin_dir / "decree-98-2023" / TO_TRINH, user / "decree-98-2023" / TO_TRINH,
               {"{{ submission.recipient }}": "{{ submision.recipient }}"})
    bb = "bien-ban-hop-xet.docx"
    patch_docx(builtin_dir / "decree-98-2023" / bb, user / "decree-98-2023" / bb,
               {"{{ minutes.place }}": "{{ minutes.place }"})
    with pytest.raises(FormSetError) as err:
        load_form_set("decree-98-2023", builtin_dir, user)
    assert {p.file.name for p in err.value.problems} == {TO_TRINH, bb}


def test_template_in_another_form_cannot_use_other_contexts(builtin_dir, tmp_path):
    err = _broken(builtin_dir, tmp_path, {"{{ submission.recipient }}": "{{ minutes.place }}"})
    assert "minutes" in err.problems[0].message


# ------------------------------------------------------------------------ manifest


def _manifest_error(builtin_dir, tmp_path, old, new):
    user = tmp_path / "user"
    text = (builtin_dir / "decree-98-2023" / "manifest.toml").read_text(encoding="utf-8")
    assert old in text
    (user / "decree-98-2023").mkdir(parents=True)
    (user / "decree-98-2023" / "manifest.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(FormSetError) as err:
        load_form_set("decree-98-2023", builtin_dir, user)
    return str(err.value)


def test_manifest_unknown_citation(builtin_dir, tmp_path):
    msg = _manifest_error(builtin_dir, tmp_path, 'legal_basis = ["law", "decree"]',
                          'legal_basis = ["law", "decre"]')
    assert "decre" in msg and "manifest.toml" in msg


def test_manifest_file_outside_the_folder(builtin_dir, tmp_path):
    msg = _manifest_error(builtin_dir, tmp_path, 'file = "to-trinh-mau-01.docx"',
                          'file = "../to-trinh-mau-01.docx"')
    assert "không hợp lệ" in msg


def test_manifest_syntax_error(builtin_dir, tmp_path):
    msg = _manifest_error(builtin_dir, tmp_path, "schema_version = 1", "schema_version = = 1")
    assert "TOML" in msg


def test_missing_form_set(builtin_dir):
    with pytest.raises(FormSetError):
        load_form_set("decree-1-1999", builtin_dir)
    with pytest.raises(FormSetError):
        load_form_set("../forms_templates", builtin_dir)
