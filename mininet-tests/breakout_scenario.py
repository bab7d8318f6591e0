#!/usr/bin/python3
"""Two ways out through the real ONOS (issue 10): social steered to a NAT internet breakout.

Topology topologies/two_uplinks.py, netcfg topologies/two-uplinks-netcfg.json: the NHS WAN
(gw port 1, 20 Mbit/s) and an internet breakout (gw port 9, 30 Mbit/s, a NAT router). Social
is steered to the breakout at peak only. Each way out gets the tc htb classes of the slices
that leave by it in that profile, from CareLane's own REST view.

Phases, with the same offered load in each:
  peak       social over IPv4: on the breakout, clinical alone with business on the WAN
  peak-ipv6  the same with social over IPv6 (NAT66 on the router)
  offPeak    social back on the WAN (steering is peak-only)
Offered: clinical 4 TCP streams clin1 -> nhs1 plus 2 Mbit/s UDP clin2 -> nhs1; business
3 Mbit/s UDP staff4 -> biz1 (the default slice, held to 2 Mbit/s at peak); social 8 TCP
streams from staff1-4 to social1, 7.5 Mbit/s each. Rates on the wire are bytes received on
the far side of each way out (Ethernet frames), sampled after a warm-up.
Writes mininet-tests/results/two_uplinks.json and two_uplinks.png.

    sudo /usr/bin/python3 mininet-tests/breakout_scenario.py [--duration 15]
"""
import argparse
import json
import re
import time

import carelane_ovs as ovs
import onos_testbed as onos
from hospital import GATEWAY, GATEWAY_DEVICE, SITE_HOSTS
from lunchtime import SETUP_S, iperf_json, percentile, rounded, tcp_goodput_mbps, udp_stats
from two_uplinks import (BREAKOUT_MBPS, BREAKOUT_PORT, INTERNET_SIDE, INTERNET_V6, ROUTER, ROUTER_INSIDE,
                         ROUTER_OUTSIDE, SITE_V6, TwoUplinksTopo, WAN_MBPS, WAN_PORT, WAN_SIDE)

RESULTS = onos.RESULTS
NETCFG = ovs.ROOT / 'topologies' / 'two-uplinks-netcfg.json'
LINK = 'breakout'
PHASES = {'peak': ('peak', 4), 'peak-ipv6': ('peak', 6), 'offPeak': ('offPeak', 4)}
CLINICAL_STREAMS = 4
UDP_MBPS = 2.0
BUSINESS_MBPS = 3.0
SOCIAL_STREAMS = 8
SOCIAL_STREAM_MBPS = 7.5
WARMUP_S = 3


def intf_bytes(node, intf, direction='rx'):
    return int(node.cmd(f'cat /sys/class/net/{intf}/statistics/{direction}_bytes').strip())


def sh(node, cmd):
    """Runs a configuration command in a Mininet node; fails loudly."""
    out = node.cmd(cmd + '; echo rc=$?')
    if not out.rstrip().endswith('rc=0'):
        raise RuntimeError(f'{node.name}: {cmd} failed: {out}')


def neighbour(node, ip, mac, intf):
    sh(node, f'ip {"-6 " if ":" in ip else ""}neigh replace {ip} lladdr {mac} dev {intf} nud permanent')


def configure_site(net):
    """The NAT router, the IPv6 addresses and static neighbours (ONOS answers no ARP; see
    README "Non-IP traffic"). Runs before the gateway connects to ONOS."""
    brk = net.get(ROUTER)
    inside, outside = brk.intf(f'{ROUTER}-eth0'), brk.intf(f'{ROUTER}-eth1')
    inside.setMAC(ROUTER_INSIDE['mac'])
    outside.setMAC(ROUTER_OUTSIDE['mac'])
    for cmd in ('sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0',
                'sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1',
                'sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0',
                f'ip addr add {ROUTER_OUTSIDE["ip"]} dev {outside}',
                f'ip -6 addr add {ROUTER_INSIDE["ip6"]} dev {inside} nodad',
                f'ip -6 addr add {ROUTER_OUTSIDE["ip6"]} dev {outside} nodad'):
        sh(brk, cmd)
    for family in ('ip', 'ip6'):   # masquerade what leaves by the outside interface
        sh(brk, f'nft add table {family} carelane_nat')
        sh(brk, f"nft add chain {family} carelane_nat post '{{ type nat hook postrouting priority 100 ; }}'")
        sh(brk, f'nft add rule {family} carelane_nat post oifname {outside} masquerade')
    site = [net.get(n) for n in SITE_HOSTS]
    internet = [net.get(n) for n in INTERNET_SIDE]
    for host in site + internet:
        sh(host, 'sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0')
    for name, addr in {**SITE_V6, **INTERNET_V6}.items():
        host = net.get(name)
        sh(host, f'ip -6 addr add {addr}/32 dev {host.defaultIntf()} nodad')
    for host in site:
        neighbour(brk, host.IP(), host.MAC(), inside)
        if host.name in SITE_V6:
            neighbour(brk, SITE_V6[host.name], host.MAC(), inside)
    for host in internet:
        neighbour(brk, host.IP(), host.MAC(), outside)
        neighbour(brk, INTERNET_V6[host.name], host.MAC(), outside)
        neighbour(host, ROUTER_OUTSIDE['ip'].split('/')[0], ROUTER_OUTSIDE['mac'], host.defaultIntf())
        neighbour(host, ROUTER_OUTSIDE['ip6'].split('/')[0], ROUTER_OUTSIDE['mac'], host.defaultIntf())
        for staff, addr in SITE_V6.items():   # off-peak, social and its replies cross the WAN directly
            neighbour(host, addr, net.get(staff).MAC(), host.defaultIntf())
            neighbour(net.get(staff), INTERNET_V6[host.name], host.MAC(), net.get(staff).defaultIntf())


def ways_out(net):
    """gw's interfaces on port 1 (the WAN) and port 9 (the breakout)."""
    gw = net.get(GATEWAY)
    return gw.intf(f'{GATEWAY}-eth{WAN_PORT}').name, gw.intf(f'{GATEWAY}-eth{BREAKOUT_PORT}').name


def social_rules(appid):
    return [f for f in onos.carelane_flows(GATEWAY, appid) if 'nw_dst=10.200.0.0/16' in f
            or 'ipv6_dst=2001:db8:200::/48' in f]


def apply_profile(net, profile):
    """Sets the profile, waits until the switch carries it and social's rules leave by the
    right way out, and shapes both ways out with the queues CareLane reports."""
    appid = onos.app_id()
    t0 = time.time()
    onos.set_profile(profile, reason=f'two-uplink scenario: {profile}')
    onos.wait_programmed(GATEWAY, GATEWAY_DEVICE, profile)
    steered = profile == 'peak'
    onos.wait_until(lambda: len(social_rules(appid)) == 2 and all(
        (f'output:{BREAKOUT_PORT}' in f) == steered for f in social_rules(appid)), 30,
        f'social {"on the breakout" if steered else "on the WAN"}')
    took = time.time() - t0
    wan, breakout = ways_out(net)
    wan_plan, breakout_plan = onos.queue_plan(profile), onos.queue_plan(profile, LINK)
    ovs.configure_bottleneck(wan, WAN_MBPS * 1000, wan_plan)
    ovs.configure_bottleneck(breakout, BREAKOUT_MBPS * 1000, breakout_plan)
    return took, wan_plan, breakout_plan


def reachable(host, addr):
    return ' 0 received' not in host.cmd(f'ping {"-6 " if ":" in addr else ""}-n -c 2 -i 0.2 -W 1 {addr}')


def run_load(net, social_family, duration):
    h = {name: net.get(name) for name in list(SITE_HOSTS) + list(WAN_SIDE) + list(INTERNET_SIDE) + [ROUTER]}
    servers = [h['nhs1'].popen(['iperf3', '-s', '-p', '5201']), h['nhs1'].popen(['iperf3', '-s', '-p', '5202']),
               h['biz1'].popen(['iperf3', '-s', '-p', '5501'])]
    servers += [h['social1'].popen(['iperf3', '-s', '-p', str(5300 + i)]) for i in range(1, 5)]
    time.sleep(1)
    nhs, biz = WAN_SIDE['nhs1'], WAN_SIDE['biz1']
    social = INTERNET_SIDE['social1'] if social_family == 4 else INTERNET_V6['social1']
    common = ['-t', str(duration), '-O', str(WARMUP_S), '-J']
    first = ['-t', str(duration + SETUP_S), '-O', str(WARMUP_S + SETUP_S), '-J']
    clients = {
        'clinical_tcp': h['clin1'].popen(['iperf3', '-c', nhs, '-p', '5201', '-P', str(CLINICAL_STREAMS)] + first),
        'clinical_udp': h['clin2'].popen(['iperf3', '-c', nhs, '-p', '5202', '-u', '-b', f'{UDP_MBPS}M',
                                          '-l', '1200'] + first),
        'business': h['staff4'].popen(['iperf3', '-c', biz, '-p', '5501', '-u', '-b', f'{BUSINESS_MBPS}M',
                                       '-l', '1200'] + first),
    }
    time.sleep(SETUP_S)   # UDP set-up before the load (lunchtime.SETUP_S)
    for i in range(1, 5):
        clients[f'social{i}'] = h[f'staff{i}'].popen(
            ['iperf3', '-c', social, '-p', str(5300 + i), '-P', str(SOCIAL_STREAMS // 4),
             '-b', f'{SOCIAL_STREAM_MBPS}M'] + common)
    pings = int((duration - WARMUP_S) / 0.2)
    ping = h['clin2'].popen(['ping', '-n', '-i', '0.2', '-c', str(pings), '-W', '1', nhs])
    wan_inet = net.get('wan').connectionsTo(net.get('inet'))[0][0]
    counters = {
        'clinical_wan': (h['nhs1'], h['nhs1'].defaultIntf().name, 'rx'),
        'business_wan': (h['biz1'], h['biz1'].defaultIntf().name, 'rx'),
        'social_wan': (net.get('wan'), wan_inet.name, 'tx'),
        'social_breakout': (h[ROUTER], f'{ROUTER}-eth0', 'rx'),
    }
    try:
        time.sleep(WARMUP_S + 1)
        t0 = time.time()
        before = {k: intf_bytes(*v) for k, v in counters.items()}
        time.sleep(max(1, duration - WARMUP_S - 2))
        t1 = time.time()
        wire = {k: round((intf_bytes(*v) - before[k]) * 8 / (t1 - t0) / 1e6, 3) for k, v in counters.items()}
        results = {k: iperf_json(p) for k, p in clients.items()}
        ping_out = ping.communicate()[0].decode(errors='replace')
    finally:
        for p in servers + list(clients.values()) + [ping]:
            if p.poll() is None:
                p.kill()
                p.wait()
    rtts = [float(m) for m in re.findall(r'time=([\d.]+) ms', ping_out)]
    udp_rate, udp_loss = udp_stats(results['clinical_udp'])
    business_rate, _ = udp_stats(results['business'])
    return {
        'wire_mbps': wire,
        'clinical_goodput_mbps': round(tcp_goodput_mbps(results['clinical_tcp']) + udp_rate, 3),
        'clinical_udp_loss_percent': round(udp_loss, 3),
        'business_goodput_mbps': round(business_rate, 3),
        'social_goodput_mbps': round(sum(tcp_goodput_mbps(results[f'social{i}']) for i in range(1, 5)), 3),
        'clinical_rtt_ms': {'p50': rounded(percentile(rtts, 50)), 'p99': rounded(percentile(rtts, 99)),
                            'samples': len(rtts), 'sent': pings},
        'iperf_errors': {k: r['error'] for k, r in results.items() if 'error' in r},
    }


def run_phase(net, phase, duration):
    profile, family = PHASES[phase]
    ovs.log(f'== {phase}: profile {profile}, social over IPv{family}')
    took, wan_plan, breakout_plan = apply_profile(net, profile)
    staff1 = net.get('staff1')
    blocked = {'ipv4': reachable(staff1, INTERNET_SIDE['bad1']), 'ipv6': reachable(staff1, INTERNET_V6['bad1'])}
    for dst in (WAN_SIDE['nhs1'], INTERNET_SIDE['social1'] if family == 4 else INTERNET_V6['social1']):
        if not reachable(net.get('clin1') if dst == WAN_SIDE['nhs1'] else staff1, dst):
            raise RuntimeError(f'{phase}: no connectivity to {dst}\n{onos.ofctl("dump-flows", GATEWAY)}')
    result = run_load(net, family, duration)
    slices = {s['name']: s for s in onos.rest('GET', '/onos/carelane/slices')[1]['slices']}
    others = sum(q['minKbps'] for q in wan_plan if not q.get('drop') and q['slice'] != 'clinical')
    result.update({
        'profile': profile, 'social_family': f'ipv{family}', 'programmed_after_s': round(took, 2),
        'social_leaves_by': onos.steered_to(slices['social'], profile) or 'wan',
        'social_cap_kbps': slices['social']['rates'][profile]['maxKbps'],
        'clinical_reservation_kbps': slices['clinical']['rates'][profile]['minKbps'],
        'other_wan_reservations_kbps': others,
        'clinical_entitlement_mbps': round((WAN_MBPS * 1000 - others) / 1000, 3),
        'wan_queues': wan_plan, 'breakout_queues': breakout_plan,
        'blocked_site_reachable': blocked,
        'meter_stats': ovs.meter_stats(net.get(GATEWAY)),
    })
    w = result['wire_mbps']
    ovs.log(f'   WAN: clinical {w["clinical_wan"]:.2f} Mbit/s (entitled {result["clinical_entitlement_mbps"]:g}), '
            f'business {w["business_wan"]:.2f}, social {w["social_wan"]:.2f}; breakout: social '
            f'{w["social_breakout"]:.2f} (cap {result["social_cap_kbps"] / 1000:g}); blocked reachable {blocked}')
    return result


def chart(report):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    phases = list(report['phases'])
    names = {'peak': 'peak, social IPv4', 'peak-ipv6': 'peak, social IPv6', 'offPeak': 'off-peak'}
    fig, axes = plt.subplots(1, 2, figsize=(14, 5.5))
    x = range(len(phases))
    series = (('clinical_wan', 'clinical on the WAN', 'tab:green'), ('business_wan', 'business on the WAN',
                                                                     'tab:blue'),
              ('social_wan', 'social on the WAN', 'tab:red'), ('social_breakout', 'social on the breakout',
                                                               'tab:purple'))
    width = 0.2
    for k, (key, label, colour) in enumerate(series):
        axes[0].bar([i + (k - 1.5) * width for i in x], [report['phases'][p]['wire_mbps'][key] for p in phases],
                    width, label=label, color=colour)
    axes[0].axhline(WAN_MBPS, color='black', lw=1, label=f'WAN capacity {WAN_MBPS} Mbit/s')
    axes[0].axhline(BREAKOUT_MBPS, color='grey', lw=1, ls='-.', label=f'breakout capacity {BREAKOUT_MBPS} Mbit/s')
    drawn = set()
    for i, p in enumerate(phases):
        r = report['phases'][p]
        if r['social_leaves_by'] != 'wan':   # the target holds once social has left the WAN
            axes[0].hlines(0.95 * r['clinical_entitlement_mbps'], i - 0.45, i + 0.45, colors='tab:green',
                           linestyles='--', lw=1.2, label=None if 'target' in drawn else
                           'target: 95% of WAN minus the other WAN reservations')
            drawn.add('target')
        axes[0].hlines(r['social_cap_kbps'] / 1000, i - 0.45, i + 0.45, colors='tab:purple', linestyles=':',
                       lw=1.5, label=None if 'cap' in drawn else "social cap (this profile's meter)")
        drawn.add('cap')
    axes[0].set_xticks(list(x), [names.get(p, p) for p in phases])
    axes[0].set_ylabel('Mbit/s on the wire (Ethernet frames)')
    axes[0].set_title('Where each slice went')
    axes[0].legend(fontsize=7, loc='upper center', bbox_to_anchor=(0.5, -0.08), ncol=2)
    rows = [['blocked site (IPv4 / IPv6)'] + [' / '.join('reached' if report['phases'][p]['blocked_site_reachable'][f]
                                                          else 'dropped' for f in ('ipv4', 'ipv6')) for p in phases],
            ['social leaves by'] + [report['phases'][p]['social_leaves_by'] for p in phases],
            ['clinical goodput Mbit/s'] + [f'{report["phases"][p]["clinical_goodput_mbps"]:.2f}' for p in phases],
            ['social goodput Mbit/s'] + [f'{report["phases"][p]["social_goodput_mbps"]:.2f}' for p in phases],
            ['clinical RTT p50 / p99 ms'] + [f'{report["phases"][p]["clinical_rtt_ms"]["p50"]} / '
                                             f'{report["phases"][p]["clinical_rtt_ms"]["p99"]}' for p in phases]]
    axes[1].axis('off')
    table = axes[1].table(cellText=rows, colLabels=[''] + [names.get(p, p) for p in phases], loc='center')
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.scale(1, 1.6)
    offered = report['offered']
    fig.suptitle('CareLane in ONOS 2.7.0: a site with two ways out, social steered to the internet breakout at '
                 'peak\noffered: ' + ', '.join(f'{k} {v}' for k, v in offered.items()), fontsize=10)
    fig.tight_layout()
    return fig


def run_scenario(duration=15, phases=tuple(PHASES), onos_running=False):
    """Runs the phases on one two-uplink site. Boots ONOS with CareLane unless onos_running;
    leaves the two-uplink netcfg in place (callers restore theirs)."""
    RESULTS.mkdir(exist_ok=True)
    report = {'wan_kbps': WAN_MBPS * 1000, 'breakout_kbps': BREAKOUT_MBPS * 1000, 'duration_s': duration,
              'warmup_s': WARMUP_S, 'controller': 'ONOS 2.7.0 (Java 11) with CareLane from the .oar',
              'offered': {'clinical': f'{CLINICAL_STREAMS} TCP streams + {UDP_MBPS:g} Mbit/s UDP',
                          'business': f'{BUSINESS_MBPS:g} Mbit/s UDP',
                          'social': f'{SOCIAL_STREAMS} TCP streams x {SOCIAL_STREAM_MBPS:g} Mbit/s'},
              'phases': {}}
    if not onos_running:
        onos.start_with_carelane(ovs.ROOT / 'topologies' / 'carelane-netcfg.json')
    try:
        with ovs.hospital_under_onos(onos, 'two-uplink scenario', prepare=configure_site,
                                     topo=TwoUplinksTopo()) as net:
            onos.wait_until(lambda: any(p.get('port') == str(BREAKOUT_PORT) for p in onos.rest(
                'GET', f'/onos/v1/devices/{GATEWAY_DEVICE}/ports')[1]['ports']), 30, 'ONOS to see port 9')
            code, body = onos.push_netcfg(onos.netcfg_for(NETCFG))
            if code != 200:
                raise onos.OnosError(f'{NETCFG.name}: HTTP {code} {body}')
            for phase in phases:
                report['phases'][phase] = run_phase(net, phase, duration)
    finally:
        if not onos_running:
            onos.stop()
    (RESULTS / 'two_uplinks.json').write_text(json.dumps(report, indent=2))
    chart(report).savefig(RESULTS / 'two_uplinks.png', dpi=100)
    ovs.log(f'report: {RESULTS / "two_uplinks.json"} and {RESULTS / "two_uplinks.png"}')
    return report


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--duration', type=int, default=15)
    ap.add_argument('--phases', default=','.join(PHASES))
    args = ap.parse_args()
    run_scenario(args.duration, tuple(args.phases.split(',')))
