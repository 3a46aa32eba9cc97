"""Entry point of the frozen command line `bdhvs(.exe)` (a console program beside the
desktop program in the same folder)."""

import sys

from bdhvs_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
