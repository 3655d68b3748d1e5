"""Package discovery for setuptools (the rest of the metadata is in pyproject.toml).

bounceback installs as one import package whose parts live in four folders: its root in
src/bounceback/, and flows/, nlp/ and storage/ at the repository root. Every folder below
them is listed as a package, data folders included (models, corpus, templates,
migrations), so setuptools installs their files without warning about each one.
"""

from setuptools import find_namespace_packages, setup

ROOTS = {
    "bounceback": "src/bounceback",
    "bounceback.flows": "flows",
    "bounceback.nlp": "nlp",
    "bounceback.storage": "storage",
}
SKIP = ["__pycache__", "*.__pycache__", "*.__pycache__.*", "*.egg-info"]


def packages() -> list[str]:
    found = []
    for name, folder in ROOTS.items():
        found.append(name)
        found += [f"{name}.{sub}" for sub in find_namespace_packages(folder, exclude=SKIP)]
    return sorted(set(found))


setup(
    packages=packages(),
    package_dir=ROOTS,
    package_data={"": ["*"]},
    exclude_package_data={"": ["*.pyc", "*.pyo"]},
)
