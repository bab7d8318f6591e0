import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'topologies'))

import onos_testbed as onos  # noqa: E402


def pytest_sessionstart(session):
    if os.geteuid() != 0:
        pytest.exit('Mininet tests need root (network namespaces, OVS, tc)', returncode=2)


def require_testbed():
    """Skips without the ONOS test bed, except under CI=true, where a missing test bed fails."""
    why = onos.missing()
    if why:
        if os.environ.get('CI') == 'true':
            pytest.fail(f'CI=true and {why}', pytrace=False)
        pytest.skip(f'{why}; these tests run CareLane in a real ONOS 2.7.0')


@pytest.fixture(scope='module', autouse=True)
def no_carelane_errors_in_this_module(request):
    """Every module that runs against the single ONOS node fails on a CareLane ERROR in karaf.log
    during its own run (the cluster's nodes are checked by test_cluster)."""
    start = onos.log_size()
    yield
    if not onos.running():
        return
    errors = onos.carelane_log_errors_since(start)
    if errors:
        pytest.fail(f'karaf.log ERROR lines from CareLane during {request.node.name}:\n' + '\n'.join(errors),
                    pytrace=False)


@pytest.fixture(scope='session')
def onos_carelane():
    """A fresh real ONOS 2.7.0 with CareLane installed from the .oar and the hospital netcfg.

    Without the test bed the ONOS tests are skipped, except under CI=true, where they fail.
    """
    require_testbed()
    try:
        onos.start_with_carelane(onos.ROOT / 'topologies' / 'carelane-netcfg.json')
    except onos.OnosError as e:
        onos.stop()
        pytest.fail(f'ONOS test bed did not come up with CareLane:\n{e}', pytrace=False)
    yield onos
    errors = onos.carelane_log_errors()
    onos.stop()
    if errors:
        print('\nkaraf.log ERROR lines from CareLane:\n' + '\n'.join(errors))
