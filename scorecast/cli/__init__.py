"""The ``scorecast`` command line: a thin layer over the library."""
