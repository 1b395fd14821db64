"""``python -m iadsim.cli``."""

from iadsim.cli.app import main

main()
