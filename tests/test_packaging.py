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
