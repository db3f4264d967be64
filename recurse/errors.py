"""Errors meant for users. The CLI prints them as one line; anything else is a bug and keeps its traceback."""


class RecurseError(Exception):
    """Base of every error whose message tells the user what is wrong and what to do."""


class CheckpointError(RecurseError):
    """A checkpoint that is missing, corrupt, of the wrong kind, or does not match its config."""


class ConversionError(RecurseError):
    """An official checkpoint or config that cannot be mapped onto a recurse model."""


class ConfigError(RecurseError):
    """An invalid config, recipe or override."""
