"""Acceptance (issue 10): a site with two ways out, through the real ONOS. At peak social is
steered to a NAT internet breakout (30 Mbit/s), over IPv4 and then IPv6, and clinical keeps
the NHS WAN (20 Mbit/s); off-peak, with peak-only steering, social shares the WAN again. The
blocked site is unreachable in every phase. Writes results/two_uplinks.json and .png."""
import os

import pytest

import breakout_scenario as scenario
import onos_testbed as onos

DURATION = int(os.environ.get('CARELANE_LOAD_SECONDS', '15'))
NETCFG = onos.ROOT / 'topologies' / 'carelane-netcfg.json'
IDLE_MBPS = 0.1   # a way out a slice does not take carries at most stray packets


@pytest.fixture(scope='module')
def report(onos_carelane):
    try:
        yield scenario.run_scenario(DURATION, onos_running=True)
    finally:
        code, body = onos.push_netcfg(onos.netcfg_for(NETCFG))
        assert code == 200, body


@pytest.mark.parametrize('phase', ['peak', 'peak-ipv6'])
def test_at_peak_clinical_gets_95_percent_of_the_wan_less_the_other_reservations(report, phase):
    r = report['phases'][phase]
    assert r['social_leaves_by'] == 'breakout'
    assert r['wire_mbps']['clinical_wan'] >= 0.95 * r['clinical_entitlement_mbps'], r['wire_mbps']
    assert r['wire_mbps']['social_wan'] <= IDLE_MBPS, 'social stayed off the WAN'
    assert not r['iperf_errors'], r['iperf_errors']


@pytest.mark.parametrize('phase', ['peak', 'peak-ipv6'])
def test_at_peak_social_uses_the_breakout_up_to_its_cap(report, phase):
    r = report['phases'][phase]
    cap = r['social_cap_kbps'] / 1000
    assert 0.8 * cap <= r['wire_mbps']['social_breakout'] <= 1.05 * cap, (r['wire_mbps'], cap)
    assert r['social_goodput_mbps'] > 0


@pytest.mark.parametrize('phase', ['peak', 'peak-ipv6', 'offPeak'])
def test_the_blocked_site_is_unreachable_over_ipv4_and_ipv6_whichever_way_social_leaves(report, phase):
    assert report['phases'][phase]['blocked_site_reachable'] == {'ipv4': False, 'ipv6': False}


def test_off_peak_with_peak_only_steering_social_shares_the_wan_again(report):
    r = report['phases']['offPeak']
    assert r['social_leaves_by'] == 'wan'
    assert r['wire_mbps']['social_breakout'] <= IDLE_MBPS, r['wire_mbps']
    assert r['wire_mbps']['social_wan'] >= 1.0, r['wire_mbps']
    assert r['wire_mbps']['social_wan'] <= 1.05 * r['social_cap_kbps'] / 1000, r['wire_mbps']
    assert r['wire_mbps']['clinical_wan'] >= 0.95 * r['clinical_reservation_kbps'] / 1000, r['wire_mbps']
    assert not r['iperf_errors'], r['iperf_errors']


def test_the_report_is_written_as_json_and_png(report):
    assert (onos.RESULTS / 'two_uplinks.json').stat().st_size > 0
    assert (onos.RESULTS / 'two_uplinks.png').read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
