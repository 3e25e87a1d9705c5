"""switchex: a local gateway that keeps Claude Code working through a chain of models."""

__version__ = "0.1.0"
