"""Mininet on userspace OVS for the acceptance tests, and the queue emulation.

The gateway is programmed by a real ONOS (onos_testbed.py); the other switches are plain L2
switches. The userspace datapath ignores set_queue, so the uplink's priority queues are
emulated with tc htb classes plus u32 filters on the DSCP that CareLane marks.
Hosts get static ARP entries: see README, "Non-IP traffic".
"""
import contextlib
import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'topologies'))

from mininet.link import Link  # noqa: E402
from mininet.net import Mininet  # noqa: E402
from mininet.node import OVSSwitch  # noqa: E402

OFCTL = ['ovs-ofctl', '-O', 'OpenFlow13']
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
    net.staticArp()   # ONOS punts ARP to itself and no forwarding app answers it
    return net


def dns_query(host, server, name, qtype='A', timeout=3):
    """One DNS question from host to server over UDP (dns_query.py): {"rcode", "addresses", "ttl",
    "ms"}, rcode None if no answer came within {timeout} s."""
    out = host.cmd(f'/usr/bin/python3 {Path(__file__).resolve().parent / "dns_query.py"} {server} {name} {qtype} '
                   f'53 {timeout}')
    return json.loads(out.strip().splitlines()[-1])


def start_dnsmasq(host, address, args, workdir, name):
    """dnsmasq on host, answering on address:53, with its own pid file (by default every
    instance writes /var/run/dnsmasq.pid, and one started at the same moment as another dies:
    "failed to open pidfile ... File exists"). Returns once it answers a query from its host;
    if it does not, fails with what dnsmasq wrote."""
    err = Path(workdir) / f'dnsmasq-{name}.err'
    with open(err, 'w') as out:
        process = host.popen(['dnsmasq', '--keep-in-foreground', '--no-resolv', '--no-hosts',
                              f'--pid-file={Path(workdir) / f"dnsmasq-{name}.pid"}',
                              f'--listen-address={address}', '--bind-interfaces', '--port=53', *args],
                             stdout=subprocess.DEVNULL, stderr=out)
    deadline = time.time() + 10
    while time.time() < deadline:
        if process.poll() is not None:
            raise AssertionError(f'dnsmasq {name} on {host} exited ({process.returncode}): {err.read_text()}')
        # Any answer will do (NXDOMAIN too): the server is up. Asked from its own host, off the switch.
        try:
            if isinstance(dns_query(host, address, 'carelane.invalid').get('rcode'), int):
                return process
        except (ValueError, IndexError):
            pass
        time.sleep(0.2)
    process.terminate()
    process.wait(5)
    raise AssertionError(f'dnsmasq {name} on {host} does not answer on {address}:53: {err.read_text()}')


def stop_net(net):
    """Stops hosts by PID and deletes bridges by name; never mn -c or killall."""
    names = [sw.name for sw in net.switches]
    try:
        net.stop()
    finally:
        for name in names:
            subprocess.run(['ovs-vsctl', '--if-exists', 'del-br', name], capture_output=True)


@contextlib.contextmanager
def hospital_under_onos(onos, reason, prepare=None, topo=None):
    """The hospital network (or topo, with the same gateway), its gateway handed to ONOS (the
    onos_testbed module) at peak, with every other switch a plain L2 switch. prepare(net) runs
    before the gateway connects."""
    from hospital import GATEWAY, HospitalTopo
    ensure_ovs()
    net = build_net(topo or HospitalTopo())
    try:
        for sw in net.switches:
            normal_forwarding(sw)
        if prepare is not None:
            prepare(net)
        gw = net.get(GATEWAY)
        onos.ofctl('del-flows', gw.name)
        onos.connect(gw.name)
        onos.set_profile('peak', reason=reason)
        yield net
    finally:
        stop_net(net)


def normal_forwarding(switch):
    """A plain L2 switch: one table-miss NORMAL flow (the LAN and WAN switches are not CareLane's)."""
    run(OFCTL + ['add-flow', switch.name, 'table=0,priority=0,actions=NORMAL'])


def tc(intf, *args):
    """Runs `tc OBJECT VERB dev INTF REST...` from args (OBJECT, VERB, REST...)."""
    return run(['tc', args[0], args[1], 'dev', intf, *args[2:]])


def dscp_filter(dscp, classid):
    """tc args: IPv4 packets marked with this DSCP go to the htb class classid."""
    return ['filter', 'add', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32',
            'match', 'ip', 'tos', hex(int(dscp) << 2), '0xfc', 'flowid', classid]


def leaf_fifo(classid, handle):
    """tc args: the short FIFO under an htb class (this kernel has no fq_codel or sfq)."""
    return ['qdisc', 'replace', 'parent', classid, 'handle', f'{handle}:', 'pfifo', 'limit', str(LEAF_QUEUE_PACKETS)]


def htb_plan(uplink_kbps, queues):
    """tc commands for the bottleneck: one htb class per slice queue, DSCP u32 filters.

    Each class is guaranteed its slice's minKbps and may borrow up to the uplink; spare
    capacity is shared equally (same prio and quantum). queues=None is the unsliced baseline,
    as is a way out that no slice leaves by (one class for whatever crosses it).
    """
    if queues is not None and not any('queue' in q and not q.get('drop') for q in queues):
        queues = None
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
            cmds.append(dscp_filter(q['dscp'], f'1:{cls}'))
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
        tc(intf, *c)
    for cls in classes:
        tc(intf, *leaf_fifo(f'1:{cls}', cls))


def steer_marked_traffic(intf, queues):
    """The uplink's queues as CareLane configured them over OVSDB: OVS itself builds the htb
    qdisc on the port (class 1:(queue + 1) per queue, at the queue's min and max rate). The
    userspace datapath ignores set_queue, so u32 filters on the DSCP CareLane marks put each
    slice's packets in its queue's class, and each class gets the emulation's short FIFO.
    queues: the slices' plan (queue and dscp) from CareLane's /slices. Idempotent."""
    classes = set(re.findall(r'class htb 1:([0-9a-f]+) ', run(['tc', 'class', 'show', 'dev', intf])))
    run(['tc', 'filter', 'del', 'dev', intf, 'parent', '1:'], check=False)
    for q in queues:
        if q.get('drop') or 'queue' not in q or 'dscp' not in q:
            continue
        cls = format(int(q['queue']) + 1, 'x')
        if cls not in classes:
            raise RuntimeError(f'no htb class 1:{cls} for queue {q["queue"]} on {intf}: OVS has {sorted(classes)}')
        tc(intf, *dscp_filter(q['dscp'], f'1:{cls}'))
        tc(intf, *leaf_fifo(f'1:{cls}', f'{int(cls, 16) + 10:x}'))


def tc_class_stats(intf):
    return run(['tc', '-s', 'class', 'show', 'dev', intf], check=False)


def meter_stats(switch):
    return run(OFCTL + ['meter-stats', switch.name], check=False)


def dump_flows(switch):
    return run(OFCTL + ['dump-flows', switch.name], check=False)
