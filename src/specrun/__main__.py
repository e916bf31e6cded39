"""``python -m specrun``."""

import sys

from .cli import main

sys.exit(main())
