"""Packages of the distribution (the rest is in pyproject.toml): mock_server's own, found, so a new subpackage ships
by itself, and the top-level openapi/ and fixtures/ folders, left where they are and shipped as the data packages
mock_server.data.openapi and mock_server.data.fixtures (pyproject.toml's package-dir; mock_server/app.py's ROOT
finds them there in an installed copy)."""

from setuptools import find_namespace_packages, setup

setup(packages=[*find_namespace_packages(include=["mock_server", "mock_server.*"], exclude=["*__pycache__*"]),
                "mock_server.data.openapi", "mock_server.data.fixtures"])
