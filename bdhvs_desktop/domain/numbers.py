"""The one Vietnamese number formatter: "." between thousands, "," before decimals
(``1.234.567,5``), halves rounded up, used by the documents (documents/vn_format re-exports it),
the rules' messages, the screens and the command line alike (issue #12: nine formatters were
one too many, and they disagreed on thousands and rounding)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from numbers import Number


def to_decimal(value: Number | str) -> Decimal:
    """A number as a Decimal, a float by its shortest repr (0.1 stays 0.1)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        return Decimal(value)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"không phải là số: {value!r}") from exc


def _group(digits: str) -> str:
    out = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return ".".join(out)


def vn_number(value: Number | str | None, decimals: int | None = None, *, places: int = 2) -> str:
    """``1234567`` -> ``"1.234.567"``; ``1234.5`` -> ``"1.234,5"``.

    *decimals* rounds half up to that many places and keeps trailing zeros; when it is
    ``None`` the value is rounded half up to *places* (2) and trailing zeros are dropped.
    ``None`` gives ``""``.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        raise ValueError("không phải là số: bool")
    dec = to_decimal(value)
    if not dec.is_finite():
        raise ValueError(f"không phải là số: {value!r}")
    digits = places if decimals is None else decimals
    # enough precision for every digit kept (the default context's 28 overflow on 10**27)
    context = Context(prec=max(28, dec.adjusted() + digits + 2))
    dec = dec.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP, context=context)
    sign = "-" if dec < 0 else ""
    text = f"{dec.copy_abs():f}"  # abs() would round to the default context's 28 digits
    whole, _, frac = text.partition(".")
    if decimals is None:
        frac = frac.rstrip("0")
    if sign and int(whole or "0") == 0 and not frac.strip("0"):
        sign = ""  # no "-0"
    return sign + _group(whole) + ("," + frac if frac else "")


def vn_measure(value: float | None, kind: str = "count") -> str:
    """A target's value as the status lists show it: one decimal at most, "%" for a percentage,
    "—" when there is no value (the screens and `bdhvs status` alike)."""
    if value is None:
        return "—"
    return vn_number(value, places=1) + ("%" if kind == "percent" else "")
