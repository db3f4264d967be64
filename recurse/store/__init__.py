"""Dataset folders on disk in the official npy layout: reading splits, writing them, fetching source files.

This package sits below both ``recurse.data`` (which builds and samples datasets) and ``recurse.tasks``
(whose ARC task writes its own splits), and imports neither.
"""
