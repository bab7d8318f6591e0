"""Two sites on a shared regional link: ONOS programs both gateways from one netcfg."""
import re
import time

import carelane_ovs as ovs
from two_sites import BOTTLENECK, TwoSitesTopo

NETCFG = ovs.ROOT / 'topologies' / 'two-sites-netcfg.json'
GATEWAYS = {'gwA': 'of:0000000000000001', 'gwB': 'of:0000000000000002'}


def test_two_sites_peak_rules_program_both_gateways_and_cap_social(onos_carelane):
    onos = onos_carelane
    ovs.ensure_ovs()
    code, body = onos.push_netcfg(onos.netcfg_for(NETCFG))
    assert code == 200, body
    net = ovs.build_net(TwoSitesTopo())
    try:
        for sw in net.switches:
            ovs.normal_forwarding(sw)
        for gw in GATEWAYS:
            onos.ofctl('del-flows', gw)
            onos.connect(gw)
        onos.set_profile('peak', reason='two sites test')
        for gw, device_id in GATEWAYS.items():
            onos.wait_programmed(gw, device_id, 'peak')
        reg, hub = net.get(BOTTLENECK), net.get('hub')
        ovs.configure_bottleneck(reg.connectionsTo(hub)[0][0].name, 20000, onos.queue_plan('peak'))
        for src, dst in (('clinA', '10.100.0.10'), ('clinB', '10.100.0.10'), ('staffA', '10.200.0.10'),
                         ('staffB', '10.200.0.10'), ('clinA', '10.2.1.11')):
            out = net.get(src).cmd(f'ping -n -c 2 -W 1 {dst}')
            assert ' 0 received' not in out, f'{src} -> {dst}\n{out}'
        for gw in GATEWAYS:
            flows = onos.ofctl('dump-flows', gw)
            assert 'meter:' in flows and 'set_field:46->ip_dscp' in flows, flows
        # Social from site A alone is capped by site A's 2 Mbit/s meter.
        social1 = net.get('social1')
        server = social1.popen(['iperf3', '-s', '-p', '5401'])
        time.sleep(0.5)
        out = net.get('staffA').cmd('iperf3 -c 10.200.0.10 -p 5401 -P 4 -t 8 -O 2')
        server.terminate()
        server.wait()
        rate = re.findall(r'\[SUM\].*?([\d.]+) Mbits/sec\s+receiver', out)
        assert rate, out
        assert float(rate[-1]) <= 2.0 * 1.05, out
        stats = ovs.meter_stats(net.get('gwA'))
        assert re.search(r'packet_count:[1-9]', stats), stats
    finally:
        ovs.stop_net(net)
        onos.push_netcfg(onos.netcfg_for(onos.ROOT / 'topologies' / 'carelane-netcfg.json'))
