"""Meter-leak benchmark through the real ONOS test bed: N rate changes over REST (default 10,000)
on one userspace OVS bridge, as fast as CareLane answers, then counts the meters: on the switch
(ovs-ofctl dump-meters) and in ONOS (/onos/v1/meters). Exactly one meter per metered slice is
expected on both. Prints figures; exit status 1 on a leak.

Usage (root): /usr/bin/python3 bench_meters.py [N]
"""
import json
import re
import subprocess
import sys
import time

import onos_testbed as onos

BRIDGE = 'clm1'
DPID = '00000000000cb001'


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    blocked = onos.benchmark_blocked('bench_meters')
    if blocked is not None:
        return blocked
    onos.boot()
    onos.install_app()
    figures = {'changes': n}
    try:
        subprocess.run(['ovs-vsctl', '--may-exist', 'add-br', BRIDGE, '--', 'set', 'bridge', BRIDGE,
                        'datapath_type=netdev', f'other-config:datapath-id={DPID}'], check=True)
        device = onos.connect(BRIDGE)
        doc = onos.netcfg_for(onos.ROOT / 'topologies' / 'carelane-netcfg.json', {'of:0000000000000001': device})
        code, body = onos.push_netcfg(doc)
        assert code == 200, body
        onos.wait_policy()
        onos.set_profile('offPeak', reason='meter benchmark')
        onos.wait_programmed(BRIDGE, device, 'offPeak', timeout=60)
        t0 = time.time()
        answers = []
        for i in range(n):
            rate = 1000 + (i % 14) * 1000
            t = time.time()
            code, body = onos.rest('PUT', '/onos/carelane/slices/social/bandwidth',
                                   {'profile': 'offPeak', 'maxKbps': rate, 'minKbps': 0})
            answers.append(time.time() - t)
            if code != 200:
                raise onos.OnosError(f'change {i + 1}: HTTP {code} {body}')
            if (i + 1) % 1000 == 0:
                print(f'{i + 1} changes in {time.time() - t0:.0f} s; switch meters now '
                      f'{len(onos.switch_meters(BRIDGE))}', flush=True)
        figures['changesS'] = round(time.time() - t0, 1)
        answers.sort()
        figures['answerMedianS'] = round(answers[len(answers) // 2], 3)
        figures['answerMaxS'] = round(answers[-1], 3)
        # Then ONOS's meter poll (10 s) and CareLane's verification (7 s) settle everything.
        settle = onos.wait_programmed(BRIDGE, device, 'offPeak', timeout=120)
        time.sleep(25)
        on_switch = onos.switch_meters(BRIDGE)
        _, in_onos = onos.rest('GET', f'/onos/v1/meters/{device}')
        onos_meters = [m for m in in_onos.get('meters', [])]
        used = {int(m) for f in onos.carelane_flows(BRIDGE, onos.app_id()) for m in re.findall(r'meter:(\d+)', f)}
        figures.update(settleS=round(settle, 1), switchMeters=len(on_switch), onosMeters=len(onos_meters),
                       onosMeterStates=sorted({m['state'] for m in onos_meters}),
                       metersUsedByRules=len(used), carelaneLogErrors=len(onos.carelane_log_errors()),
                       meteredSlices=len(onos.expected_rates('offPeak')),
                       meteredSlicesWithRules=len(onos.expected_rates('offPeak', in_force=True)))
    finally:
        subprocess.run(['ovs-vsctl', '--if-exists', 'del-br', BRIDGE])
        onos.stop()
    print('meter benchmark: ' + json.dumps(figures), flush=True)
    onos.write_results('meters.json', figures)
    # A slice by name only has its meter before any rule uses it (no name learned here).
    ok = (figures.get('switchMeters') == figures.get('meteredSlices') == figures.get('onosMeters')
          and figures.get('metersUsedByRules') == figures.get('meteredSlicesWithRules'))
    print('exactly one meter per metered slice on the switch and in ONOS' if ok else 'LEAK', flush=True)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
