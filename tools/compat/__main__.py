import sys

from tools.compat.gate import main

sys.exit(main(sys.argv[1:]))
