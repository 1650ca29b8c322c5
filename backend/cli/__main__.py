"""``python -m backend.cli``: the same as the ``scalescope`` command."""

import sys

from backend.cli import main

sys.exit(main())
