"""The ``recurse`` command line: thin click commands over library functions."""
