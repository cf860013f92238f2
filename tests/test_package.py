"""The package as a partner installs it: the sdist and the wheel built from this checkout carry the specs, fixtures,
templates and assets; the wheel installed in a fresh virtualenv outside the checkout serves from any directory,
keeping its state in ./var/sandbox.db there; and its pytest plugin runs examples/partner_tests against it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest
import requests

from contract_tests.support.served import free_port

ROOT = Path(__file__).resolve().parent.parent
LEASEY = {"Authorization": "Bearer lsy_sandbox_5f3c9a2e7b1d4c8f9a0e6b2d7c4f1a3e8b5d",
          "X-Company-Password": "sandbox-pass-123"}
CARRIED = ["openapi/leasey.yaml", "openapi/travtus.yaml", "openapi/sandbox.yaml", "fixtures/leasey.yaml",
           "fixtures/travtus.yaml", "mock_server/web/templates/index.html", "mock_server/web/templates/docs.html",
           "mock_server/web/static/docs.js", "mock_server/web/static/site.css"]
IN_THE_WHEEL = {"openapi/": "mock_server/data/openapi/", "fixtures/": "mock_server/data/fixtures/"}


def run(command: list, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result


def clean_environment() -> dict[str, str]:
    """No trace of this checkout's virtualenv, database or sandbox settings."""
    return {key: value for key, value in os.environ.items()
            if key not in ("VIRTUAL_ENV", "PYTHONPATH", "DATABASE_URL", "SANDBOX_URL", "SANDBOX_ADMIN_TOKEN")}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The sdist, and the wheel `python -m build` makes from it, from a copy of the checkout's files."""
    work = tmp_path_factory.mktemp("package")
    source = work / "source"
    listed = run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT).stdout.splitlines()
    for name in listed:
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    run([sys.executable, "-m", "build", "--outdir", work / "dist", source], env=clean_environment())
    return {"sdist": next((work / "dist").glob("*.tar.gz")), "wheel": next((work / "dist").glob("*.whl")),
            "work": work}


@pytest.fixture(scope="module")
def installed(built) -> Path:
    """A fresh virtualenv outside the checkout with the wheel (and pytest, for the plugin) installed: its bin/."""
    venv = built["work"] / "venv"
    run([sys.executable, "-m", "venv", venv])
    run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", built["wheel"]],
        env=clean_environment())
    return venv / "bin"


def test_the_sdist_and_the_wheel_carry_the_specs_fixtures_templates_and_assets(built):
    with tarfile.open(built["sdist"]) as sdist:
        top = sdist.getnames()[0].split("/")[0]
        in_sdist = {name.removeprefix(f"{top}/") for name in sdist.getnames()}
    with zipfile.ZipFile(built["wheel"]) as wheel:
        in_wheel = set(wheel.namelist())
    for name in CARRIED:
        assert name in in_sdist, name
        in_package = next((name.replace(old, new, 1) for old, new in IN_THE_WHEEL.items() if name.startswith(old)), name)
        assert in_package in in_wheel, in_package
    with zipfile.ZipFile(built["wheel"]) as wheel:
        assert wheel.read("mock_server/data/openapi/leasey.yaml") == (ROOT / "openapi" / "leasey.yaml").read_bytes()
        entry_points = next(n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt"))
        assert "partner_sandbox = mock_server.pytest_plugin" in wheel.read(entry_points).decode()


def test_the_installed_command_serves_from_any_directory_with_its_state_in_var(installed, tmp_path):
    help_text = run([installed / "mock-server", "serve", "--help"], cwd=tmp_path).stdout
    assert "./var/sandbox.db" in " ".join(help_text.split())
    port = free_port()
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen([installed / "mock-server", "serve", "--port", str(port), "--workers", "1"], cwd=tmp_path,
                              stdout=log, stderr=subprocess.STDOUT, env=clean_environment(), start_new_session=True)
    try:
        response = None
        for _ in range(600):
            try:
                response = requests.get(f"http://127.0.0.1:{port}/leasey/reports/properties?company_id=123",
                                        headers=LEASEY, timeout=5)
                break
            except requests.ConnectionError:
                assert server.poll() is None, (tmp_path / "server.log").read_text()
                time.sleep(0.1)
        assert response is not None and response.status_code == 200, (tmp_path / "server.log").read_text()
        assert len(response.json()) == 34
        assert (tmp_path / "var" / "sandbox.db").is_file()
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def test_the_runtime_needs_none_of_the_test_extras(built):
    with zipfile.ZipFile(built["wheel"]) as wheel:
        metadata = wheel.read(next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    runtime = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:") and "extra ==" not in line]
    assert runtime and not any(name in line for line in runtime for name in ("pytest", "requests", "schemathesis"))


def test_the_partner_example_runs_with_the_plugin_of_the_installed_wheel(installed, tmp_path):
    run([installed / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "pytest==9.2.0"],
        env=clean_environment())
    example = tmp_path / "partner_tests"
    shutil.copytree(ROOT / "examples" / "partner_tests", example)

    result = run([installed / "python", "-m", "pytest", "-p", "no:cacheprovider", "-q"], cwd=example,
                 env=clean_environment())

    assert "6 passed" in result.stdout, result.stdout
