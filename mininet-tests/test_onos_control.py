"""CareLane in a real ONOS driving the hospital gateway: rate changes over REST while traffic
flows, a switch reconnect, deactivation, and how non-IP traffic is handled."""
import json
import re
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

import carelane_ovs as ovs
import lunchtime
import onos_testbed
from hospital import GATEWAY, GATEWAY_DEVICE, UPLINK_PEER, WAN_HOSTS

LOAD_S = 40


def record(name, seconds):
    """Keeps a measured figure (performance targets are reported, not asserted: DEVELOPERS.md)."""
    onos_testbed.record_figure('onos_control.json', name, float(seconds))


@pytest.fixture(scope='module')
def site(onos_carelane):
    onos = onos_carelane
    with ovs.hospital_under_onos(onos, 'control tests') as net:
        gw = net.get(GATEWAY)
        took = onos.wait_programmed(gw.name, GATEWAY_DEVICE, 'peak')
        ovs.log(f'gateway programmed by ONOS for peak in {took:.1f} s')
        uplink = gw.connectionsTo(net.get(UPLINK_PEER))[0][0].name
        ovs.configure_bottleneck(uplink, lunchtime.UPLINK_KBPS, onos.queue_plan('peak'))
        yield net


def rate_mbps(host, seconds):
    b0 = lunchtime.rx_bytes(host)
    time.sleep(seconds)
    return (lunchtime.rx_bytes(host) - b0) * 8 / seconds / 1e6


def put_rate(onos, slice_name, body):
    t0 = time.time()
    code, reply = onos.rest('PUT', f'/onos/carelane/slices/{slice_name}/bandwidth', body)
    return code, reply, time.time() - t0


def test_arp_is_left_to_onos_so_the_topology_uses_static_arp(onos_carelane, site):
    """ONOS's host provider punts ARP to the controller and no forwarding app answers it, so
    ARP does not cross the gateway; hosts carry static neighbours and IPv4 flows."""
    onos = onos_carelane
    flows = onos.ofctl('dump-flows', GATEWAY)
    assert re.search(r'priority=40000,arp actions=CONTROLLER', flows), flows
    assert not [f for f in onos.carelane_flows(GATEWAY, onos.app_id()) if 'arp' in f]
    clin1 = site.get('clin1')
    arping = clin1.cmd(f'arping -c 2 -w 3 -I {clin1.defaultIntf()} {WAN_HOSTS["nhs1"]}')
    assert re.search(r'Received 0 response', arping), arping
    assert 'PERMANENT' in clin1.cmd(f'ip neigh show {WAN_HOSTS["nhs1"]}')
    assert ' 0% packet loss' in clin1.cmd(f'ping -n -c 3 -i 0.2 -W 1 {WAN_HOSTS["nhs1"]}')


def test_rest_rate_changes_reach_the_switch_while_traffic_flows(onos_carelane, site):
    onos = onos_carelane
    nhs1, social1 = site.get('nhs1'), site.get('social1')
    servers = [nhs1.popen(['iperf3', '-s', '-p', '5202'])]
    servers += [social1.popen(['iperf3', '-s', '-p', str(5300 + i)]) for i in range(1, 5)]
    time.sleep(1)
    udp = site.get('clin2').popen(['iperf3', '-c', WAN_HOSTS['nhs1'], '-p', '5202', '-u', '-b', '2M',
                                   '-l', '1200', '-t', str(LOAD_S), '-J'])
    time.sleep(lunchtime.SETUP_S)   # its UDP set-up before the load
    social = [site.get(f'staff{i}').popen(['iperf3', '-c', WAN_HOSTS['social1'], '-p', str(5300 + i),
                                           '-P', '2', '-b', '7.5M', '-t', str(LOAD_S)]) for i in range(1, 5)]
    ping = site.get('clin1').popen(['ping', '-n', '-i', '0.1', '-c', str((LOAD_S - 2) * 10), '-W', '1',
                                    WAN_HOSTS['nhs1']])
    # The blocked site sits inside social's /16: it must stay dropped through every change.
    blocked = site.get('staff1').popen(['ping', '-n', '-i', '0.05', '-c', str((LOAD_S - 4) * 20), '-W', '1',
                                        WAN_HOSTS['bad1']])
    try:
        time.sleep(4)
        before = rate_mbps(social1, 7)
        ovs.log(f'social before change: {before:.2f} Mbit/s')

        code, body, answered = put_rate(onos, 'social', {'profile': 'peak', 'maxKbps': 2000, 'minKbps': 2000})
        assert code == 200 and body['policyVersion'] > 0, body
        # The answer waits for the devices at most 750 ms (docs/design.md), not for ONOS's 10 s
        # meter-stats poll (the old behaviour answered in 0.4-5.7 s).
        assert answered < 1.0, f'the change is answered within 750 ms and some slack: {answered:.2f} s'
        on_switch = answered + onos.wait_programmed(GATEWAY, GATEWAY_DEVICE, 'peak', timeout=40)
        record('rate_change_rest_answer_s', answered)
        record('rate_change_on_switch_s', on_switch)
        ovs.log(f'social -> 2000 kbps: REST answered in {answered:.2f} s, on the switch after {on_switch:.2f} s')
        time.sleep(2)
        after = rate_mbps(social1, 8)
        ovs.log(f'social after change: {after:.2f} Mbit/s')

        code, body, _ = put_rate(onos, 'clinical', {'profile': 'peak', 'maxKbps': 18000})
        assert code == 200, body
        onos.wait_programmed(GATEWAY, GATEWAY_DEVICE, 'peak', timeout=40)
        code, body, _ = put_rate(onos, 'social', {'profile': 'peak', 'maxKbps': 0})
        assert code == 400 and body['field'] == 'maxKbps', body

        udp_result = json.loads(udp.communicate()[0])
        ping_out = ping.communicate()[0].decode()
        blocked_out = blocked.communicate()[0].decode()
    finally:
        for p in social + [udp, ping, blocked]:
            if p.poll() is None:
                p.kill()
            p.wait()
        for s in servers:
            s.terminate()
            s.wait()
    _, loss = lunchtime.udp_stats(udp_result)
    received = int(re.search(r'(\d+) received', ping_out).group(1))
    sent = int(re.search(r'(\d+) packets transmitted', ping_out).group(1))
    ovs.log(f'clinical UDP loss across both meter swaps: {loss:.3f}%, ping {received}/{sent}')
    blocked_answers = int(re.search(r'(\d+) received', blocked_out).group(1))
    blocked_sent = int(re.search(r'(\d+) packets transmitted', blocked_out).group(1))
    ovs.log(f'blocked site during the changes: {blocked_answers} answers to {blocked_sent} pings (every 50 ms)')
    assert blocked_answers == 0, blocked_out

    assert before <= 1.05 * 4.0 and after <= 1.05 * 2.0, (before, after)
    assert after >= 0.8 * 2.0 and before >= 1.5 * after, (before, after)
    assert loss < 0.5, udp_result['end']
    assert received >= sent - 1, ping_out
    assert sorted(onos.switch_meters(GATEWAY).values()) == [2000, 6000, 18000, 20000]
    st = onos.status()
    installed = {k: v['rateKbps'] for k, v in st['devices'][0]['meters'].items()}
    assert installed == {'clinical': 18000, 'work-internet': 6000, 'social': 2000, 'default': 20000}, st
    code, audit = onos.rest('GET', '/onos/carelane/audit?limit=5')
    assert [e['user'] for e in audit['entries'] if e['source'] == 'rest'][:2] == ['onos', 'onos'], audit

    # ONOS polls flow stats every 5 s. It keeps no meter band counters, so drops are read at the switch.
    def counted():
        by_slice = {s['slice']: s for s in onos.rest('GET', '/onos/carelane/stats')[1]['slices']}
        return by_slice['social']['bytes'] > 1_000_000 and by_slice['clinical']['bytes'] > 1_000_000
    onos.wait_until(counted, 15, 'per-slice stats from the switch counters')
    by_slice = {s['slice']: s for s in onos.rest('GET', '/onos/carelane/stats')[1]['slices']}
    ovs.log(f'stats: {by_slice}')
    assert by_slice['social']['meters'] == 1 and by_slice['social']['flowRules'] == 2, by_slice
    meter_of = {name: m['meterId'] for name, m in onos.status()['devices'][0]['meters'].items()}
    drops = onos.band_drops(GATEWAY)
    assert drops[meter_of['social']] > 0 and drops[meter_of['clinical']] == 0, (meter_of, drops)
    assert onos.rest('GET', '/onos/carelane/slices', auth=None)[0] == 401

    for name, rates in (('social', {'maxKbps': 4000, 'minKbps': 4000}), ('clinical', {'maxKbps': 20000})):
        assert put_rate(onos, name, dict(rates, profile='peak'))[0] == 200
    onos.wait_programmed(GATEWAY, GATEWAY_DEVICE, 'peak', timeout=40)


def test_profile_switch_reaches_the_switch_without_the_meter_poll(onos_carelane, site):
    """ONOS confirms meters only at its 10 s stats poll; CareLane does not wait for it."""
    onos = onos_carelane
    blocked = site.get('staff1').popen(['ping', '-n', '-i', '0.05', '-c', '100', '-W', '1', WAN_HOSTS['bad1']])
    took = {}
    for profile in ('offPeak', 'peak'):
        rates = list(onos.expected_rates(profile).values())
        t0 = time.time()
        onos.set_profile(profile, reason='switch-over timing')
        took[profile] = time.time() - t0 + onos.time_until_switch_carries(GATEWAY, rates, timeout=60)
        onos.wait_programmed(GATEWAY, GATEWAY_DEVICE, profile, timeout=20)
    blocked_out = blocked.communicate()[0].decode()
    ovs.log(f'profile switch on the switch after: offPeak {took["offPeak"]:.2f} s, peak {took["peak"]:.2f} s')
    for profile, seconds in took.items():
        record(f'profile_switch_to_{profile}_on_switch_s', seconds)
    assert ' 0 received' in blocked_out, blocked_out
    # Bound to ONOS's meter poll, a switch-over took 5.6-9.7 s.
    assert max(took.values()) < 3, f'profile switch on the switch within 3 s: {took}'


PROBE_RATES = (2000, 3000, 5000, 6000, 2500)   # social's peak cap, kbps, cycled through 20 changes


def social_window(site, cap_kbps, burst_kbits, settle=0.3, seconds=1.5):
    """Social bytes received over a window starting {settle} s after a cap reached the switch,
    with the most the meter lets through: the cap over the window plus one burst."""
    social1 = site.get('social1')
    time.sleep(settle)
    b0, t0 = lunchtime.rx_bytes(social1), time.time()
    time.sleep(seconds)
    b1, t1 = lunchtime.rx_bytes(social1), time.time()
    allowed = cap_kbps * 1000 / 8 * (t1 - t0) + burst_kbits * 1000 / 8
    return {'capKbps': cap_kbps, 'bytes': b1 - b0, 'allowedBytes': int(allowed),
            'kbps': round((b1 - b0) * 8 / (t1 - t0) / 1000)}


def sync_since(onos):
    """When the gateway's sync state last changed, per /status, in epoch seconds."""
    since = onos.status()['devices'][0].get('sync', {}).get('since')
    return datetime.fromisoformat(since.replace('Z', '+00:00')).timestamp() if since else 0


def social_burst_kbits(onos):
    return onos.status()['devices'][0]['meters']['social']['burstKbits']


def test_probes_through_20_rate_changes_2_profile_switches_and_a_reconnect(onos_carelane, site):
    """Done-when of the ONOS-faithful control: probes run through every kind of change. A ping
    to the blocked site every 50 ms gets no answer, the clinical receiver sees no packet with a
    DSCP other than clinical's (EF, 46), and social never exceeds its cap plus one burst."""
    onos = onos_carelane
    nhs1, social1 = site.get('nhs1'), site.get('social1')
    duration = 240
    servers = [nhs1.popen(['iperf3', '-s', '-p', '5202'])]
    servers += [social1.popen(['iperf3', '-s', '-p', str(5300 + i)]) for i in range(1, 5)]
    counter = nhs1.popen(['/usr/bin/python3', str(Path(__file__).resolve().parent / 'dscp_counter.py'), str(nhs1.defaultIntf()),
                          WAN_HOSTS['nhs1']], stdout=subprocess.PIPE, text=True)
    assert counter.stdout.readline().strip() == 'ready'
    time.sleep(1)
    clinical = [site.get('clin2').popen(['iperf3', '-c', WAN_HOSTS['nhs1'], '-p', '5202', '-u', '-b', '2M',
                                         '-l', '1200', '-t', str(duration)]),
                site.get('clin1').popen(['ping', '-n', '-q', '-i', '0.1', WAN_HOSTS['nhs1']])]
    time.sleep(lunchtime.SETUP_S)   # its UDP set-up before the load
    social = [site.get(f'staff{i}').popen(['iperf3', '-c', WAN_HOSTS['social1'], '-p', str(5300 + i),
                                           '-P', '2', '-b', '7.5M', '-t', str(duration)]) for i in range(1, 5)]
    blocked = site.get('staff2').popen(['ping', '-n', '-q', '-i', '0.05', WAN_HOSTS['bad1']],
                                       stdout=subprocess.PIPE, text=True)
    windows, on_switch = [], []
    try:
        time.sleep(3)
        for i in range(20):
            cap = PROBE_RATES[i % len(PROBE_RATES)]
            code, body, answered = put_rate(onos, 'social', {'profile': 'peak', 'maxKbps': cap,
                                                             'minKbps': min(cap, 2000)})
            assert code == 200, body
            on_switch.append(answered + onos.time_until_switch_carries(
                GATEWAY, list(onos.expected_rates('peak').values()), timeout=30))
            windows.append(dict(social_window(site, cap, social_burst_kbits(onos)), change=f'rate {i + 1}'))
        for profile in ('offPeak', 'peak'):
            onos.set_profile(profile, reason='probe run')
            onos.time_until_switch_carries(GATEWAY, list(onos.expected_rates(profile).values()), timeout=30)
            cap = onos.expected_rates(profile)['social']
            windows.append(dict(social_window(site, cap, social_burst_kbits(onos)), change=f'profile {profile}'))
        subprocess.run(['ovs-vsctl', 'set-controller', GATEWAY, 'tcp:127.0.0.1:6699'], check=True)
        onos.wait_until(lambda: not onos.device_available(GATEWAY_DEVICE), 30, 'device unavailable')
        t0 = time.time()
        onos.connect(GATEWAY)
        # CareLane installs a fresh generation on the reconnected switch while the probes run.
        onos.wait_until(lambda: sync_since(onos) > t0, 30,
                        'CareLane to program the reconnected switch', interval=0.05)
        reconnect = time.time() - t0 + onos.wait_programmed(GATEWAY, GATEWAY_DEVICE, 'peak', timeout=60)
        windows.append(dict(social_window(site, onos.expected_rates('peak')['social'], social_burst_kbits(onos)),
                            change='reconnect'))
    finally:
        if not onos.controlled(GATEWAY):
            onos.connect(GATEWAY)
        for p in [blocked, counter] + clinical:
            p.send_signal(2)
        blocked_out = blocked.communicate(timeout=10)[0]
        counted = counter.communicate(timeout=10)[0]
        for p in social + clinical + servers:
            if p.poll() is None:
                p.kill()
            p.wait()
    sent = int(re.search(r'(\d+) packets transmitted', blocked_out).group(1))
    answered = int(re.search(r'(\d+) received', blocked_out).group(1))
    dscp = json.loads(counted.strip().splitlines()[-1])
    other = sum(n for d, n in dscp['byDscp'].items() if int(d) != 46)
    over = [w for w in windows if w['bytes'] > w['allowedBytes']]
    figures = {'blockedPingsSent': sent, 'blockedPingsAnswered': answered, 'clinicalPackets': dscp['total'],
               'clinicalPacketsOtherDscp': other, 'socialWindows': len(windows), 'socialWindowsOverCap': len(over),
               'rateChangeOnSwitchMaxS': round(max(on_switch), 3), 'reconnectInSyncS': round(reconnect, 3)}
    ovs.log(f'probe run: {figures}')
    for w in windows:
        ovs.log(f"  social after {w['change']}: {w['kbps']} kbps, cap {w['capKbps']} "
                f"({w['bytes']} of {w['allowedBytes']} bytes allowed with one burst)")
    onos_testbed.write_results('probe_run.json', dict(figures, windows=windows))
    assert answered == 0 and sent > 500, blocked_out
    assert other == 0 and dscp['total'] > 1000, dscp
    assert not over, over
    assert put_rate(onos, 'social', {'profile': 'peak', 'maxKbps': 4000, 'minKbps': 4000})[0] == 200
    onos.wait_programmed(GATEWAY, GATEWAY_DEVICE, 'peak', timeout=40)


def test_the_scheduled_switch_over_reaches_the_switch_at_the_boundary(onos_carelane, site):
    """The real schedule on ONOS's clock, not an override: a peak window that starts at the next
    whole minute (Europe/London), or, when a 10-minute window from there would cross midnight,
    one that ends then. The switch is polled every 50 ms from the boundary until it carries the
    new profile's meters and every CareLane rule uses them."""
    onos = onos_carelane
    _, original = onos.rest('GET', '/onos/carelane/schedule')
    boundary, to, before, window = onos.boundary_schedule()
    try:
        code, body = onos.rest('PUT', '/onos/carelane/schedule', window)
        assert code == 200, body
        assert onos.rest('DELETE', '/onos/carelane/override')[0] in (200, 204)
        _, listed = onos.rest('GET', '/onos/carelane/schedule')
        first = listed['nextSwitchOvers'][0]
        assert first['profile'] == to, listed
        assert first['at'] == boundary.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'), listed
        assert len(listed['nextSwitchOvers']) == 5, listed
        listing = onos.cli('carelane-schedule')
        assert 'next switch-overs:' in listing and f'{boundary:%H:%M}' in listing, listing
        after_rates = list(onos.expected_rates(to).values())
        before_rates = list(onos.expected_rates(before).values())
        # Within 30 s of the boundary CareLane stages it: the next profile's meters join the
        # switch's, and its rules wait under shadows, so what counts is what the rules apply.
        appid = onos.app_id()
        before_in_force = list(onos.expected_rates(before, in_force=True).values())
        after_in_force = list(onos.expected_rates(to, in_force=True).values())
        onos.wait_until(lambda: onos.switch_in_force(GATEWAY, before_in_force, appid), 30,
                        f'{GATEWAY} to apply {before_in_force}', interval=0.05)
        assert not onos.switch_in_force(GATEWAY, after_in_force, appid), f'{before} before the boundary'
        wait = boundary.timestamp() - time.time()
        assert wait > 0, 'the boundary passed while preparing'
        time.sleep(wait)
        after = onos.time_until_switch_carries(GATEWAY, after_rates, timeout=60)
        record('scheduled_switch_over_on_switch_after_boundary_s', after)
        ovs.log(f'scheduled switch-over to {to} at {boundary:%H:%M} London: on the switch {after:.2f} s '
                'after the boundary')
        assert onos.status()['activeProfile'] == to
        # Bound to ONOS's meter poll, a switch-over took 5.6-9.7 s.
        assert after < 3, f'the switch-over on the switch within 3 s of the boundary: {after:.2f} s'
    finally:
        onos.rest('PUT', '/onos/carelane/schedule', {k: v for k, v in original.items() if k in onos.SCHEDULE_FIELDS})
        onos.set_profile('peak', reason='control tests')
        onos.wait_programmed(GATEWAY, GATEWAY_DEVICE, 'peak', timeout=40)


def rule_shapes(onos):
    """CareLane's rules as slice priority, match and actions, without meter ids or band: what a
    fresh generation must reproduce."""
    out = []
    for flow in onos.carelane_flows(GATEWAY, onos.app_id()):
        p = int(re.search(r'priority=(\d+)', flow).group(1))
        shape = re.sub(r'cookie=0x[0-9a-f]+, ', '', re.sub(r'meter:\d+', 'meter', flow))
        out.append(shape.replace(f'priority={p}', f'slice-priority={onos.slice_priority(p)}'))
    return sorted(out)


def test_switch_reconnect_brings_rules_and_meters_back(onos_carelane, site):
    onos = onos_carelane
    before = rule_shapes(onos)
    try:
        # The control channel drops: OVS keeps its tables, ONOS marks the device unavailable.
        # (del-controller would not do: OVS flushes a bridge's flows when its last controller goes.)
        subprocess.run(['ovs-vsctl', 'set-controller', GATEWAY, 'tcp:127.0.0.1:6699'], check=True)
        onos.wait_until(lambda: not onos.device_available(GATEWAY_DEVICE), 30, 'device unavailable')
        assert rule_shapes(onos) == before
        onos.connect(GATEWAY)
        took = onos.wait_programmed(GATEWAY, GATEWAY_DEVICE, 'peak', timeout=60)
        ovs.log(f'reconnect with tables kept: in sync {took:.1f} s after the device was back')
        record('reconnect_tables_kept_in_sync_s', took)

        # The switch restarts with empty tables while disconnected.
        subprocess.run(['ovs-vsctl', 'set-controller', GATEWAY, 'tcp:127.0.0.1:6699'], check=True)
        onos.wait_until(lambda: not onos.device_available(GATEWAY_DEVICE), 30, 'device unavailable')
        onos.ofctl('del-flows', GATEWAY)
        onos.ofctl('del-meters', GATEWAY)
        subprocess.run(['ovs-vsctl', 'set-controller', GATEWAY, onos.CONTROLLER], check=True)
        took = onos.time_until_switch_carries(GATEWAY, list(onos.expected_rates('peak').values()), timeout=60)
        onos.wait_programmed(GATEWAY, GATEWAY_DEVICE, 'peak', timeout=60)
        ovs.log(f'reconnect with empty tables: rules and meters back on the switch after {took:.2f} s')
        record('reconnect_empty_tables_rules_back_s', took)
        # ONOS's own replay (flows before meters, refused by OVS) restores them after 6.9 s.
        assert took < 3, f'CareLane restores an emptied switch within 3 s: {took:.2f} s'
        assert rule_shapes(onos) == before
        assert ' 0% packet loss' in site.get('clin1').cmd(f'ping -n -c 3 -i 0.2 -W 1 {WAN_HOSTS["nhs1"]}')
        assert ' 0 received' in site.get('staff1').cmd(f'ping -n -c 2 -W 1 {WAN_HOSTS["bad1"]}')
    finally:
        if not onos.controlled(GATEWAY):
            onos.connect(GATEWAY)


def test_deactivation_leaves_no_carelane_flow_or_meter_and_reactivation_restores(onos_carelane, site):
    onos = onos_carelane
    appid = onos.app_id()
    onos.deactivate_app()
    try:
        onos.wait_until(lambda: not onos.carelane_flows(GATEWAY, appid) and not onos.switch_meters(GATEWAY), 30,
                        'no CareLane flow or meter on the switch')
    except onos.OnosError as e:
        raise AssertionError(f'{e}: {onos.carelane_flows(GATEWAY, appid)} {onos.switch_meters(GATEWAY)}') from None
    assert onos.rest('GET', '/onos/carelane/status')[0] == 404
    onos.activate_app()
    profile = onos.status()['activeProfile']
    took = onos.wait_programmed(GATEWAY, GATEWAY_DEVICE, profile, timeout=60)
    ovs.log(f'reactivated: {profile} back on the switch after {took:.1f} s')
    assert onos.carelane_log_errors() == []


def test_a_rest_change_survives_reactivation_and_an_onos_restart(onos_carelane, site):
    """Netcfg is the one source of truth: REST writes back to it, and both reload it."""
    onos = onos_carelane
    change = {'profile': 'peak', 'maxKbps': 3000, 'minKbps': 3000}
    assert onos.rest('PUT', '/onos/carelane/slices/social/bandwidth', change)[0] == 200

    def social_peak():
        _, body = onos.rest('GET', '/onos/carelane/slices/social')
        return body['rates']['peak']['maxKbps']
    _, netcfg = onos.rest('GET', '/onos/v1/network/configuration/apps/org.carelane.app')
    social = next(s for s in netcfg['carelane']['slices'] if s['name'] == 'social')
    assert social['rates']['peak']['maxKbps'] == 3000, netcfg
    onos.deactivate_app()
    onos.activate_app()
    assert social_peak() == 3000, 'kept across app reactivation'
    took = onos.restart()
    ovs.log(f'ONOS restarted in {took:.0f} s')
    onos.wait_app_running(120)
    assert social_peak() == 3000, 'kept across an ONOS restart'
    onos.wait_until(lambda: onos.device_available(GATEWAY_DEVICE), 60, 'gateway back after the restart')
    onos.set_profile('peak', reason='after restart')
    onos.wait_programmed(GATEWAY, GATEWAY_DEVICE, 'peak', timeout=60)
    assert sorted(onos.switch_meters(GATEWAY).values()) == [3000, 6000, 20000, 20000]
    assert onos.rest('PUT', '/onos/carelane/slices/social/bandwidth',
                     {'profile': 'peak', 'maxKbps': 4000, 'minKbps': 4000})[0] == 200
    onos.wait_programmed(GATEWAY, GATEWAY_DEVICE, 'peak', timeout=60)
