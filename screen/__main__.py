import sys

from screen.cli import main

sys.exit(main())
