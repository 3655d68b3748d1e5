"""`python -m bounceback` runs the command line."""

from bounceback.flows.cli import main

main()
