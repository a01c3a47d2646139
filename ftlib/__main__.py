import sys

from ftlib.cli import main

sys.exit(main())
