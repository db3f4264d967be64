"""End-to-end tests that drive the installed ``recurse`` command."""
