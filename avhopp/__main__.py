"""`python -m avhopp` is the `avhopp` command."""

from avhopp.cli import main

main()
