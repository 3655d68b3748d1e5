"""The local review page: a small web app to check what the model extracted and correct it.

Serves on loopback only; reads and writes through storage, uses nlp for skill names. Must
not import flows, mail, digest or cli.
"""
