"""Errors meant for users. The CLI prints them as one line; anything else is a bug and keeps its traceback.

Every error raised on bad user input (a puzzle, a config, a checkpoint, an option, a file) is a subclass of
``RecurseError``, so a caller of the Python API can catch ``RecurseError`` and know the message is for people.
"""


class RecurseError(Exception):
    """Base of every error whose message tells the user what is wrong and what to do."""


class CheckpointError(RecurseError):
    """A checkpoint that is missing, corrupt, of the wrong kind, or does not match its config."""


class ConversionError(RecurseError):
    """An official checkpoint or config that cannot be mapped onto a recurse model."""


class ConfigError(RecurseError):
    """An invalid config, recipe, override or option value (including a bad device, threshold or batch size)."""


class ResourceError(ConfigError):
    """A setting whose estimated memory or time is far beyond what this machine can give (say, max_steps=1e9)."""


class DatasetError(RecurseError):
    """A dataset folder or a Hub dataset that is missing, corrupt, or cannot be built where it was asked to be
    (say, a folder of the user's that is not a dataset recurse built)."""


class TaskDefinitionError(RecurseError):
    """A task class that cannot work as defined (say, more values than byte-sized tokens hold, or no
    positions): raised when the task is constructed, and by the task-contract tests."""


class PuzzleFormatError(RecurseError):
    """A puzzle's text that cannot be parsed, or a puzzle that breaks the task's rules."""


class InputFileError(RecurseError):
    """A user's input file that cannot be read: missing, unreadable, a folder, or not UTF-8 text."""


def check_flag(name: str, value: object) -> bool:
    """``value`` if it is True or False; anything else (``"yes"``, ``1``, ``None``) is a ``ConfigError``, so a
    switch that guards a safety check is never turned on by a truthy stand-in."""
    if not isinstance(value, bool):
        raise ConfigError(f"{name} is True or False, got {value!r}")
    return value


def one_line(message: object, limit: int = 300) -> str:
    """The first line of ``message``, shortened: user input echoed back in a message can be long or binary."""
    text = str(message).removeprefix("Value error, ").strip()
    line = text.splitlines()[0] if text else "(no message)"
    return line if len(line) <= limit else line[: limit - 1] + "…"


__all__ = [
    "CheckpointError",
    "ConfigError",
    "ConversionError",
    "DatasetError",
    "InputFileError",
    "PuzzleFormatError",
    "RecurseError",
    "ResourceError",
    "TaskDefinitionError",
    "check_flag",
    "one_line",
]
