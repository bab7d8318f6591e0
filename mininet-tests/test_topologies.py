"""The topologies load the way `mn --custom FILE --topo NAME` loads them, and the lunchtime chart
draws what it says from the committed report (no network needed)."""
import json
from pathlib import Path

import carelane_ovs as ovs
import lunchtime


def load(file, name, *args):
    path = str(ovs.ROOT / 'topologies' / file)
    namespace = {}
    with open(path) as f:   # what mn --custom does: no __file__, the caller's sys.path
        exec(compile(f.read(), path, 'exec'), namespace, namespace)  # noqa: S102
    return namespace['topos'][name](*args)


def link_between(topo, a, b):
    for n1, n2, info in topo.links(withInfo=True):
        if {n1, n2} == {a, b}:
            return info
    raise AssertionError(f'no link {a}-{b}')


def test_hospital_topology_shape():
    topo = load('hospital.py', 'hospital')
    assert sorted(topo.switches()) == ['acc1', 'acc2', 'core', 'gw', 'wan']
    assert topo.nodeInfo('gw')['dpid'] == '0000000000000001'   # of:0000000000000001 in the netcfg
    uplink = link_between(topo, 'gw', 'wan')
    assert uplink['bw'] == 20 and uplink['port1'] == 1
    assert {'clin1', 'clin2', 'nhs1', 'social1', 'bad1', 'biz1'} <= set(topo.hosts())
    assert load('hospital.py', 'hospital', 50).links(withInfo=True)   # --topo hospital,50


def test_two_uplinks_topology_shape():
    topo = load('two_uplinks.py', 'two_uplinks')
    assert topo.nodeInfo('gw')['dpid'] == '0000000000000001'
    wan, breakout = link_between(topo, 'gw', 'wan'), link_between(topo, 'gw', 'brk')
    assert (wan['port1'], wan['bw']) == (1, 20) and (breakout['port1'], breakout['bw']) == (9, 30)
    assert link_between(topo, 'brk', 'inet') and link_between(topo, 'wan', 'inet'), 'two ways to the internet'
    assert {'social1', 'bad1'} <= set(topo.hosts()) and link_between(topo, 'inet', 'social1')
    netcfg = json.loads((ovs.ROOT / 'topologies' / 'two-uplinks-netcfg.json').read_text())
    device = netcfg['apps']['org.carelane.app']['carelane']['devices'][0]
    assert device['links']['breakout']['port'] == 9 and device['uplinkKbps'] == 20000
    assert device['links']['breakout']['kbps'] == 30000


def test_two_sites_topology_shape():
    topo = load('two_sites.py', 'twosites')
    assert {topo.nodeInfo(s)['dpid'] for s in ('gwA', 'gwB')} == {'0000000000000001', '0000000000000002'}
    regional = link_between(topo, 'reg', 'hub')
    assert regional['bw'] == 20 and regional['port1'] == 1
    assert link_between(topo, 'gwA', 'reg') and link_between(topo, 'gwB', 'reg')


def test_the_lunchtime_chart_names_profiles_in_words_and_draws_each_modes_own_cap():
    """Drawn from the committed report, no network needed."""
    report = json.loads((Path(__file__).resolve().parent / 'reports' / 'lunchtime-onos-2026-11-26.json').read_text())
    fig = lunchtime.chart(report)
    rates = fig.axes[0]
    assert [t.get_text() for t in rates.get_xticklabels()] == ['no slicing', 'off-peak profile', 'peak profile']
    legend = [t.get_text() for t in rates.get_legend().get_texts()]
    assert 'uplink capacity 20 Mbit/s' in legend
    assert "social cap (this mode's meter)" in legend and 'social wire rate (at the receiver)' in legend
    segments = [seg for coll in rates.collections for seg in coll.get_segments()]
    # Off-peak: clinical reserves 10, social capped at 15; peak: 15 and 4. Each line spans one mode.
    assert {4.0, 10.0, 15.0} <= {round(seg[0][1], 3) for seg in segments}, segments
    assert all(seg[1][0] - seg[0][0] < 1 for seg in segments)
    assert 'offered: social 60' in fig._suptitle.get_text()
