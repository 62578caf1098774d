"""`python -m nasams_course` runs the command line."""

from nasams_course.cli import main

raise SystemExit(main())
