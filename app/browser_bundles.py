"""Lighter browser bundles served in place of two of Dash's, when they have been fetched.

A first visit to a plot page spends most of its time running JavaScript, and two of Dash's
files are larger than the pages need:

- plotly.js: Dash serves the full bundle (4.8 MB, every trace type; about 0.7 s to run on this
  project's 2-core machine). The pages draw only ``scatter`` and ``scattergl`` traces, which
  plotly.js's own ``gl2d`` distribution holds (scatter, scattergl, splom, parcoords; 1.5 MB),
  at the same version as the full bundle;
- ``@babel/polyfill``: ES2015+ polyfills for old browsers (about 0.3 s to run). Of it, Dash's
  bundles need only the ``regeneratorRuntime`` global (their async component loaders are
  compiled generators), which the ``regenerator-runtime`` package defines on its own.

``python -m app.browser_bundles fetch`` (run by ``scripts/setup-env``; the web image runs it
while it is built) takes both files from the npm registry with ``npm pack`` at pinned versions,
checks each file's SHA-256 and writes it to ``app/frontend_bundles/`` (git-ignored).
:func:`replacements` hands them to :class:`app.static_files.CompressStatic` only when the file
is there, matches its pin and fits the installed packages (the plotly.js version of the
``plotly`` package, the polyfill path of Dash's renderer); otherwise Dash's own files are
served, so a machine without npm still serves every page, only slower.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

SUITES = "/_dash-component-suites/"


@dataclass(frozen=True)
class Bundle:
    """One file from an npm package, served at the unfingerprinted path of a Dash file."""

    name: str  # the file's name in the bundles folder
    package: str
    version: str
    member: str  # the file's path inside the package's tarball
    sha256: str
    replaces: str  # Dash's path, without its fingerprint

    @property
    def spec(self) -> str:
        return f"{self.package}@{self.version}"


BUNDLES = (
    Bundle(
        name="plotly-gl2d.min.js",
        package="plotly.js",
        version="4.1.1",
        member="package/dist/plotly-gl2d.min.js",
        sha256="3db1f8ca5c906266bd6ab2eeeef9e3c1e3f45c5844529657c3525ec2ad7c77e4",
        replaces=SUITES + "plotly/package_data/plotly.min.js",
    ),
    Bundle(
        name="regenerator-runtime.js",
        package="regenerator-runtime",
        version="0.14.1",
        member="package/runtime.js",
        sha256="7beda998b3fd277f3548e12b277bafc3037d243421f007032d38dffee412224c",
        replaces=SUITES + "dash/deps/polyfill@7.12.1.min.js",
    ),
)


def bundles_dir() -> Path:
    """Where fetched bundles live: ``frontend_bundles/`` beside this module (in a checkout or
    an installed ``app`` package alike)."""
    return Path(__file__).resolve().parent / "frontend_bundles"


def unfingerprinted(path: str) -> str:
    """``path`` without the version Dash writes into its bundles' file names
    (``plotly.v7_1_0m1.min.js`` -> ``plotly.min.js``)."""
    from dash.fingerprint import check_fingerprint

    if not path.startswith(SUITES):
        return path
    original, _ = check_fingerprint(path[len(SUITES) :])
    return SUITES + original


def fits_installed(bundle: Bundle) -> bool:
    """Whether ``bundle`` can stand in for the installed Dash file it replaces."""
    if bundle.package == "plotly.js":
        import plotly

        with open(Path(plotly.__file__).parent / "package_data" / "plotly.min.js", "rb") as js:
            head = js.read(400)  # the banner; the file is 4.8 MB
        found = re.search(rb"plotly\.js v(\d+\.\d+\.\d+)", head)
        return found is not None and found.group(1).decode() == bundle.version
    if bundle.package == "regenerator-runtime":
        from dash import _dash_renderer

        paths = [dep.get("relative_package_path") for dep in _dash_renderer._js_dist_dependencies]
        return bundle.replaces.removeprefix(SUITES + "dash/") in str(paths)
    return False


def replacements(folder: Path | None = None, bundles=BUNDLES) -> dict[str, bytes]:
    """Dash path -> content of each fetched bundle that matches its pin and fits the installed
    packages (the others are left to Dash, with a warning naming why)."""
    folder = bundles_dir() if folder is None else folder
    found: dict[str, bytes] = {}
    for bundle in bundles:
        path = folder / bundle.name
        if not path.is_file():
            continue
        content = path.read_bytes()
        if hashlib.sha256(content).hexdigest() != bundle.sha256:
            log.warning("%s does not match %s's pinned SHA-256; serving Dash's", path, bundle.spec)
        elif not fits_installed(bundle):
            log.warning("%s does not fit the installed packages; serving Dash's", bundle.spec)
        else:
            found[bundle.replaces] = content
    return found


def npm_pack(spec: str, destination: Path) -> Path:
    """Download ``spec``'s tarball from the npm registry into ``destination``."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed")
    done = subprocess.run(
        [npm, "pack", spec, "--pack-destination", str(destination), "--silent"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"npm pack {spec} failed: {done.stderr.strip()[-500:]}")
    return destination / done.stdout.strip().splitlines()[-1]


def extract(bundle: Bundle, tarball: Path, folder: Path) -> Path:
    """Write ``bundle``'s file from ``tarball`` into ``folder`` after checking its SHA-256;
    raises ``ValueError`` (and writes nothing) when the file is missing or differs."""
    with tarfile.open(tarball) as archive:
        try:
            member = archive.extractfile(bundle.member)
        except KeyError:
            member = None
        if member is None:
            raise ValueError(f"{tarball.name} holds no file {bundle.member}")
        content = member.read()
    digest = hashlib.sha256(content).hexdigest()
    if digest != bundle.sha256:
        raise ValueError(
            f"{bundle.spec} {bundle.member}: SHA-256 {digest} is not the pinned {bundle.sha256}"
        )
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / bundle.name
    partial = target.with_suffix(".partial")
    partial.write_bytes(content)
    partial.replace(target)
    return target


def fetch(folder: Path | None = None, *, packed: Path | None = None, bundles=BUNDLES) -> None:
    """Fetch every bundle that is not in ``folder`` yet, from tarballs already in ``packed``
    (named as ``npm pack`` names them) or else with ``npm pack``."""
    folder = bundles_dir() if folder is None else folder
    for bundle in bundles:
        target = folder / bundle.name
        if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == bundle.sha256:
            continue
        if packed is not None:
            extract(bundle, packed / tarball_name(bundle), folder)
        else:
            with tempfile.TemporaryDirectory(prefix="scalescope-npm-") as tmp:
                extract(bundle, npm_pack(bundle.spec, Path(tmp)), folder)
        print(f"fetched {bundle.spec} -> {target}")


def tarball_name(bundle: Bundle) -> str:
    """The file name ``npm pack`` gives ``bundle``'s tarball."""
    return f"{bundle.package.replace('@', '').replace('/', '-')}-{bundle.version}.tgz"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fetch the lighter browser bundles.")
    parser.add_argument("command", choices=["fetch"])
    parser.add_argument("--dest", type=Path, default=None, help="default: app/frontend_bundles/")
    parser.add_argument("--packed", type=Path, default=None, help="a folder of npm tarballs")
    args = parser.parse_args(argv)
    try:
        fetch(args.dest, packed=args.packed)
    except (RuntimeError, ValueError, OSError, subprocess.TimeoutExpired) as error:
        print(f"browser bundles not fetched ({error}); Dash's own bundles will be served")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
