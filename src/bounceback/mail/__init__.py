"""Mail transport and credentials: the read-only IMAP reader, SMTP sending, OAuth2 and secrets.

Owns every conversation with a mail server and every secret lookup, and returns frozen
dataclasses. Must not import storage, flows, digest, review or cli; Prefect only to read
a Secret block.
"""
