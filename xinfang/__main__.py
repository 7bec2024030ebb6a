import sys

from xinfang.cli import main

sys.exit(main())
