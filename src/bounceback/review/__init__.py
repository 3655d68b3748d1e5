"""The local review page: a small web app to check what the model extracted and correct it.

``app`` puts the guard in front of one router per view (``routes/``); ``screen`` reads
what a page shows, ``actions`` makes a change once per request id. Serves on loopback
only; reads and writes through storage, uses nlp for taxonomy, sentences and skill names.
Must not import flows, mail, digest, account or cli.
"""
