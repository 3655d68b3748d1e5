"""Persistence only: SQLAlchemy 2 models, data functions split by noun, Alembic migrations.

Every data function takes `*, session` and never commits: callers own transactions. Must
not import nlp, flows, Prefect, imap-tools or smtplib.
"""
