"""CareLane on the test bed's real 3-node ONOS 2.7.0 cluster (3 ONOS + 3 Atomix nodes): changes
made on any node reach the switch through its master, stopping nodes leaves the rules and
meters in place, the new master keeps the device in sync, and deactivation cleans up."""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from datetime import datetime

import pytest

import carelane_ovs as ovs
import onos_cluster as cl
import onos_testbed as onos
from conftest import require_testbed

BRIDGE = 'clgw1'
DPID = '00000000000000e1'
# Two more gateways, so that a fault on one device's master is seen next to devices it may not master.
MORE_BRIDGES = {'clgw2': '00000000000000e2', 'clgw3': '00000000000000e3'}


def record(name, value):
    onos.record_figure('cluster.json', name, value)


class Site:
    """The cluster, its one gateway bridge and what the tests need to read of it."""

    def __init__(self):
        self.device = None
        self.devices = {}   # bridge: device id, every gateway of the policy
        self.appid = None
        self.up = set(cl.NODES)

    def rates(self, node, profile, in_force=False):
        """The meter rates of the forwarding slices; with in_force, of those rules use before any
        name is learned (see onos.by_name_only)."""
        _, body = cl.rest(node, 'GET', '/onos/carelane/slices')
        return sorted(onos.forwarding_rates(body['slices'], profile, in_force).values())

    def state(self):
        """(flows, meters) of one moment: flows read again after the meters until unchanged, since
        a swap adds meters before their rules and withdraws them after, within milliseconds."""
        flows = onos.carelane_flows(BRIDGE, self.appid)
        for _ in range(5):
            meters = onos.switch_meters(BRIDGE)
            again = onos.carelane_flows(BRIDGE, self.appid)
            if again == flows:
                break
            flows = again
        return flows, meters

    def wait_carries(self, rates, timeout=30, bridge=BRIDGE):
        t0 = time.time()
        onos.wait_until(lambda: onos.switch_carries(bridge, rates, self.appid), timeout,
                        f'{bridge} to carry {rates}', interval=0.05)
        return time.time() - t0

    def wait_in_force(self, rates, timeout=30, bridge=BRIDGE):
        """Until the rules the switch applies use meters at these rates (a staged boundary's
        next meters may be on the switch as well)."""
        onos.wait_until(lambda: onos.switch_in_force(bridge, rates, self.appid), timeout,
                        f'{bridge} to apply {rates}', interval=0.05)

    def others(self, node):
        return [n for n in sorted(self.up) if n != node]

    def master(self):
        return cl.master(self.device)


def delete_bridges():
    for bridge in (BRIDGE, *MORE_BRIDGES):
        subprocess.run(['ovs-vsctl', '--if-exists', 'del-br', bridge])


@pytest.fixture(scope='module')
def site():
    require_testbed()
    s = Site()
    try:
        record('boot_s', cl.up())
        cl.rest(1, 'POST', '/onos/v1/applications/org.onosproject.openflow/active')
        # Before any node restarts: a node restarted in a running cluster did not always get the
        # OVSDB drivers' behaviours when the apps were activated later (seen twice).
        for app in onos.OVSDB_APPS:
            cl.rest(1, 'POST', f'/onos/v1/applications/{app}/active')
        cl.install_app()
        s.device = cl.connect(BRIDGE, DPID)
        s.devices = {BRIDGE: s.device, **{b: cl.connect(b, d) for b, d in MORE_BRIDGES.items()}}
        cl.balance_masters(s.devices.values())
        _, app = cl.rest(1, 'GET', f'/onos/v1/applications/{onos.APP}')
        s.appid = app['id']
        netcfg = onos.netcfg_for(onos.ROOT / 'topologies' / 'carelane-netcfg.json',
                                 {'of:0000000000000001': s.device})
        gateways = netcfg['apps'][onos.APP]['carelane']['devices']
        gateways += [dict(gateways[0], deviceId=s.devices[b]) for b in MORE_BRIDGES]
        code, body = cl.rest(1, 'POST', '/onos/v1/network/configuration', netcfg)
        assert code == 200, body
        onos.wait_policy(base=cl.base(1))
        # The schedule follows the real clock: fix the profile for the tests.
        code, body = cl.rest(1, 'POST', '/onos/carelane/override',
                             {'profile': 'offPeak', 'durationMinutes': 120, 'reason': 'cluster tests'})
        assert code in (200, 201), body
        for bridge in s.devices:
            s.wait_carries(s.rates(1, 'offPeak'), timeout=60, bridge=bridge)
        onos.log('cluster: ' + ', '.join(f'{d} programmed by its master, node {cl.master(d)}'
                                         for d in s.devices.values()))
    except (onos.OnosError, AssertionError) as e:
        delete_bridges()
        cl.down()
        pytest.fail(f'the ONOS cluster did not come up with CareLane:\n{e}', pytrace=False)
    yield s
    delete_bridges()
    errors = cl.carelane_log_errors()
    cl.down()
    if errors:
        pytest.fail('karaf.log ERROR lines from CareLane on the cluster:\n' + '\n'.join(errors[:20]), pytrace=False)


def test_a_rate_change_posted_to_a_node_that_is_not_the_master_reaches_the_switch(site):
    master = site.master()
    other = site.others(master)[0]
    t0 = time.time()
    code, reply = cl.rest(other, 'PUT', '/onos/carelane/slices/social/bandwidth',
                          {'profile': 'offPeak', 'maxKbps': 9000})
    answered = time.time() - t0
    assert code == 200, reply
    rates = site.rates(other, 'offPeak')
    assert 9000 in rates
    took = answered + site.wait_carries(rates)
    record('rate_change_via_non_master_s', took)
    onos.log(f'cluster: rate change via node {other} (master {master}) on the switch after {took:.2f} s')
    onos.wait_until(lambda: cl.device_status(master, site.device).get('sync', {}).get('policyVersion')
                    == reply['policyVersion'], 20, 'the master to report the new version in sync')
    assert cl.device_status(master, site.device)['sync']['state'] == 'IN_SYNC'


def test_an_override_set_on_a_non_master_switches_the_device(site):
    master = site.master()
    a, b = site.others(master)
    code, body = cl.rest(a, 'POST', '/onos/carelane/override',
                         {'profile': 'peak', 'durationMinutes': 30, 'reason': 'cluster drill'})
    assert code in (200, 201), body
    took = site.wait_carries(site.rates(a, 'peak'))
    record('override_via_non_master_s', took)
    assert cl.device_status(b, site.device)['appliedProfile'] == 'peak', 'every node applies the override'
    code, body = cl.rest(b, 'POST', '/onos/carelane/override',
                         {'profile': 'offPeak', 'durationMinutes': 120, 'reason': 'cluster tests'})
    assert code in (200, 201), body
    site.wait_carries(site.rates(b, 'offPeak'))


def test_deactivating_the_app_on_a_non_master_cleans_the_switch_and_reactivation_restores_it(site):
    master = site.master()
    other = site.others(master)[0]
    code, body = cl.rest(other, 'DELETE', f'/onos/v1/applications/{onos.APP}/active')
    assert code in (200, 204), body
    onos.wait_until(lambda: site.state() == ([], {}), 30, f'{BRIDGE} without CareLane rules and meters')
    code, body = cl.rest(other, 'POST', f'/onos/v1/applications/{onos.APP}/active')
    assert code == 200, body
    cl.wait_carelane_answers(cl.NODES)
    rates = site.rates(other, 'offPeak')
    assert 9000 in rates, 'the REST change survived in netcfg'
    site.wait_carries(rates, timeout=60)


def shape(flow):
    """A CareLane rule without cookie, meter id or band: what every generation must carry."""
    p = int(re.search(r'priority=(\d+)', flow).group(1))
    return re.sub(r'cookie=0x[0-9a-f]+, ', '', re.sub(r'meter:\d+', 'meter', flow)).replace(
        f'priority={p}', f'slice-priority={onos.slice_priority(p)}')


def treatments(flows, meters):
    """{rule shape: rates of the meters its rules use (None for a meter the switch lacks)}. Two
    generations side by side during a swap (make before break) treat packets alike and give the
    same entry; an extra meter no rule uses changes nothing."""
    out = {}
    for flow in flows:
        m = re.search(r'meter:(\d+)', flow)
        out.setdefault(shape(flow), set()).add(meters.get(int(m.group(1))) if m else 0)
    return out


def watch(site, seconds, action=None):
    """Reads the switch every 0.2 s while {action} runs in a thread and {seconds} after; returns
    (reads, (read number, flows, meters) of the reads missing part of the policy, distinct rule/meter
    sets seen). A read is complete
    when every rule of the original read is there, and every rule treats packets as the original
    one of its shape did: its meter exists, at the same rate."""
    first_flows, first_meters = site.state()
    want = treatments(first_flows, first_meters)
    seen, incomplete, reads = {json.dumps(site.state())}, [], 0
    worker = threading.Thread(target=action) if action else None
    if worker:
        worker.start()
    end = None
    while end is None or time.time() < end:
        if end is None and not (worker and worker.is_alive()):
            end = time.time() + seconds   # {seconds} beyond the action
        flows, meters = site.state()
        reads += 1
        if treatments(flows, meters) != want:
            incomplete.append((reads, flows, meters))
        seen.add(json.dumps((flows, meters)))
        time.sleep(0.2)
    if worker:
        worker.join()
    return reads, incomplete, len(seen)


def watch_deletions(site, seconds, action):
    """watch() with an OVS flow monitor on the bridge; returns watch()'s figures and the
    monitor's: (CareLane rule deletions, [seconds until each deleted rule came back])."""
    with onos.FlowMonitor(BRIDGE) as monitor:
        reads, incomplete, sets = watch(site, seconds, action)
    deleted, gaps = monitor.restores(site.appid)
    return reads, incomplete, sets, deleted, gaps


def record_deletions(prefix, deleted, gaps):
    record(f'{prefix}_rules_deleted', deleted)
    record(f'{prefix}_rules_put_back', len(gaps))
    record(f'{prefix}_longest_put_back_s', max(gaps, default=0))


def deletions_text(deleted, gaps):
    return (f'{deleted} CareLane rule deletions on the switch, {len(gaps)} put back, longest gap '
            f'{max(gaps, default=0) * 1000:.0f} ms')


def assert_every_deleted_rule_came_back_at_once(reads, incomplete, gaps, survivor):
    """A read may miss a rule ONOS deleted for an instant, never two reads in a row, and every
    deleted rule is back within 0.25 s (RuleKeeper)."""
    in_a_row = [n for n, *_ in incomplete if n - 1 in {m for m, *_ in incomplete}]
    assert not in_a_row, (f'the switch lacked part of the policy in consecutive reads ({len(incomplete)} of '
                          f'{reads} reads incomplete): {incomplete[:2]}\n' + cl.log_tail(survivor, 60))
    assert max(gaps, default=0) < 0.25, f'a deleted rule came back only after {max(gaps):.3f} s'


def restart_stopped_nodes(site):
    """One fault at a time: starts again the ONOS nodes an earlier test stopped or killed."""
    for node in sorted(set(cl.NODES) - site.up):
        cl.restart_node(node)
        site.up.add(node)
    onos.wait_until(lambda: not [n for n in cl.not_ready() if n in site.up], 120, 'the restarted node READY',
                    interval=1)
    cl.wait_carelane_answers(sorted(site.up))


def wait_gateways_in_sync(site, timeout=60):
    """Every gateway IN_SYNC with the newest policy, as its master reports it."""
    def settled():
        for device in site.devices.values():
            master = cl.master(device)
            sync = cl.device_status(master, device).get('sync', {}) if master else {}
            if sync.get('state') != 'IN_SYNC':
                return False
        return True
    onos.wait_until(settled, timeout, 'every gateway in sync', interval=0.5)


def test_stopping_a_standby_then_the_master_leaves_rules_and_meters_and_the_new_master_keeps_sync(site):
    master = site.master()
    standby = site.others(master)[0]
    before = site.state()
    assert before[0] and before[1], 'CareLane rules and meters on the switch'
    stopped = {}

    def stop_standby():
        stopped['standby_s'] = cl.stop_node(standby)
    reads, incomplete, sets = watch(site, 5, stop_standby)
    site.up.discard(standby)
    onos.log(f'cluster: stopped standby node {standby} in {stopped["standby_s"]:.1f} s; {reads} reads, '
             f'{len(incomplete)} incomplete, {sets} rule/meter set(s)')
    assert not incomplete and sets == 1, 'a standby stopping touches nothing'

    def stop_master():
        t0 = time.time()
        cl.stop_node(master)
        onos.wait_until(lambda: site.master() not in (None, master), 60, 'a new master')
        stopped['failover_s'] = time.time() - t0
    # Through the stop and the failover, and 12 s beyond (ONOS's flow-stats poll and CareLane's
    # verification). ONOS 2.7.0 cannot back CareLane's DSCP rules up, and until the new master's
    # flow store has synced (0.3 s to seconds) its flow-stats poll deletes them from the switch;
    # CareLane puts each back as the switch reports the deletion (RuleKeeper). So a read may miss
    # a rule for that instant, but never two reads in a row, and every deleted rule is back fast.
    reads, incomplete, sets, deleted, gaps = watch_deletions(site, 12, stop_master)
    site.up.discard(master)
    survivor = site.master()
    record('failover_s', stopped['failover_s'])
    record('failover_switch_reads', reads)
    record('failover_incomplete_reads', len(incomplete))
    record('failover_rule_sets_seen', sets)
    record_deletions('failover', deleted, gaps)
    onos.log(f'cluster: stopped master node {master}; node {survivor} master after {stopped["failover_s"]:.1f} s; '
             f'{reads} switch reads, {len(incomplete)} incomplete, {sets} rule/meter set(s) seen; '
             + deletions_text(deleted, gaps))
    assert_every_deleted_rule_came_back_at_once(reads, incomplete, gaps, survivor)
    assert len(incomplete) <= len(gaps), 'an incomplete read without a rule put back'
    onos.wait_until(lambda: cl.device_status(survivor, site.device).get('sync', {}).get('state') == 'IN_SYNC',
                    20, 'the new master to report the device in sync')
    assert cl.device_status(survivor, site.device)['master'] is True

    code, reply = cl.rest(survivor, 'PUT', '/onos/carelane/slices/social/bandwidth',
                          {'profile': 'offPeak', 'maxKbps': 7000})
    assert code == 200, reply
    record('rate_change_after_failover_s', site.wait_carries(site.rates(survivor, 'offPeak')))


def test_a_master_frozen_for_20_s_hands_over_and_every_rule_onos_deletes_meanwhile_comes_back_at_once(site):
    """SIGSTOP of the master's JVM, as a node that hangs: ONOS moves mastership, and the new
    master's flow store waits on the frozen node before it syncs, so its flow-stats poll deletes
    CareLane's rules from the switch (see RuleKeeper). Each must be back within 0.25 s.

    One fault at a time: the nodes the stop test stopped are restarted first. With a second node
    down, the new master's flow store can sync only from the frozen node, and the rules its
    poll deletes stay off the switch until ONOS gives up on that node (4.7 s measured; see
    docs/design.md). When the frozen node wakes, ONOS 2.7.0 drops its stale OpenFlow channel
    and with it the switch's meter features from its replicated store, and every node's
    MeterService.submit for the device throws until CareLane gives them back
    (MeterFeaturesRepair): a rate change after the thaw checks that."""
    restart_stopped_nodes(site)
    time.sleep(5)
    master = site.master()
    pid = int((cl.DIR / f'node-{master}' / 'onos.pid').read_text())
    frozen = {}

    def freeze():
        t0 = time.time()
        os.kill(pid, signal.SIGSTOP)
        try:
            onos.wait_until(lambda: site.master() not in (None, master), 60, 'a new master')
            frozen['failover_s'] = time.time() - t0
            time.sleep(max(0.0, 20 - (time.time() - t0)))
        finally:
            os.kill(pid, signal.SIGCONT)
    reads, incomplete, sets, deleted, gaps = watch_deletions(site, 12, freeze)
    onos.wait_until(lambda: not [n for n in cl.not_ready() if n in site.up], 120, 'the thawed node READY again',
                    interval=1)
    survivor = site.master()
    record('freeze_failover_s', frozen['failover_s'])
    record_deletions('freeze', deleted, gaps)
    record('freeze_incomplete_reads', len(incomplete))
    onos.log(f'cluster: froze master node {master} for 20 s; node {survivor} master after '
             f'{frozen["failover_s"]:.1f} s; {reads} switch reads, {len(incomplete)} incomplete; '
             + deletions_text(deleted, gaps))
    assert_every_deleted_rule_came_back_at_once(reads, incomplete, gaps, survivor)
    onos.wait_until(lambda: cl.device_status(survivor, site.device).get('sync', {}).get('state') == 'IN_SYNC',
                    20, 'the new master to report the device in sync')

    # When the thawed node drops its stale channel, ONOS forgets the switch's meter features
    # (OpenFlowMeterProvider.switchRemoved) and MeterService.submit throws: CareLane gives them
    # back from the master's connection, so a rate change still lands at once.
    code, reply = cl.rest(survivor, 'PUT', '/onos/carelane/slices/social/bandwidth',
                          {'profile': 'offPeak', 'maxKbps': 6000})
    assert code == 200, reply
    took = site.wait_carries(site.rates(survivor, 'offPeak'))
    given_back = sum(cl.karaf_log(n).read_text(errors='replace').count('gave ONOS back the meter features')
                     for n in cl.NODES if cl.karaf_log(n).exists())
    record('rate_change_after_freeze_s', round(took, 2))
    record('meter_features_given_back', given_back)
    onos.log(f'cluster: rate change after the freeze on the switch in {took:.2f} s; '
             f'meter features given back {given_back} time(s)')
    assert took < 5, f'the rate change took {took:.1f} s after the freeze'



def bands(bridge, appid):
    """The priority bands of CareLane's rules on a bridge: a change adds the new generation in
    the band not in use and then removes the old one, so a settled device has one band."""
    return {max(b for b in (1000, 3000, 5000, 8000) if int(re.search(r'priority=(\d+)', f).group(1)) >= b)
            for f in onos.carelane_flows(bridge, appid)}


def test_the_master_killed_half_a_second_before_a_scheduled_boundary_every_gateway_switches_within_3_s(site):
    """The real schedule, not an override: a window whose boundary is the next whole minute
    (Europe/London). 0.5 s before it, SIGKILL of the JVM of clgw1's master. Every gateway applies
    the new profile within 3 s of the boundary, and once settled each has exactly one meter per
    slice and its rules in one band. ONOS 2.7.0 moves mastership 1.7-3.4 s after a kill (its
    leader-election session timeout, 2.5 s by default), and nothing can write to a switch without
    a master: the boundary is staged 30 s ahead, and the switches switch themselves when their
    shadows expire, master or not."""
    restart_stopped_nodes(site)
    cl.balance_masters(site.devices.values())   # the kill then leaves the other gateways their masters
    node = sorted(site.up)[0]
    _, original = cl.rest(node, 'GET', '/onos/carelane/schedule')
    boundary, to, before, window = onos.boundary_schedule(lead_s=25)
    after_rates, before_rates = site.rates(node, to), site.rates(node, before)
    after_in_force, before_in_force = site.rates(node, to, in_force=True), site.rates(node, before, in_force=True)
    took = {}
    try:
        code, body = cl.rest(node, 'PUT', '/onos/carelane/schedule', window)
        assert code == 200, body
        assert cl.rest(node, 'DELETE', '/onos/carelane/override')[0] in (200, 204)
        for bridge in site.devices:
            site.wait_in_force(before_in_force, bridge=bridge)   # the boundary is staged within 30 s of it
        master = site.master()
        pid = int((cl.DIR / f'node-{master}' / 'onos.pid').read_text())
        wait = boundary.timestamp() - 0.5 - time.time()
        assert wait > 0, 'the boundary passed while preparing'
        time.sleep(wait)
        os.kill(pid, signal.SIGKILL)
        site.up.discard(master)
        moved = {}

        def new_master():
            onos.wait_until(lambda: site.master() not in (None, master), 30, 'a new master', interval=0.05)
            moved['s'] = round(time.time() - boundary.timestamp(), 2)
        watcher = threading.Thread(target=new_master, daemon=True)
        watcher.start()
        waiting = set(site.devices)
        while waiting and time.time() < boundary.timestamp() + 30:
            for bridge in sorted(waiting):
                if onos.switch_in_force(bridge, after_in_force, site.appid):
                    took[bridge] = round(time.time() - boundary.timestamp(), 2)
                    waiting.discard(bridge)
            time.sleep(0.05)
        watcher.join(timeout=30)
        survivor = site.master()
        onos.log(f'cluster: killed node {master} (master of {site.device}) 0.5 s before the {to} boundary at '
                 f'{boundary:%H:%M}; node {survivor} its master {moved.get("s")} s after the boundary; '
                 f'masters {[cl.master(d) for d in site.devices.values()]}; on the switches after {took} s')
        record('boundary_master_killed_switched_s', took)
        record('boundary_master_killed_new_master_s', moved.get('s'))
        assert not waiting, f'{sorted(waiting)} never carried {to}\n' + cl.log_tail(survivor or 1, 60)
        assert max(took.values()) < 3.0, (f'every gateway on {to} within 3 s of the boundary: {took}; '
                                          f'ONOS moved mastership {moved.get("s")} s after the boundary')
        time.sleep(12)   # ONOS's flow and meter polls, CareLane's verification
        for bridge, device in site.devices.items():
            assert onos.switch_carries(bridge, after_rates, site.appid), f'{bridge} one meter per slice at {to}'
            assert len(bands(bridge, site.appid)) == 1, f'{bridge} rules of one generation: ' \
                + '\n'.join(onos.carelane_flows(bridge, site.appid))
            status = cl.device_status(cl.master(device), device)   # its master's view
            assert status['sync']['state'] == 'IN_SYNC', status
            assert status['flowRules'] == len(onos.carelane_flows(bridge, site.appid)), status
    finally:
        node = sorted(site.up)[0]
        cl.rest(node, 'PUT', '/onos/carelane/schedule', {k: v for k, v in original.items()
                                                          if k in onos.SCHEDULE_FIELDS})
        cl.rest(node, 'POST', '/onos/carelane/override',
                {'profile': 'offPeak', 'durationMinutes': 120, 'reason': 'cluster tests'})


def test_a_gateway_dropped_from_the_policy_while_it_has_no_master_is_cleaned_within_5_s_of_getting_one(site):
    """Every switch's OpenFlow connections cut (ONOS relinquishes mastership of a disconnected
    device), clgw3 dropped from the netcfg meanwhile: no node can clean it then. When the
    connections come back, whichever node becomes its master removes CareLane's rules and meters
    within 5 s; the other gateways keep theirs."""
    restart_stopped_nodes(site)
    bridge = 'clgw3'
    device = site.devices[bridge]
    node = sorted(site.up)[0]
    kept = {b: onos.switch_meters(b) for b in site.devices if b != bridge}
    before = cl.carelane_netcfg(node)   # with the REST changes of the earlier tests written back
    dropped = json.loads(json.dumps(before))
    gateways = dropped['apps'][onos.APP]['carelane']['devices']
    gateways[:] = [g for g in gateways if g['deviceId'] != device]
    try:
        with onos.ControlCut():
            onos.wait_until(lambda: all(cl.master(d) is None for d in site.devices.values()), 20,
                            'no master for any gateway', interval=0.1)
            code, body = cl.rest(node, 'POST', '/onos/v1/network/configuration', dropped)
            assert code == 200, body
            time.sleep(3)
            assert onos.carelane_flows(bridge, site.appid) and onos.switch_meters(bridge), \
                'nobody could clean the switch while it had no master'
        onos.wait_until(lambda: cl.master(device) is not None, 30, f'a master for {device}', interval=0.05)
        mastered = time.time()
        try:
            onos.wait_until(lambda: onos.switch_state(bridge, site.appid) == ([], {}), 30,
                            f'{bridge} without CareLane rules and meters', interval=0.05)
        except onos.OnosError as e:
            master = cl.master(device)
            raise AssertionError(f'{e}: the switch holds {onos.switch_state(bridge, site.appid)}; master {master}\n'
                                 + '\n'.join(f'node {n}: {line}' for n in sorted(site.up)
                                             for line in cl.log_tail(n, 400).splitlines()[-400:]
                                             if 'CareLane' in line or 'cannot reach' in line)) from e
        took = round(time.time() - mastered, 2)
        record('cleaned_after_getting_a_master_s', took)
        onos.log(f'cluster: {device} dropped while it had no master; clean {took} s after node '
                 f'{cl.master(device)} became its master')
        assert took < 5, f'{bridge} clean {took} s after getting a master'
        for other, meters in kept.items():
            site.wait_carries(sorted(meters.values()), timeout=10, bridge=other)
    finally:
        code, body = cl.rest(node, 'POST', '/onos/v1/network/configuration', before)
        assert code == 200, body
    site.wait_carries(site.rates(node, 'offPeak'), timeout=30, bridge=bridge)


OVSDB_DEVICE = 'ovsdb:10.77.0.254'   # the host's OVS, as the nodes see it on tbbr0
UPLINK = 'clq1'


def queue_max(port, queue):
    """The max-rate, in kbit/s, of one queue of the QoS on an OVS port (None without it)."""
    q = onos.port_queues(port)
    return None if q is None or queue not in q['queues'] else q['queues'][queue][1] // 1000


def set_master(device_id, node):
    """Makes a node master of a device (ONOS's PUT /onos/v1/mastership) and waits until it is.
    Waits first until the node is a candidate (connected to the device): ONOS ignores the PUT otherwise."""
    onos.wait_until(lambda: node in cl.candidates(device_id), 30, f'node {node} a candidate for {device_id}',
                    interval=0.2)
    code, body = cl.rest(node, 'PUT', '/onos/v1/mastership',
                         {'deviceId': device_id, 'nodeId': f'10.77.0.{node}', 'role': 'MASTER'})
    assert code == 200, body
    onos.wait_until(lambda: cl.master(device_id) == node, 20, f'node {node} master of {device_id}', interval=0.2)


def wrote_qos(node, qos):
    """Whether a node's karaf.log says that node put the QoS on the port."""
    log = cl.karaf_log(node)
    return log.exists() and f': {qos} (' in log.read_text(errors='replace')


def test_the_uplink_queues_are_applied_by_the_ovsdb_master_and_follow_a_rate_change_after_it_is_killed(site):
    """The host's OVS points at all three nodes as OVSDB managers, as it does as controllers.
    ONOS's OVSDB client exists only on a node that holds a session, and such a node masters the
    ovsdb: device; that node, not the switch's master, does the OVSDB work, from the queue
    profile in the store. With the two masterships on different nodes: the OVSDB master writes
    the queues, every node's /status shows them, and after a SIGKILL of the OVSDB master the
    next rate change reaches the queues through the new OVSDB master, the switch's master
    untouched."""
    restart_stopped_nodes(site)
    wait_gateways_in_sync(site)
    device = site.device
    subprocess.run(['ip', 'link', 'add', UPLINK, 'type', 'veth', 'peer', 'name', UPLINK + 'p'], check=True)
    subprocess.run(['ip', 'link', 'set', UPLINK, 'up'], check=True)
    subprocess.run(['ovs-vsctl', 'add-port', BRIDGE, UPLINK, '--', 'set', 'interface', UPLINK,
                    'ofport_request=1'], check=True)
    node = sorted(site.up)[0]
    before = cl.carelane_netcfg(node)
    owned = json.loads(json.dumps(before))
    next(g for g in owned['apps'][onos.APP]['carelane']['devices'] if g['deviceId'] == device)['uplinkPort'] = 1
    owned['devices'] = {OVSDB_DEVICE: {'basic': {'driver': 'ovs'}}}
    try:
        for app in onos.OVSDB_APPS:
            code, body = cl.rest(node, 'POST', f'/onos/v1/applications/{app}/active')
            assert code == 200, body
        subprocess.run(['ovs-vsctl', 'set-manager', *[f'tcp:10.77.0.{n}:6640' for n in cl.NODES]], check=True)
        onos.wait_until(lambda: cl.device_available(node, OVSDB_DEVICE), 60, f'{OVSDB_DEVICE} available')
        onos.wait_until(lambda: any(p.get('port') == '1' for p in
                                    cl.rest(node, 'GET', f'/onos/v1/devices/{device}/ports')[1].get('ports', [])),
                        20, f'port 1 of {device} in ONOS')
        # OVS connects to each manager on its own backoff: a node without a session cannot be OVSDB master.
        onos.wait_until(lambda: site.up <= cl.candidates(OVSDB_DEVICE), 60, 'every node up holding an OVSDB session')
        switch_master = site.master()
        ovsdb_master = next(n for n in sorted(site.up) if n != switch_master)
        set_master(OVSDB_DEVICE, ovsdb_master)
        code, body = cl.rest(node, 'POST', '/onos/v1/network/configuration', owned)
        assert code == 200, body
        social = next(s for s in cl.rest(node, 'GET', '/onos/carelane/slices')[1]['slices'] if s['name'] == 'social')
        rate = social['rates']['offPeak']['maxKbps']
        try:
            onos.wait_until(lambda: queue_max(UPLINK, social['queue']) == rate, 60,
                            f'a {rate} kbit/s social queue on {UPLINK}')
            onos.wait_until(lambda: all(cl.device_status(n, device).get('queues', {}).get('state') == 'APPLIED'
                                        for n in site.up), 10, 'every node showing the queues APPLIED')
        except onos.OnosError as e:
            raise AssertionError(f'{e}; queues seen by each node: '
                                 f'{[cl.device_status(n, device).get("queues") for n in sorted(site.up)]}; '
                                 f'masters of {device}, {OVSDB_DEVICE}: {cl.master(device)}, '
                                 f'{cl.master(OVSDB_DEVICE)}; on {UPLINK}: {onos.port_queues(UPLINK)}') from None
        qos = onos.port_queues(UPLINK)['name']
        # The writer logs the QoS just after the port takes it.
        onos.wait_until(lambda: wrote_qos(ovsdb_master, qos), 5, f'node {ovsdb_master} logging QoS {qos}')
        writers = [n for n in sorted(site.up) if wrote_qos(n, qos)]
        assert writers == [ovsdb_master], (f'QoS {qos} written by nodes {writers}; the switch\'s master is '
                                           f'{switch_master}, the OVSDB master {ovsdb_master}')

        pid = int((cl.DIR / f'node-{ovsdb_master}' / 'onos.pid').read_text())
        os.kill(pid, signal.SIGKILL)
        site.up.discard(ovsdb_master)
        onos.wait_until(lambda: cl.master(OVSDB_DEVICE) not in (None, ovsdb_master), 30,
                        f'a new master of {OVSDB_DEVICE}', interval=0.1)
        survivor = cl.master(OVSDB_DEVICE)
        assert site.master() == switch_master, 'the switch keeps its master'
        t0 = time.time()
        code, reply = cl.rest(switch_master, 'PUT', '/onos/carelane/slices/social/bandwidth',
                              {'profile': 'offPeak', 'maxKbps': rate + 500})
        assert code == 200, reply
        onos.wait_until(lambda: queue_max(UPLINK, social['queue']) == rate + 500, 30,
                        f'the {rate + 500} kbit/s social queue on {UPLINK}', interval=0.1)
        took = round(time.time() - t0, 2)
        record('queues_after_ovsdb_master_killed_s', took)
        new_qos = onos.port_queues(UPLINK)['name']
        onos.wait_until(lambda: wrote_qos(survivor, new_qos), 5,
                        f'QoS {new_qos} logged by the new OVSDB master {survivor}')
        others = [n for n in sorted(site.up) if n != survivor and wrote_qos(n, new_qos)]
        assert not others, f'QoS {new_qos} also written by nodes {others}'
        status = cl.device_status(switch_master, device).get('queues', {})
        onos.log(f'cluster: killed node {ovsdb_master}, the OVSDB master that applied {device}\'s queues; node '
                 f'{survivor}, the next OVSDB master, put the next rate change in the queues after {took} s; '
                 f'node {switch_master}, the switch\'s master, shows {status}')
        assert status.get('state') == 'APPLIED', status
    finally:
        node = sorted(site.up)[0]
        cl.rest(node, 'POST', '/onos/v1/network/configuration', before)
        try:
            onos.wait_until(lambda: onos.carelane_ovsdb_rows(DPID) == ([], []), 30, 'CareLane queues removed')
        finally:
            cl.rest(node, 'DELETE', f'/onos/v1/network/configuration/devices/{OVSDB_DEVICE}')
            subprocess.run(['ovs-vsctl', 'del-manager'], check=False)
            subprocess.run(['ovs-vsctl', '--if-exists', 'del-port', BRIDGE, UPLINK], check=False)
            subprocess.run(['ip', 'link', 'del', UPLINK], check=False)


def switch_mastered_at(dpid, node, after, until):
    """When (epoch s) {node}'s OpenFlow agent last took the switch as MASTER between {after} and {until},
    from its karaf.log (ONOS logs "Transitioned switch <dpid> to MASTER" when the switch acknowledged
    the role request; the stamps are in the zone this process shares with the nodes); None if it did not."""
    colons = ':'.join(dpid[i:i + 2] for i in range(0, 16, 2))
    log = cl.karaf_log(node)
    text = log.read_text(errors='replace') if log.exists() else ''
    found = [datetime.strptime(stamp, '%Y-%m-%dT%H:%M:%S,%f').timestamp()
             for stamp in re.findall(r'^(\S+) \|.*Transitioned switch ' + re.escape(colons) + ' to MASTER', text, re.M)]
    found = [at for at in found if after <= at <= until]
    return max(found, default=None)


def atomix_leaders(dead=()):
    """{Raft partition: Atomix node number of its leader}, the last leader each live Atomix node's
    log names, as most of them name it."""
    seen = {}
    for i in (n for n in cl.NODES if n not in dead):
        log = cl.DIR / f'atomix-{i}' / 'atomix.log'
        text = log.read_text(errors='replace') if log.exists() else ''
        for partition, leader in re.findall(r'RaftServer\{([\w-]+)\} - Found leader atomix-(\d+)', text):
            seen.setdefault(partition, {})[i] = int(leader)
    return {p: max(set(by.values()), key=list(by.values()).count) for p, by in seen.items()}


class NetnsHost:
    """A host in its own network namespace on a gateway bridge (a veth pair, static neighbours,
    no Mininet): enough for ovs.start_dnsmasq and ovs.dns_query."""

    def __init__(self, name, bridge, address):
        self.name, self.bridge, self.address = name, bridge, address
        self.ns, self.intf, self.peer = f'clns-{name}', f'{name}-eth0', f'{name}-br'
        self.processes = []
        self.close()   # what an aborted run left
        run = lambda *a: subprocess.run(a, check=True, capture_output=True)
        run('ip', 'netns', 'add', self.ns)
        run('ip', 'link', 'add', self.intf, 'type', 'veth', 'peer', 'name', self.peer)
        run('ip', 'link', 'set', self.intf, 'netns', self.ns)
        for line in (f'ip addr add {address}/8 dev {self.intf}', f'ip link set {self.intf} up', 'ip link set lo up',
                     f'ethtool -K {self.intf} tx off'):
            run('ip', 'netns', 'exec', self.ns, *line.split())
        run('ip', 'link', 'set', self.peer, 'up')
        run('ethtool', '-K', self.peer, 'tx', 'off')
        run('ovs-vsctl', 'add-port', bridge, self.peer)
        self.mac = self.cmd(f'cat /sys/class/net/{self.intf}/address').strip()

    def __str__(self):
        return self.name

    def cmd(self, line):
        return subprocess.run(['ip', 'netns', 'exec', self.ns, 'bash', '-c', line], capture_output=True,
                              text=True, timeout=30).stdout

    def popen(self, args, **kwargs):
        process = subprocess.Popen(['ip', 'netns', 'exec', self.ns, *args], **kwargs)
        self.processes.append(process)
        return process

    def neighbour(self, other, *addresses):
        for address in (other.address, *addresses):
            self.cmd(f'ip neigh replace {address} lladdr {other.mac} dev {self.intf}')

    def close(self):
        for process in self.processes:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
        subprocess.run(['ovs-vsctl', '--if-exists', 'del-port', self.bridge, self.peer], capture_output=True)
        subprocess.run(['ip', 'link', 'del', self.peer], capture_output=True)
        subprocess.run(['ip', 'netns', 'del', self.ns], capture_output=True)


def learned(bridge, address, dscp):
    """The learned rules to an address on a bridge that mark it with this DSCP."""
    return [f for f in onos.rules_to(bridge, address) if f'set_field:{dscp}->ip_dscp' in f]


def test_after_its_master_is_killed_names_are_still_classified(site):
    """Names on the cluster (issue 17): the sample's work-internet and social names, answered by
    dnsmasq on the sample's resolver (10.150.0.10) behind clgw1, are learned on the master. After
    a SIGKILL of that master, the new master learns again: learned addresses live on the master
    only, and a new master removes the learned rules it inherits. An answer from the resolver's
    cache to a name learned before the kill, and a name not asked before, both get their slice's
    rules on the switch, and the client gets its answers."""
    restart_stopped_nodes(site)
    wait_gateways_in_sync(site)
    work, social = '10.200.0.20', '10.150.0.20'   # internet by prefix (social) and in no list (default)
    zone = [f'--host-record=nhs-wales.cdn.test,{work},60', '--cname=www.nhs.wales,nhs-wales.cdn.test,60',
            f'--host-record=star.fbcdn.net,{social},60', '--cname=facebook.com,star.fbcdn.net,60',
            f'--host-record=pbs.twimg.com,{social},60']
    af21, cs1 = 18, 8
    workdir = tempfile.mkdtemp(prefix='carelane-cluster-names-')
    hosts = []
    try:
        resolver = NetnsHost('clres', BRIDGE, '10.150.0.10')
        hosts.append(resolver)
        client = NetnsHost('clcli', BRIDGE, '10.1.1.11')
        hosts.append(client)
        client.neighbour(resolver, work, social)
        resolver.neighbour(client)
        ovs.start_dnsmasq(resolver, resolver.address, zone, workdir, 'cluster')
        answers = {}

        def ask(name):
            answer = ovs.dns_query(client, resolver.address, name)
            answers[name] = answer
            return answer['rcode'] == 0 and bool(answer['addresses'])

        def asked_and_learned(name, address, dscp):
            return ask(name) and learned(BRIDGE, address, dscp)
        onos.wait_until(lambda: asked_and_learned('www.nhs.wales', work, af21), 30,
                        'the punt rule and a learned work-internet rule', interval=1)
        master = site.master()
        pid = int((cl.DIR / f'node-{master}' / 'onos.pid').read_text())
        os.kill(pid, signal.SIGKILL)
        site.up.discard(master)
        onos.wait_until(lambda: site.master() not in (None, master), 30, 'a new master', interval=0.1)
        survivor = site.master()
        # The new master's punt rule first (until then answers reach the client by the normal rules).
        onos.wait_until(lambda: not learned(BRIDGE, work, af21), 20, 'the inherited learned rule removed',
                        interval=0.2)
        t0 = time.time()
        onos.wait_until(lambda: asked_and_learned('www.nhs.wales', work, af21), 30,
                        'www.nhs.wales (from the cache) learned by the new master', interval=0.5)
        relearned = round(time.time() - t0, 2)
        assert ask('facebook.com'), answers
        onos.wait_until(lambda: learned(BRIDGE, social, cs1), 5, 'facebook.com learned in social', interval=0.1)
        _, rows = cl.rest(survivor, 'GET', f'/onos/carelane/names/learned?device={site.device}')
        slices = {e['address']: e['slice'] for e in rows['learned']}
        record('names_relearned_after_master_killed_s', relearned)
        onos.log(f'cluster: killed node {master}, master of {site.device}; node {survivor} learned '
                 f'www.nhs.wales again {relearned} s after its inherited rule was removed; learned there: {slices}')
        assert slices.get(work) == 'work-internet' and slices.get(social) == 'social', rows
    finally:
        for host in hosts:
            host.close()
        shutil.rmtree(workdir, ignore_errors=True)


def test_after_the_raft_leader_is_killed_carelane_still_reacts_to_a_reconnect(site):
    """SIGKILL of the Atomix node that leads the most Raft partitions. Its partitions elect new
    leaders; no CareLane listener is ejected by ONOS's event watchdog. Then clgw1 reconnects with
    its flows and meters deleted while cut: CareLane puts the whole policy back within 2.5 s of ONOS
    making the switch's connection its master (ONOS on its own takes its 5 s flow and 10 s meter
    polls). ONOS's role handshake before that is recorded apart: nothing can be written then."""
    restart_stopped_nodes(site)
    wait_gateways_in_sync(site)   # one fault at a time: not while the restarted node settles
    leaders = atomix_leaders()
    led = {i: sorted(p for p, n in leaders.items() if n == i) for i in cl.NODES}
    victim = max(cl.NODES, key=lambda i: len(led[i]))
    assert led[victim], f'no Raft leader found in the Atomix logs: {leaders}'
    pid = int((cl.DIR / f'atomix-{victim}' / 'atomix.pid').read_text())
    t0 = time.time()
    os.kill(pid, signal.SIGKILL)
    onos.wait_until(lambda: all(atomix_leaders(dead={victim}).get(p) not in (None, victim) for p in led[victim]),
                    60,
                    f'new leaders for {led[victim]}', interval=0.2)
    elected = round(time.time() - t0, 2)
    record('raft_leader_killed_reelected_s', elected)
    onos.log(f'cluster: killed atomix-{victim}, leader of {led[victim]}; new leaders after {elected} s')

    node = site.master()
    code, reply = cl.rest(node, 'PUT', '/onos/carelane/slices/social/bandwidth',
                          {'profile': 'offPeak', 'maxKbps': 5000})
    assert code == 200, reply
    rates = site.rates(node, 'offPeak')
    site.wait_carries(rates)
    rules = len(onos.carelane_flows(BRIDGE, site.appid))
    with onos.ControlCut():
        onos.wait_until(lambda: cl.master(site.device) is None, 20, 'ONOS to see the cut', interval=0.05)
        onos.ofctl('del-flows', BRIDGE)
        onos.ofctl('del-meters', BRIDGE)
    restored = time.time()
    onos.wait_until(lambda: cl.device_available(sorted(site.up)[0], site.device), 30,
                    f'{site.device} available again', interval=0.05)
    back = time.time()
    onos.wait_until(lambda: onos.switch_carries(BRIDGE, rates, site.appid)
                    and len(onos.carelane_flows(BRIDGE, site.appid)) == rules, 30,
                    'the whole policy on the switch', interval=0.05)
    whole = time.time()
    took = round(whole - back, 2)
    master = cl.master(site.device)
    writable = switch_mastered_at(DPID, master, restored, whole)
    assert writable, f'node {master}, the master, logged no transition of {DPID} to MASTER'
    handshake = round(writable - back, 2)
    carelane = round(whole - writable, 2)
    record('reconnect_after_raft_leader_killed_s', took)
    record('reconnect_after_raft_leader_killed_onos_role_s', handshake)
    record('reconnect_after_raft_leader_killed_carelane_s', carelane)
    onos.log(f'cluster: after the Raft leader was killed, an emptied reconnect was whole again {took} s after '
             f'ONOS reported it available: ONOS made the switch its master {handshake} s after that, CareLane '
             f'had put the policy back {carelane} s later')
    ejected = [line for n in cl.NODES if cl.karaf_log(n).exists()
               for line in cl.karaf_log(n).read_text(errors='replace').splitlines()
               if 'exceeded execution time limit' in line and 'carelane' in line.lower()]
    assert not ejected, f'ONOS ejected a CareLane listener: {ejected}'
    # ONOS reports the device available before its master's role request is acknowledged (its
    # OpenFlow agent drops everything else sent until then): 0.9-1.5 s measured in the cluster,
    # more when loaded. CareLane's part starts there.
    assert carelane < 2.5, (f'the emptied switch whole again {carelane} s after ONOS made it its master '
                          f'({took} s after it was reported available)')
