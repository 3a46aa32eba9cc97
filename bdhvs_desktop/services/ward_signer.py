"""Whether the certificate that signed a ward's package is the ward's own: its subject must name the
ward, as whole words, with the ward's kind written in full or abbreviated (services/province_check.py
refuses a package signed by anyone else when the province trusts a CA)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bdhvs_desktop.domain.text import fold

_WARD_KINDS = ("phuong", "xa", "thi tran", "dac khu")
#: How a certificate may write the kind: in full, or abbreviated ("UBND P. Tân An", "UBND TT. Liên Nghĩa").
_KIND_SPELLINGS = {"phuong": r"(?:phuong\s+|p\.\s*)", "xa": r"(?:xa\s+|x\.\s*)",
                   "thi tran": r"(?:thi\s+tran\s+|tt\.\s*)", "dac khu": r"(?:dac\s+khu\s+)"}
_SEPARATOR = r"(?=\s*(?:$|[,;:()/|\-\u2013]))"


def signer_is_ward(subject_names: Sequence[str], ward_name: str) -> bool:
    """Whether a certificate's subject names the ward: one of its names (common name, organisation,
    unit) contains the ward's name, with its kind when the ward's name has one ("phường La Gi"),
    as whole words ending the name or followed by a separator ("…phường Tân An, tỉnh …" names
    Tân An; "…phường Tân An Hội" and "…phường 12" do not name Tân An or Phường 1)."""
    ward = fold(ward_name)
    kind = next((k for k in _WARD_KINDS if ward.startswith(k + " ")), "")
    core = ward[len(kind):].strip()
    if not core:
        return False
    lead = _KIND_SPELLINGS[kind] if kind else "(?:" + "|".join(_KIND_SPELLINGS.values()) + ")?"
    pattern = re.compile(r"(?<![a-z0-9])" + lead + re.escape(core).replace(r"\ ", r"\s+") + _SEPARATOR)
    return any(pattern.search(fold(n)) for n in subject_names if n)
