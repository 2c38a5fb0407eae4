"""Generate each notebook's prev/contents/next links and the index's table of contents.

    python scripts/navigation.py           # rewrite the generated cells
    python scripts/navigation.py --check   # exit 1 if any generated cell is stale

Notebooks are ordered by their number prefix. Each one's title is the first ``# `` heading in its
first non-navigation markdown cell (``course.series.title_of``).
"""

import sys

from course.generated import check_or_write
from course.navigation import update

if __name__ == "__main__":
    sys.exit(check_or_write(update, "navigation", "python scripts/navigation.py", __doc__.splitlines()[0]))
