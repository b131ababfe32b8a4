"""``python -m intake``: the same as the ``intake`` console script."""

import sys

from intake.cli import main

sys.exit(main())
