"""The wheel holds every module and data file; nothing bare lands in site-packages."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIRS = {
    "bounceback": ROOT / "src" / "bounceback",
    "bounceback.flows": ROOT / "flows",
    "bounceback.nlp": ROOT / "nlp",
    "bounceback.storage": ROOT / "storage",
}

IMPORT_EVERYTHING = r"""
import importlib, json, pkgutil, sys
sys.path.insert(0, sys.argv[1])
from importlib.resources import files
import bounceback
assert bounceback.__file__.startswith(sys.argv[1]), bounceback.__file__
names = []
for info in pkgutil.walk_packages(bounceback.__path__, "bounceback."):
    if ".migrations" in info.name or info.name.endswith("__main__"):
        continue
    module = importlib.import_module(info.name)
    assert module.__file__.startswith(sys.argv[1]), (info.name, module.__file__)
    names.append(info.name)
from bounceback.nlp.analyzer import Analyzer
from bounceback.nlp.records import EmailText
analyzer = Analyzer.load()
invite = EmailText("1", "Interview invitation", "hr@x.test",
                   "We would like to invite you to interview on Monday.")
(result,) = analyzer.analyze([invite])
from bounceback.storage.db import upgrade
upgrade("sqlite:///" + sys.argv[2])
samples = [p.name for p in (files("bounceback.demo") / "samples").iterdir()
           if p.name.endswith(".eml")]
templates = [p.name for p in (files("bounceback.digest") / "templates").iterdir()]
print(json.dumps({"modules": names, "labels": list(result.labels), "samples": len(samples),
                  "templates": templates}))
"""


def source_modules() -> set[str]:
    found = set()
    for package, folder in PACKAGE_DIRS.items():
        for path in folder.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            relative = path.relative_to(folder).with_suffix("")
            parts = [p for p in relative.parts if p != "__init__"]
            found.add(".".join([package, *parts]))
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("bounceback-*.whl")
    return built


@pytest.mark.slow
def test_wheel_has_no_bare_top_level_packages(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"bounceback"}
    assert any(n.startswith("bounceback/nlp/models/labels/") for n in names)
    assert any(n.startswith("bounceback/storage/migrations/versions/0001") for n in names)


@pytest.mark.slow
def test_every_module_imports_from_the_wheel(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING, str(target), str(tmp_path / "w.db")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    import json

    report = json.loads(result.stdout.strip().splitlines()[-1])
    # walk_packages yields what is below ``bounceback``, not the package itself.
    assert set(report["modules"]) >= source_modules() - {"bounceback", "bounceback.__main__"}
    assert report["labels"] == ["interview"]
    assert report["samples"] >= 30
    assert {"digest.html.j2", "digest.txt.j2"} <= set(report["templates"])


@pytest.fixture(scope="module")
def fresh_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Python of a new venv with the wheel installed (not editable).

    Its dependencies come from this environment's site-packages through a .pth line, so
    nothing is downloaded; this environment's editable hook is not loaded there (a .pth
    inside a directory added by another .pth is never read), so `bounceback` can only come
    from the installed wheel.
    """
    import site

    venv = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
         str(wheel)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    (purelib,) = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    (Path(purelib) / "dependencies.pth").write_text(site.getsitepackages()[0] + "\n")
    return python


def _fresh_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOUNCEBACK_", "PREFECT_"))}
    env.pop("PYTHONPATH", None)
    return {**env, "BOUNCEBACK_HOME": str(tmp_path / "home"), **extra}


@pytest.mark.slow
def test_the_installed_wheel_runs_from_the_repository_root(
    fresh_venv: Path, tmp_path: Path
) -> None:
    """No folder at the root shadows the installed package (`python -m` puts the cwd first)."""
    env = _fresh_env(tmp_path)
    where = subprocess.run(
        [str(fresh_venv), "-c", "import bounceback.flows.poll as m; print(m.__file__)"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert where.returncode == 0, where.stderr[-2000:]
    assert str(fresh_venv.parents[1]) in where.stdout, where.stdout
    result = subprocess.run(
        [str(fresh_venv), "-m", "bounceback", "--help"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Usage: python -m bounceback" in result.stdout and "classify" in result.stdout


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_the_deployment_guide_deploys_from_the_repository_root(
    fresh_venv: Path, tmp_path: Path
) -> None:
    """`prefect deploy --all --prefect-file deployments/prefect.yaml`, as deployments/README.md says."""
    from prefect.settings import PREFECT_API_URL

    env = _fresh_env(
        tmp_path, PREFECT_API_URL=str(PREFECT_API_URL.value()), PREFECT_HOME=str(tmp_path / "ph")
    )

    def prefect(*args: str) -> str:
        done = subprocess.run(
            [str(fresh_venv), "-m", "prefect", *args],
            cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
        return done.stdout

    prefect("work-pool", "create", "bounceback", "--type", "process", "--overwrite")
    prefect("--no-prompt", "deploy", "--all", "--prefect-file", "deployments/prefect.yaml")
    listed = prefect("deployment", "ls")
    for name in ("bounceback-poll-dispatch/poll", "bounceback-poll/poll-batch",
                 "bounceback-digest-due/digest", "bounceback-retrain/retrain"):  # fmt: skip
        assert name in listed, listed
