"""A real 3-node ONOS 2.7.0 cluster from the test bed (cluster.sh: 3 ONOS nodes and their Atomix
storage nodes, one network namespace each, node i at 10.77.0.i) with CareLane installed."""
import os
import subprocess
import time
from pathlib import Path

import onos_testbed as onos

DIR = Path(os.environ.get('CARELANE_CLUSTER_DIR', '/tmp/carelane-cluster'))
NODES = (1, 2, 3)


def base(node):
    return f'http://10.77.0.{node}:8181'


def rest(node, method, path, body=None, **kw):
    return onos.rest(method, path, body, base=base(node), **kw)


def karaf_log(node):
    return DIR / f'node-{node}' / 'onos-2.7.0' / 'apache-karaf-4.2.9' / 'data' / 'log' / 'karaf.log'


def carelane_log_errors():
    out = []
    for n in NODES:
        if karaf_log(n).exists():
            out += [f'node {n}: {line}' for line in karaf_log(n).read_text(errors='replace').splitlines()
                    if onos.is_carelane_error(line)]
    return out


def log_tail(node, lines=40):
    try:
        return '\n'.join(karaf_log(node).read_text(errors='replace').splitlines()[-lines:])
    except OSError:
        return f'(no karaf.log for node {node})'


def _kit(*args, timeout):
    t0 = time.time()
    res = subprocess.run([str(onos.KIT / 'cluster.sh'), *map(str, args)], capture_output=True, text=True,
                         timeout=timeout)
    if res.returncode != 0:
        raise onos.OnosError(f'cluster.sh {args[0]} failed ({res.returncode}):\n{res.stdout[-3000:]}\n'
                             f'{res.stderr[-3000:]}')
    return time.time() - t0


UP_TIMEOUT = int(os.environ.get('CARELANE_CLUSTER_UP_TIMEOUT', '180'))
REJOIN_TIMEOUT = 120


def not_ready():
    """Nodes that node 1 does not list as READY (all of them if node 1 does not answer)."""
    code, body = rest(1, 'GET', '/onos/v1/cluster')
    if code != 200:
        return list(NODES)
    ready = {n['id'] for n in body.get('nodes', []) if n.get('status') == 'READY'}
    return [n for n in NODES if f'10.77.0.{n}' not in ready]


def restart_node(node):
    """Stops one ONOS node and starts it again in its namespace; its Atomix node stays."""
    stop_node(node)
    subprocess.run(['ip', 'netns', 'exec', f'tbns{node}', str(onos.KIT / 'start.sh'), str(DIR / f'node-{node}')],
                   check=True, capture_output=True, timeout=400, env=dict(os.environ, JAVA_MAX_MEM='1G'))


def rejoin(nodes):
    """Restarts the nodes that booted but never became READY, and waits for all three."""
    for n in nodes:
        onos.log(f'cluster: node {n} booted but is not READY; restarting it')
        restart_node(n)
    onos.wait_until(lambda: not not_ready(), REJOIN_TIMEOUT, 'every node READY after the restart', interval=1)


def up(attempts=3):
    """Boots a fresh cluster (Atomix data wiped); returns seconds taken.

    A node of the test bed sometimes boots but never reaches READY: node 1 lists it ACTIVE for
    minutes (seen in about one boot in ten; once on two boots in a row in CI). Such a node is
    restarted on its own first, as an operator would; if that fails too, the cluster is taken
    down and booted again."""
    t0 = time.time()
    for attempt in range(1, attempts + 1):
        if (DIR / 'cluster.env').exists():
            down()
        DIR.mkdir(parents=True, exist_ok=True)
        onos.log(f'cluster: booting 3 ONOS nodes + 3 Atomix nodes in {DIR} (about 65 s)')
        os.environ['TB_UP_TIMEOUT'] = str(UP_TIMEOUT)
        try:
            _kit('up', len(NODES), DIR, timeout=UP_TIMEOUT + 300)
        except (onos.OnosError, subprocess.TimeoutExpired) as e:
            stuck = not_ready() if 'nodes READY' in str(e) else []
            try:
                if not stuck or len(stuck) == len(NODES):
                    raise e
                rejoin(stuck)
            except (onos.OnosError, subprocess.SubprocessError) as failed:
                if attempt == attempts:
                    raise onos.OnosError(f'cluster did not boot in {attempts} attempts: {failed}') from None
                onos.log(f'cluster: boot attempt {attempt} failed ({str(failed).splitlines()[0]}); booting again')
                continue
        took = time.time() - t0
        onos.log(f'cluster: 3/3 READY {took:.0f} s after the first boot began (attempt {attempt})')
        return took


def down():
    if (DIR / 'cluster.env').exists():
        _kit('down', DIR, timeout=300)
        onos.log('cluster: down')


def stop_node(node):
    """Stops one ONOS node gracefully (SIGTERM, as a service stop); its Atomix node stays."""
    t0 = time.time()
    subprocess.run(['ip', 'netns', 'exec', f'tbns{node}', str(onos.KIT / 'stop.sh'), str(DIR / f'node-{node}')],
                   check=True, capture_output=True, timeout=120)
    return time.time() - t0


def master(device_id):
    for n in NODES:
        code, body = rest(n, 'GET', f'/onos/v1/mastership/{device_id}/master')
        if code == 200 and body.get('nodeId'):
            return int(body['nodeId'].rsplit('.', 1)[1])
    return None


def candidates(device_id):
    """The nodes that may master a device: its master and backups (GET /onos/v1/mastership/{id}/role).
    ONOS moves mastership only to a candidate, a node the device is connected to; a PUT naming any
    other node is accepted and does nothing."""
    for n in NODES:
        code, body = rest(n, 'GET', f'/onos/v1/mastership/{device_id}/role')
        if code == 200:
            return {int(i.rsplit('.', 1)[1]) for i in [body.get('master'), *body.get('backups', [])] if i}
    return set()


def balance_masters(device_ids, timeout=20):
    """Asks ONOS to share mastership among the nodes (GET /onos/v1/mastership) and waits until
    the devices have as many different masters as there can be; the switch's first connection
    otherwise makes one node master of all."""
    want = min(len(NODES), len(device_ids))
    rest(1, 'GET', '/onos/v1/mastership')
    try:
        onos.wait_until(lambda: len({master(d) for d in device_ids} - {None}) == want, timeout,
                        f'{want} different masters', interval=0.5)
    except onos.OnosError:
        onos.log(f'cluster: masters stay {[master(d) for d in device_ids]}')


def install_app():
    """Installs and activates the .oar through node 1; ONOS distributes it to every node."""
    path = onos.oar()
    code, body = rest(1, 'POST', '/onos/v1/applications?activate=true', data=path.read_bytes(),
                      content_type='application/octet-stream', timeout=60)
    if code not in (200, 201):
        raise onos.OnosError(f'installing {path.name} on the cluster: HTTP {code} {body}')
    wait_carelane_answers(NODES)


def wait_carelane_answers(nodes, timeout=120):
    try:
        onos.wait_until(lambda: all(rest(n, 'GET', '/onos/carelane/status')[0] == 200 for n in nodes), timeout,
                        f'/onos/carelane/status on nodes {nodes}', interval=1)
    except onos.OnosError as e:
        raise onos.OnosError(f'{e}\n' + '\n'.join(log_tail(n, 20) for n in nodes)) from None


def connect(bridge, dpid):
    """A userspace bridge with every node as its controller; returns the device id once available."""
    subprocess.run(['ovs-vsctl', '--if-exists', 'del-br', bridge], check=True)
    subprocess.run(['ovs-vsctl', 'add-br', bridge, '--', 'set', 'bridge', bridge, 'datapath_type=netdev',
                    'protocols=OpenFlow13', f'other-config:datapath-id={dpid}', 'fail-mode=secure'], check=True)
    subprocess.run(['ovs-vsctl', 'set-controller', bridge, *[f'tcp:10.77.0.{n}:6653' for n in NODES]], check=True)
    # OVS retries a lost controller after 1 s at most, not its default 8 s.
    records = subprocess.run(['ovs-vsctl', 'get', 'bridge', bridge, 'controller'], capture_output=True, text=True,
                             check=True).stdout.strip('[]\n ').split(', ')
    for record in records:
        subprocess.run(['ovs-vsctl', 'set', 'controller', record, 'max_backoff=1000'], check=True)
    device_id = f'of:{dpid}'
    onos.wait_until(lambda: device_available(1, device_id), 60, f'{device_id} available in the cluster')
    return device_id


def device_available(node, device_id):
    code, body = rest(node, 'GET', f'/onos/v1/devices/{device_id}')
    return code == 200 and body.get('available') is True


def carelane_netcfg(node):
    """CareLane's netcfg as a node holds it now (REST changes written back included), ready to POST."""
    code, block = rest(node, 'GET', f'/onos/v1/network/configuration/apps/{onos.APP}')
    if code != 200:
        raise onos.OnosError(f'netcfg of {onos.APP} on node {node}: HTTP {code} {block}')
    return {'apps': {onos.APP: block}}


def device_status(node, device_id):
    code, body = rest(node, 'GET', '/onos/carelane/status')
    if code != 200:
        return {}
    dev = next((d for d in body['devices'] if d['deviceId'] == device_id), {})
    return dict(dev, policyVersion=body.get('policyVersion'), appliedProfile=body.get('appliedProfile'))
