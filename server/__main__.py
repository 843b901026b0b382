"""`python -m server ...` runs the `rehearse` command from a checkout."""

from server.cli import run

run()
