"""Build the province office's Tờ trình template (to-trinh-tinh.docx) into each form set.

Run from the repository root after changing this script, and commit its output:

    .venv/bin/python forms_templates/build_province_template.py

It uses the building blocks of build_templates.py (same styles, heading, signature block and
list table as the ward's Tờ trình, Form 01) so both look alike; what differs is the content:
the province cites each ward's Tờ trình, and its attached list is grouped by ward (a heading
row per ward naming its proposal, then its collectives and individuals). The form is optional
in a set (documents/formsets.py: OPTIONAL_FORM_KEYS["to_trinh_tinh"]), with its wording in the
set's manifest.toml under [forms.to_trinh_tinh]. tests/documents/test_province_template.py
checks the committed files match this script.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILE = "to-trinh-tinh.docx"


def _base():
    spec = importlib.util.spec_from_file_location("build_templates", HERE / "build_templates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_to_trinh_tinh(path: Path) -> None:
    b = _base()
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Mm

    v = "province_submission"
    doc = b.new_document()
    b.page_headers(doc, v)
    b.heading_block(doc, v)
    b.title_block(doc, v, [
        "{{ form.wording.title }}",
        f"{{{{ {v}.subject or (form.wording.subject_default ~ ' ' ~ {v}.campaign_name) }}}}",
    ])
    b.para(doc, [("{{ form.wording.recipient_label }} ", {}), (f"{{{{ {v}.recipient }}}}", {})],
           align=b.CENTER, before=6, after=12)
    # legal bases: the form set's, the province's own, each ward's Tờ trình, the council's minutes
    for loop, expr in (("line in form.legal_basis", "line"), (f"line in {v}.legal_bases", "line"),
                       (f"w in {v}.wards", "w.citation"), (f"mt in {v}.meetings", "mt.citation")):
        b.tag(doc, f"{{%p for {loop} %}}")
        b.para(doc, f"{{{{ {expr} }}}}", style="BD Body")
        b.tag(doc, "{%p endfor %}")
    b.body_lines(doc, f"{v}.body")
    b.tag(doc, f"{{%p if {v}.proposal %}}")
    b.body_lines(doc, f"{v}.proposal")
    b.tag(doc, "{%p else %}")
    b.para(doc, (
        f"{{{{ {v}.issuer.text_name }}}} {{{{ form.wording.proposal_lead }}}} {{{{ {v}.recipient }}}} xem xét, "
        f"{{% if {v}.award_name %}}tặng {{{{ {v}.award_name }}}} cho{{% else %}}khen thưởng{{% endif %}} "
        f"{{{{ {v}.counts }}}} {{{{ form.wording.of_wards }}}} ({{{{ {v}.ward_count }}}} "
        "{{ form.wording.wards_unit }}) "
        f"đã có thành tích xuất sắc trong thực hiện {{{{ {v}.campaign_name }}}}."
    ), style="BD Body")
    b.tag(doc, "{%p endif %}")
    b.para(doc, "{{ form.wording.attached_note }}", style="BD Body", italic=True)
    b.para(doc, f"{{{{ form.wording.closing }}}} {{{{ {v}.recipient }}}} {{{{ form.wording.closing_tail }}}}",
           style="BD Body", keep_next=True)

    t, left, right, _, bottom_right = b.signature_table(doc, (7.7, 8.8), merge_left=True)
    b.tag(left, f"{{%p if {v}.issuer.is_party %}}")
    b.para(left, "{{ form.wording.recipients_label }}", size=14, underline=True)
    b.tag(left, "{%p else %}")
    b.para(left, "{{ form.wording.recipients_label }}", size=12, bold=True, italic=True)
    b.tag(left, "{%p endif %}")
    b.tag(left, f"{{%p for r in {v}.recipients %}}")
    b.tag(left, f"{{%p if {v}.issuer.is_party %}}")
    b.para(left, "- {{ r }}", style="BD Small", size=12)
    b.tag(left, "{%p else %}")
    b.para(left, "- {{ r }}", style="BD Small", size=11)
    b.tag(left, "{%p endif %}")
    b.tag(left, "{%p endfor %}")
    b.signer_top(right, f"{v}.issuer")
    b.signer_bottom(bottom_right, f"{v}.issuer.signer_name")
    b.finish_table(t)

    # ---- the attached list, grouped by ward: A4 landscape as the ward's list
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    b.tiny_section_break(doc)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(20), Mm(15)
    section.different_first_page_header_footer = False
    b.para(doc, "{{ form.wording.list_title }}", style="BD Title")
    b.para(doc, "{{ form.wording.list_subtitle }} " f"{{{{ {v}.campaign_name }}}}", style="BD Title")
    b.para(doc, (
        "({{ form.wording.list_attached }} "
        f"số {{{{ {v}.number_symbol }}}}, ngày {{{{ {v}.short_date }}}} của {{{{ {v}.issuer.text_name }}}})"
    ), align=b.CENTER, italic=True, after=12)
    cols = [("col_stt", 1.3), ("col_name", 5.2), ("col_position_unit", 5.0),
            ("col_award", 4.4), ("col_summary", 7.7), ("col_note", 2.6)]  # 26.2 cm, as Form 01's list
    t = b.data_table(doc, cols)
    b.tag_row(t, f"{{%tr for w in {v}.wards %}}")
    b.group_row(t, "{{ w.heading }}")
    for group, items in (("group_collective", "w.collectives"), ("group_individual", "w.individuals")):
        b.tag_row(t, f"{{%tr if {items} %}}")
        b.group_row(t, f"{{{{ form.wording.{group} }}}}")
        b.tag_row(t, f"{{%tr for n in {items} %}}")
        b.values_row(t, [
            "{{ loop.index }}", "{{ n.name }}", "{{ n.position_unit }}", "{{ n.award }}",
            "{{ n.achievement_summary }}", "{{ n.note }}",
        ], centered=(0,))
        b.tag_row(t, "{%tr endfor %}")
        b.tag_row(t, "{%tr endif %}")
    b.tag_row(t, "{%tr endfor %}")
    b.finish_table(t)
    b.para(doc, "")
    doc.save(path)


def build_all(root: Path = HERE, sets=None) -> list[Path]:
    sets = sets or _base().FORM_SETS
    written = []
    for name in sets:
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        build_to_trinh_tinh(folder / FILE)
        written.append(folder / FILE)
    return written


def main(argv=None) -> int:
    for path in build_all():
        print(path.relative_to(HERE.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
