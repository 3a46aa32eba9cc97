"""What several command groups read and say the same way before and after calling a service (issue
#12: one preamble, not one per command module): an optional date argument, the folder a dossier is
written into, the services' refusals turned into the command line's exit codes, and the lines that
list a dossier folder once written.

    at = optional_date(args.at)
    with exit_codes(usage=(FormSetError, FileInUseError), error=(DossierError,)):
        outcome = generate_dossier(ctx.db(create=False), dossier_folder(args.out), at=at)
    print_folder(ctx, "Hồ sơ khen thưởng", outcome)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bdhvs_desktop.cli import EXIT_ERROR, EXIT_USAGE, CliError
from bdhvs_desktop.cli.export import parse_date_arg


def optional_date(text: str | None) -> dt.date | None:
    """A date argument (--at, --date) that may be left out: None then; YYYY-MM-DD or DD/MM/YYYY
    otherwise (a CliError with exit code 2 when it is neither)."""
    return parse_date_arg(text) if text else None


def dossier_folder(out: str | Path) -> Path:
    """The folder a dossier is written into: created or updated, never an existing file."""
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise CliError(f"“{path}” là một tệp, không phải thư mục.", EXIT_USAGE)
    return path


@contextmanager
def exit_codes(*, usage: tuple[type[BaseException], ...] = (),
               error: tuple[type[BaseException], ...] = ()) -> Iterator[None]:
    """The refusals a command expects, said with their (Vietnamese) message: `usage` ones (a bad
    argument, a file that cannot be used) exit with 2, `error` ones (errors in the data) with 1."""
    try:
        yield
    except usage as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    except error as exc:
        raise CliError(str(exc), EXIT_ERROR) from exc


def print_folder(ctx, kind: str, outcome) -> None:
    """The first lines after writing a dossier folder: what it is, its form set and folder, then
    each file and the manifest."""
    ctx.out(f"{kind} (bộ mẫu {outcome.form_set}): {outcome.folder}")
    for f in outcome.files:
        ctx.out(f"  {f.name}")
    ctx.out(f"  {outcome.manifest.name}")
