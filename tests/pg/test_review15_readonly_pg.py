"""Issue #15 point 10, review: a viewer's transaction stays read-only at the server even when the
SQL sent in it first tries to switch the transaction (or the session) back to read-write."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from bdhvs_desktop.services import auth
from bdhvs_desktop.storage import models as m
from tests.pg.test_roles_pg import SECRETARY_PW, VIEWER_PW


@pytest.mark.parametrize("sql", [
    "SET TRANSACTION READ WRITE; UPDATE unit SET name = 'Viewer sửa'",
    "SET TRANSACTION ISOLATION LEVEL READ COMMITTED READ WRITE; UPDATE unit SET name = 'Viewer sửa'",
    "SET LOCAL transaction_read_only = off; UPDATE unit SET name = 'Viewer sửa'",
    # Ending the transaction inside the SQL itself gets past any per-transaction mode: the server
    # only refuses it for a database role without write rights (README, "Không bảo vệ được").
    pytest.param("SET default_transaction_read_only = off; COMMIT; UPDATE unit SET name = 'Viewer sửa'",
                 marks=pytest.mark.xfail(strict=True, reason="needs a read-only database role for viewers")),
    pytest.param("COMMIT; BEGIN READ WRITE; UPDATE unit SET name = 'Viewer sửa'",
                 marks=pytest.mark.xfail(strict=True, reason="needs a read-only database role for viewers")),
])
def test_viewer_cannot_switch_its_transaction_back_to_read_write(backend_db, sql):
    db = backend_db
    if db.is_sqlite:
        pytest.skip("PostgreSQL transaction modes")
    auth.add_user(db, "thuky", "Đỗ Thị Thu", "secretary", SECRETARY_PW)
    auth.login(db, "thuky", SECRETARY_PW)
    auth.add_user(db, "xem", "Phạm Văn Dũng", "viewer", VIEWER_PW)
    with db.session() as s:
        s.add(m.Unit(code="U1", name="Tổ dân phố 1", kind="to_dan_pho"))
    auth.login(db, "xem", VIEWER_PW)
    with pytest.raises(Exception):  # noqa: B017 - refused by the server, whichever error it is
        with db.session() as s:
            s.execute(text(sql))
    with db.read() as s:
        assert s.scalars(select(m.Unit.name)).all() == ["Tổ dân phố 1"]
