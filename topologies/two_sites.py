"""Two hospital sites sharing one 20 Mbit/s regional link to the NHS/internet hub.

    mn --custom topologies/two_sites.py --topo twosites --switch ovs,datapath=user,protocols=OpenFlow13 \
       --link tc --controller remote,ip=<ONOS>

Site gateways are of:0000000000000001 and of:0000000000000002; the regional switch
of:0000000000000003 has the shared link on port 1. See topologies/two-sites-netcfg.json.
"""
from mininet.topo import Topo

REGIONAL_MBPS = 20

SITE_HOSTS = {
    'clinA': ('10.1.1.11', 'gwA'),
    'staffA': ('10.1.2.21', 'gwA'),
    'clinB': ('10.2.1.11', 'gwB'),
    'staffB': ('10.2.2.21', 'gwB'),
}
HUB_HOSTS = {
    'nhs1': '10.100.0.10',
    'social1': '10.200.0.10',
}
BOTTLENECK = 'reg'


class TwoSitesTopo(Topo):
    """gwA, gwB -> reg =(20 Mbit/s regional link)= hub -> servers."""

    def build(self, regional_mbps=REGIONAL_MBPS):
        gw_a = self.addSwitch('gwA', dpid='0000000000000001')
        gw_b = self.addSwitch('gwB', dpid='0000000000000002')
        reg = self.addSwitch(BOTTLENECK, dpid='0000000000000003')
        hub = self.addSwitch('hub', dpid='00000000000000fe')
        self.addLink(reg, hub, port1=1, bw=regional_mbps)
        self.addLink(gw_a, reg)
        self.addLink(gw_b, reg)
        for name, (ip, sw) in SITE_HOSTS.items():
            self.addLink(self.addHost(name, ip=ip + '/8'), sw)
        for name, ip in HUB_HOSTS.items():
            self.addLink(self.addHost(name, ip=ip + '/8'), hub)


topos = {'twosites': TwoSitesTopo}
