"""Start-up cost: `bounceback --help` and `classify` load no Prefect, SQLAlchemy or Alembic.

Each case runs the real command in a fresh interpreter (imports are per process, so an
in-process runner would see whatever earlier tests loaded) and lists the heavy packages
it ended with in sys.modules. Re-adding an eager import to a command module fails here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "src" / "bounceback" / "demo" / "samples"
#: Packages only commands that use the database or run flows may load.
HEAVY = ("prefect", "sqlalchemy", "alembic")
#: Runs the console script's entry point with argv, then prints the heavy packages loaded.
RUNNER = """
import sys
sys.argv = ["bounceback", *sys.argv[1:]]
from bounceback.cli.app import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(HEAVY))
sys.stderr.write("LOADED " + ",".join(loaded) + "\\n")
sys.exit(code)
"""


def run_cli(
    *args: str, home: Path, database_url: str | None = None
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """The command's result, and the heavy packages its process had imported at the end."""
    env = {**os.environ, "BOUNCEBACK_HOME": str(home)}
    env.pop("BOUNCEBACK_DATABASE_URL", None)
    if database_url:
        env["BOUNCEBACK_DATABASE_URL"] = database_url
    code = f"HEAVY = {HEAVY!r}\n{RUNNER}"
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("LOADED ")]
    return result, [name for name in line.removeprefix("LOADED ").split(",") if name]


@pytest.mark.parametrize("args", [["--help"], ["classify", "--help"]])
def test_help_loads_no_database_or_prefect(args: list[str], tmp_path: Path) -> None:
    result, loaded = run_cli(*args, home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert "Usage: bounceback" in result.stdout
    assert loaded == []


def test_classify_an_eml_loads_no_database_or_prefect(tmp_path: Path) -> None:
    sample = SAMPLES / "04-rejection-harrowgate-energy.eml"
    result, loaded = run_cli("classify", str(sample), home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    (item,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert item["id"] == sample.stem and "rejection" in item["labels"]
    assert loaded == []


def test_the_check_sees_a_command_that_uses_the_database(tmp_path: Path) -> None:
    """The probe itself works: `status` opens the database, so SQLAlchemy shows up."""
    result, loaded = run_cli("status", "--json", home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert "sqlalchemy" in loaded


def test_a_database_error_is_still_one_line(tmp_path: Path) -> None:
    """friendly_errors looks SQLAlchemy's error up lazily; it must still catch it."""
    result, loaded = run_cli(
        "status",
        home=tmp_path / "home",
        database_url="postgresql+psycopg://nobody:x@127.0.0.1:1/none",
    )
    assert result.returncode == 1
    (line,) = [x for x in result.stderr.splitlines() if not x.startswith("LOADED ")]
    assert line.startswith("bounceback: the database could not be used (")
    assert "127.0.0.1" in line and "Traceback" not in result.stderr
    assert "sqlalchemy" in loaded
