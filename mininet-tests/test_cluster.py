"""CareLane on the test bed's real 3-node ONOS 2.7.0 cluster (3 ONOS + 3 Atomix nodes): changes
made on any node reach the switch through its master, stopping nodes leaves the rules and
meters in place, the new master keeps the device in sync, and deactivation cleans up."""
import json
import os
import re
import signal
import subprocess
import threading
import time

import pytest

import onos_cluster as cl
import onos_testbed as onos
from conftest import require_testbed

BRIDGE = 'clgw1'
DPID = '00000000000000e1'


def record(name, value):
    onos.record_figure('cluster.json', name, value)


class Site:
    """The cluster, its one gateway bridge and what the tests need to read of it."""

    def __init__(self):
        self.device = None
        self.appid = None
        self.up = set(cl.NODES)

    def rates(self, node, profile):
        _, body = cl.rest(node, 'GET', '/onos/carelane/slices')
        return sorted(s['rates'][profile]['maxKbps'] for s in body['slices'] if s.get('action') != 'drop')

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

    def wait_carries(self, rates, timeout=30):
        t0 = time.time()
        onos.wait_until(lambda: onos.switch_carries(BRIDGE, rates, self.appid), timeout,
                        f'{BRIDGE} to carry {rates}', interval=0.05)
        return time.time() - t0

    def others(self, node):
        return [n for n in sorted(self.up) if n != node]

    def master(self):
        return cl.master(self.device)


@pytest.fixture(scope='module')
def site():
    require_testbed()
    s = Site()
    try:
        record('boot_s', cl.up())
        cl.rest(1, 'POST', '/onos/v1/applications/org.onosproject.openflow/active')
        cl.install_app()
        s.device = cl.connect(BRIDGE, DPID)
        _, app = cl.rest(1, 'GET', f'/onos/v1/applications/{onos.APP}')
        s.appid = app['id']
        netcfg = onos.netcfg_for(onos.ROOT / 'topologies' / 'carelane-netcfg.json',
                                 {'of:0000000000000001': s.device})
        code, body = cl.rest(1, 'POST', '/onos/v1/network/configuration', netcfg)
        assert code == 200, body
        onos.wait_policy(base=cl.base(1))
        # The schedule follows the real clock: fix the profile for the tests.
        code, body = cl.rest(1, 'POST', '/onos/carelane/override',
                             {'profile': 'offPeak', 'durationMinutes': 120, 'reason': 'cluster tests'})
        assert code in (200, 201), body
        s.wait_carries(s.rates(1, 'offPeak'), timeout=60)
        onos.log(f'cluster: {s.device} programmed by its master, node {s.master()}')
    except (onos.OnosError, AssertionError) as e:
        subprocess.run(['ovs-vsctl', '--if-exists', 'del-br', BRIDGE])
        cl.down()
        pytest.fail(f'the ONOS cluster did not come up with CareLane:\n{e}', pytrace=False)
    yield s
    subprocess.run(['ovs-vsctl', '--if-exists', 'del-br', BRIDGE])
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
        f'priority={p}', f'slice-priority={p % 1000}')


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
    stopped = sorted(set(cl.NODES) - site.up)
    for node in stopped:
        cl.restart_node(node)
        site.up.add(node)
    onos.wait_until(lambda: not [n for n in cl.not_ready() if n in site.up], 120, 'the restarted node READY',
                    interval=1)
    cl.wait_carelane_answers(sorted(site.up))
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

