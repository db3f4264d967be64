"""Deprecated: this module is now :mod:`recurse.inference.verification`; the old path works until the next release."""

from recurse._moved import moved

__getattr__ = moved(__name__, "recurse.inference.verification")

from recurse.inference.verification import *  # noqa: E402, F403
