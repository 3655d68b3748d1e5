"""An account's life: connecting it, its profile, exporting and forgetting its data.

Plain functions over storage and mail that take `*, sessions`; must not import flows,
cli, review or Prefect.
"""
