"""Acceptance: steering a slice to its own egress through the real ONOS (issue 10, first part).

The hospital gateway gets a second way out, an OVS internal port (OpenFlow port 9) named as
the link "breakout" in netcfg, with VLAN 100. At peak social is steered there: its rules on
the switch push the VLAN and output to port 9, and its packets arrive on that port, while
clinical keeps the WAN. Steering "offPeak" only sends social back to the WAN at peak.
"""
import subprocess
from pathlib import Path

import pytest

import carelane_ovs as ovs
from hospital import GATEWAY, GATEWAY_DEVICE, WAN_HOSTS

NETCFG = ovs.ROOT / 'topologies' / 'carelane-netcfg.json'
BREAKOUT = 'gw-brk'
BREAKOUT_PORT = 9


def netcfg(onos, when='peak', port=BREAKOUT_PORT):
    doc = onos.netcfg_for(NETCFG)
    block = doc['apps']['org.carelane.app']['carelane']
    block['devices'][0]['links'] = {'breakout': {'port': port, 'kbps': 30000, 'vlan': 100}}
    next(s for s in block['slices'] if s['name'] == 'social')['egress'] = {'link': 'breakout', 'when': when}
    return doc


def received(port_name):
    """Packets OVS sent out of an internal port (the kernel's receive side)."""
    return int(Path(f'/sys/class/net/{port_name}/statistics/rx_packets').read_text())


def social_rules(onos):
    return [f for f in onos.carelane_flows(GATEWAY, onos.app_id()) if 'nw_dst=10.200.0.0/16' in f]


@pytest.fixture(scope='module')
def breakout_site(onos_carelane):
    onos = onos_carelane

    def breakout(net):
        gw = net.get(GATEWAY)
        subprocess.run(['ovs-vsctl', 'add-port', gw.name, BREAKOUT, '--', 'set', 'interface', BREAKOUT,
                        'type=internal', f'ofport_request={BREAKOUT_PORT}'], check=True)
        subprocess.run(['ip', 'link', 'set', BREAKOUT, 'up'], check=True)
    try:
        with ovs.hospital_under_onos(onos, 'egress tests', prepare=breakout) as net:
            onos.wait_until(lambda: any(p.get('port') == str(BREAKOUT_PORT) for p in
                                        onos.rest('GET', f'/onos/v1/devices/{GATEWAY_DEVICE}/ports')[1]['ports']),
                            30, 'ONOS to see the breakout port')
            code, body = onos.push_netcfg(netcfg(onos))
            assert code == 200, body
            onos.wait_until(lambda: social_rules(onos) and all(f'output:{BREAKOUT_PORT}' in f
                                                               for f in social_rules(onos)), 30, 'social steered')
            onos.wait_programmed(GATEWAY, GATEWAY_DEVICE, 'peak', timeout=60)
            yield net
    finally:
        code, body = onos.push_netcfg(onos.netcfg_for(NETCFG))
        assert code == 200, body


def test_at_peak_social_leaves_by_the_breakout_with_its_vlan_and_clinical_keeps_the_wan(onos_carelane,
                                                                                        breakout_site):
    onos = onos_carelane
    for rule in social_rules(onos):
        assert 'push_vlan:0x8100' in rule and 'set_field:4196->vlan_vid' in rule, rule
        assert f'output:{BREAKOUT_PORT}' in rule and 'meter:' in rule, rule
    replies = [f for f in onos.carelane_flows(GATEWAY, onos.app_id()) if 'nw_src=10.200.0.0/16' in f]
    assert replies and all('NORMAL' in f and 'push_vlan' not in f for f in replies), \
        f'replies from the internet are not steered: {replies}'
    clinical = [f for f in onos.carelane_flows(GATEWAY, onos.app_id()) if '10.100.0.0/24' in f]
    assert clinical and all('NORMAL' in f and 'push_vlan' not in f for f in clinical), clinical
    before = received(BREAKOUT)
    out = breakout_site.get('staff1').cmd(f'ping -n -c 5 -i 0.2 -W 1 {WAN_HOSTS["social1"]}')
    assert ' 0 received' in out, f'social went out by the breakout, not to the WAN: {out}'
    assert received(BREAKOUT) >= before + 5
    reach = breakout_site.get('clin1').cmd(f'ping -n -c 3 -i 0.2 -W 1 {WAN_HOSTS["nhs1"]}')
    assert ' 0% packet loss' in reach, reach


def test_steering_off_peak_only_keeps_social_on_the_wan_at_peak_and_rest_changes_it(onos_carelane,
                                                                                   breakout_site):
    onos = onos_carelane
    code, body = onos.rest('PUT', '/onos/carelane/slices/social/egress', {'link': 'breakout', 'when': 'offPeak'})
    assert code == 200, body
    onos.wait_until(lambda: all('NORMAL' in f for f in social_rules(onos)), 30, 'social back on the WAN')
    out = breakout_site.get('staff1').cmd(f'ping -n -c 3 -i 0.2 -W 1 {WAN_HOSTS["social1"]}')
    assert ' 0% packet loss' in out, out
    code, body = onos.rest('PUT', '/onos/carelane/slices/social/egress', {'link': 'nowhere'})
    assert code == 400 and body['field'] == 'link', body
    code, body = onos.rest('PUT', '/onos/carelane/slices/social/egress', {'link': 'breakout', 'when': 'peak'})
    assert code == 200, body
    onos.wait_until(lambda: all(f'output:{BREAKOUT_PORT}' in f for f in social_rules(onos)), 30, 'steered again')


def test_a_link_on_a_port_the_device_lacks_is_refused_and_the_policy_kept(onos_carelane, breakout_site):
    onos = onos_carelane
    version = onos.status()['policyVersion']
    code, body = onos.push_netcfg(netcfg(onos, port=77))
    assert code == 200, body   # ONOS cannot check ports in netcfg; CareLane refuses it
    onos.wait_until(lambda: any(e['action'] == 'rejected-config' and 'no port 77' in (e.get('after') or '')
                                for e in onos.rest('GET', '/onos/carelane/audit?limit=5')[1]['entries']),
                    30, 'the rejection in the audit trail')
    assert onos.status()['policyVersion'] == version
    assert all(f'output:{BREAKOUT_PORT}' in f for f in social_rules(onos))


def test_a_sites_own_egress_sends_social_back_to_the_wan_and_inheriting_steers_it_again(onos_carelane,
                                                                                          breakout_site):
    """Scoped egress (issue 16): nationally social is steered to the breakout at peak; the site
    itself says "uplink" (PUT /devices/{id}/slices/social/egress), and its social rules go back to
    the WAN; DELETE hands the choice back to the national policy."""
    onos = onos_carelane
    code, body = onos.rest('PUT', f'/onos/carelane/devices/{GATEWAY_DEVICE}/slices/social/egress', {'link': 'uplink'})
    try:
        assert code == 200, body
        onos.wait_until(lambda: social_rules(onos) and all('NORMAL' in f for f in social_rules(onos)), 30,
                        "social on the WAN by the site's own choice")
        egress = [s for s in onos.rest('GET', f'/onos/carelane/devices/{GATEWAY_DEVICE}/policy')[1]['slices']
                  if s['name'] == 'social'][0]['egress']
        assert egress['link'] == 'uplink' and egress['from']['scope'] == f'site {GATEWAY_DEVICE}', egress
        out = breakout_site.get('staff1').cmd(f'ping -n -c 3 -i 0.2 -W 1 {WAN_HOSTS["social1"]}')
        assert ' 0% packet loss' in out, out
    finally:
        code, body = onos.rest('DELETE', f'/onos/carelane/devices/{GATEWAY_DEVICE}/slices/social/egress')
    assert code == 200, body
    onos.wait_until(lambda: all(f'output:{BREAKOUT_PORT}' in f for f in social_rules(onos)), 30, 'steered again')
