"""Deprecated: this module is now :mod:`recurse.model.carry`; the old path works until the next release."""

from recurse._moved import moved

__getattr__ = moved(__name__, "recurse.model.carry")

from recurse.model.carry import *  # noqa: E402, F403
