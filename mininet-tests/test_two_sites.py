"""Two sites on a shared regional link: both gateways take the app's rules and keep connectivity."""
import re
import time

import carelane_ovs as ovs
from two_sites import BOTTLENECK, TwoSitesTopo

NETCFG = ovs.ROOT / 'topologies' / 'two-sites-netcfg.json'


def test_two_sites_peak_rules_program_both_gateways_and_cap_social():
    ovs.ensure_ovs()
    plan = ovs.export_rules(NETCFG, 'peak')
    by_dpid = {d['dpid']: d for d in plan['devices']}
    net = ovs.build_net(TwoSitesTopo())
    try:
        for sw in net.switches:
            if sw.dpid in by_dpid:
                ovs.program_device(sw, by_dpid[sw.dpid])
            else:
                ovs.normal_forwarding(sw)
        reg, hub = net.get(BOTTLENECK), net.get('hub')
        ovs.configure_bottleneck(reg.connectionsTo(hub)[0][0].name, 20000, plan['queues'])
        for src, dst in (('clinA', '10.100.0.10'), ('clinB', '10.100.0.10'), ('staffA', '10.200.0.10'),
                         ('staffB', '10.200.0.10'), ('clinA', '10.2.1.11')):
            out = net.get(src).cmd(f'ping -n -c 2 -W 1 {dst}')
            assert ' 0 received' not in out, f'{src} -> {dst}\n{out}'
        for gw in ('gwA', 'gwB'):
            flows = ovs.dump_flows(net.get(gw))
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
