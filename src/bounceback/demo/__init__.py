"""`bounceback demo`: loopback mail servers, the bundled sample mailbox, and the demo run.

Uses the real flows, mail and storage code; must not import cli or review.
"""
