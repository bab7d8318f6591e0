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
    assert code == 200 and [s['name'] for s in slices['slices']] == ['blocked', 'clinical', 'work-internet', 'social',
                                                                          'default']
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


def test_cli_acl_lines_leave_viewers_read_only_commands(onos_carelane, tmp_path):
    """scripts/carelane-command-acl.cfg, appended to ONOS's command ACL, lets a viewer (with ssh)
    list slices and stats and hides the commands that change the policy from it."""
    onos = onos_carelane
    etc = onos.DIR / 'onos-2.7.0' / 'apache-karaf-4.2.9' / 'etc'
    key = tmp_path / 'viewer'
    subprocess.run(['ssh-keygen', '-q', '-t', 'rsa', '-b', '2048', '-N', '', '-f', str(key)], check=True)
    with open(etc / 'keys.properties', 'a') as f:
        f.write('\n_g_\\:carelaneviewers = group,viewer,ssh\n'
                f'carelaneviewer={key.with_suffix(".pub").read_text().split()[1]},_g_:carelaneviewers\n')
    acl = (onos.ROOT / 'scripts' / 'carelane-command-acl.cfg').read_text()
    with open(etc / 'org.apache.karaf.command.acl.onos.cfg', 'a') as f:
        f.write('\n' + acl)

    def viewer(command):
        res = subprocess.run(['ssh', '-q', '-p', '8101', '-i', str(key), '-o', 'StrictHostKeyChecking=no',
                              '-o', 'UserKnownHostsFile=/dev/null', '-o', 'PubkeyAcceptedAlgorithms=+ssh-rsa',
                              '-o', 'HostKeyAlgorithms=+ssh-rsa', 'carelaneviewer@127.0.0.1', command],
                             capture_output=True, text=True, timeout=60)
        return onos.ANSI.sub('', res.stdout + res.stderr)
    before = onos.rest('GET', '/onos/carelane/slices/social')[1]
    # A slice that does not exist: before the ACL applies, the command fails and changes nothing.
    onos.wait_until(lambda: 'Command not found' in viewer('carelane-set-rate no-such-slice peak 3000'), 30,
                    'the ACL to hide carelane-set-rate from viewers', interval=2)
    assert 'social' in viewer('carelane-slices social')
    assert 'clinical' in viewer('carelane-stats')
    assert 'Command not found' in viewer('carelane-override peak 5')
    assert 'Command not found' in viewer('carelane-schedule --start 12:30')
    assert onos.rest('GET', '/onos/carelane/slices/social')[1] == before, 'the viewer changed nothing'
    assert 'maxKbps=' in onos.cli(f'carelane-set-rate social peak {before["rates"]["peak"]["maxKbps"]}'), \
        'admins keep the command'
