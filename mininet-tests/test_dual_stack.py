"""Acceptance: a dual-stack policy through the real ONOS. IPv6 social traffic gets social's
meter and mark, the blocked IPv6 host is dropped, and ICMPv6 neighbour discovery is never
metered or dropped, not even towards the blocked host."""
import re
import time

import pytest

import carelane_ovs as ovs
from hospital import GATEWAY, GATEWAY_DEVICE

NETCFG = ovs.ROOT / 'topologies' / 'carelane-netcfg.json'
V6 = {'staff1': '2001:db8:1::21', 'social1': '2001:db8:200::10', 'bad1': '2001:db8:200::66'}
CS1 = 8


def dual_stack_netcfg(onos):
    doc = onos.netcfg_for(NETCFG)
    block = doc['apps']['org.carelane.app']['carelane']
    block['prefixLists']['internet'].append('2001:db8:200::/48')
    block['prefixLists']['blocked-sites'].append('2001:db8:200::66')
    return doc


@pytest.fixture(scope='module')
def site6(onos_carelane):
    onos = onos_carelane

    def addresses(net):
        for name, addr in V6.items():
            host = net.get(name)
            host.cmd('sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0')
            host.cmd(f'ip -6 addr add {addr}/32 dev {host.defaultIntf()} nodad')
    try:
        with ovs.hospital_under_onos(onos, 'dual-stack tests', prepare=addresses) as net:
            code, body = onos.push_netcfg(dual_stack_netcfg(onos))
            assert code == 200, body
            # 4 social (2 directions x 2 versions), 2 blocked, 2 clinical, 2 default, 5 ND
            onos.wait_until(lambda: any(d.get('flowRules') == 15 for d in onos.status()['devices']), 30,
                            'the dual-stack rules')
            onos.wait_programmed(GATEWAY, GATEWAY_DEVICE, 'peak', timeout=60)
            # ONOS re-sends a rule whose ADD raced a flow-stats poll (an identical ADD, which resets
            # the rule's age and counters on OVS): count packets only once ONOS has seen them all.
            onos.wait_until(lambda: all(d.get('flowRulesAdded') == 15 for d in onos.status()['devices']), 30,
                            'ONOS seeing every rule on the switch')
            time.sleep(6)
            yield net
    finally:
        code, body = onos.push_netcfg(onos.netcfg_for(NETCFG))
        assert code == 200, body


def flows(onos, bridge):
    """CareLane's flows on the switch, with their counters."""
    return onos.carelane_flows(bridge, onos.app_id(), counters=True)


def packets(rule):
    return int(re.search(r'n_packets=(\d+)', rule).group(1))


def social_v6_rule(onos):
    rules = [f for f in flows(onos, GATEWAY) if 'ipv6_dst=2001:db8:200::/48' in f]
    assert len(rules) == 1, flows(onos, GATEWAY)
    return rules[0]


def test_ipv6_social_traffic_takes_socials_meter_and_mark(onos_carelane, site6):
    onos = onos_carelane
    staff1 = site6.get('staff1')
    staff1.cmd(f'ping -6 -n -c 1 -W 2 {V6["social1"]}')   # neighbour discovery first
    before = packets(social_v6_rule(onos))
    out = staff1.cmd(f'ping -6 -n -c 5 -i 0.2 -W 2 {V6["social1"]}')
    assert ' 0% packet loss' in out, out
    time.sleep(2)   # OVS credits datapath-cached packets to the OpenFlow rule with a lag
    social_meter = onos.status()['devices'][0]['meters']['social']['meterId']
    rule = social_v6_rule(onos)
    assert packets(rule) >= before + 5, (before, rule)
    assert f'meter:{social_meter}' in rule and f'set_field:{CS1}->ip_dscp' in rule, rule


def test_the_blocked_ipv6_host_is_dropped_but_neighbour_discovery_reaches_it(onos_carelane, site6):
    onos = onos_carelane
    staff1 = site6.get('staff1')
    out = staff1.cmd(f'ping -6 -n -c 3 -i 0.2 -W 1 {V6["bad1"]}')
    assert ' 0 received' in out, out
    neigh = staff1.cmd(f'ip -6 neigh show {V6["bad1"]}')
    assert re.search(r'lladdr \S+ (REACHABLE|STALE|DELAY|PROBE)', neigh), \
        f'neighbour discovery towards the blocked host must still work: {neigh!r}'
    time.sleep(2)
    nd = [f for f in flows(onos, GATEWAY) if 'icmp6,' in f]
    assert len(nd) == 5, nd
    for rule in nd:
        actions = rule.split('actions=')[1]
        assert actions.strip() == 'NORMAL', rule
    solicitations = sum(packets(f) for f in nd if 'icmp_type=135' in f or 'icmp_type=136' in f)
    assert solicitations > 0, nd
