"""Hospital site with two ways out (issue 10): the NHS WAN and a local internet breakout.

    acc1, acc2 -> core -> gw =(port 1, 20 Mbit/s)= wan -> nhs1, biz1
                                                   wan -- inet   (the WAN's own internet gateway)
                          gw =(port 9, 30 Mbit/s)= brk (NAT router) -- inet -> social1, bad1

The gateway gw (of:0000000000000001) is CareLane's. Without steering every slice leaves by the
WAN, as in topologies/hospital.py, and reaches the internet through the NHS WAN. A slice
steered to the link "breakout" (topologies/two-uplinks-netcfg.json) leaves by port 9 with its
destination MAC rewritten to the router's inside interface (the link's nextHopMac). The
router brk masquerades it (IPv4 and IPv6) to its outside address, so replies come back
through it and enter gw by port 9; gw forwards them to the LAN with NORMAL.

    mn --custom topologies/two_uplinks.py --topo two_uplinks --switch ovs,datapath=user,protocols=OpenFlow13 \
       --link tc --controller remote,ip=<ONOS>
(the router's NAT, outside address and IPv6 are set up by the scenario's configure_site).

One L2 segment, as hospital.py: 10.0.0.0/8 and 2001:db8::/32. The router routes 10.1.0.0/16
and 2001:db8:1::/64 (the site) inside, everything else outside. The capacities are applied
with tc htb on gw's two ports by the scenario (mininet-tests/two_uplinks.py).
"""
import inspect
import os
import sys

from mininet.topo import Topo

# mn --custom runs this file without __file__ or its folder on sys.path: find hospital.py beside it.
sys.path.insert(0, os.path.dirname(os.path.abspath(inspect.getframeinfo(inspect.currentframe()).filename)))
from hospital import GATEWAY, SITE_HOSTS  # noqa: E402

WAN_MBPS = 20
BREAKOUT_MBPS = 30
WAN_PORT = 1
BREAKOUT_PORT = 9

WAN_SIDE = {'nhs1': '10.100.0.10', 'biz1': '10.150.0.10'}
INTERNET_SIDE = {'social1': '10.200.0.10', 'bad1': '10.200.0.66'}

ROUTER = 'brk'
ROUTER_INSIDE = {'ip': '10.1.0.254/16', 'ip6': '2001:db8:1::fe/64', 'mac': '02:0b:00:00:00:01'}
ROUTER_OUTSIDE = {'ip': '10.254.0.1/8', 'ip6': '2001:db8:200::1/64', 'mac': '02:0b:00:00:00:02'}

SITE_V6 = {'staff1': '2001:db8:1::21', 'staff2': '2001:db8:1::22', 'staff3': '2001:db8:1::23',
           'staff4': '2001:db8:1::24'}
INTERNET_V6 = {'social1': '2001:db8:200::10', 'bad1': '2001:db8:200::66'}


class TwoUplinksTopo(Topo):
    """The hospital with a second way out of gw: port 9 to a NAT breakout router."""

    def build(self):
        gw = self.addSwitch(GATEWAY, dpid='0000000000000001')
        core = self.addSwitch('core', dpid='0000000000000002')
        acc1 = self.addSwitch('acc1', dpid='0000000000000003')
        acc2 = self.addSwitch('acc2', dpid='0000000000000004')
        wan = self.addSwitch('wan', dpid='00000000000000ff')
        inet = self.addSwitch('inet', dpid='00000000000000fe')
        self.addLink(gw, wan, port1=WAN_PORT, bw=WAN_MBPS)
        router = self.addHost(ROUTER, ip=ROUTER_INSIDE['ip'])
        self.addLink(gw, router, port1=BREAKOUT_PORT, bw=BREAKOUT_MBPS)   # brk-eth0, inside
        self.addLink(router, inet)                      # brk-eth1, outside
        self.addLink(wan, inet)
        self.addLink(core, gw)
        self.addLink(acc1, core)
        self.addLink(acc2, core)
        for name, (ip, sw) in SITE_HOSTS.items():
            self.addLink(self.addHost(name, ip=ip + '/8'), sw)
        for name, ip in WAN_SIDE.items():
            self.addLink(self.addHost(name, ip=ip + '/8'), wan)
        for name, ip in INTERNET_SIDE.items():
            self.addLink(self.addHost(name, ip=ip + '/8'), inet)


topos = {'two_uplinks': TwoUplinksTopo}
