"""Packaging beyond pyproject.toml (which holds everything else): the checkout's top-level
``migrations/`` and ``frontend_assets/`` folders ship inside the installed packages, as
``backend.migrations`` and ``app.frontend_assets``, so a wheel or ``pip install .`` runs
exactly like the checkout (see ``backend.resources``)."""

from setuptools import find_packages, setup

SHIPPED_FOLDERS = {
    "backend.migrations": "migrations",
    "backend.migrations.versions": "migrations/versions",
    "app.frontend_assets": "frontend_assets",
}

setup(
    packages=find_packages(include=["backend", "backend.*", "app", "app.*"])
    + list(SHIPPED_FOLDERS),
    package_dir=SHIPPED_FOLDERS,
)
