"""`python -m benchmarks [--quick] [--json FILE] ...`: the harness of `make bench`.

`--quick` measures the same figures on a 50,000-visit database (built once and cached
like the million-visit one) with fewer repetitions, in under two minutes once built.
"""

import sys

from benchmarks.run import main

if __name__ == "__main__":
    sys.exit(main())
