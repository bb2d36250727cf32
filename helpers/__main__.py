"""``python -m helpers``: the course's one command line (:mod:`helpers.course.cli`)."""

import sys

from .course.cli import main

if __name__ == "__main__":
    sys.exit(main())
