"""`python -m bdhvs_desktop.cli`."""
import sys

from bdhvs_desktop.cli import main

sys.exit(main())
