"""Deprecated: this module is now :mod:`recurse.model.refiner`; the old path works until the next release."""

from recurse._moved import moved

__getattr__ = moved(__name__, "recurse.model.refiner")

from recurse.model.refiner import *  # noqa: E402, F403
