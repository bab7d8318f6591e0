#!/usr/bin/python3
"""Lunchtime congestion on the hospital topology: no slicing vs off-peak vs peak CareLane.

The gateway is programmed by CareLane running in a real ONOS 2.7.0 (the test bed at
../shared/onos-testbed). "none" is the same gateway as a plain L2 switch, not under ONOS;
then it is handed to ONOS, and the profile is chosen with CareLane's override REST API.

Same offered load in every mode:
  social   8 TCP streams from staff1-4 to social1, 7.5 Mbit/s each = 3x the 20 Mbit/s uplink
  clinical one bulk TCP transfer clin1 -> nhs1 plus 2 Mbit/s constant-rate UDP clin2 -> nhs1
  business one 0.5 Mbit/s TCP flow staff4 -> biz1 (default slice)
  RTT      ping clin2 -> nhs1 every 200 ms
Writes mininet-tests/results/lunchtime.json and lunchtime.png.

    sudo /usr/bin/python3 mininet-tests/lunchtime.py [--duration 20] [--modes none,offPeak,peak]
"""
import argparse
import json
import re
import statistics
import time

import carelane_ovs as ovs
import onos_testbed as onos
from hospital import GATEWAY, GATEWAY_DEVICE, UPLINK_PEER, HospitalTopo, WAN_HOSTS

RESULTS = onos.RESULTS
NETCFG = ovs.ROOT / 'topologies' / 'carelane-netcfg.json'
UPLINK_KBPS = 20000
SOCIAL_STREAM_MBPS = 7.5
SOCIAL_STREAMS = 8
UDP_MBPS = 2.0
BUSINESS_MBPS = 0.5
WARMUP_S = 3
# iperf3 sets a UDP stream up with one unacknowledged datagram each way (CREATE_STREAMS): if
# the load drops either, the client fails ("unable to read from stream socket", esnet/iperf
# #862). Measured flows start this long before the load, and run (and warm up) as much longer.
SETUP_S = 1


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def rounded(value):
    return None if value is None else round(value, 2)


def rx_bytes(host):
    return int(host.cmd(f'cat /sys/class/net/{host.defaultIntf()}/statistics/rx_bytes').strip())


def iperf_json(proc):
    out, _ = proc.communicate()
    try:
        return json.loads(out)
    except json.JSONDecodeError:
        return {'error': out[-500:].decode(errors='replace') if isinstance(out, bytes) else out[-500:]}


def tcp_goodput_mbps(result):
    return result.get('end', {}).get('sum_received', {}).get('bits_per_second', 0) / 1e6


def udp_stats(result):
    end = result.get('end', {})
    s = end.get('sum_received') or end.get('sum', {})
    sent = end.get('sum_sent') or end.get('sum', {})
    lost = s.get('lost_percent', sent.get('lost_percent', 100.0))
    rate = s.get('bits_per_second', 0) / 1e6
    if 'sum_received' not in end:
        rate = sent.get('bits_per_second', 0) / 1e6 * (1 - lost / 100.0)
    return rate, lost


def run_load(net, duration):
    """Runs the offered load once; returns per-slice figures."""
    h = {name: net.get(name) for name in ['clin1', 'clin2', 'staff1', 'staff2', 'staff3', 'staff4',
                                          'nhs1', 'social1', 'biz1']}
    servers = [h['nhs1'].popen(['iperf3', '-s', '-p', '5201']), h['nhs1'].popen(['iperf3', '-s', '-p', '5202'])]
    for i in range(1, 5):
        servers.append(h['social1'].popen(['iperf3', '-s', '-p', str(5300 + i)]))
    servers.append(h['biz1'].popen(['iperf3', '-s', '-p', '5501']))
    time.sleep(1)
    nhs, social = WAN_HOSTS['nhs1'], WAN_HOSTS['social1']
    common = ['-t', str(duration), '-O', str(WARMUP_S), '-J']
    first = ['-t', str(duration + SETUP_S), '-O', str(WARMUP_S + SETUP_S), '-J']
    clients = {
        'clinical_tcp': h['clin1'].popen(['iperf3', '-c', nhs, '-p', '5201'] + first),
        'clinical_udp': h['clin2'].popen(['iperf3', '-c', nhs, '-p', '5202', '-u', '-b', f'{UDP_MBPS}M',
                                          '-l', '1200'] + first),
    }
    time.sleep(SETUP_S)   # UDP set-up before the load: see SETUP_S
    clients['business'] = h['staff4'].popen(['iperf3', '-c', WAN_HOSTS['biz1'], '-p', '5501',
                                             '-b', f'{BUSINESS_MBPS}M'] + common)
    per_host = SOCIAL_STREAMS // 4
    for i in range(1, 5):
        clients[f'social{i}'] = h[f'staff{i}'].popen(
            ['iperf3', '-c', social, '-p', str(5300 + i), '-P', str(per_host),
             '-b', f'{SOCIAL_STREAM_MBPS}M'] + common)
    pings = int((duration - WARMUP_S) / 0.2)
    ping = h['clin2'].popen(['ping', '-n', '-i', '0.2', '-c', str(pings), '-W', '1', nhs])
    try:
        return measure(h, servers, clients, ping, pings, duration)
    finally:
        for p in servers + list(clients.values()) + [ping]:
            if p.poll() is None:   # only if a run aborted: clean up by PID
                p.kill()
                p.wait()


def measure(h, servers, clients, ping, pings, duration):
    """Samples the social wire rate mid-run, then collects the clients' reports."""
    time.sleep(WARMUP_S + 1)
    t0, b0 = time.time(), rx_bytes(h['social1'])
    for elapsed in range(WARMUP_S + 1, duration - 1, 5):
        ovs.log(f'  load running: {elapsed}/{duration} s')
        time.sleep(min(5, duration - 1 - elapsed))
    t1, b1 = time.time(), rx_bytes(h['social1'])
    results = {k: iperf_json(p) for k, p in clients.items()}
    ping_out = ping.communicate()[0].decode(errors="replace")
    for s in servers:
        s.terminate()
        s.wait()
    rtts = [float(m) for m in re.findall(r'time=([\d.]+) ms', ping_out)]
    udp_rate, udp_loss = udp_stats(results['clinical_udp'])
    tcp = tcp_goodput_mbps(results['clinical_tcp'])
    social_goodput = sum(tcp_goodput_mbps(results[f'social{i}']) for i in range(1, 5))
    errors = {k: r['error'] for k, r in results.items() if 'error' in r}
    return {
        'clinical_goodput_mbps': round(tcp + udp_rate, 3),
        'clinical_tcp_goodput_mbps': round(tcp, 3),
        'clinical_udp_goodput_mbps': round(udp_rate, 3),
        'clinical_udp_loss_percent': round(udp_loss, 3),
        'social_goodput_mbps': round(social_goodput, 3),
        'default_goodput_mbps': round(tcp_goodput_mbps(results['business']), 3),
        'social_wire_rate_mbps': round((b1 - b0) * 8 / (t1 - t0) / 1e6, 3),
        'rtt_ms': {'p50': rounded(percentile(rtts, 50)), 'p90': rounded(percentile(rtts, 90)),
                   'p99': rounded(percentile(rtts, 99)),
                   'samples': len(rtts), 'sent': pings,
                   'loss_percent': round(100.0 * (pings - len(rtts)) / pings, 2)},
        'iperf_errors': errors,
    }


def blocked_reachable(net):
    return '1 received' in net.get('staff1').cmd(f'ping -n -c 1 -W 1 {WAN_HOSTS["bad1"]}')


def expected_queues(plan):
    """{queue id: (min, max) bit/s} that CareLane should have put on the uplink for a plan."""
    return {int(q['queue']): (q['minKbps'] * 1000, q['maxKbps'] * 1000) for q in plan
            if not q.get('drop') and 'queue' in q}


def apply_mode(net, mode):
    """Sets the gateway up for a mode; returns the seconds until the switch carried it.

    Sliced modes use the uplink queues CareLane itself configured through ONOS's OVSDB
    behaviours (OVS builds their htb classes on the port); "none" is one htb class."""
    gw = net.get(GATEWAY)
    uplink = gw.connectionsTo(net.get(UPLINK_PEER))[0][0].name
    if mode == 'none':
        if onos.port_queues(uplink) is not None:
            raise RuntimeError(f'{uplink} still has CareLane\'s QoS: run "none" before the sliced modes')
        onos.disconnect(gw.name)
        ovs.configure_bottleneck(uplink, UPLINK_KBPS, None)
        ovs.log('   gateway is a plain L2 switch (no controller); one htb class on the uplink')
        return None
    if not onos.controlled(gw.name):
        onos.ofctl('del-flows', gw.name)
        onos.connect(gw.name)
    t0 = time.time()
    onos.set_profile(mode, reason=f'lunchtime scenario: {mode}')
    onos.wait_programmed(gw.name, GATEWAY_DEVICE, mode)
    took = time.time() - t0
    plan = onos.queue_plan(mode)
    want = expected_queues(plan)
    onos.wait_until(lambda: (onos.port_queues(uplink) or {}).get('queues') == want, 40,
                    f'CareLane\'s {mode} queues on {uplink} (OVSDB)')
    queues_after = time.time() - t0
    ovs.steer_marked_traffic(uplink, plan)
    ovs.log(f'   ONOS programmed the gateway for {mode} in {took:.1f} s and its uplink queues in '
            f'{queues_after:.1f} s: {len(onos.carelane_flows(gw.name, onos.app_id()))} CareLane flows, '
            f'meters {sorted(onos.switch_meters(gw.name).values())} kbps; queues on {uplink} {want}')
    return took, queues_after


def run_mode(net, mode, duration):
    """mode: 'none' (no slicing), 'offPeak' or 'peak' (CareLane in ONOS, that profile)."""
    ovs.log(f'== mode {mode}')
    gw = net.get(GATEWAY)
    uplink = gw.connectionsTo(net.get(UPLINK_PEER))[0][0].name
    took = apply_mode(net, mode)
    took, queues_after = took if took else (None, None)
    reach = net.get('clin1').cmd(f'ping -n -c 2 -W 1 {WAN_HOSTS["nhs1"]}')
    if ' 0 received' in reach:
        raise RuntimeError(f'no connectivity clin1 -> nhs1 in mode {mode}:\n{reach}\n{onos.ofctl("dump-flows", gw.name)}')
    blocked = blocked_reachable(net)
    ovs.log(f'   running {duration} s of lunchtime load')
    started = time.time()
    result = run_load(net, duration)
    result['load_window'] = [round(started, 3), round(time.time(), 3)]
    result['blocked_site_reachable'] = blocked
    result['profile'] = mode
    if mode != 'none':
        q = {x['slice']: x for x in onos.queue_plan(mode)}
        result['social_meter_kbps'] = q['social']['maxKbps']
        result['clinical_reservation_kbps'] = q['clinical']['minKbps']
        result['programmed_after_s'] = round(took, 2)
        result['queues_after_s'] = round(queues_after, 2)
        result['uplink_queues'] = onos.port_queues(uplink)
        result['meter_stats'] = ovs.meter_stats(gw)
    result['tc_stats'] = ovs.tc_class_stats(uplink)
    ovs.log(f'   clinical {result["clinical_goodput_mbps"]:.2f} Mbit/s '
            f'(udp loss {result["clinical_udp_loss_percent"]:.1f}%), social wire '
            f'{result["social_wire_rate_mbps"]:.2f} Mbit/s, rtt p50/p99 '
            f'{result["rtt_ms"]["p50"]}/{result["rtt_ms"]["p99"]} ms')
    return result


MODE_NAMES = {'none': 'no slicing', 'offPeak': 'off-peak profile', 'peak': 'peak profile'}


def chart(report):
    """The lunchtime figure: per mode (named in words) the slices' rates with that mode's own
    social cap and clinical reservation, the uplink capacity and the offered load; then clinical
    UDP loss and RTT."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    modes = list(report['modes'])
    names = [MODE_NAMES.get(m, m) for m in modes]
    fig, axes = plt.subplots(1, 3, figsize=(15, 5))
    x = range(len(modes))
    clin = [report['modes'][m]['clinical_goodput_mbps'] for m in modes]
    soc = [report['modes'][m]['social_wire_rate_mbps'] for m in modes]
    dflt = [report['modes'][m]['default_goodput_mbps'] for m in modes]
    axes[0].bar([i - 0.27 for i in x], clin, 0.27, label='clinical goodput (TCP + UDP)', color='tab:green')
    axes[0].bar(list(x), soc, 0.27, label='social wire rate (at the receiver)', color='tab:red')
    axes[0].bar([i + 0.27 for i in x], dflt, 0.27, label='business goodput (default slice)', color='tab:blue')
    axes[0].axhline(report['uplink_kbps'] / 1000, color='black', lw=1,
                    label=f'uplink capacity {report["uplink_kbps"] / 1000:g} Mbit/s')
    drawn = set()
    for i, m in enumerate(modes):
        result = report['modes'][m]
        if result.get('clinical_reservation_kbps'):
            axes[0].hlines(result['clinical_reservation_kbps'] / 1000, i - 0.45, i + 0.45, colors='tab:green',
                           linestyles='--', lw=1.2,
                           label=None if 'res' in drawn else "clinical reservation (this mode's)")
            drawn.add('res')
        if result.get('social_meter_kbps'):
            axes[0].hlines(result['social_meter_kbps'] / 1000, i - 0.45, i + 0.45, colors='tab:red',
                           linestyles=':', lw=1.5, label=None if 'cap' in drawn else "social cap (this mode's meter)")
            drawn.add('cap')
    axes[0].set_xticks(list(x), names)
    axes[0].set_ylabel('Mbit/s')
    axes[0].set_title('Per-slice rate on the uplink')
    axes[0].legend(fontsize=7, loc='upper center', bbox_to_anchor=(0.5, -0.08), ncol=2)
    axes[1].bar(x, [report['modes'][m]['clinical_udp_loss_percent'] for m in modes], color='tab:orange')
    axes[1].set_xticks(list(x), names)
    axes[1].set_ylabel('%')
    axes[1].set_title('Clinical constant-rate UDP loss')
    for key, off in (('p50', -0.25), ('p90', 0), ('p99', 0.25)):
        axes[2].bar([i + off for i in x], [report['modes'][m]['rtt_ms'][key] or 0 for m in modes], 0.25,
                    label=key)
    axes[2].set_xticks(list(x), names)
    axes[2].set_ylabel('ms')
    axes[2].set_title('Clinical RTT (ping)')
    axes[2].legend(fontsize=7)
    offered = report['offered']
    fig.suptitle('CareLane in ONOS 2.7.0, lunchtime congestion: no slicing vs the off-peak and peak profiles\n'
                 f'offered: social {offered["social_mbps"]:g} Mbit/s ({offered["social_streams"]} TCP streams), '
                 f'clinical {offered["clinical"]}, business {offered["default_mbps"]:g} Mbit/s', fontsize=10)
    fig.tight_layout()
    return fig


def plot(report, path):
    fig = chart(report)
    fig.savefig(path, dpi=100)


def run_scenario(duration=20, modes=('none', 'offPeak', 'peak'), onos_running=False):
    """Runs the modes on one hospital network. Boots ONOS with CareLane unless onos_running."""
    ovs.ensure_ovs()
    RESULTS.mkdir(exist_ok=True)
    report = {'uplink_kbps': UPLINK_KBPS, 'duration_s': duration, 'warmup_s': WARMUP_S,
              'controller': 'ONOS 2.7.0 (Java 11) with CareLane from the .oar',
              'offered': {'social_streams': SOCIAL_STREAMS, 'social_mbps': SOCIAL_STREAMS * SOCIAL_STREAM_MBPS,
                          'clinical': 'bulk TCP + %.1f Mbit/s UDP' % UDP_MBPS,
                          'default_mbps': BUSINESS_MBPS},
              'modes': {}}
    if not onos_running:
        onos.start_with_carelane(NETCFG)
    onos.enable_ovsdb()
    code, body = onos.push_netcfg(onos.with_owned_queues(onos.netcfg_for(NETCFG)))
    if code != 200:
        raise onos.OnosError(f'netcfg with owned queues: HTTP {code} {body}')
    net = ovs.build_net(HospitalTopo())
    try:
        for sw in net.switches:
            ovs.normal_forwarding(sw)
        for mode in modes:
            report['modes'][mode] = run_mode(net, mode, duration)
    finally:
        try:
            give_back_queues(net)
        finally:
            ovs.stop_net(net)
            onos.rest('DELETE', f'/onos/v1/network/configuration/devices/{onos.OVSDB_DEVICE}')
            onos.disable_ovsdb()
            if not onos_running:
                onos.stop()
    (RESULTS / 'lunchtime.json').write_text(json.dumps(report, indent=2))
    plot(report, RESULTS / 'lunchtime.png')
    ovs.log(f'report: {RESULTS / "lunchtime.json"} and {RESULTS / "lunchtime.png"}')
    return report


def give_back_queues(net):
    """The netcfg without owned queues, while the gateway is still under ONOS: CareLane removes
    its QoS and queues from OVSDB (a bridge deleted first would leave them orphaned)."""
    code, body = onos.push_netcfg(onos.netcfg_for(NETCFG))
    if code != 200:
        raise onos.OnosError(f'{NETCFG.name}: HTTP {code} {body}')
    if onos.controlled(net.get(GATEWAY).name):
        onos.wait_until(lambda: onos.carelane_ovsdb_rows() == ([], []), 40, "CareLane's queues removed")


def print_table(report):
    print(f'\n{"mode":<9} {"clinical Mb/s":>13} {"udp loss %":>10} {"social Mb/s":>11} {"default Mb/s":>12} '
          f'{"rtt p50":>8} {"rtt p99":>8} {"blocked?":>8}')
    for mode, r in report['modes'].items():
        print(f'{mode:<9} {r["clinical_goodput_mbps"]:>13.2f} {r["clinical_udp_loss_percent"]:>10.2f} '
              f'{r["social_wire_rate_mbps"]:>11.2f} {r["default_goodput_mbps"]:>12.2f} {r["rtt_ms"]["p50"] or 0:>8.1f} '
              f'{r["rtt_ms"]["p99"] or 0:>8.1f} {"reach" if r["blocked_site_reachable"] else "dropped":>8}')


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--duration', type=int, default=20)
    ap.add_argument('--modes', default='none,offPeak,peak')
    args = ap.parse_args()
    print_table(run_scenario(args.duration, tuple(args.modes.split(','))))
