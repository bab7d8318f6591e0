"""A real ONOS 2.7.0 for the acceptance tests: the test bed kit at ../shared/onos-testbed.

Boots ONOS on Java 11 (the kit's setup.sh and start.sh), installs CareLane's .oar through
ONOS's applications REST API and checks what ONOS does not: that the bundle is Active, that
its components are ACTIVE and that /onos/carelane answers. ONOS reports an app ACTIVE even
when its bundle failed to resolve.

Environment: CARELANE_ONOS_DIR (default /tmp/carelane-onos) is where ONOS is staged;
CARELANE_TESTBED overrides the kit's path.
"""
import base64
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
KIT = Path(os.environ.get('CARELANE_TESTBED', ROOT.parent / 'shared' / 'onos-testbed'))
DIR = Path(os.environ.get('CARELANE_ONOS_DIR', '/tmp/carelane-onos'))
KARAF_LOG = DIR / 'onos-2.7.0' / 'apache-karaf-4.2.9' / 'data' / 'log' / 'karaf.log'
REST = 'http://127.0.0.1:8181'
CONTROLLER = 'tcp:127.0.0.1:6653'
APP = 'org.carelane.app'
COMPONENTS = ('org.carelane.impl.CareLaneManager', 'org.carelane.store.DistributedCareLaneStore',
              'org.carelane.rest.CareLaneCodecs')
ANSI = re.compile(r'\x1b\[[0-9;]*m')
RESULTS = ROOT / 'mininet-tests' / 'results'
AUTH = 'Basic ' + base64.b64encode(b'onos:rocks').decode()


class OnosError(RuntimeError):
    """ONOS did not boot, or CareLane did not come up in it; the message carries the log tail."""


def log(msg):
    print(f'[{time.strftime("%H:%M:%S")}] {msg}', flush=True)


def missing():
    """Why the test bed cannot run here, or None."""
    if not (KIT / 'setup.sh').exists():
        return f'no ONOS test bed at {KIT}: provide the ONOS 2.7.0 kit there (or set CARELANE_TESTBED)'
    if os.geteuid() != 0:
        return 'the ONOS test bed needs root'
    return None


def write_results(file_name, data):
    """Writes a JSON document into mininet-tests/results/."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / file_name).write_text(json.dumps(data, indent=2))


def record_figure(file_name, name, value):
    """Adds one measured figure to a results file (performance targets are reported, not asserted)."""
    path = RESULTS / file_name
    figures = json.loads(path.read_text()) if path.exists() else {}
    figures[name] = round(value, 3) if isinstance(value, float) else value
    write_results(file_name, figures)


def benchmark_blocked(name):
    """For a benchmark script: the exit status to stop with when the test bed is missing (2 under
    CI=true, else 0, as pytest skips), after saying why; None when it can run."""
    why = missing()
    if not why:
        return None
    print(f'{name}: {why}', file=sys.stderr)
    return 2 if os.environ.get('CI') == 'true' else 0


def oar():
    found = sorted((ROOT / 'app' / 'target').glob('*.oar'))
    if not found:
        raise OnosError('no .oar in app/target: run mvn package first')
    return found[-1]


def rest(method, path, body=None, auth=AUTH, data=None, content_type='application/json', timeout=30, base=REST):
    """(status, parsed JSON or text) of one ONOS REST call to the node at {base}; never raises on
    HTTP errors or an unreachable node (status 0)."""
    headers = {}
    if auth:
        headers['Authorization'] = auth
    if body is not None:
        data = json.dumps(body).encode()
    if data is not None:
        headers['Content-Type'] = content_type
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            code, text = resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        code, text = e.code, e.read().decode(errors='replace')
    except (urllib.error.URLError, OSError) as e:
        if base == REST:
            raise
        return 0, str(e)
    try:
        return code, json.loads(text) if text.strip() else None
    except json.JSONDecodeError:
        return code, text


def cli(command):
    """An ONOS CLI command over ssh, colours stripped. Karaf prints only into a pipe here."""
    res = subprocess.run([str(KIT / 'cli.sh'), str(DIR), command], capture_output=True, text=True, timeout=90)
    return ANSI.sub('', res.stdout)


def log_tail(lines=60):
    try:
        return '\n'.join(KARAF_LOG.read_text(errors='replace').splitlines()[-lines:])
    except OSError:
        console = DIR / 'onos-console.log'
        return console.read_text(errors='replace')[-4000:] if console.exists() else '(no ONOS log)'


def is_carelane_error(line):
    """True for a karaf.log ERROR line that comes from CareLane's bundle or mentions it."""
    return '| ERROR' in line and 'carelane' in line.lower()


def carelane_log_errors():
    """ERROR lines of karaf.log that come from CareLane's bundle or mention it."""
    return carelane_log_errors_since(0)


def log_size():
    """karaf.log's size now: where a module's own lines start."""
    try:
        return KARAF_LOG.stat().st_size
    except OSError:
        return 0


def log_lines_since(offset, needle):
    """karaf.log lines written after `offset` that contain `needle`."""
    if not KARAF_LOG.exists():
        return []
    data = KARAF_LOG.read_bytes()
    text = (data[offset:] if len(data) >= offset else data).decode(errors='replace')
    return [line for line in text.splitlines() if needle in line]


def carelane_log_errors_since(offset):
    """CareLane's ERROR lines written to karaf.log after `offset` (a new log restarts at 0)."""
    return [line for line in log_lines_since(offset, '| ERROR') if is_carelane_error(line)]


def running():
    pid = DIR / 'onos.pid'
    return pid.exists() and Path(f'/proc/{pid.read_text().strip()}').exists()


def _run_kit(script, *args, timeout):
    t0 = time.time()
    res = subprocess.run([str(KIT / script), *map(str, args)], capture_output=True, text=True, timeout=timeout)
    if res.returncode != 0:
        raise OnosError(f'{script} failed ({res.returncode}):\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}')
    return time.time() - t0, res.stdout


def boot():
    """Stages a fresh ONOS (no state from earlier runs) and starts it; returns seconds taken."""
    if running():
        stop()
    DIR.mkdir(parents=True, exist_ok=True)
    log(f'ONOS: staging a fresh ONOS 2.7.0 in {DIR} (the first run fetches ~150 bundles)')
    took, _ = _run_kit('setup.sh', DIR, timeout=900)
    log(f'ONOS: staged in {took:.0f} s; booting on Java 11')
    took, out = _run_kit('start.sh', DIR, timeout=400)
    log(f'ONOS: up in {took:.0f} s ({out.strip().splitlines()[-1]})')
    return took


def stop():
    if running():
        _run_kit('stop.sh', DIR, timeout=120)
        log('ONOS: stopped')


def restart():
    """Stops ONOS and starts it again with its state (data/ and the Atomix log) kept."""
    _run_kit('stop.sh', DIR, timeout=120)
    took, _ = _run_kit('start.sh', DIR, timeout=400)
    return took


def install_app(path=None, timeout=90):
    """Installs and activates the .oar via REST, then waits until it really runs."""
    path = path or oar()
    code, body = rest('POST', '/onos/v1/applications?activate=true', data=Path(path).read_bytes(),
                      content_type='application/octet-stream')
    if code not in (200, 201, 409):
        raise OnosError(f'installing {path.name}: HTTP {code} {body}')
    if code == 409:
        activate_app()
    wait_app_running(timeout)
    log(f'ONOS: {path.name} installed; bundle Active, components ACTIVE, /onos/carelane answers')


def activate_app(timeout=90):
    code, body = rest('POST', f'/onos/v1/applications/{APP}/active')
    if code != 200:
        raise OnosError(f'activating {APP}: HTTP {code} {body}')
    wait_app_running(timeout)


def deactivate_app(timeout=60):
    code, body = rest('DELETE', f'/onos/v1/applications/{APP}/active')
    if code not in (200, 204):
        raise OnosError(f'deactivating {APP}: HTTP {code} {body}')
    wait_until(lambda: rest('GET', '/onos/carelane/status')[0] == 404, timeout, 'CareLane REST to go away')


def app_state():
    """What ONOS and Karaf say about CareLane: app state, bundle state, component states, REST."""
    _, app = rest('GET', f'/onos/v1/applications/{APP}')
    bundles = cli('bundle:list -s | grep carelane-app')
    bundle = re.search(r'^\s*\d+\s*[│|]\s*(\w+)\s*[│|].*carelane-app', bundles, re.M)
    components = {}
    for name in COMPONENTS:
        m = re.search(r'State:\s*(\w+)', cli(f'scr:info {name} | grep State'))
        components[name] = m.group(1) if m else None
    return {'app': app.get('state') if isinstance(app, dict) else None,
            'bundle': bundle.group(1) if bundle else None,
            'components': components,
            'rest': rest('GET', '/onos/carelane/status')[0]}


def wait_app_running(timeout=90):
    state = {}

    def ready():
        state.update(app_state())
        return (state['bundle'] == 'Active' and state['rest'] == 200
                and all(s == 'ACTIVE' for s in state['components'].values()))
    try:
        wait_until(ready, timeout, 'CareLane bundle Active, components ACTIVE, REST 200', interval=2)
    except OnosError as e:
        raise OnosError(f'{e}; last seen {state}\n{log_tail()}') from None


def wait_until(predicate, timeout, what, interval=0.5):
    deadline = time.time() + timeout
    while True:
        if predicate():
            return
        if time.time() > deadline:
            raise OnosError(f'timed out after {timeout} s waiting for {what}')
        time.sleep(interval)


def push_netcfg(netcfg):
    """POSTs a netcfg document (dict); returns (status, body)."""
    return rest('POST', '/onos/v1/network/configuration', netcfg)


def netcfg_for(path, device_ids=None):
    """A netcfg file, with device ids renamed by the mapping given."""
    text = Path(path).read_text()
    for old, new in (device_ids or {}).items():
        text = text.replace(old, new)
    return json.loads(text)


def device_available(device_id):
    code, body = rest('GET', '/onos/v1/devices/' + device_id.replace(':', '%3A'))
    return code == 200 and body.get('available') is True


def connect(bridge, timeout=30):
    """Hands an OVS bridge to ONOS (OpenFlow 1.3, fail-mode secure) and waits until it is available."""
    subprocess.run(['ovs-vsctl', 'set', 'bridge', bridge, 'fail-mode=secure', 'protocols=OpenFlow13',
                    '--', 'set-controller', bridge, CONTROLLER], check=True)
    dpid = subprocess.run(['ovs-vsctl', 'get', 'bridge', bridge, 'datapath-id'], capture_output=True,
                          text=True, check=True).stdout.strip().strip('"')
    device_id = 'of:' + dpid
    try:
        wait_until(lambda: device_available(device_id), timeout, f'{device_id} available in ONOS')
    except OnosError as e:
        raise OnosError(f'{e}\n{log_tail(40)}') from None
    return device_id


def controlled(bridge):
    """True if the bridge has ONOS as its controller."""
    out = subprocess.run(['ovs-vsctl', 'get-controller', bridge], capture_output=True, text=True).stdout
    return CONTROLLER in out


def app_id():
    _, body = rest('GET', f'/onos/v1/applications/{APP}')
    return body['id']


def ofctl(*args):
    return subprocess.run(['ovs-ofctl', '-O', 'OpenFlow13', *args], capture_output=True, text=True).stdout


def slice_priority(priority):
    """The slice priority of a CareLane rule's OpenFlow priority, in any band, as
    FlowCompiler.slicePriority: bands at 1000 and 3000, and staging bands at 5000 and 8000, where
    a slice sits at base + 2 x its priority (a shadow at + 1 more)."""
    for base, stride in ((8000, 2), (5000, 2), (3000, 1), (1000, 1)):
        if priority >= base:
            return (priority - base) // stride
    return priority


def carelane_flows(bridge, appid, counters=False):
    """Flows on the switch whose cookie carries CareLane's ONOS application id (top 16 bits),
    without their counters unless asked."""
    out = []
    for line in ofctl('dump-flows', bridge).splitlines():
        m = re.search(r'cookie=0x([0-9a-f]+)', line)
        if m and int(m.group(1), 16) >> 48 == appid:
            out.append(line.strip() if counters
                       else re.sub(r' (duration|n_packets|n_bytes|idle_age|hard_age)=[^,]*,', '', line.strip()))
    return out


class FlowMonitor:
    """Every rule a bridge adds or deletes while in use, with the switch's times
    (`ovs-ofctl --timestamp monitor BRIDGE watch:`, line-buffered: an OVS flow monitor on the bridge socket)."""

    def __init__(self, bridge):
        self.bridge = bridge
        self.lines = []

    def __enter__(self):
        import threading
        self.proc = subprocess.Popen(
            ['stdbuf', '-oL', 'ovs-ofctl', '-O', 'OpenFlow13', '--timestamp', 'monitor', self.bridge, 'watch:'],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)   # updates come on stderr
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.proc.stdout), daemon=True)
        self.reader.start()
        # Set up once its first reply, the bridge's rules, has been read in full.
        seen, deadline = -1, time.time() + 5
        while time.time() < deadline and (not self.lines or len(self.lines) != seen):
            seen = len(self.lines)
            time.sleep(0.3)
        return self

    def __exit__(self, *exc):
        time.sleep(0.3)
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.reader.join(timeout=10)

    def events(self, appid):
        """[(seconds since the epoch, 'ADDED' or 'DELETED', cookie)] of CareLane's rules, in order."""
        out, at = [], None
        for line in self.lines:
            stamp = re.match(r'(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}): ', line)
            if stamp:
                at = time.mktime(time.strptime(stamp.group(1)[:19], '%Y-%m-%d %H:%M:%S')) + float(stamp.group(1)[19:])
                continue
            m = re.search(r'event=(ADDED|DELETED).* cookie=0x([0-9a-f]+)', line)
            if m and at is not None and int(m.group(2), 16) >> 48 == appid:
                out.append((at, m.group(1), int(m.group(2), 16)))
        return out

    def restores(self, appid):
        """(rules deleted, [seconds until each deleted rule was added back, for those that were])."""
        deleted_at, gaps, deleted = {}, [], 0
        for at, event, cookie in self.events(appid):
            if event == 'DELETED':
                deleted += 1
                deleted_at[cookie] = at
            elif cookie in deleted_at:
                gaps.append(at - deleted_at.pop(cookie))
        return deleted, gaps


def switch_meters(bridge):
    """{meter id: rate kbps} on the switch."""
    found = re.findall(r'meter=(\d+) kbps burst (?:stats )?bands=\s*type=drop rate=(\d+)', ofctl('dump-meters', bridge))
    return {int(m): int(r) for m, r in found}


def band_drops(bridge):
    """{meter id: packets dropped by its band}, read at the switch (ONOS 2.7.0 keeps no band counters)."""
    found = re.findall(r'meter:(\d+) .*?bands:\s*0: packet_count:(\d+)', ofctl('meter-stats', bridge), re.S)
    return {int(m): int(p) for m, p in found}


def status():
    code, body = rest('GET', '/onos/carelane/status')
    if code != 200:
        raise OnosError(f'/onos/carelane/status: HTTP {code} {body}')
    return body


def by_name_only(slice_):
    """True if every rule of a slice lists names: its meter is on the switch, but no rule uses it
    until an answer for one of its names is learned."""
    return all(r.get('dstNameList') for r in slice_.get('rules', [])) and bool(slice_.get('rules'))


def forwarding_rates(slices, profile, in_force=False):
    """{slice: maxKbps} in a profile of the forwarding slices among CareLane's /slices; with
    in_force, only the slices whose meters rules use before any name is learned."""
    return {s['name']: s['rates'][profile]['maxKbps'] for s in slices
            if s.get('action') != 'drop' and not (in_force and by_name_only(s))}


def expected_rates(profile, in_force=False):
    """forwarding_rates, from this node's CareLane REST API."""
    _, body = rest('GET', '/onos/carelane/slices')
    return forwarding_rates(body['slices'], profile, in_force)


def rules_to(bridge, address):
    """The rules on a bridge that match this destination address exactly (IPv4 or IPv6): the
    rules CareLane learned for it from a DNS answer."""
    return [f for f in ofctl('dump-flows', bridge).splitlines()
            if any(f'{field}={address}{end}' in f for field in ('nw_dst', 'ipv6_dst') for end in (' ', ','))]


def wait_programmed(bridge, device_id, profile, timeout=60):
    """Waits until the switch itself carries the profile: every flow rule CareLane reports for
    the device is on the switch, one meter per forwarding slice at the profile's rates, and
    every meter those flows use exists. Returns the seconds waited."""
    appid = app_id()
    rates = sorted(expected_rates(profile).values())
    seen = {}

    def done():
        st = status()
        dev = next((d for d in st['devices'] if d['deviceId'] == device_id), {})
        flows, on_switch = switch_state(bridge, appid)
        seen.update(applied=st.get('appliedProfile'), reported=dev.get('flowRules'), on_switch=len(flows),
                    meters=on_switch, sync=dev.get('sync'))
        return (st.get('appliedProfile') == profile and dev.get('flowRules', 0) > 0
                and dev.get('sync', {}).get('state') == 'IN_SYNC'
                and dev['sync'].get('policyVersion') == st.get('policyVersion')
                and len(flows) == dev['flowRules'] and carries(flows, on_switch, rates))
    t0 = time.time()
    try:
        wait_until(done, timeout, f'{device_id} programmed for {profile}')
    except OnosError as e:
        raise OnosError(f'{e}; last seen {seen}\n{ofctl("dump-flows", bridge)}\n{log_tail(30)}') from None
    return time.time() - t0


def switch_state(bridge, appid):
    """(CareLane flows, {meter id: rate}) as the switch holds them now."""
    return carelane_flows(bridge, appid), switch_meters(bridge)


def carries(flows, on_switch, rates):
    """True if the meters have exactly these rates and some CareLane flow uses them, all existing."""
    used = {int(m) for f in flows for m in re.findall(r'meter:(\d+)', f)}
    return sorted(on_switch.values()) == sorted(rates) and used <= set(on_switch) and bool(used)


def switch_carries(bridge, rates, appid):
    """True if the switch's meters have exactly these rates and every CareLane flow's meter exists."""
    return carries(*switch_state(bridge, appid), rates)


def in_force_rates(bridge, appid):
    """The rates of the meters that the switch applies now: for each match, the highest-priority
    CareLane rule's meter, as a packet meets it (a staged boundary's shadow over its next rule
    until the switch expires it). Sorted, one per meter."""
    winners = {}
    for f in carelane_flows(bridge, appid):
        prio = int(re.search(r'priority=(\d+)', f).group(1))
        # A shadow differs from the rule under it only in priority and hard_timeout.
        match = re.sub(r'cookie=0x[0-9a-f]+, |(hard|idle)_timeout=\d+, |priority=\d+,?| actions=.*', '', f)
        if match not in winners or prio > winners[match][0]:
            winners[match] = (prio, f)
    meters = switch_meters(bridge)
    used = {int(m) for _, f in winners.values() for m in re.findall(r'meter:(\d+)', f)}
    return sorted(meters.get(m, -1) for m in used)


def switch_in_force(bridge, rates, appid):
    """True if the rules the switch applies use meters at exactly these rates (not counting
    unused meters that are still to be withdrawn)."""
    return in_force_rates(bridge, appid) == sorted(rates)


def time_until_switch_carries(bridge, rates, timeout=20):
    """Seconds until the switch carries these meter rates, polling every 50 ms."""
    appid = app_id()
    t0 = time.time()
    wait_until(lambda: switch_carries(bridge, rates, appid), timeout, f'{bridge} to carry {rates}', interval=0.05)
    return time.time() - t0


def disconnect(bridge):
    """Takes a bridge away from ONOS and makes it a plain L2 switch again (no CareLane state)."""
    subprocess.run(['ovs-vsctl', 'del-controller', bridge], check=True)
    ofctl('del-flows', bridge)
    ofctl('del-meters', bridge)
    ofctl('add-flow', bridge, 'table=0,priority=0,actions=NORMAL')


class ControlCut:
    """Cuts the OpenFlow connection between OVS and ONOS without touching the bridge's
    controller record (adding or removing a bridge's controllers makes OVS flush its flows):
    an nft rule refuses new connections to port 6653, and `ss -K` destroys the established
    one at both ends, so ONOS sees the switch go at once, as after a network reset."""
    TABLE = 'carelane_cut'

    def __enter__(self):
        subprocess.run(['nft', 'add', 'table', 'inet', self.TABLE], check=True)
        subprocess.run(['nft', 'add', 'chain', 'inet', self.TABLE, 'out',
                        '{ type filter hook output priority 0 ; }'], check=True)
        subprocess.run(['nft', 'add', 'rule', 'inet', self.TABLE, 'out', 'tcp', 'dport', '6653', 'tcp', 'flags',
                        'syn', 'reject', 'with', 'tcp', 'reset'], check=True)
        subprocess.run(['ss', '-K', '-tn', 'state', 'established', '( sport = :6653 or dport = :6653 )'],
                       check=True, capture_output=True)
        return self

    def __exit__(self, *exc):
        subprocess.run(['nft', 'delete', 'table', 'inet', self.TABLE], check=False)


def boundary_schedule(lead_s=15):
    """A schedule whose profile changes at the first whole minute (Europe/London) at least
    {lead_s} ahead: (boundary, profile from then, profile until then, schedule). Its peak window
    starts at the boundary, or, when a 10-minute window from there would cross midnight, runs
    from midnight to the boundary, so that no time of day is skipped."""
    now = datetime.now(ZoneInfo('Europe/London'))
    boundary = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while (boundary - now).total_seconds() < lead_s:
        boundary += timedelta(minutes=1)
    days = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN']
    if (boundary + timedelta(minutes=10)).date() == boundary.date():
        return boundary, 'peak', 'offPeak', {'zone': 'Europe/London', 'peakStart': f'{boundary:%H:%M}',
                                             'peakEnd': f'{boundary + timedelta(minutes=10):%H:%M}', 'days': days}
    return boundary, 'offPeak', 'peak', {'zone': 'Europe/London', 'peakStart': '00:00',
                                         'peakEnd': f'{boundary:%H:%M}', 'days': days}


SCHEDULE_FIELDS = ('zone', 'peakStart', 'peakEnd', 'windows', 'days', 'holidays')


def has_policy(base=REST):
    """True once CareLane holds a policy (GET /slices answers 200 with an empty list before)."""
    code, body = rest('GET', '/onos/carelane/slices', base=base)
    return code == 200 and bool(body.get('slices'))


def wait_policy(base=REST, timeout=30):
    """Waits until a pushed netcfg has reached CareLane's store (ONOS delivers it as an event)."""
    wait_until(lambda: has_policy(base), timeout, 'the netcfg policy in CareLane')


def start_with_carelane(netcfg_path):
    """Fresh ONOS, CareLane installed from the .oar, the netcfg pushed and loaded."""
    boot()
    install_app()
    code, body = push_netcfg(netcfg_for(netcfg_path))
    if code != 200:
        raise OnosError(f'netcfg {netcfg_path}: HTTP {code} {body}')
    wait_policy()


def steered_to(slice_json, profile):
    """The link a slice leaves by in a profile (from CareLane's /slices), or None for the WAN."""
    egress = slice_json.get('egress')
    if egress and egress.get('when', 'always') in ('always', profile):
        return egress['link']
    return None


def queue_plan(profile, link=None):
    """The queues for the tc emulation of one way out (link None: the WAN uplink) in a profile:
    the slices that leave by it then, from what CareLane itself reports over REST."""
    _, body = rest('GET', '/onos/carelane/slices')
    plan = []
    for s in body['slices']:
        if s.get('action') == 'drop':
            plan.append({'slice': s['name'], 'drop': True})
            continue
        if steered_to(s, profile) != link:
            continue
        entry = {'slice': s['name'], 'minKbps': s['rates'][profile]['minKbps'],
                 'maxKbps': s['rates'][profile]['maxKbps']}
        if 'queue' in s:
            entry['queue'] = s['queue']
        if 'dscp' in s:
            entry['dscp'] = s['dscp']
        plan.append(entry)
    return plan


def set_profile(profile, minutes=120, reason='acceptance test'):
    """Forces a profile with CareLane's override API (the schedule itself runs on ONOS's clock)."""
    code, body = rest('POST', '/onos/carelane/override',
                      {'profile': profile, 'durationMinutes': minutes, 'reason': reason})
    if code not in (200, 201):
        raise OnosError(f'override {profile}: HTTP {code} {body}')
    return body


OVSDB_APPS = ('org.onosproject.ovsdb', 'org.onosproject.drivers.ovsdb')
OVSDB_DEVICE = 'ovsdb:127.0.0.1'


def enable_ovsdb(timeout=60):
    """ONOS's OVSDB apps active and this host's OVS managed by ONOS (ovs-vsctl set-manager, which
    replaces the OVS's managers): the device ovsdb:127.0.0.1 through which CareLane owns queues."""
    for app in OVSDB_APPS:
        code, body = rest('POST', f'/onos/v1/applications/{app}/active')
        if code != 200:
            raise OnosError(f'activating {app}: HTTP {code} {body}')
    # No TCP probe of 6640: ONOS takes any connection from 127.0.0.1 for the OVSDB node and
    # drops the device when it closes. OVS retries until ONOS listens.
    subprocess.run(['ovs-vsctl', 'set-manager', 'tcp:127.0.0.1:6640'], check=True)
    wait_until(lambda: device_available(OVSDB_DEVICE), timeout, f'{OVSDB_DEVICE} available in ONOS')


def disable_ovsdb():
    """Undoes enable_ovsdb's manager: the OVS is no longer managed by ONOS. ONOS's OVSDB apps
    stay active: deactivating org.onosproject.drivers.ovsdb on ONOS 2.7.0 unregisters its driver
    provider, which also contributed to the "default" driver, and OpenFlow switches then find no
    driver and never become available again (seen in CI: "Driver not found")."""
    subprocess.run(['ovs-vsctl', 'del-manager'], check=False)


def with_owned_queues(netcfg, uplink_port=1, driver='ovs'):
    """A netcfg document with CareLane owning the first device's uplink queues, and the given
    driver bound to the OVSDB device: 'ovs' has the queue behaviours (ONOS 2.7.0 reports OVSDB
    devices as unknown hardware, which by itself matches only 'default', which lacks them)."""
    block = netcfg['apps']['org.carelane.app']['carelane']
    block['devices'][0]['uplinkPort'] = uplink_port
    netcfg.setdefault('devices', {})[OVSDB_DEVICE] = {'basic': {'driver': driver}}
    return netcfg


def ovs_rows(table, columns):
    """Rows of an OVS table as dicts (ovs-vsctl's JSON, maps and sets flattened)."""
    out = subprocess.run(['ovs-vsctl', '--format=json', f'--columns={",".join(columns)}', 'list', table],
                         capture_output=True, text=True, check=True).stdout
    doc = json.loads(out)

    def value(v):
        if isinstance(v, list) and v and v[0] == 'map':
            return {value(k): value(x) for k, x in v[1]}
        if isinstance(v, list) and v and v[0] == 'set':
            return [value(x) for x in v[1]]
        if isinstance(v, list) and v and v[0] == 'uuid':
            return v[1]
        return v
    return [dict(zip(doc['headings'], map(value, row))) for row in doc['data']]


def port_queues(port_name, tries=5):
    """{OpenFlow queue id: (min bit/s, max bit/s)} of the QoS on an OVS port, with the QoS's
    type, max-rate and name; None if the port has no QoS. Reads are retried while a change is
    half seen (the port naming a QoS row that is already deleted, or the reverse)."""
    for _ in range(tries):
        port = next((p for p in ovs_rows('port', ['name', 'qos']) if p['name'] == port_name), None)
        if not port or not port['qos'] or port['qos'] == []:
            return None
        qos = next((q for q in ovs_rows('qos', ['_uuid', 'type', 'other_config', 'queues', 'external_ids'])
                    if q['_uuid'] == port['qos']), None)
        queues = {q['_uuid']: q for q in ovs_rows('queue', ['_uuid', 'other_config', 'external_ids'])}
        if qos is not None and all(u in queues for u in qos['queues'].values()):
            return {'type': qos['type'], 'maxRate': int(qos['other_config'].get('max-rate', 0)),
                    'name': qos['external_ids'].get('onos-qos-id'),
                    'queues': {int(k): (int(queues[u]['other_config'].get('min-rate', 0)),
                                        int(queues[u]['other_config'].get('max-rate', 0)))
                               for k, u in qos['queues'].items()}}
        time.sleep(0.2)
    raise OnosError(f'the QoS of OVS port {port_name} kept changing while read')


def carelane_ovsdb_rows(dpid='0000000000000001'):
    """Names of CareLane's QoS and queue rows for a switch."""
    prefix = f'carelane-{dpid}-'
    qos = [q['external_ids'].get('onos-qos-id') for q in ovs_rows('qos', ['external_ids'])]
    queues = [q['external_ids'].get('onos-queue-id') for q in ovs_rows('queue', ['external_ids'])]
    return ([n for n in qos if n and n.startswith(prefix)], [n for n in queues if n and n.startswith(prefix)])


def add_bridges(bridges, controllers=(CONTROLLER,)):
    """Userspace OpenFlow 1.3 bridges [(name, dpid)], each controlled by the test bed's ONOS (or
    the controllers given), in two ovs-vsctl calls."""
    cmd = ['ovs-vsctl']
    for name, dpid in bridges:
        cmd += ['--', '--may-exist', 'add-br', name, '--', 'set', 'bridge', name, 'datapath_type=netdev',
                'protocols=OpenFlow13', f'other-config:datapath-id={dpid}', 'fail-mode=secure']
    subprocess.run(cmd, check=True)
    cmd = ['ovs-vsctl']
    for name, _ in bridges:
        cmd += ['--', 'set-controller', name, *controllers]
    subprocess.run(cmd, check=True)


def del_bridges(names):
    cmd = ['ovs-vsctl']
    for name in names:
        cmd += ['--', '--if-exists', 'del-br', name]
    subprocess.run(cmd, check=False)
