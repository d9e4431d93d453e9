import sys

from mura_core.cli import main

sys.exit(main())
