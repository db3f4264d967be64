"""Deprecated: this module is now :mod:`recurse.hub.source`; the old path works until the next release."""

from recurse._moved import moved

__getattr__ = moved(__name__, "recurse.hub.source")

from recurse.hub.source import *  # noqa: E402, F403
