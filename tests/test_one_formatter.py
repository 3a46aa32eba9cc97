"""Issue #12 point 4: one Vietnamese number formatter (domain/numbers.py) and labels only from
domain/vocab.py — for the reported figures' messages, Form 08's tables and the award register's
Excel sheet. Each test shows a place that printed or labelled on its own."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bdhvs_desktop.documents import awards_excel as ax
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.domain.numbers import vn_measure, vn_number
from bdhvs_desktop.services import activities as act
from bdhvs_desktop.services.form08 import source as f08
from bdhvs_desktop.storage import models as m


def test_figure_message_groups_thousands_like_the_screens(demo_db):
    """The screens print a figure of 12345 as "12.345" (gui/forms.num is vn_measure); the
    message refusing it must print the same number, not "12345"."""
    target = next(t for t in act.reported_targets(demo_db) if t.code == "NHAN_BIET_PT")
    with demo_db.read() as s:
        tdp5 = s.scalar(select(m.Unit.id).where(m.Unit.code == "TDP-05"))
    with pytest.raises(act.ValidationError) as exc:
        act.add_figure(demo_db, act.FigureInput(target.id, tdp5, dt.date(2026, 3, 20), 12345, 2000))
    assert vn_measure(12345) == "12.345"
    assert "Tử số (12.345) lớn hơn mẫu số (2.000)" in str(exc.value)
    with pytest.raises(act.ValidationError) as exc:
        act.add_figure(demo_db, act.FigureInput(target.id, tdp5, dt.date(2026, 3, 20), "25,5", "20"))
    assert f"Tử số ({vn_number(25.5)}) lớn hơn mẫu số ({vn_number(20)})" in str(exc.value)


@pytest.mark.parametrize(("num", "den", "shown"), [
    (12345, 20000, "61,73% (12.345/20.000)"),  # was "(12345/20000)": no thousands
    (1234567, 2000000, "61,73% (1.234.567/2.000.000)"),  # was "(1.23457e+06/2e+06)"
    (12.5, 20, "62,5% (12,5/20)"),  # was "(12.5/20)": an English decimal point
    (18, 18, "100% (18/18)"),
])
def test_form08_fraction_is_written_the_vietnamese_way(num, den, shown):
    assert f08._pct_result(num, den) == shown


def test_form08_weekly_guidance_fraction_uses_the_one_formatter():
    assert f08.fraction(52.0, 1040.0) == "52/1.040"
    assert f08.fraction(2.5, None) == "2,5"


def test_form08_assessment_takes_the_target_labels_from_vocab(monkeypatch):
    monkeypatch.setitem(vocab.TARGET_STATUS_LABELS, vocab.TargetStatus.MET, "Đạt (nhãn thử)")
    monkeypatch.setitem(vocab.TARGET_STATUS_LABELS, vocab.TargetStatus.MISSED, "Chưa đạt (nhãn thử)")
    assert f08._assessment("met", 50.0, 50.0) == "Đạt (nhãn thử)"
    assert f08._assessment("missed", 10.0, 50.0) == "Chưa đạt (nhãn thử)"
    assert f08.verdict(True) == "Đạt (nhãn thử)" and f08.verdict(False) == "Chưa đạt (nhãn thử)"
    assert f08.verdict(None) == ""


def test_award_sheet_subject_labels_are_the_vocabulary():
    assert {str(k): v for k, v in vocab.AWARD_SUBJECT_LABELS.items()} == ax.SUBJECT_LABELS
    assert vocab.AWARD_SUBJECT_LABELS[vocab.AwardSubject.UNIT] == vocab.SUBJECT_KIND_LABELS[vocab.SubjectKind.COLLECTIVE]
    assert vocab.AWARD_SUBJECT_LABELS[vocab.AwardSubject.PERSON] == \
        vocab.SUBJECT_KIND_LABELS[vocab.SubjectKind.INDIVIDUAL]
    # the template's example row uses the labels its own columns accept
    for column, value in zip(ax.AWARDS.columns, ax.AWARDS.example, strict=False):
        if column.kind == "choice":
            assert value in column.choices, (column.header, value)


def test_counts_group_thousands_like_every_other_number():
    """documents' vn_count ("03" for three) wrote 12345 as "12345" while vn_number writes
    "12.345"; Form 08 counts models, sessions and people with it."""
    from bdhvs_desktop.documents import vn_format as vf

    assert vf.vn_count(3) == "03" and vf.vn_count(123) == "123"
    assert vf.vn_count(12345) == vn_number(12345) == "12.345"
    assert f08._count(1040.0) == "1.040"


def test_model_status_message_takes_its_label_from_vocab(demo_db, monkeypatch):
    """"Đã nhân rộng" was written into the message by hand; the screens show MODEL_STATUS_LABELS."""
    monkeypatch.setitem(vocab.MODEL_STATUS_LABELS, vocab.ModelStatus.REPLICATED, "Đã nhân rộng (nhãn thử)")
    with demo_db.read() as s:
        owner = s.scalar(select(m.Unit.id).where(m.Unit.code == "TDP-05"))
    data = act.ModelInput("MH-THU", "Mô hình thử", owner, status="replicated", registered_on=dt.date(2026, 3, 1),
                          implementing_on=dt.date(2026, 4, 1), evaluated_on=dt.date(2026, 6, 1), rating="Tốt",
                          evaluation_quarter="Q2/2026")
    with pytest.raises(act.ValidationError) as exc:
        act.add_model(demo_db, data)
    assert "Trạng thái “Đã nhân rộng (nhãn thử)”: thêm ít nhất một đơn vị nhân rộng trước." in str(exc.value)
