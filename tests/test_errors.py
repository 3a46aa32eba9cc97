"""The services' one error family (issue #12): each older error name is a kind of the family,
and the family's pieces (problems with row/column, mine/theirs) behave as documented."""

from __future__ import annotations

import pytest

from bdhvs_desktop.services import errors as E


def test_old_names_are_kinds_of_the_family():
    from bdhvs_desktop.services import activities, auth, awards, council, dossier, meeting, people, safety, units

    assert activities.ValidationError is E.Invalid and people.ValidationError is E.Invalid
    assert units.ValidationError is E.Invalid
    assert issubclass(awards.AwardValidationError, E.Invalid) and issubclass(awards.AwardValidationError,
                                                                              awards.AwardError)
    for old in (activities.StaleRecord, people.ConcurrentEdit, units.ConcurrentEdit, safety.EditConflict,
                dossier.StaleEditError, awards.AwardConcurrentEdit):
        assert issubclass(old, E.Conflict), old
    assert issubclass(activities.StaleRecord, RuntimeError)  # older callers caught RuntimeError
    assert issubclass(dossier.StaleEditError, dossier.DossierError)
    assert issubclass(awards.AwardConcurrentEdit, awards.AwardError)
    assert activities.NotFound is E.NotFound and issubclass(E.NotFound, LookupError)
    assert issubclass(auth.PermissionDenied, E.PermissionDenied) and issubclass(auth.PermissionDenied, auth.AuthError)
    assert activities.PermissionDenied is auth.PermissionDenied
    assert issubclass(council.LockedError, E.Locked) and issubclass(council.LockedError, council.CouncilActionError)
    assert issubclass(meeting.MeetingError, E.ServiceError)
    kinds = {cls.kind for cls in E.KINDS.values()}
    assert kinds == {"error", "invalid", "conflict", "not_found", "permission", "locked"}
    assert all(cls.title and cls.title[0].isupper() for cls in E.KINDS.values())


def test_invalid_takes_both_older_shapes_and_import_cells():
    from_dict = E.Invalid({"full_name": "Chưa nhập họ và tên.", "cccd": "Số CCCD phải có 12 chữ số."})
    from_pairs = E.Invalid([("full_name", "Chưa nhập họ và tên."), ("cccd", "Số CCCD phải có 12 chữ số.")])
    for exc in (from_dict, from_pairs):
        assert exc.errors == {"full_name": "Chưa nhập họ và tên.", "cccd": "Số CCCD phải có 12 chữ số."}
        assert dict(exc.problems) == exc.errors and [f for f, _ in exc.problems] == ["full_name", "cccd"]
        assert str(exc) == "Chưa nhập họ và tên.; Số CCCD phải có 12 chữ số."
        assert isinstance(exc, ValueError) and exc.kind == "invalid"
    cell = E.Invalid([E.Problem("cccd", "Số CCCD phải có 12 chữ số.", row=7, column="Số CCCD")])
    assert str(cell) == "Dòng 7, cột «Số CCCD»: Số CCCD phải có 12 chữ số."
    assert cell.problems[0].row == 7 and cell.errors == {"cccd": "Số CCCD phải có 12 chữ số."}


def test_conflict_keeps_mine_and_theirs():
    exc = E.Conflict(entity="person", entity_id=3, mine={"position": "Tổ phó", "phone": "09"},
                     theirs={"position": "Tổ trưởng", "phone": "09"}, current_version=4)
    assert not exc.deleted and exc.differing == {"position": ("Tổ phó", "Tổ trưởng")}
    assert str(exc) == E.CONFLICT_MESSAGE and exc.kind == "conflict"
    gone = E.Conflict(mine={"position": "Tổ phó"}, theirs=None)
    assert gone.deleted and gone.theirs == {} and str(gone) == E.DELETED_MESSAGE


def test_stale_data_error_becomes_a_conflict_and_others_pass():
    from sqlalchemy.orm.exc import StaleDataError

    with pytest.raises(E.Conflict) as info:
        with E.stale_as_conflict({"name": "A"}, lambda: {"name": "B"}, entity="unit", entity_id=1):
            raise StaleDataError("UPDATE statement on table 'unit' expected to update 1 row(s); 0 were matched.")
    assert info.value.mine == {"name": "A"} and info.value.theirs == {"name": "B"} and not info.value.deleted
    assert isinstance(info.value.__cause__, StaleDataError)
    with pytest.raises(KeyError):
        with E.stale_as_conflict({}, dict):
            raise KeyError("x")
    assert E.is_conflict(info.value) and E.is_conflict(StaleDataError("x")) and not E.is_conflict(ValueError())
