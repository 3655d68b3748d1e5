"""The `bounceback` command line: thin commands that parse options and call one function.

May import every other part of bounceback; nothing imports it.
"""
