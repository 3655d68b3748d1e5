"""`python -m bounceback` runs the command line."""

from bounceback.cli.app import main

main()
