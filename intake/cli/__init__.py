"""The ``intake`` command: the argument parser and one thin module per subcommand."""

from intake.cli.parser import build_parser, main, name_of

__all__ = ["build_parser", "main", "name_of"]
