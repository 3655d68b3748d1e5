"""The weekly digest: what goes in it (collect), how it reads (build, playbook, charts).

The builder is pure: records in, a rendered email out; `collect` reads storage and `render`
composes the MIME message with mail.message. Must not import flows, cli or Prefect.
"""
