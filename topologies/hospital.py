"""Hospital site: access switches -> core -> WAN gateway -> 20 Mbit/s uplink -> NHS/internet side.

    mn --custom topologies/hospital.py --topo hospital --switch ovs,datapath=user,protocols=OpenFlow13 \
       --link tc --controller remote,ip=<ONOS>

The gateway has dpid 0000000000000001 (ONOS device of:0000000000000001), as in
topologies/carelane-netcfg.json. All hosts share 10.0.0.0/8, one L2 segment.
"""
from mininet.topo import Topo

UPLINK_MBPS = 20

# name -> (ip, switch)
SITE_HOSTS = {
    'clin1': ('10.1.1.11', 'acc1'),   # referrals, records, imaging
    'clin2': ('10.1.1.12', 'acc1'),   # voice / constant-rate clinical
    'staff1': ('10.1.2.21', 'acc2'),
    'staff2': ('10.1.2.22', 'acc2'),
    'staff3': ('10.1.2.23', 'acc2'),
    'staff4': ('10.1.2.24', 'acc2'),
}
WAN_HOSTS = {
    'nhs1': '10.100.0.10',      # clinical server (nhs-clinical prefix list)
    'social1': '10.200.0.10',   # social media / web (internet prefix list)
    'bad1': '10.200.0.66',      # blocked site
    'biz1': '10.150.0.10',      # business system: in no prefix list, so the default slice
}
GATEWAY = 'gw'
GATEWAY_DEVICE = 'of:0000000000000001'   # as in topologies/carelane-netcfg.json
UPLINK_PEER = 'wan'


class HospitalTopo(Topo):
    """acc1, acc2 -> core -> gw =(20 Mbit/s)= wan -> servers."""

    def build(self, uplink_mbps=UPLINK_MBPS):
        gw = self.addSwitch(GATEWAY, dpid='0000000000000001')
        core = self.addSwitch('core', dpid='0000000000000002')
        acc1 = self.addSwitch('acc1', dpid='0000000000000003')
        acc2 = self.addSwitch('acc2', dpid='0000000000000004')
        wan = self.addSwitch(UPLINK_PEER, dpid='00000000000000ff')
        # port 1 of gw faces the WAN: the bottleneck the slices share.
        self.addLink(gw, wan, port1=1, bw=uplink_mbps)
        self.addLink(core, gw)
        self.addLink(acc1, core)
        self.addLink(acc2, core)
        for name, (ip, sw) in SITE_HOSTS.items():
            self.addLink(self.addHost(name, ip=ip + '/8'), sw)
        for name, ip in WAN_HOSTS.items():
            self.addLink(self.addHost(name, ip=ip + '/8'), wan)


topos = {'hospital': HospitalTopo}
