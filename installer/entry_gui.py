"""Entry point of the frozen desktop program `bdhvs-desktop(.exe)` (windowed on Windows).

PyInstaller needs a script file; this one only hands over to the package, so the frozen
program and `python -m bdhvs_desktop` run exactly the same code."""

import sys

from bdhvs_desktop.gui.app import main

if __name__ == "__main__":
    sys.exit(main())
