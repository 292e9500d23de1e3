"""`python -m osoto_bridge`: the same as the `osoto-bridge` command."""

import sys

from osoto_bridge.cli.main import main

sys.exit(main())
