"""Finding the office's USB-token library on this PC: the PKCS#11 libraries that Vietnamese certification
authorities' tokens install, looked for by name in Windows' System32 (the signing settings dialog and
`bdhvs signing` offer what is found)."""

from __future__ import annotations

import os
from collections.abc import Sequence

#: PKCS#11 libraries of the USB tokens that Vietnamese certification authorities hand out, as their Windows
#: installers put them in C:\Windows\System32 (names gathered from several public projects' lists of candidate
#: libraries; not checked against real tokens here: docs/signing.md). The office can always pick the file itself.
KNOWN_PKCS11_LIBRARIES: tuple[tuple[str, str], ...] = (
    ("VNPT-CA", "vnptca_p11_v10.dll"), ("VNPT-CA", "vnptca_p11_v8.dll"), ("VNPT-CA", "vnptca_p11_v6.dll"),
    ("VNPT-CA", "vnpt-ca_csp11.dll"), ("VNPT-CA", "vnpt-ca_v34.dll"),
    ("Viettel-CA", "viettel-ca_v6.dll"), ("Viettel-CA", "viettel-ca_v5.dll"), ("Viettel-CA", "viettel-ca_v4.dll"),
    ("Viettel-CA", "viettel-ca.dll"),
    ("BKAV-CA", "BkavCA.dll"), ("BKAV-CA", "BkavCAv2S.dll"),
    ("FPT-CA", "fpt-ca.dll"), ("FPT-CA", "fptca_v3.dll"),
    ("CA2 (Nacencomm)", "CA2_csp11.dll"), ("CA2 (Nacencomm)", "ShuttleCsp11_3003.dll"),
    ("SafeNet eToken", "eTPKCS11.dll"), ("Feitian ePass2003", "eps2003csp11.dll"),
)


def find_pkcs11_libraries(folders: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """(issuer, path) of the known token libraries present in ``folders`` (default: Windows' System32)."""

    if folders is None:
        root = os.environ.get("SystemRoot") or os.environ.get("WINDIR") or r"C:\Windows"
        folders = [os.path.join(root, "System32")]
    found = []
    for folder in folders:
        try:
            present = {name.lower(): name for name in os.listdir(folder)}
        except OSError:
            continue
        for issuer, name in KNOWN_PKCS11_LIBRARIES:
            if name.lower() in present:
                found.append((issuer, os.path.join(folder, present[name.lower()])))
    return found
