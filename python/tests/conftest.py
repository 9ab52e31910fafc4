"""Shared by the tests of the Python module: the repository, the capsim binary to compare with,
and small models and experiments that run in a second or two."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(os.environ.get("CAPSIM_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BINARY = Path(os.environ.get("CAPSIM_BINARY", ROOT / "build" / "capsim"))
MM1 = ROOT / "models" / "mm1.json"
WEB_PEAK = ROOT / "models" / "web-peak.json"


def cli(*args, check=True):
    """Runs the capsim binary; returns the CompletedProcess (text)."""
    result = subprocess.run([str(BINARY)] + [str(a) for a in args], capture_output=True,
                            text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"capsim {args} exited {result.returncode}:\n{result.stderr}")
    return result


def cli_error(*args):
    """The message capsim prints for bad input (exit status 2), without "capsim: " and the
    "invalid model:" heading of a list of problems."""
    result = cli(*args, check=False)
    assert result.returncode == 2, result.stderr
    text = result.stderr
    assert text.startswith("capsim: ")
    text = text[len("capsim: "):]
    for heading in ("invalid model:\n", "invalid experiment:\n"):
        if text.startswith(heading):
            text = text[len(heading):]
    return text.rstrip("\n")


def without_performance(json_text):
    """A results document's text without its `performance` section (wall-clock figures)."""
    return re.sub(r',\n  "performance": \{[^{}]*\}', "", json_text)


@pytest.fixture(scope="session")
def binary():
    if not BINARY.is_file():
        pytest.fail(f"no capsim binary at {BINARY}: build it or set CAPSIM_BINARY")
    return BINARY


@pytest.fixture
def mm1_doc():
    with open(MM1, encoding="utf-8") as f:
        return json.load(f)
