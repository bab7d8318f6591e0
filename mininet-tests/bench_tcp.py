"""Single-flow TCP benchmark through the real ONOS test bed: one TCP flow from a staff host to
the social server, through the hospital gateway programmed by CareLane, under social caps of 2,
4 and 15 Mbit/s (off-peak, set over REST) with the netcfg's meter burst. Prints the flow's
goodput and the wire rate at the receiver over 10 s, both as a share of the cap. Targets (issue
9): goodput at least 80% of the cap, wire rate at most 105%. Exit status 1 if one is missed.

Usage (root): /usr/bin/python3 bench_tcp.py [CAPS_KBPS,...]
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'topologies'))

import carelane_ovs as ovs  # noqa: E402
import lunchtime  # noqa: E402
import onos_testbed as onos  # noqa: E402
from hospital import GATEWAY, GATEWAY_DEVICE, HospitalTopo, WAN_HOSTS  # noqa: E402

SECONDS = 10


def main():
    caps = [int(c) for c in (sys.argv[1] if len(sys.argv) > 1 else '2000,4000,15000').split(',')]
    blocked = onos.benchmark_blocked('bench_tcp')
    if blocked is not None:
        return blocked
    onos.start_with_carelane(onos.ROOT / 'topologies' / 'carelane-netcfg.json')
    ovs.ensure_ovs()
    net = ovs.build_net(HospitalTopo())
    rows = []
    try:
        for sw in net.switches:
            ovs.normal_forwarding(sw)
        onos.ofctl('del-flows', GATEWAY)
        onos.connect(GATEWAY)
        onos.set_profile('offPeak', reason='TCP benchmark')
        staff, social1 = net.get('staff1'), net.get('social1')
        server = social1.popen(['iperf3', '-s', '-p', '5401'])
        time.sleep(1)
        for cap in caps:
            code, body = onos.rest('PUT', '/onos/carelane/slices/social/bandwidth',
                                   {'profile': 'offPeak', 'maxKbps': cap, 'minKbps': 0})
            assert code == 200, body
            onos.wait_programmed(GATEWAY, GATEWAY_DEVICE, 'offPeak', timeout=60)
            burst = onos.status()['devices'][0]['meters']['social']['burstKbits']
            client = staff.popen(['iperf3', '-c', WAN_HOSTS['social1'], '-p', '5401', '-t', str(SECONDS + 3), '-J'])
            time.sleep(2)
            b0, t0 = lunchtime.rx_bytes(social1), time.time()
            time.sleep(SECONDS)
            b1, t1 = lunchtime.rx_bytes(social1), time.time()
            result = lunchtime.iperf_json(client)
            goodput = result['end']['sum_received']['bits_per_second'] / 1000
            wire = (b1 - b0) * 8 / (t1 - t0) / 1000
            rows.append({'capKbps': cap, 'burstKbits': burst, 'goodputKbps': round(goodput),
                         'goodputShare': round(goodput / cap, 3), 'wireKbps': round(wire),
                         'wireShare': round(wire / cap, 3)})
            print(f'cap {cap} kbps (burst {burst} kbit): one TCP flow {goodput:.0f} kbps goodput = '
                  f'{goodput / cap:.0%} of the cap; wire over {SECONDS} s {wire:.0f} kbps = {wire / cap:.1%}',
                  flush=True)
        server.terminate()
        server.wait()
    finally:
        ovs.stop_net(net)
        onos.stop()
    onos.write_results('tcp.json', rows)
    ok = all(r['goodputShare'] >= 0.8 and r['wireShare'] <= 1.05 for r in rows)
    print('TCP benchmark: ' + ('targets met' if ok else 'TARGET MISSED') + ' (goodput >= 80%, wire <= 105%)',
          flush=True)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
