"""Write the files that are generated from another file (course/generated.py says which, from what).

    python scripts/generate.py           # rewrite every stale generated file
    python scripts/generate.py --check   # exit 1 if any generated file is stale
"""

import sys

from course.generated import check_or_write, update

if __name__ == "__main__":
    sys.exit(check_or_write(update, "generated files", "python scripts/generate.py", __doc__.splitlines()[0]))
