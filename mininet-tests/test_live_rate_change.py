"""Rate changes over REST while traffic flows, with the app driving OVS live.

scripts/live-harness.sh runs the real CareLaneManager whose flow-rule and meter services
apply each operation to OVS in the order the app issues them (make-before-break), and
serves the real REST resource on loopback. Deactivation must leave nothing behind.
"""
import json
import re
import subprocess
import threading
import time

import carelane_ovs as ovs
import lunchtime
from hospital import GATEWAY, UPLINK_PEER, HospitalTopo, WAN_HOSTS

PORT = 18181
BASE = f'http://127.0.0.1:{PORT}/onos/carelane'
LOAD_S = 32


def curl(method, path, body=None):
    cmd = ['curl', '-s', '-u', 'onos:rocks', '-X', method, '-H', 'Content-Type: application/json',
           '-w', '\n%{http_code}', f'{BASE}/{path}']
    if body is not None:
        cmd += ['-d', json.dumps(body)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
    text, code = out.rsplit('\n', 1)
    return int(code), json.loads(text) if text.strip() else None


def meters(gw):
    return re.findall(r'meter=(\d+) kbps burst stats bands=\s*type=drop rate=(\d+)',
                      subprocess.run(ovs.OFCTL + ['dump-meters', gw.name], capture_output=True,
                                     text=True).stdout)


def carelane_flows(gw):
    return [l for l in ovs.dump_flows(gw).splitlines() if 'priority=1' in l and 'priority=0' not in l]


def rate_mbps(host, seconds):
    b0 = lunchtime.rx_bytes(host)
    time.sleep(seconds)
    return (lunchtime.rx_bytes(host) - b0) * 8 / seconds / 1e6


def start_harness():
    proc = subprocess.Popen([str(ovs.ROOT / 'scripts' / 'live-harness.sh'), str(lunchtime.NETCFG),
                             ovs.PROFILE_INSTANTS['peak'], str(PORT), '0000000000000001=' + GATEWAY],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    deadline = time.time() + 120
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith('READY'):
            threading.Thread(target=lambda: [lines.append(l) for l in proc.stdout], daemon=True).start()
            return proc, lines
    raise RuntimeError('harness did not start:\n' + ''.join(lines))


def test_rest_rate_changes_keep_traffic_flowing_and_deactivation_cleans_ovs():
    ovs.ensure_ovs()
    plan = ovs.export_rules(lunchtime.NETCFG, 'peak')
    net = ovs.build_net(HospitalTopo())
    proc = None
    try:
        gw = net.get(GATEWAY)
        for sw in net.switches:
            ovs.normal_forwarding(sw)
        uplink = gw.connectionsTo(net.get(UPLINK_PEER))[0][0].name
        ovs.configure_bottleneck(uplink, lunchtime.UPLINK_KBPS, plan['queues'])
        proc, log = start_harness()
        assert len(meters(gw)) == 3 and len(carelane_flows(gw)) == 6, ovs.dump_flows(gw)

        nhs1, social1 = net.get('nhs1'), net.get('social1')
        servers = [nhs1.popen(['iperf3', '-s', '-p', '5202'])]
        servers += [social1.popen(['iperf3', '-s', '-p', str(5300 + i)]) for i in range(1, 5)]
        time.sleep(1)
        udp = net.get('clin2').popen(['iperf3', '-c', WAN_HOSTS['nhs1'], '-p', '5202', '-u', '-b', '2M',
                                      '-l', '1200', '-t', str(LOAD_S), '-J'])
        social = [net.get(f'staff{i}').popen(['iperf3', '-c', WAN_HOSTS['social1'], '-p', str(5300 + i),
                                               '-P', '2', '-b', '7.5M', '-t', str(LOAD_S)]) for i in range(1, 5)]
        ping = net.get('clin1').popen(['ping', '-n', '-i', '0.1', '-c', str((LOAD_S - 2) * 10), '-W', '1',
                                       WAN_HOSTS['nhs1']])
        time.sleep(4)
        before = rate_mbps(social1, 7)
        ovs.log(f'social before change: {before:.2f} Mbit/s')

        code, body = curl('PUT', 'slices/social/bandwidth', {'profile': 'peak', 'maxKbps': 2000, 'minKbps': 2000})
        assert code == 200, body
        time.sleep(3)
        after = rate_mbps(social1, 8)
        ovs.log(f'social after change to 2000 kbps: {after:.2f} Mbit/s')

        code, body = curl('PUT', 'slices/clinical/bandwidth', {'profile': 'peak', 'maxKbps': 18000})
        assert code == 200, body
        code, body = curl('PUT', 'slices/social/bandwidth', {'profile': 'peak', 'maxKbps': 0})
        assert code == 400 and body['field'] == 'maxKbps', body

        udp_result = json.loads(udp.communicate()[0])
        ping_out = ping.communicate()[0].decode()
        for p in social:
            p.wait()
        for s in servers:
            s.terminate()
            s.wait()
        _, loss = lunchtime.udp_stats(udp_result)
        received = int(re.search(r'(\d+) received', ping_out).group(1))
        sent = int(re.search(r'(\d+) packets transmitted', ping_out).group(1))
        ovs.log(f'clinical UDP loss across both meter swaps: {loss:.3f}%, ping {received}/{sent}')

        # The new cap takes effect (the -10%/+5% bound over 17 s is test_lunchtime's).
        assert before <= 1.05 * 4.0 and after <= 1.05 * 2.0, (before, after)
        assert after >= 0.8 * 2.0 and before >= 1.5 * after, (before, after)
        assert loss < 0.5, udp_result['end']
        assert received >= sent - 1, ping_out
        rates = sorted(int(r) for _, r in meters(gw))
        assert rates == [2000, 18000, 20000], meters(gw)
        assert len(carelane_flows(gw)) == 6
        code, status = curl('GET', 'status')
        assert code == 200
        installed = {k: v['rateKbps'] for k, v in status['devices'][0]['meters'].items()}
        assert installed == {'clinical': 18000, 'social': 2000, 'default': 20000}, status
        code, audit = curl('GET', 'audit?limit=5')
        assert [e['user'] for e in audit['entries'] if e['source'] == 'rest'] == ['onos', 'onos']
        assert curl('GET', 'slices')[0] == 200
        time.sleep(1.5)   # one more stats poll after the load
        code, stats = curl('GET', 'stats')
        by_slice = {s['slice']: s for s in stats['slices']}
        ovs.log(f'stats: {by_slice}')
        assert by_slice['social']['bytes'] > 0 and by_slice['social']['meterDropPackets'] > 0, stats
        assert by_slice['clinical']['bytes'] > 1_000_000, stats
        assert by_slice['clinical']['meterDropPackets'] == 0, stats
        unauth = subprocess.run(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', f'{BASE}/slices'],
                                capture_output=True, text=True).stdout
        assert unauth == '401'

        proc.stdin.close()
        proc.wait(timeout=60)
        assert 'STOPPED' in ''.join(log), ''.join(log)
        assert meters(gw) == [], 'deactivation removes every meter'
        assert carelane_flows(gw) == [], 'deactivation removes every CareLane flow'
    finally:
        if proc and proc.poll() is None:
            proc.kill()
        ovs.stop_net(net)
