"""Converting .docx to PDF with LibreOffice headless (pitfalls #13), many files in one call.

Starting LibreOffice costs 1-3 s, converting a page of a dossier a fraction of that: all the
files of an export are converted by **one** ``soffice --convert-to pdf`` call. Each call has
its own private profile folder (``-env:UserInstallation``), so it neither waits for nor
disturbs a LibreOffice the user has open, and is killed after a timeout or when cancelled.
``soffice`` is looked for in ``BDHVS_SOFFICE``, on PATH, then in the usual Windows folders.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ["ConversionCancelled", "ConversionError", "LibreOfficeMissing", "convert_bytes_to_pdf", "convert_to_pdf", "find_soffice"]

#: Where LibreOffice installs itself on Windows (64- and 32-bit).
WINDOWS_FOLDERS = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)
DEFAULT_TIMEOUT = 600.0  # seconds for one batch; a dossier of 100 documents takes ~1 min


class ConversionError(Exception):
    """A .docx could not be converted to PDF; the message is Vietnamese."""


class ConversionCancelled(ConversionError):
    def __init__(self) -> None:
        super().__init__("Đã hủy việc chuyển tài liệu sang PDF.")


class LibreOfficeMissing(ConversionError):
    def __init__(self) -> None:
        super().__init__(
            "Không tìm thấy LibreOffice (soffice) để chuyển tài liệu .docx sang PDF. Hãy cài LibreOffice "
            "(trên Windows: thư mục C:\\Program Files\\LibreOffice), hoặc đặt biến môi trường BDHVS_SOFFICE "
            "là đường dẫn đến soffice, rồi thử lại.")


#: Where `bdhvs package export` and `bdhvs signing` read a PIN or password (cli/package.py, cli/signing.py).
_SECRET_VARIABLES = frozenset({"BDHVS_TOKEN_PIN", "BDHVS_SIGN_PIN", "BDHVS_P12_PASSPHRASE", "BDHVS_P12_PASSWORD"})


def find_soffice() -> str | None:
    """The path of LibreOffice's ``soffice``, or None."""
    explicit = os.environ.get("BDHVS_SOFFICE")
    if explicit and Path(explicit).is_file():
        return explicit
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    candidates = list(WINDOWS_FOLDERS)
    for var in ("PROGRAMFILES", "PROGRAMFILES(X86)", "PROGRAMW6432"):
        base = os.environ.get(var)
        if base:
            candidates.append(str(Path(base) / "LibreOffice" / "program" / "soffice.exe"))
    if sys.platform == "darwin":
        candidates.append("/Applications/LibreOffice.app/Contents/MacOS/soffice")
    for path in candidates:
        if Path(path).is_file():
            return path
    return None


def _kill(proc: subprocess.Popen) -> None:
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError, OSError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def convert_to_pdf(files: Sequence[Path | str], out_dir: Path | str, *, timeout: float = DEFAULT_TIMEOUT,
                   soffice: str | None = None, cancel: Callable[[], bool] | None = None) -> dict[Path, Path]:
    """Convert *files* (.docx) to PDF in *out_dir* with one LibreOffice call; returns source -> PDF.

    The file stems must be distinct (LibreOffice names each output ``<stem>.pdf``). Raises
    :class:`LibreOfficeMissing`, or :class:`ConversionError` naming the file that did not convert,
    on a timeout, or when *cancel* returns true.
    """
    sources = [Path(f).resolve() for f in files]
    if not sources:
        return {}
    stems = [p.stem for p in sources]
    if len(set(stems)) != len(stems):
        raise ConversionError("Các tệp cần chuyển sang PDF có tên trùng nhau; không thể chuyển cùng lúc.")
    exe = soffice or find_soffice()
    if exe is None:
        raise LibreOfficeMissing()
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="bdhvs-lo-"))
    cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nologo",
           "--nodefault", "--nolockcheck", "--convert-to", "pdf", "--outdir", str(out), *map(str, sources)]
    # LibreOffice does not inherit the signing PIN or password a script gave through the environment.
    env = {k: v for k, v in os.environ.items() if k.upper() not in _SECRET_VARIABLES}
    kwargs: dict = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "env": env}
    if os.name == "posix":
        kwargs["start_new_session"] = True  # so a timeout kills soffice.bin too
    else:
        kwargs["creationflags"] = getattr(subprocess, "CREATE_NO_WINDOW", 0)
    try:
        proc = subprocess.Popen(cmd, **kwargs)
        deadline = time.monotonic() + timeout
        while proc.poll() is None:
            if cancel is not None and cancel():
                _kill(proc)
                raise ConversionCancelled()
            if time.monotonic() > deadline:
                _kill(proc)
                raise ConversionError(f"LibreOffice không chuyển xong {len(sources)} tài liệu sang PDF trong "
                                      f"{int(timeout)} giây; đã dừng. Hãy thử lại hoặc đóng các cửa sổ LibreOffice.")
            time.sleep(0.1)
        _stdout, stderr = proc.communicate()
    except OSError as exc:
        raise ConversionError(f"Không chạy được LibreOffice ({exe}): {exc.strerror or exc}.") from exc
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    result: dict[Path, Path] = {}
    for src in sources:
        pdf = out / f"{src.stem}.pdf"
        if not pdf.is_file() or pdf.stat().st_size == 0:
            detail = (stderr or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or [f"mã thoát {proc.returncode}"]
            raise ConversionError(f"LibreOffice không chuyển được “{src.name}” sang PDF ({detail[0]}).")
        result[src] = pdf
    return result


def convert_bytes_to_pdf(documents: dict[str, bytes], *, timeout: float = DEFAULT_TIMEOUT,
                         cancel: Callable[[], bool] | None = None) -> dict[str, bytes]:
    """Convert in-memory .docx files (name -> bytes) to PDF bytes (same names) in one call."""
    if not documents:
        return {}
    with tempfile.TemporaryDirectory(prefix="bdhvs-pdf-") as tmp:
        folder = Path(tmp)
        # Numbered ASCII names: the callers' names may repeat a stem or hold any character.
        sources = {}
        for i, (name, blob) in enumerate(documents.items()):
            path = folder / "in" / f"{i:05d}.docx"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(blob)
            sources[path.resolve()] = name
        try:
            pdfs = convert_to_pdf(list(sources), folder / "out", timeout=timeout, cancel=cancel)
        except (LibreOfficeMissing, ConversionCancelled):
            raise
        except ConversionError as exc:
            text = str(exc)
            for path, name in sources.items():
                text = text.replace(path.name, name)
            raise ConversionError(text) from exc
        return {sources[src]: pdf.read_bytes() for src, pdf in pdfs.items()}
