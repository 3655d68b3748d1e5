"""The language layer: mail parsing, labels, employers, roles, gaps, postings; training too.

Pure: text in, typed records out. Must not import storage, flows, Prefect, imap-tools,
smtplib or SQLAlchemy.
"""
