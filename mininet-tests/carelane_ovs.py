"""Programs Mininet's userspace OVS with the meters and flow rules the CareLane app produced.

The ONOS-facing code runs for real in Java (scripts/export-rules.sh); this module only
pushes its output with ovs-ofctl -O OpenFlow13 and emulates set_queue, which the
userspace datapath ignores, with tc htb classes plus u32 filters on the DSCP the app marks.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'topologies'))

from mininet.link import Link  # noqa: E402
from mininet.net import Mininet  # noqa: E402
from mininet.node import OVSSwitch  # noqa: E402

OFCTL = ['ovs-ofctl', '-O', 'OpenFlow13']
# Instants in the sample schedule: a Wednesday at 12:30 and at 09:00, Europe/London.
PROFILE_INSTANTS = {'peak': '2026-01-14T12:30:00Z', 'offPeak': '2026-01-14T09:00:00Z'}
LEAF_QUEUE_PACKETS = 64
MIN_HTB_KBPS = 8


def log(msg):
    print(f'[{time.strftime("%H:%M:%S")}] {msg}', flush=True)


def run(cmd, check=True):
    res = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if check and res.returncode != 0:
        raise RuntimeError(f'{" ".join(map(str, cmd))} failed: {res.stderr.strip()}')
    return res.stdout


def ensure_ovs():
    """Starts ovsdb-server and ovs-vswitchd (scripts/start-ovs.sh) if they are not running."""
    run([ROOT / 'scripts' / 'start-ovs.sh'])


def export_rules(netcfg, profile):
    """The app's meters, flows and queue plan for a profile, from the real Java code."""
    out = Path(tempfile.mkdtemp(prefix='carelane-')) / f'{profile}.json'
    run([ROOT / 'scripts' / 'export-rules.sh', netcfg, PROFILE_INSTANTS[profile], out])
    data = json.loads(out.read_text())
    if data['profile'] != profile:
        raise RuntimeError(f'expected profile {profile}, app chose {data["profile"]}')
    return data


class UserSpaceOVS(OVSSwitch):
    """OVS on the userspace (netdev) datapath, OpenFlow 1.3, no controller."""

    def __init__(self, name, **params):
        params.setdefault('datapath', 'user')
        params.setdefault('protocols', 'OpenFlow13')
        params.setdefault('failMode', 'secure')
        super().__init__(name, **params)


def build_net(topo):
    net = Mininet(topo=topo, switch=UserSpaceOVS, controller=None, link=Link, autoSetMacs=True,
                  waitConnected=False, build=False)
    try:
        net.build()
        net.start()
    except Exception:
        stop_net(net)
        raise
    for host in net.hosts:
        for intf in host.intfList():
            host.cmd(f'ethtool -K {intf} tx off')
    return net


def stop_net(net):
    """Stops hosts by PID and deletes bridges by name; never mn -c or killall."""
    names = [sw.name for sw in net.switches]
    try:
        net.stop()
    finally:
        for name in names:
            subprocess.run(['ovs-vsctl', '--if-exists', 'del-br', name], capture_output=True)


def normal_forwarding(switch):
    """Table-miss NORMAL: stands in for org.onosproject.fwd at priority 10 and below."""
    run(OFCTL + ['add-flow', switch.name, 'table=0,priority=0,actions=NORMAL'])


def program_device(switch, device):
    """Installs the app's meters, then its flows (flows reference meters)."""
    for meter in device['meters']:
        run(OFCTL + ['add-meter', switch.name, meter])
    with tempfile.NamedTemporaryFile('w', suffix='.flows', delete=False) as f:
        f.write('\n'.join(device['flows']) + '\n')
    try:
        run(OFCTL + ['add-flows', switch.name, f.name])
    finally:
        os.unlink(f.name)
    normal_forwarding(switch)


def htb_plan(uplink_kbps, queues):
    """tc commands for the bottleneck: one htb class per slice queue, DSCP u32 filters.

    Each class is guaranteed its slice's minKbps and may borrow up to the uplink; spare
    capacity is shared equally (same prio and quantum). queues=None is the unsliced baseline.
    """
    if queues is None:
        return [['class', 'add', 'parent', '1:1', 'classid', '1:10', 'htb', 'rate', f'{uplink_kbps}kbit',
                 'ceil', f'{uplink_kbps}kbit', 'quantum', '1514']], 10, [10]
    cmds, classes, default = [], [], None
    for q in queues:
        if q.get('drop') or 'queue' not in q:
            continue
        cls = 10 + int(q['queue'])
        rate = max(MIN_HTB_KBPS, int(q['minKbps']))
        cmds.append(['class', 'add', 'parent', '1:1', 'classid', f'1:{cls}', 'htb', 'rate', f'{rate}kbit',
                     'ceil', f'{uplink_kbps}kbit', 'quantum', '1514', 'prio', '0'])
        if 'dscp' in q:
            cmds.append(['filter', 'add', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32',
                         'match', 'ip', 'tos', hex(int(q['dscp']) << 2), '0xfc', 'flowid', f'1:{cls}'])
        classes.append(cls)
        if q['slice'] == 'default':
            default = cls
    return cmds, default or classes[-1], classes


def configure_bottleneck(intf, uplink_kbps, queues=None):
    run(['tc', 'qdisc', 'del', 'dev', intf, 'root'], check=False)
    cmds, default, classes = htb_plan(uplink_kbps, queues)
    run(['tc', 'qdisc', 'add', 'dev', intf, 'root', 'handle', '1:', 'htb', 'default', str(default)])
    run(['tc', 'class', 'add', 'dev', intf, 'parent', '1:', 'classid', '1:1', 'htb',
         'rate', f'{uplink_kbps}kbit', 'ceil', f'{uplink_kbps}kbit'])
    for c in cmds:
        run(['tc', c[0], c[1], 'dev', intf] + c[2:])
    for cls in classes:
        run(['tc', 'qdisc', 'add', 'dev', intf, 'parent', f'1:{cls}', 'handle', f'{cls}:', 'pfifo',
             'limit', str(LEAF_QUEUE_PACKETS)])


def tc_class_stats(intf):
    return run(['tc', '-s', 'class', 'show', 'dev', intf], check=False)


def meter_stats(switch):
    return run(OFCTL + ['meter-stats', switch.name], check=False)


def dump_flows(switch):
    return run(OFCTL + ['dump-flows', switch.name], check=False)
