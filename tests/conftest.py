"""Fixtures shared by the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Union

import pytest

from .helpers import write_tree


@pytest.fixture
def tree(tmp_path):
    def make(files: Dict[str, Union[str, bytes]]) -> Path:
        return write_tree(tmp_path, files)

    return make
