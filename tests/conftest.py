"""Shared fixtures. The published datasets are read from $SCORECAST_DATA (CI sets it to
../shared/data); when it is not set and that folder exists beside the checkout, it is used."""

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
if "SCORECAST_DATA" not in os.environ and SHARED_DATA.is_dir():
    os.environ["SCORECAST_DATA"] = str(SHARED_DATA)

HERE = Path(__file__).resolve().parent


@pytest.fixture
def fixture_path():
    """Path of a hand-written file in tests/data."""
    return lambda name: HERE / "data" / name


@pytest.fixture
def write(tmp_path):
    """Write `text` to a file in a temporary folder and return its path."""

    def _write(name, text, encoding="utf-8"):
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding=encoding, newline="")
        return path

    return _write
