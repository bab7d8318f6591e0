import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'topologies'))


def pytest_sessionstart(session):
    if os.geteuid() != 0:
        pytest.exit('Mininet tests need root (network namespaces, OVS, tc)', returncode=2)
