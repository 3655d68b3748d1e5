"""The Prefect flows, their schedules and the plain steps they wrap (sync, analyse, outbox).

Flows are thin: `poll`, `digests` and `training` wire the tasks in `tasks`, and each task
wraps one plain step that is tested without Prefect. May import account, digest, mail,
nlp and storage; must not import cli, review or demo.
"""
