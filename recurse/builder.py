"""Deprecated: this module is now :mod:`recurse.model.builder`; the old path works until the next release."""

from recurse._moved import moved

__getattr__ = moved(__name__, "recurse.model.builder")

from recurse.model.builder import *  # noqa: E402, F403
