"""Faults through the real ONOS 2.7.0: a change that does not fit the switch's flow table.

OVS answers TABLE_FULL to the new generation's adds; the attempt deletes what it added and
keeps the working rules. A retry may still land before the limit is lifted: ONOS keeps the
failed band's deleted rules PENDING_REMOVE until its next flow poll, so the retry can take that
band for the one in use and re-add the generation into the working band in place, which fits a
full table (an ADD with the same match and priority replaces a rule). Either way the site keeps
working, /status keeps the failure (sync.lastFailure), and the change lands."""
import json
import re
import subprocess
import time
from pathlib import Path

import pytest

import carelane_ovs as ovs
import lunchtime
import onos_testbed
from hospital import GATEWAY, GATEWAY_DEVICE, UPLINK_PEER, WAN_HOSTS

PROBE_PPS = 1000
HOLD_S = 10


@pytest.fixture(scope='module')
def site(onos_carelane):
    onos = onos_carelane
    with ovs.hospital_under_onos(onos, 'fault tests') as net:
        gw = net.get(GATEWAY)
        onos.wait_programmed(gw.name, GATEWAY_DEVICE, 'peak')
        uplink = gw.connectionsTo(net.get(UPLINK_PEER))[0][0].name
        ovs.configure_bottleneck(uplink, lunchtime.UPLINK_KBPS, onos.queue_plan('peak'))
        yield net


def device_sync(onos):
    return onos.status()['devices'][0].get('sync', {})


def test_a_change_that_does_not_fit_the_table_keeps_the_site_working(onos_carelane, site):
    """OVS table 0 is limited so that the next generation cannot fit (TABLE_FULL on its adds).
    Clinical keeps flowing with its own DSCP, the blocked site stays dropped, /status keeps the
    failure, and the change lands, at the latest once the limit is lifted. On f6b45d2 ONOS ran
    the batch's remove stages after the failed add stage, and the site lost its rules."""
    onos = onos_carelane
    nhs1 = site.get('nhs1')
    table0 = sum(1 for line in onos.ofctl('dump-flows', GATEWAY, 'table=0').splitlines() if 'priority=' in line)
    server = nhs1.popen(['iperf3', '-s', '-p', '5202', '-1'])
    counter = nhs1.popen(['/usr/bin/python3', str(Path(__file__).resolve().parent / 'dscp_counter.py'),
                          str(nhs1.defaultIntf()), WAN_HOSTS['nhs1']], stdout=subprocess.PIPE, text=True)
    assert counter.stdout.readline().strip() == 'ready'
    time.sleep(1)
    seconds = HOLD_S + 8
    probe = site.get('clin1').popen(['iperf3', '-c', WAN_HOSTS['nhs1'], '-p', '5202', '-u', '-J',
                                     '-b', str(PROBE_PPS * 125 * 8), '-l', '125', '-t', str(seconds)],
                                    stdout=subprocess.PIPE)
    blocked = site.get('staff2').popen(['ping', '-n', '-q', '-i', '0.05', '-w', str(seconds), WAN_HOSTS['bad1']],
                                       stdout=subprocess.PIPE, text=True)
    limited = False
    try:
        time.sleep(2)
        # Room for 2 more rules: a new generation (6 rules in the other band) cannot fit.
        subprocess.run(['ovs-vsctl', '--', '--id=@ft', 'create', 'Flow_Table', f'flow_limit={table0 + 2}',
                        'overflow_policy=refuse', '--', 'set', 'Bridge', GATEWAY, 'flow_tables:0=@ft'],
                       check=True)
        limited = True
        changed = time.time()
        code, body = onos.rest('PUT', '/onos/carelane/slices/social/bandwidth',
                               {'profile': 'peak', 'maxKbps': 3000, 'minKbps': 3000})
        assert code == 200, body
        onos.wait_until(lambda: 'lastFailure' in device_sync(onos), HOLD_S, 'the device to record the failure',
                        interval=0.1)
        failed = device_sync(onos)
        time.sleep(max(0.0, HOLD_S - 2))
        wanted = list(onos.expected_rates('peak').values())
        landed_while_full = onos.switch_carries(GATEWAY, wanted, onos.app_id())
        subprocess.run(['ovs-vsctl', 'clear', 'Bridge', GATEWAY, 'flow_tables'], check=True)
        limited = False
        t0 = time.time()
        landed = onos.time_until_switch_carries(GATEWAY, wanted, timeout=30)
        onos.wait_programmed(GATEWAY, GATEWAY_DEVICE, 'peak', timeout=30)
        in_sync = time.time() - t0
    finally:
        if limited:
            subprocess.run(['ovs-vsctl', 'clear', 'Bridge', GATEWAY, 'flow_tables'], check=False)
        result = lunchtime.iperf_json(probe)
        blocked_out = blocked.communicate(timeout=seconds + 10)[0]
        counter.send_signal(2)
        counted = counter.communicate(timeout=10)[0]
        for p in (server,):
            if p.poll() is None:
                p.kill()
            p.wait()
        onos.rest('PUT', '/onos/carelane/slices/social/bandwidth', {'profile': 'peak', 'maxKbps': 4000,
                                                                      'minKbps': 4000})
    assert 'error' not in result, result
    _, loss = lunchtime.udp_stats(result)
    dscp = json.loads(counted.strip().splitlines()[-1])
    other = sum(n for d, n in dscp['byDscp'].items() if int(d) != 46)
    sent = int(blocked_out.split(' packets transmitted')[0].split()[-1])
    answered = int(blocked_out.split(' received')[0].split()[-1])
    figures = {'tableFull': {'flowLimit': table0 + 2, 'clinicalProbePps': PROBE_PPS,
                             'clinicalLossPercent': round(loss, 3), 'clinicalPackets': dscp['total'],
                             'clinicalPacketsOtherDscp': other, 'blockedPingsSent': sent,
                             'blockedPingsAnswered': answered, 'statusWhileFull': failed,
                             'landedWhileFull': landed_while_full,
                             'landedAfterLimitLiftedS': round(landed, 3), 'inSyncAfterLimitLiftedS': round(in_sync, 3)}}
    ovs.log(f'faults: {figures}')
    onos_testbed.write_results('faults.json', figures)
    print('faults: ' + json.dumps(figures))
    assert failed['lastFailure'].get('reason'), failed
    assert answered == 0 and sent > 100, blocked_out
    assert other == 0 and dscp['total'] > PROBE_PPS * 10, dscp
    assert loss <= 0.2, figures
    assert landed <= 30, figures
    onos.wait_programmed(GATEWAY, GATEWAY_DEVICE, 'peak', timeout=40)


CUTS = 10   # of each kind


class RuleSampler:
    """Counts CareLane's rules on the bridge every 50 ms, in a thread."""

    def __init__(self, appid):
        import threading
        self.appid, self.samples, self.running = appid, [], True
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while self.running:
            self.samples.append((time.time(), len(onos_testbed.carelane_flows(GATEWAY, self.appid))))
            time.sleep(0.05)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        self.thread.join(timeout=5)


def policy_shapes(onos, appid):
    """CareLane's rules as match and actions, without cookie, band or meter id."""
    return sorted(re.sub(r'priority=\d+,?', '', re.sub(r'meter:\d+', 'meter', re.sub(r'cookie=0x[0-9a-f]+, ', '', f)))
                  for f in onos.carelane_flows(GATEWAY, appid))


def whole(onos, appid, shapes, rates):
    """The switch holds the whole policy: its rules (no fewer, no more) and meters at the rates."""
    return policy_shapes(onos, appid) == shapes and onos.switch_carries(GATEWAY, rates, appid)


def cut_and_reconnect(onos, appid, shapes, rates, empty):
    """One cut: until ONOS marks the device unavailable; then, for an emptied switch, its flows and
    meters deleted; then the connection back. Returns seconds from the device available again to
    the whole policy on the switch."""
    t0 = time.time()
    with onos.ControlCut():
        onos.wait_until(lambda: not onos.device_available(GATEWAY_DEVICE), 10, 'ONOS to see the cut', interval=0.05)
        gone = time.time() - t0
        if empty:
            onos.ofctl('del-flows', GATEWAY)
            onos.ofctl('del-meters', GATEWAY)
    onos.wait_until(lambda: onos.device_available(GATEWAY_DEVICE), 30, 'the device back', interval=0.05)
    back = time.time()
    onos.wait_until(lambda: whole(onos, appid, shapes, rates), 30, 'the whole policy on the switch', interval=0.05)
    return round(gone, 2), round(time.time() - back, 3)


def test_20_reconnects_come_back_whole_within_2_s_and_a_kept_table_never_loses_a_rule(onos_carelane, site):
    """10 cuts with the switch's tables kept, then 10 with its flows and meters deleted while cut.
    Each is back to the whole policy within 2 s of the device being available again. Through
    the kept-table cuts a 1,000 pps clinical ping loses at most 0.2%, and no 50 ms sample finds
    fewer CareLane rules than the policy's."""
    onos = onos_carelane
    appid = onos.app_id()
    onos.wait_programmed(GATEWAY, GATEWAY_DEVICE, 'peak', timeout=40)
    shapes = policy_shapes(onos, appid)
    rates = list(onos.expected_rates('peak').values())
    # OVS retries its controller after 1 s at most, not its default 8 s.
    subprocess.run(['ovs-vsctl', 'set', 'controller', GATEWAY, 'max_backoff=1000'], check=True)
    assert policy_shapes(onos, appid) == shapes, 'changing the backoff kept the tables'
    kept, emptied = [], []
    probe = site.get('clin1').popen(['ping', '-n', '-q', '-i', '0.001', WAN_HOSTS['nhs1']],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(1)
    assert probe.poll() is None, probe.communicate()[0]
    try:
        with RuleSampler(appid) as sampler:
            for _ in range(CUTS):
                kept.append(cut_and_reconnect(onos, appid, shapes, rates, empty=False))
        probe.send_signal(2)
        probed = probe.communicate(timeout=10)[0]
        for _ in range(CUTS):
            emptied.append(cut_and_reconnect(onos, appid, shapes, rates, empty=True))
    finally:
        if probe.poll() is None:
            probe.kill()
            probe.wait()
        subprocess.run(['nft', 'delete', 'table', 'inet', onos_testbed.ControlCut.TABLE], check=False,
                       stderr=subprocess.DEVNULL)
        subprocess.run(['ovs-vsctl', 'remove', 'controller', GATEWAY, 'max_backoff', '1000'], check=False)
    sent = int(re.search(r'(\d+) packets transmitted', probed).group(1))
    received = int(re.search(r'(\d+) received', probed).group(1))
    loss = 100.0 * (sent - received) / sent
    fewest = min(n for _, n in sampler.samples)
    figures = {'policyRules': len(shapes), 'keptCuts': len(kept), 'emptiedCuts': len(emptied),
               'secondsToSeeTheCut': sorted(g for g, _ in kept + emptied),
               'keptBackWholeS': [b for _, b in kept], 'emptiedBackWholeS': [b for _, b in emptied],
               'keptSamples': len(sampler.samples), 'keptFewestRules': fewest,
               'clinicalPingsSent': sent, 'clinicalPingsLost': sent - received,
               'clinicalLossPercent': round(loss, 3)}
    ovs.log(f'reconnects: {figures}')
    onos_testbed.record_figure('faults.json', 'reconnects', figures)
    print('reconnects: ' + json.dumps(figures))
    assert fewest >= len(shapes), figures
    assert loss <= 0.2 and sent > 1000, figures
    assert max(b for _, b in kept + emptied) <= 2, figures
