"""`python -m contentgen` runs the command line."""

from contentgen.cli import main

main()
