"""Classification by name through the real ONOS (issue 17): what holding an answer until its
rules are on the switch adds to DNS, and what a flood of distinct names does.

1. Baseline: RATE answers/s for names no slice lists (sent on at once, no rule).
2. Hold: RATE answers/s, each a new social name and address (held until its rules are on the
   switch): answer time p50/p99 against the baseline, and late releases.
3. Load: LOAD distinct social names as fast as the client sends them: learned addresses stay
   within the cap (maxLearned 20,000), evictions counted, rule install rate, ONOS errors.

Usage (root): /usr/bin/python3 bench_names.py [RATE] [SECONDS] [LOAD]   (default 200 10 50000)
"""
import json
import sys
import tempfile
import time
from pathlib import Path

import carelane_ovs as ovs
import onos_testbed as onos
from hospital import GATEWAY, GATEWAY_DEVICE, WAN_HOSTS
from test_names import names_netcfg

HERE = Path(__file__).resolve().parent
RESOLVER = WAN_HOSTS['biz1']
MAX_LEARNED = 20_000


def hosts_file(path, listed, unlisted):
    """dnsmasq's extra hosts: img{i}.fbcdn.net (social by name) and ctl{i}.example.org (no list)."""
    with open(path, 'w') as f:
        for i in range(listed):
            f.write(f'10.{160 + i // 62500}.{(i // 250) % 250}.{i % 250 + 1} img{i}.fbcdn.net\n')
        for i in range(unlisted):
            f.write(f'10.170.{i // 250}.{i % 250 + 1} ctl{i}.example.org\n')


def load(host, pattern, first, count, rate):
    out = host.cmd(f'cd {HERE} && /usr/bin/python3 dns_load.py {RESOLVER} {pattern} {first} {count} {rate}')
    return json.loads(out.strip().splitlines()[-1])


def counters():
    _, body = onos.rest('GET', f'/onos/carelane/names/learned?device={GATEWAY_DEVICE}')
    return body.get('counters', {}), len(body.get('learned', []))


def learned_rules():
    return sum(1 for f in onos.ofctl('dump-flows', GATEWAY).splitlines() if 'nw_dst=10.16' in f)


def main():
    rate = float(sys.argv[1]) if len(sys.argv) > 1 else 200
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    flood = int(sys.argv[3]) if len(sys.argv) > 3 else 50_000
    blocked = onos.benchmark_blocked('bench_names')
    if blocked is not None:
        return blocked
    n = int(rate * seconds)
    figures = {'rate': rate, 'seconds': seconds, 'load': flood}
    workdir = tempfile.mkdtemp(prefix='carelane-names-')
    hosts = Path(workdir) / 'hosts'
    hosts_file(hosts, n + flood, n)
    Path(workdir).chmod(0o755)   # dnsmasq reads it as nobody
    hosts.chmod(0o644)
    onos.start_with_carelane(onos.ROOT / 'topologies' / 'carelane-netcfg.json')
    resolver = {}

    def prepare(net):
        resolver['p'] = ovs.start_dnsmasq(net.get('biz1'), RESOLVER,
                                          [f'--addn-hosts={hosts}', '--local-ttl=600', '--dns-forward-max=10000'],
                                          workdir, 'site')
    try:
        with ovs.hospital_under_onos(onos, 'names benchmark', prepare=prepare) as net:
            doc = names_netcfg(onos)
            doc['apps']['org.carelane.app']['carelane']['dns']['maxLearned'] = MAX_LEARNED
            code, body = onos.push_netcfg(doc)
            assert code == 200, body
            onos.wait_until(lambda: 'resolvers' in {s['name'] for s in
                                                        onos.rest('GET', '/onos/carelane/slices')[1]['slices']},
                            30, 'the names policy in CareLane')
            onos.wait_programmed(GATEWAY, GATEWAY_DEVICE, 'peak', timeout=60)
            onos.wait_until(lambda: counters()[0] != {}, 30, 'name learning')
            time.sleep(2)
            staff1 = net.get('staff1')
            figures['baseline'] = load(staff1, 'ctl{i}.example.org', 0, n, rate)
            before, _ = counters()
            figures['hold'] = load(staff1, 'img{i}.fbcdn.net', 0, n, rate)
            after, learned = counters()
            figures['holdHeld'] = after['held'] - before['held']
            figures['holdLate'] = after['late'] - before['late']
            figures['holdAddedP50Ms'] = round(figures['hold']['p50Ms'] - figures['baseline']['p50Ms'], 2)
            figures['holdAddedP99Ms'] = round(figures['hold']['p99Ms'] - figures['baseline']['p99Ms'], 2)
            print('names benchmark, hold: ' + json.dumps(figures), flush=True)
            t0 = time.time()
            rules0 = learned_rules()
            figures['flood'] = load(staff1, 'img{i}.fbcdn.net', n, flood, 2000)
            flood_s = time.time() - t0
            time.sleep(3)
            after2, learned2 = counters()
            figures['floodSeconds'] = round(flood_s, 1)
            figures['learnedAfterFlood'] = learned2
            figures['evicted'] = after2['evicted']
            figures['unread'] = after2['unread']
            figures['floodLate'] = after2['late'] - after['late']
            figures['learnedRulesOnSwitch'] = learned_rules()
            figures['ruleInstallsPerS'] = round(max(0, (after2['held'] - after['held'])) * 2 / flood_s, 1)
            figures['withinCap'] = learned2 <= MAX_LEARNED
            figures['carelaneLogErrors'] = len(onos.carelane_log_errors())
            del rules0
    finally:
        if 'p' in resolver:
            resolver['p'].terminate()
        onos.stop()
    print('names benchmark: ' + json.dumps(figures), flush=True)
    onos.write_results('names-bench.json', figures)
    return 0 if figures.get('withinCap') else 1


if __name__ == '__main__':
    sys.exit(main())
