"""The province office imports the wards' signed proposal packages (issue #14).

Each package is checked whole before anything is written (services/province_check.py): the
canonical bytes and every hash (documents/package_format.py: read_package), the signatures of the
manifest and of the signed PDFs against the province's trust roots (documents/signing.py), and that
it was not imported before (same package id, or the same file). Then it is written in ONE
transaction: the ward's scope (a top-level unit of kind `phuong_xa`, code = the ward's code),
the units and persons of its candidates inside that scope (codes `<ward>/<…>`; persons without
CCCD, which stays in the proposal row), one ordinary `candidate` of the province's campaign per
proposed subject (so the council works unchanged), the ward's proposal of each (facts, figures,
votes, scores), the package file byte for byte and where each document sits in it, and one
audit entry. A package that fails is reported with its ward and why, in Vietnamese, and does
not stop the others; one killed or cancelled halfway leaves nothing of itself.

Two workstations of a shared PostgreSQL office importing the same package at once: the writes
take `pg_advisory_xact_lock` (storage/locks.py), so the second one waits, then sees the first's
package and refuses the replay. What the office reads afterwards (wards, candidates,
duplicates, the ranking) is in services/province_views.py.

The parts: this module runs the import and reports each file; the write is
services/province_write.py, the ward's scope and units services/province_scope.py, and what a
ward may not send again services/province_resend.py."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bdhvs_desktop.services.auth import require_role
from bdhvs_desktop.services.office import OfficeError, as_der, require_province
from bdhvs_desktop.services.office import trust_roots as stored_trust_roots
from bdhvs_desktop.services.province_check import (
    Checked,
    PackageRefused,
    check_package,
    earlier_import,
    refuse,
    replay_message,
    signature_phrase,
    ward_label,
)
from bdhvs_desktop.services.province_resend import packages_to_replace, refuse_known_keys, refuse_same_subject_twice
from bdhvs_desktop.services.province_scope import ward_scope
from bdhvs_desktop.services.province_write import ImportCancelled, PackageWriter
from bdhvs_desktop.storage.engine import Database
from bdhvs_desktop.storage.locks import serialize

Progress = Callable[[int, int, str], None]

#: storage/locks.py: imports of packages happen one after another on a shared server.
PROVINCE_IMPORT_LOCK = "province.import"


@dataclass(frozen=True)
class PackageOutcome:
    """What happened to one file."""

    path: str
    ward_code: str | None
    ward_name: str | None
    imported: bool
    message: str  # Vietnamese, names the ward
    package_id: str | None = None
    candidates: int = 0
    signer: str | None = None
    trusted: bool = False
    warnings: tuple[str, ...] = ()
    resent: bool = False  # refused as subjects the ward already sent: importable with replace=True


    @property
    def file_name(self) -> str:
        return Path(self.path).name


@dataclass
class ImportReport:
    outcomes: list[PackageOutcome] = field(default_factory=list)
    cancelled: bool = False
    seconds: float = 0.0

    @property
    def imported(self) -> list[PackageOutcome]:
        return [o for o in self.outcomes if o.imported]

    @property
    def refused(self) -> list[PackageOutcome]:
        return [o for o in self.outcomes if not o.imported]

    def summary_lines(self) -> list[str]:
        lines = [o.message for o in self.outcomes]
        lines.extend(f"  Lưu ý ({o.ward_name or o.file_name}): {w}" for o in self.outcomes for w in o.warnings)
        total = sum(o.candidates for o in self.imported)
        lines.append(f"Đã nhập {len(self.imported)} gói ({total} hồ sơ đề nghị), từ chối {len(self.refused)} gói.")
        if self.cancelled:
            lines.append("Đã hủy: gói đang nhập dở không được ghi; các gói đã nhập trước đó được giữ.")
        return lines


def import_packages(db: Database, paths: Iterable[str | Path], *, trust_roots: Sequence[bytes] | None = None,
                    progress: Progress | None = None, cancel: Callable[[], bool] | None = None,
                    user: str | None = None, replace: bool = False) -> ImportReport:
    """Import every package in `paths`, each whole or not at all; returns what happened to each.

    trust_roots: the CA certificates (PEM or DER) whose signatures the province accepts; None
    takes the province's stored ones (services/office.py). With trust roots, a package must be
    signed by a certificate that chains to one of them; without any, a signed or unsigned
    package is imported with a warning that its signer could not be checked. A signature that
    does not match the bytes is refused in every case. Raises OfficeError when the database is
    not a province office (nothing is read then).

    replace: each package is the ward's corrected package and replaces the ward's current one(s)
    (services/province_replace.py); refused when the ward sent nothing before or the province
    council already voted on its candidates."""
    require_role(db, "secretary", action="nhập gói hồ sơ đề nghị của phường")
    with db.read() as s:
        require_province(s)
    roots = [as_der(r) for r in (trust_roots if trust_roots is not None else stored_trust_roots(db))]
    paths = [Path(p) for p in paths]
    report = ImportReport()
    started = time.perf_counter()
    who = user or db.user
    for i, path in enumerate(paths):
        if cancel and cancel():
            report.cancelled = True
            break
        if progress:
            progress(i, len(paths), f"Đang kiểm tra {path.name}")
        try:
            checked = check_package(db, path, roots)
            if progress:
                progress(i, len(paths), f"Đang ghi gói của {checked.opened.ward_name}")
            count, replaced = _write(db, checked, who, cancel, replace)
        except ImportCancelled:
            report.cancelled = True
            break
        except PackageRefused as exc:
            ward = getattr(exc, "ward", (None, None))
            report.outcomes.append(PackageOutcome(str(path), ward[0], ward[1], False, str(exc),
                                                  resent=getattr(exc, "resent", False)))
            continue
        o = checked.opened
        report.outcomes.append(PackageOutcome(
            str(path), o.ward_code, o.ward_name, True,
            f"Đã nhập gói hồ sơ của {o.ward_name} ({o.ward_code}, tệp {path.name}): {count} hồ sơ đề nghị; "
            f"{signature_phrase(checked)}.{replaced}",
            o.package_id, count, checked.signer, checked.trusted, checked.warnings))
    if progress:
        progress(len(paths), len(paths), "Xong")
    report.seconds = time.perf_counter() - started
    return report


# --------------------------------------------------------------------------- the write


def _write(db: Database, checked: Checked, user: str, cancel: Callable[[], bool] | None,
           replace: bool = False) -> tuple[int, str]:
    o = checked.opened
    label = ward_label(o.ward_code, o.ward_name, checked.path)
    ward = (o.ward_code, o.ward_name)
    try:
        with db.session() as s:
            serialize(s, PROVINCE_IMPORT_LOCK)  # the second workstation waits, then sees the replay
            campaign = require_province(s)
            earlier = earlier_import(s, o.package_id, o.sha256)
            if earlier is not None:
                raise refuse(replay_message(label, earlier, o.sha256), ward)
            scope = ward_scope(s, o, label)
            replaced = packages_to_replace(s, o, label, scope) if replace else []
            refuse_known_keys(s, o, label, replaced)
            refuse_same_subject_twice(s, o, label, replaced)
            writer = PackageWriter(s, checked, campaign, user, cancel, scope, replaced)
            return writer.run(), writer.replaced_note
    except OfficeError as exc:
        raise refuse(f"{label} bị từ chối: {exc}", ward) from exc
