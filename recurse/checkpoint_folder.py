"""Deprecated: this module is now :mod:`recurse.checkpoints.run_folder`; the old path works until the next release."""

from recurse._moved import moved

__getattr__ = moved(__name__, "recurse.checkpoints.run_folder")

from recurse.checkpoints.run_folder import *  # noqa: E402, F403
