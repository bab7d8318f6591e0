"""The topologies load the way `mn --custom FILE --topo NAME` loads them."""
import runpy

import carelane_ovs as ovs


def load(file, name, *args):
    namespace = runpy.run_path(str(ovs.ROOT / 'topologies' / file))   # what mn --custom does
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


def test_two_sites_topology_shape():
    topo = load('two_sites.py', 'twosites')
    assert {topo.nodeInfo(s)['dpid'] for s in ('gwA', 'gwB')} == {'0000000000000001', '0000000000000002'}
    regional = link_between(topo, 'reg', 'hub')
    assert regional['bw'] == 20 and regional['port1'] == 1
    assert link_between(topo, 'gwA', 'reg') and link_between(topo, 'gwB', 'reg')
