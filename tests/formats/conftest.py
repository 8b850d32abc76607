"""The command-line fixtures, for the format tests that run ``digestconv``."""

from tests.cli.conftest import cli, run

__all__ = ["cli", "run"]
