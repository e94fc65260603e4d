"""Fixtures shared by the tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Union

import pytest

from .helpers import write_tree


@pytest.fixture(autouse=True, scope="session")
def _own_cache(tmp_path_factory):
    """dlint's cache (the command line's) in a folder of the test session: never the user's."""
    os.environ["DLINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("dlint-cache"))


@pytest.fixture
def tree(tmp_path):
    def make(files: Dict[str, Union[str, bytes]]) -> Path:
        return write_tree(tmp_path, files)

    return make
