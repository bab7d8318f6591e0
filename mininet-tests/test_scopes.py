"""Acceptance (issue 16): NHS Wales sites of different sizes from one netcfg, through the real ONOS.

topologies/wales-netcfg.json puts a 10 Mbit/s GP practice and a 1 Gbit/s acute hospital in Betsi
Cadwaladr (bcuhb), and a 10 Mbit/s GP practice and a 100 Mbit/s community hospital in Cardiff and
Vale (cav), on four userspace OVS bridges whose uplink queues CareLane owns over OVSDB. Rates are
shares of each site's own uplink, changed by a board (cav: more social), site classes and one site
(the hospital opens social up). Each bridge's meters and queues are its own effective policy; a
board change reaches exactly that board's bridges and a site change only that site; a site
override that does not fit is refused, naming the device, the field and the scope, and nothing
changes anywhere."""
import subprocess
import time

import pytest

import carelane_ovs as ovs

NETCFG = ovs.ROOT / 'topologies' / 'wales-netcfg.json'
HOSPITAL_NETCFG = ovs.ROOT / 'topologies' / 'carelane-netcfg.json'
SITES = {'wgpa1': 'of:00000000000000a1', 'whosa2': 'of:00000000000000a2',
         'wgpb1': 'of:00000000000000b1', 'wcomb2': 'of:00000000000000b2'}
BOARDS = {'bcuhb': ('wgpa1', 'whosa2'), 'cav': ('wgpb1', 'wcomb2')}


def wales_netcfg(onos):
    """The Wales sample with every site's uplink queues owned (port 1, its veth)."""
    doc = onos.netcfg_for(NETCFG)
    for device in doc['apps']['org.carelane.app']['carelane']['devices']:
        device['uplinkPort'] = 1
    return doc


def uplink(bridge):
    return f'{bridge}-up'


@pytest.fixture(scope='module')
def wales(onos_carelane):
    onos = onos_carelane
    onos.enable_ovsdb()
    try:
        for bridge, device_id in SITES.items():
            dpid = device_id[3:]
            subprocess.run(['ip', 'link', 'add', uplink(bridge), 'type', 'veth', 'peer', 'name',
                            f'{bridge}-upp'], check=True)
            subprocess.run(['ip', 'link', 'set', uplink(bridge), 'up'], check=True)
            subprocess.run(['ip', 'link', 'set', f'{bridge}-upp', 'up'], check=True)
            subprocess.run(['ovs-vsctl', '--', '--may-exist', 'add-br', bridge, '--', 'set', 'bridge', bridge,
                            'datapath_type=netdev', f'other-config:datapath-id={dpid}', '--', 'add-port',
                            bridge, uplink(bridge), '--', 'set', 'interface', uplink(bridge),
                            'ofport_request=1'], check=True)
            onos.connect(bridge)
        doc = wales_netcfg(onos)
        doc.setdefault('devices', {})[onos.OVSDB_DEVICE] = {'basic': {'driver': 'ovs'}}
        code, body = onos.push_netcfg(doc)
        assert code == 200, body
        onos.set_profile('peak', reason='wales scopes test')
        yield onos
    finally:
        # The hospital netcfg first, while the bridges are under ONOS: CareLane removes its queues.
        onos.push_netcfg(onos.netcfg_for(HOSPITAL_NETCFG))
        try:
            onos.wait_until(lambda: all(onos.carelane_ovsdb_rows(d[3:]) == ([], []) for d in SITES.values()),
                            40, "CareLane's Wales queues removed")
        finally:
            for bridge in SITES:
                subprocess.run(['ovs-vsctl', '--if-exists', 'del-br', bridge], check=False)
                subprocess.run(['ip', 'link', 'del', uplink(bridge)], check=False)
            onos.rest('DELETE', f'/onos/v1/network/configuration/devices/{onos.OVSDB_DEVICE}')
            onos.rest('DELETE', '/onos/carelane/override')
            onos.disable_ovsdb()


def effective(onos, device_id):
    code, body = onos.rest('GET', f'/onos/carelane/devices/{device_id}/policy')
    assert code == 200, body
    return {s['name']: s for s in body['slices'] if s['action'] != 'drop'}


def expected_meters(onos, device_id, profile='peak'):
    return sorted(s['rates'][profile]['maxKbps'] for s in effective(onos, device_id).values())


def expected_queues(onos, device_id, profile='peak'):
    """{queue id: (min bit/s, max bit/s)} in the profile, from the device's effective policy."""
    _, slices = onos.rest('GET', '/onos/carelane/slices')
    queue_of = {s['name']: s['queue'] for s in slices['slices'] if 'queue' in s}
    return {queue_of[name]: (s['rates'][profile]['minKbps'] * 1000, s['rates'][profile]['maxKbps'] * 1000)
            for name, s in effective(onos, device_id).items() if name in queue_of}


def meters_and_queues(onos, bridge, in_force=False):
    """The switch's meter rates and its uplink's queues; with in_force, only the meters its rules
    apply now (a boundary staged within 30 s of it adds the next profile's meters)."""
    port = onos.port_queues(uplink(bridge))
    meters = onos.in_force_rates(bridge, onos.app_id()) if in_force else sorted(onos.switch_meters(bridge).values())
    return meters, port and port['queues']


def wait_site(onos, bridge, what, timeout=30, profile='peak', in_force=False):
    device_id = SITES[bridge]
    want = (expected_meters(onos, device_id, profile), expected_queues(onos, device_id, profile))
    seen = {}

    def there():
        seen['now'] = meters_and_queues(onos, bridge, in_force)
        return seen['now'] == want
    try:
        onos.wait_until(there, timeout, f'{bridge} {what}', interval=0.2)
    except onos.OnosError as e:
        raise AssertionError(f'{e}: want {want}, switch {seen.get("now")}') from None
    return want


def switch_state(onos, bridge):
    return onos.carelane_flows(bridge, onos.app_id()), onos.switch_meters(bridge), onos.port_queues(uplink(bridge))


def test_each_site_gets_its_own_meters_and_queues_from_its_scopes(wales):
    onos = wales
    want = {bridge: wait_site(onos, bridge, 'on its own effective policy', timeout=60) for bridge in SITES}
    print({bridge: w[0] for bridge, w in want.items()})
    # 10 Mbit/s GP practice: national 10% social; 1 Gbit/s hospital: its own 30%; cav's GP: its board's 15%.
    social = {bridge: effective(onos, d)['social']['rates']['peak'] for bridge, d in SITES.items()}
    assert social['wgpa1']['maxKbps'] == 1000 and social['wgpa1']['maxFrom']['scope'] == 'national'
    assert social['whosa2']['maxKbps'] == 300_000 and social['whosa2']['maxFrom']['scope'].startswith('site ')
    assert social['wgpb1']['maxKbps'] == 1500 and social['wgpb1']['maxFrom']['scope'] == "board 'cav'"
    clinical = effective(onos, SITES['wgpa1'])['clinical']['rates']['peak']
    assert clinical['minKbps'] == 7000 and clinical['minFrom']['scope'] == "site class 'gp-practice'"
    # Each uplink's QoS is its own line rate.
    assert onos.port_queues(uplink('wgpa1'))['maxRate'] == 10_000_000
    assert onos.port_queues(uplink('whosa2'))['maxRate'] == 1_000_000_000


def test_a_board_change_reaches_exactly_that_boards_sites(wales):
    onos = wales
    for bridge in SITES:
        wait_site(onos, bridge, 'settled')
    others = {bridge: switch_state(onos, bridge) for bridge in BOARDS['bcuhb']}
    start = time.monotonic()
    code, body = onos.rest('PUT', '/onos/carelane/boards/cav/slices/social/bandwidth',
                           {'profile': 'peak', 'maxPercent': 20})
    assert code == 200, body
    for bridge in BOARDS['cav']:
        wait_site(onos, bridge, 'on the board change', timeout=10)
    landed = time.monotonic() - start
    assert effective(onos, SITES['wgpb1'])['social']['rates']['peak']['maxKbps'] == 2000
    assert effective(onos, SITES['wcomb2'])['social']['rates']['peak']['maxKbps'] == 20_000
    time.sleep(1)
    for bridge, before in others.items():
        assert switch_state(onos, bridge) == before, f'{bridge} is in another board and must not change'
    print(f'board change on both cav sites after {landed:.2f} s')
    assert landed < 5


def test_a_site_change_reaches_only_that_site(wales):
    onos = wales
    for bridge in SITES:
        wait_site(onos, bridge, 'settled')
    others = {bridge: switch_state(onos, bridge) for bridge in SITES if bridge != 'wgpa1'}
    start = time.monotonic()
    code, body = onos.rest('PUT', f'/onos/carelane/devices/{SITES["wgpa1"]}/slices/social/bandwidth',
                           {'profile': 'peak', 'maxKbps': 2500})
    assert code == 200, body
    wait_site(onos, 'wgpa1', 'on the site change', timeout=10)
    landed = time.monotonic() - start
    assert 2500 in onos.switch_meters('wgpa1').values()
    time.sleep(1)
    for bridge, before in others.items():
        assert switch_state(onos, bridge) == before, f'{bridge} is another site and must not change'
    print(f'site change on wgpa1 after {landed:.2f} s')
    assert landed < 1.5


def test_a_site_override_that_does_not_fit_is_refused_naming_device_field_and_scope(wales):
    onos = wales
    for bridge in SITES:
        wait_site(onos, bridge, 'settled')
    version = onos.status()['policyVersion']
    before = {bridge: switch_state(onos, bridge) for bridge in SITES}
    code, body = onos.rest('PUT', f'/onos/carelane/devices/{SITES["wgpb1"]}/slices/social/bandwidth',
                           {'profile': 'peak', 'maxKbps': 20000})
    assert code == 400, body
    assert body['field'] == 'devices[2].slices.social.rates.peak.maxKbps', body
    assert SITES['wgpb1'] in body['error'] and '10000 kbps' in body['error'], body
    assert f'site {SITES["wgpb1"]}' in body['error'], body
    # The same through netcfg: a site override above the uplink is refused, and nothing changes.
    doc = wales_netcfg(onos)
    block = doc['apps']['org.carelane.app']['carelane']
    block['devices'][2]['slices'] = {'social': {'rates': {'peak': {'maxKbps': 20000}}}}
    code, body = onos.push_netcfg(doc)
    # ONOS's netcfg REST answers 207 Multi-Status with the app's validation message.
    assert code == 207 and 'devices[2].slices.social.rates.peak.maxKbps' in str(body), (code, body)
    time.sleep(1)
    assert onos.status()['policyVersion'] == version
    for bridge, state in before.items():
        assert switch_state(onos, bridge) == state, bridge


def test_a_site_in_its_own_netcfg_subject_joins_and_leaves_without_touching_the_national_block(wales):
    """devices."of:...".carelane, next to ONOS's basic: one site pushed and removed on its own."""
    onos = wales
    device_id = SITES['wcomb2']
    doc = wales_netcfg(onos)
    block = doc['apps']['org.carelane.app']['carelane']
    site = block['devices'].pop(3)
    assert site.pop('deviceId') == device_id
    code, body = onos.push_netcfg(doc)
    assert code == 200, body
    try:
        onos.wait_until(lambda: not onos.switch_meters('wcomb2'), 20, 'the community hospital cleaned')
        others = {bridge: switch_state(onos, bridge) for bridge in SITES if bridge != 'wcomb2'}
        site['slices'] = {'social': {'rates': {'peak': {'maxPercent': 25}}}}
        code, body = onos.rest('POST', '/onos/v1/network/configuration', {'devices': {device_id: {'carelane': site}}})
        assert code == 200, body
        onos.wait_until(lambda: onos.rest('GET', f'/onos/carelane/devices/{device_id}/policy')[0] == 200, 10,
                        'the site in the policy (netcfg reaches CareLane as an event)')
        wait_site(onos, 'wcomb2', 'programmed from its own subject', timeout=20)
        assert effective(onos, device_id)['social']['rates']['peak']['maxKbps'] == 25_000
        assert effective(onos, device_id)['social']['rates']['peak']['maxFrom']['field'] == \
            f'devices."{device_id}".carelane.slices.social.rates.peak.maxPercent'
        # A typo in a site is refused by ONOS itself, naming the field.
        code, body = onos.rest('POST', '/onos/v1/network/configuration',
                               {'devices': {device_id: {'carelane': dict(site, uplinkKpbs=5)}}})
        assert code == 207 and 'uplinkKpbs' in str(body), (code, body)
        onos.rest('DELETE', f'/onos/v1/network/configuration/devices/{device_id}/carelane')
        onos.wait_until(lambda: not onos.switch_meters('wcomb2'), 20, 'the site cleaned when its subject went')
        time.sleep(1)
        for bridge, before in others.items():
            assert switch_state(onos, bridge) == before, bridge
    finally:
        onos.rest('DELETE', f'/onos/v1/network/configuration/devices/{device_id}/carelane')


def test_a_boards_own_lunch_window_switches_only_that_boards_sites_at_its_boundary(wales):
    """Cardiff and Vale takes its lunch at a time of its own (PUT /boards/cav/schedule, a window
    from the next whole minute) while the national schedule has no peak day: at cav's boundary
    both cav sites take their new meters and queues within 3 s, not before it, and Betsi
    Cadwaladr's sites see no change at all."""
    onos = wales
    code, body = onos.push_netcfg(wales_netcfg(onos))   # every site back in the national block
    assert code == 200, body
    onos.wait_until(lambda: all(onos.rest('GET', f'/onos/carelane/devices/{d}/policy')[0] == 200
                                for d in SITES.values()), 20, 'the four sites in the policy')
    _, national = onos.rest('GET', '/onos/carelane/schedule')
    boundary, to, before, window = onos.boundary_schedule(lead_s=25)
    try:
        code, body = onos.rest('PUT', '/onos/carelane/schedule', dict(window, days=[]))
        assert code == 200, body
        code, body = onos.rest('PUT', '/onos/carelane/boards/cav/schedule', window)
        assert code == 200, body
        assert onos.rest('DELETE', '/onos/carelane/override')[0] in (200, 204)
        view = onos.rest('GET', f'/onos/carelane/devices/{SITES["wgpb1"]}/policy')[1]['schedule']
        assert view['from'] == {'scope': "board 'cav'", 'field': 'boards.cav.schedule'}, view
        for bridge in BOARDS['bcuhb']:
            wait_site(onos, bridge, 'off-peak: no national peak day', profile='offPeak')
        for bridge in BOARDS['cav']:
            wait_site(onos, bridge, f'on {before} before its board\'s boundary', profile=before, in_force=True)
        want = {bridge: (expected_meters(onos, SITES[bridge], to), expected_queues(onos, SITES[bridge], to))
                for bridge in BOARDS['cav']}
        others = {bridge: switch_state(onos, bridge) for bridge in BOARDS['bcuhb']}
        assert time.time() < boundary.timestamp() - 1, 'the boundary passed while preparing'
        took, waiting = {}, set(BOARDS['cav'])
        while waiting and time.time() < boundary.timestamp() + 20:
            for bridge in sorted(waiting):
                if meters_and_queues(onos, bridge) == want[bridge]:
                    took[bridge] = round(time.time() - boundary.timestamp(), 2)
                    waiting.discard(bridge)
            time.sleep(0.05)
        print(f'cav on {to} at its own boundary ({boundary:%H:%M}) after {took} s')
        assert not waiting, f'{sorted(waiting)} never took {to}'
        assert min(took.values()) >= 0, f'a cav site switched before its boundary: {took}'
        assert max(took.values()) < 3, took
        time.sleep(1)
        for bridge, state in others.items():
            assert switch_state(onos, bridge) == state, f'{bridge} is in another board and must not change'
    finally:
        onos.rest('DELETE', '/onos/carelane/boards/cav/schedule')
        onos.rest('PUT', '/onos/carelane/schedule', {k: v for k, v in national.items() if k in onos.SCHEDULE_FIELDS})
        onos.set_profile('peak', reason='wales scopes test')


def test_a_boards_override_forces_only_that_boards_sites_and_its_removal_gives_them_back(wales):
    """The module's national override holds peak; Cardiff and Vale is forced off-peak for its
    staff event (POST /boards/cav/override): both cav sites take their off-peak meters and queues,
    bcuhb's see no change; removing it brings cav back to peak."""
    onos = wales
    for bridge in SITES:
        wait_site(onos, bridge, 'settled on peak')
    others = {bridge: switch_state(onos, bridge) for bridge in BOARDS['bcuhb']}
    start = time.monotonic()
    code, body = onos.rest('POST', '/onos/carelane/boards/cav/override',
                           {'profile': 'offPeak', 'durationMinutes': 30, 'reason': 'staff event'})
    try:
        assert code == 201, body
        assert body['override']['profile'] == 'offPeak', body
        for bridge in BOARDS['cav']:
            wait_site(onos, bridge, 'off-peak by its board\'s override', timeout=10, profile='offPeak')
        landed = time.monotonic() - start
        print(f'board override on both cav sites after {landed:.2f} s')
        assert landed < 5
        time.sleep(1)
        for bridge, state in others.items():
            assert switch_state(onos, bridge) == state, f'{bridge} is in another board and must not change'
    finally:
        code, body = onos.rest('DELETE', '/onos/carelane/boards/cav/override')
    assert code == 200 and body['removed'], body
    for bridge in BOARDS['cav']:
        wait_site(onos, bridge, 'back on peak', timeout=10)

