"""``python -m cellctl``: the same as the ``cellctl`` console script."""

import sys

from cellctl.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
