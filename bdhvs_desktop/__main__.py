"""`python -m bdhvs_desktop` opens the desktop program."""

import sys

from bdhvs_desktop.gui.app import main

if __name__ == "__main__":
    sys.exit(main())
