"""Acceptance (issue 9): CareLane owns the WAN uplink's queues through the real ONOS's OVSDB
behaviours. ONOS's OVSDB apps are activated and this host's OVS is managed by ONOS
(ovsdb:127.0.0.1). Without the 'ovs' driver bound to that device CareLane says so in /status and
keeps programming meters and marks; with it, `ovs-vsctl` shows an HTB QoS on the uplink port with
one queue per slice at the profile's rates, the rates follow the profile and REST changes, OVS
itself builds the tc htb classes, and deactivation leaves no CareLane QoS or queue."""
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

import carelane_ovs as ovs
import lunchtime
from hospital import GATEWAY, GATEWAY_DEVICE

NETCFG = ovs.ROOT / 'topologies' / 'carelane-netcfg.json'
UPLINK = 'gw-eth1'
MBIT = 1_000_000


@pytest.fixture(scope='module')
def queue_site(onos_carelane):
    onos = onos_carelane
    try:
        onos.enable_ovsdb()
        with ovs.hospital_under_onos(onos, 'queue tests') as net:
            onos.wait_programmed(GATEWAY, GATEWAY_DEVICE, 'peak', timeout=60)
            try:
                yield net
            finally:
                lunchtime.give_back_queues(net)
    finally:
        code, body = onos.push_netcfg(onos.netcfg_for(NETCFG))
        onos.rest('DELETE', f'/onos/v1/network/configuration/devices/{onos.OVSDB_DEVICE}')
        onos.disable_ovsdb()
        assert code == 200, body


def queue_status(onos):
    return onos.status()['devices'][0].get('queues', {})


def wait_queues(onos, expected, what, timeout=40):
    """Waits until the uplink's QoS holds exactly the expected {queue id: (min, max)}."""
    seen = {}

    def there():
        seen['port'] = onos.port_queues(UPLINK)
        return seen['port'] is not None and seen['port']['queues'] == expected
    try:
        onos.wait_until(there, timeout, what)
    except onos.OnosError as e:
        raise AssertionError(f'{e}: on {UPLINK} {seen.get("port")}; CareLane {queue_status(onos)}') from None
    return seen['port']


def test_without_the_ovs_driver_carelane_says_so_and_keeps_meters_and_marks(onos_carelane, queue_site):
    onos = onos_carelane
    # A fresh ONOS gives the OVSDB device 'default' by itself, but an earlier run in this ONOS
    # (the lunchtime scenario) bound 'ovs', and the device kept it after that netcfg entry was
    # deleted (seen once: queues APPLIED here): bind 'default' explicitly.
    code, body = onos.push_netcfg(onos.with_owned_queues(onos.netcfg_for(NETCFG), driver='default'))
    assert code == 200, body
    onos.wait_until(lambda: queue_status(onos).get('state') == 'UNSUPPORTED', 30, 'queues UNSUPPORTED in /status')
    reason = queue_status(onos)['reason']
    assert "'default'" in reason and 'basic.driver' in reason, reason
    assert onos.status()['devices'][0]['sync']['state'] == 'IN_SYNC'
    assert onos.carelane_ovsdb_rows() == ([], []), 'nothing written to OVSDB'
    assert onos.switch_meters(GATEWAY), 'meters stay'


def test_with_the_ovs_driver_the_uplink_gets_the_peak_queues(onos_carelane, queue_site):
    onos = onos_carelane
    code, body = onos.push_netcfg(onos.with_owned_queues(onos.netcfg_for(NETCFG)))
    assert code == 200, body
    port = wait_queues(onos, {0: (15 * MBIT, 20 * MBIT), 1: (1 * MBIT, 20 * MBIT), 2: (4 * MBIT, 4 * MBIT),
                        3: (0, 6 * MBIT)},
                       'the peak queues on the uplink')
    assert port['type'] == 'linux-htb' and port['maxRate'] == 20 * MBIT, port
    assert port['name'].startswith('carelane-0000000000000001-'), port
    onos.wait_until(lambda: queue_status(onos).get('state') == 'APPLIED', 20, 'queues APPLIED in /status')
    assert [q['slice'] for q in queue_status(onos)['queues']] == ['clinical', 'default', 'social',
                                                                        'work-internet']
    # The userspace datapath ignores set_queue, but OVS builds the port's tc classes itself:
    # class 1:(queue + 1) at the queue's min rate (see README, Queues on the switch).
    classes = subprocess.run(['tc', 'class', 'show', 'dev', UPLINK], capture_output=True, text=True).stdout
    assert 'class htb 1:1 ' in classes and 'rate 15Mbit ceil 20Mbit' in classes, classes
    assert 'class htb 1:3 ' in classes and 'rate 4Mbit ceil 4Mbit' in classes, classes


def test_the_queues_follow_the_profile_and_rest_changes(onos_carelane, queue_site):
    onos = onos_carelane
    onos.set_profile('offPeak', reason='queue tests')
    wait_queues(onos, {0: (10 * MBIT, 20 * MBIT), 1: (2 * MBIT, 20 * MBIT), 2: (4 * MBIT, 15 * MBIT),
                        3: (0, 15 * MBIT)},
                'the off-peak queues after the switch-over')
    code, body = onos.rest('PUT', '/onos/carelane/slices/social/bandwidth',
                           {'profile': 'offPeak', 'maxKbps': 9000, 'minKbps': 3000})
    assert code == 200, body
    wait_queues(onos, {0: (10 * MBIT, 20 * MBIT), 1: (2 * MBIT, 20 * MBIT), 2: (3 * MBIT, 9 * MBIT),
                        3: (0, 15 * MBIT)},
                "social's new off-peak cap in its queue")
    qos, queues = onos.carelane_ovsdb_rows()
    assert len(qos) == 1 and len(queues) == 4, f'earlier generations are deleted: {qos} {queues}'
    onos.set_profile('peak', reason='queue tests')
    wait_queues(onos, {0: (15 * MBIT, 20 * MBIT), 1: (1 * MBIT, 20 * MBIT), 2: (4 * MBIT, 4 * MBIT),
                        3: (0, 6 * MBIT)},
                'the peak queues again')


def test_a_paused_ovsdb_server_fails_the_queues_not_the_change_and_they_follow_when_it_answers(onos_carelane,
                                                                                              queue_site):
    """ONOS's OVSDB calls wait without a timeout. With ovsdb-server stopped (SIGSTOP) for 30 s a
    rate change still answers within 1 s and reaches the switch's meters (OpenFlow); /status
    shows the queues FAILED with the reason; after SIGCONT the queues follow within 5 s."""
    onos = onos_carelane
    wait_queues(onos, {0: (15 * MBIT, 20 * MBIT), 1: (1 * MBIT, 20 * MBIT), 2: (4 * MBIT, 4 * MBIT),
                        3: (0, 6 * MBIT)},
                'the peak queues before the pause')
    pid = int(Path('/var/run/openvswitch/ovsdb-server.pid').read_text().strip())
    figures = {}
    log_at = onos.log_size()
    os.kill(pid, signal.SIGSTOP)
    try:
        t0 = time.time()
        code, body = onos.rest('PUT', '/onos/carelane/slices/social/bandwidth',
                               {'profile': 'peak', 'maxKbps': 5000, 'minKbps': 4000})
        figures['restAnswerS'] = round(time.time() - t0, 3)
        assert code == 200, body
        figures['metersOnSwitchS'] = round(time.time() - t0 + onos.time_until_switch_carries(
            GATEWAY, list(onos.expected_rates('peak').values()), timeout=10), 3)
        onos.wait_until(lambda: queue_status(onos).get('state') == 'FAILED', 25,
                        'the queues FAILED in /status while OVSDB is paused', interval=0.5)
        figures['failedAfterS'] = round(time.time() - t0, 3)
        figures['reason'] = queue_status(onos).get('reason')
        time.sleep(max(0.0, 30 - (time.time() - t0)))
    finally:
        os.kill(pid, signal.SIGCONT)
    t1 = time.time()
    onos.wait_until(lambda: queue_status(onos).get('state') == 'APPLIED', 30, 'the queues APPLIED after SIGCONT',
                    interval=0.1)
    figures['appliedAfterContS'] = round(time.time() - t1, 3)
    wait_queues(onos, {0: (15 * MBIT, 20 * MBIT), 1: (1 * MBIT, 20 * MBIT), 2: (4 * MBIT, 5 * MBIT),
                        3: (0, 6 * MBIT)},
                "social's new peak cap in its queue after the pause", timeout=10)
    # ONOS re-asserts the ovsdb: device's role every 10-20 s (its provider never acknowledges
    # one): the pause spans a moment without a master, which released the queues before 42f54a4.
    figures['ovsdbRoleReasserts'] = len(onos.log_lines_since(log_at, 'Failed to assert role onto device ovsdb:'))
    ovs.log(f'OVSDB paused 30 s: {figures}')
    onos.record_figure('queues.json', 'ovsdbPaused', figures)
    code, body = onos.rest('PUT', '/onos/carelane/slices/social/bandwidth',
                           {'profile': 'peak', 'maxKbps': 4000, 'minKbps': 4000})
    assert code == 200, body
    assert figures['restAnswerS'] < 1, figures
    assert 'did not answer' in figures['reason'], figures
    assert figures['appliedAfterContS'] <= 5, figures
    if onos.log_size() >= log_at:   # karaf.log not rotated meanwhile
        assert figures['ovsdbRoleReasserts'] >= 1, figures


def test_an_uplink_port_the_switch_lacks_is_refused_naming_the_field(onos_carelane, queue_site):
    onos = onos_carelane
    version = onos.status()['policyVersion']
    code, body = onos.push_netcfg(onos.with_owned_queues(onos.netcfg_for(NETCFG), uplink_port=77))
    assert code == 200, body   # ONOS cannot check ports in netcfg; CareLane refuses it
    onos.wait_until(lambda: any(e['action'] == 'rejected-config'
                                and (e.get('after') or '').startswith('devices[0].uplinkPort: no port 77')
                                for e in onos.rest('GET', '/onos/carelane/audit?limit=5')[1]['entries']),
                    30, 'the rejection, naming the field, in the audit trail')
    assert onos.status()['policyVersion'] == version
    assert onos.port_queues(UPLINK)['queues'][0] == (15 * MBIT, 20 * MBIT), 'the queues in place stay'
    code, body = onos.push_netcfg(onos.with_owned_queues(onos.netcfg_for(NETCFG)))   # the engineer's fix
    assert code == 200, body


def test_deactivation_removes_the_queues_and_reactivation_restores_them(onos_carelane, queue_site):
    onos = onos_carelane
    onos.deactivate_app()
    onos.wait_until(lambda: onos.carelane_ovsdb_rows() == ([], []) and onos.port_queues(UPLINK) is None, 30,
                    'no CareLane QoS or queue on OVS')
    onos.activate_app()
    wait_queues(onos, {0: (15 * MBIT, 20 * MBIT), 1: (1 * MBIT, 20 * MBIT), 2: (4 * MBIT, 4 * MBIT),
                        3: (0, 6 * MBIT)},
                'the peak queues after reactivation', timeout=60)
