"""Scale benchmark through the real ONOS test bed: N userspace OVS bridges (default 150) on one
ONOS 2.7.0 node with CareLane. Prints how long a netcfg push and then a rate change take to
converge on all N devices: each device IN_SYNC with the policy version in CareLane's /status,
and each bridge itself carrying a meter per metered slice at the expected rates, used by
CareLane's rules. Prints figures; asserts no timing. Exit status 1 if a device never converges.

Usage (root): /usr/bin/python3 bench_scale.py [N] [--timeout S]
"""
import argparse
import json
import sys
import time

import onos_testbed as onos

DPID_BASE = 0xca000


def bridges(n):
    return [(f'cls{i}', f'{DPID_BASE + i:016x}') for i in range(1, n + 1)]


def netcfg(n):
    doc = onos.netcfg_for(onos.ROOT / 'topologies' / 'carelane-netcfg.json')
    block = doc['apps']['org.carelane.app']['carelane']
    block['devices'] = [{'deviceId': f'of:{dpid}', 'uplinkKbps': 20000, 'output': 'NORMAL'}
                        for _, dpid in bridges(n)]
    return {'apps': doc['apps']}


def in_sync(version):
    st = onos.status()
    return sum(1 for d in st['devices'] if d.get('sync', {}).get('state') == 'IN_SYNC'
               and d['sync'].get('policyVersion', 0) >= version)


def carrying(n, rates, appid):
    return sum(1 for name, _ in bridges(n) if onos.switch_carries(name, rates, appid))


def wait_converged(n, version, rates, appid, timeout):
    """Seconds until every device is IN_SYNC with {version} in /status and every bridge itself
    carries {rates} (bridges are read only once /status says all are in sync; a read of 150
    bridges takes about 3 s), or None; and the last counts."""
    t0 = time.time()
    last = (0, 0)
    while time.time() - t0 < timeout:
        synced = in_sync(version)
        last = (synced, last[1])
        if synced == n:
            last = (synced, carrying(n, rates, appid))
            if last[1] == n:
                return time.time() - t0, last
        time.sleep(0.2)
    return None, last


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('n', nargs='?', type=int, default=150)
    parser.add_argument('--timeout', type=int, default=300)
    args = parser.parse_args()
    n = args.n
    blocked = onos.benchmark_blocked('bench_scale')
    if blocked is not None:
        return blocked
    onos.boot()
    onos.install_app()
    figures = {'devices': n}
    try:
        t0 = time.time()
        onos.add_bridges(bridges(n))
        onos.wait_until(lambda: sum(1 for _, d in bridges(n) if onos.device_available(f'of:{d}')) == n,
                        args.timeout, f'{n} devices available in ONOS', interval=1)
        figures['devicesAvailableS'] = round(time.time() - t0, 1)
        appid = onos.app_id()
        t0 = time.time()
        code, body = onos.push_netcfg(netcfg(n))
        assert code == 200, body
        onos.wait_policy()
        onos.set_profile('offPeak', reason='scale benchmark')
        version = onos.status()['policyVersion']
        took, last = wait_converged(n, version, sorted(onos.expected_rates('offPeak').values()), appid,
                                    args.timeout)
        figures['netcfgPushConvergedS'] = round(took, 1) if took else None
        figures['netcfgPushLast'] = {'inSync': last[0], 'carrying': last[1]}
        print(f'netcfg push: {last[0]}/{n} in sync, {last[1]}/{n} bridges carrying, '
              f'{"after %.1f s" % took if took else "NOT converged in %d s" % args.timeout}', flush=True)

        t0 = time.time()
        code, body = onos.rest('PUT', '/onos/carelane/slices/social/bandwidth', {'profile': 'offPeak',
                                                                              'maxKbps': 9000})
        figures['rateChangeAnsweredS'] = round(time.time() - t0, 2)
        assert code == 200, body
        took, last = wait_converged(n, body['policyVersion'], sorted(onos.expected_rates('offPeak').values()),
                                    appid, args.timeout)
        figures['rateChangeConvergedS'] = round(took + figures['rateChangeAnsweredS'], 1) if took else None
        figures['rateChangeLast'] = {'inSync': last[0], 'carrying': last[1]}
        print(f'rate change: {last[0]}/{n} in sync, {last[1]}/{n} bridges carrying, '
              f'{"after %.1f s" % figures["rateChangeConvergedS"] if took else "NOT converged"}', flush=True)
        meters = [len(onos.switch_meters(name)) for name, _ in bridges(n)]
        figures['metersPerBridge'] = {'min': min(meters), 'max': max(meters)}
        figures['carelaneLogErrors'] = len(onos.carelane_log_errors())
    finally:
        onos.del_bridges([name for name, _ in bridges(n)])
        onos.stop()
    print('scale benchmark: ' + json.dumps(figures), flush=True)
    onos.write_results('scale.json', figures)
    return 0 if figures.get('rateChangeConvergedS') and figures.get('netcfgPushConvergedS') else 1


if __name__ == '__main__':
    sys.exit(main())
