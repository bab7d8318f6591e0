"""The .oar loads and activates on stock ONOS 2.7.0 running on Java 11.

ONOS reports an app ACTIVE even when its bundle failed to resolve, so this checks Karaf's
bundle and component states and CareLane's own REST API, not the app state alone.
"""
import base64
import re
import subprocess


def test_bundle_active_components_active_and_rest_answers(onos_carelane):
    onos = onos_carelane
    state = onos.app_state()
    assert state['app'] == 'ACTIVE', state
    assert state['bundle'] == 'Active', state
    assert set(state['components'].values()) == {'ACTIVE'}, state
    assert state['rest'] == 200, state
    java = subprocess.run(['ps', '-o', 'args=', '-p', (onos.DIR / 'onos.pid').read_text().strip()],
                          capture_output=True, text=True).stdout
    assert 'java-11' in java, java


def test_bundle_is_built_for_java_11(onos_carelane):
    manifest = onos_carelane.cli('bundle:headers carelane-app | grep osgi.ee')
    assert re.search(r'osgi\.ee=JavaSE\)\(version=11\)', manifest.replace(' ', '')), manifest


def test_netcfg_reaches_the_app_and_bad_netcfg_is_refused_naming_the_field(onos_carelane):
    onos = onos_carelane
    code, slices = onos.rest('GET', '/onos/carelane/slices')
    assert code == 200 and [s['name'] for s in slices['slices']] == ['blocked', 'clinical', 'social', 'default']
    bad = onos.netcfg_for(onos.ROOT / 'topologies' / 'carelane-netcfg.json')
    bad['apps']['org.carelane.app']['carelane']['slices'][1]['rates']['peak']['minKbps'] = 30000
    code, body = onos.push_netcfg(bad)
    # ONOS's netcfg REST answers 207 Multi-Status with the app's validation message.
    assert code == 207 and 'slices[1].rates.peak.minKbps' in str(body), (code, body)
    code, after = onos.rest('GET', '/onos/carelane/slices')
    assert after == slices, 'a refused netcfg leaves the policy as it was'


def test_no_errors_from_carelane_in_karaf_log(onos_carelane):
    assert onos_carelane.carelane_log_errors() == []


def test_a_viewer_reads_and_gets_403_for_changes(onos_carelane):
    """ONOS's AuthorizationFilter (CareLaneWebApplication extends AbstractWebApplication)."""
    onos = onos_carelane
    guest = 'Basic ' + base64.b64encode(b'guest:guest').decode()   # ONOS's viewer-only user
    assert onos.rest('GET', '/onos/carelane/slices', auth=guest)[0] == 200
    before = onos.rest('GET', '/onos/carelane/slices')[1]
    code, body = onos.rest('PUT', '/onos/carelane/slices/social/bandwidth',
                           {'profile': 'peak', 'maxKbps': 1000}, auth=guest)
    assert code == 403 and 'insufficient privilege' in body['message'], (code, body)
    code, body = onos.rest('POST', '/onos/carelane/override', {'profile': 'peak', 'durationMinutes': 5}, auth=guest)
    assert code == 403, (code, body)
    assert onos.rest('GET', '/onos/carelane/slices')[1] == before
