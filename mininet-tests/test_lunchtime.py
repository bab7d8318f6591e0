"""Acceptance: the lunchtime scenario, with a real ONOS running CareLane programming the gateway."""
import os

import pytest

import lunchtime

DURATION = int(os.environ.get('CARELANE_LOAD_SECONDS', '20'))


@pytest.fixture(scope='module')
def report(onos_carelane):
    return lunchtime.run_scenario(DURATION, onos_running=True)


def test_peak_clinical_goodput_meets_95_percent_of_reservation(report):
    peak = report['modes']['peak']
    reserved_mbps = peak['clinical_reservation_kbps'] / 1000
    assert peak['clinical_goodput_mbps'] >= 0.95 * reserved_mbps, peak


def test_peak_social_rate_within_meter_tolerance(report):
    peak = report['modes']['peak']
    meter_mbps = peak['social_meter_kbps'] / 1000
    rate = peak['social_wire_rate_mbps']
    assert 0.90 * meter_mbps <= rate <= 1.05 * meter_mbps, (rate, meter_mbps)


def test_no_slicing_is_measurably_worse_for_clinical(report):
    none, peak = report['modes']['none'], report['modes']['peak']
    assert none['clinical_goodput_mbps'] < 0.8 * peak['clinical_goodput_mbps'], (none, peak)
    assert none['clinical_udp_loss_percent'] > peak['clinical_udp_loss_percent'] + 1.0
    assert none['rtt_ms']['p50'] > peak['rtt_ms']['p50']


def test_off_peak_lifts_the_lunchtime_social_cap(report):
    off, peak = report['modes']['offPeak'], report['modes']['peak']
    # Off-peak, social may exceed the 4 Mbit/s peak meter, sharing spare capacity with clinical.
    assert off['social_wire_rate_mbps'] > 1.1 * peak['social_meter_kbps'] / 1000, (off, peak)
    assert off['social_wire_rate_mbps'] <= 1.05 * off['social_meter_kbps'] / 1000
    assert off['clinical_goodput_mbps'] >= 0.95 * off['clinical_reservation_kbps'] / 1000


def test_default_slice_keeps_its_business_traffic(report):
    for mode in ('offPeak', 'peak'):
        assert report['modes'][mode]['default_goodput_mbps'] >= 0.9 * lunchtime.BUSINESS_MBPS, report['modes'][mode]


def test_blocked_slice_drops_only_when_sliced(report):
    assert report['modes']['none']['blocked_site_reachable']
    assert not report['modes']['peak']['blocked_site_reachable']
    assert not report['modes']['offPeak']['blocked_site_reachable']


def test_report_files_written(report):
    assert report['controller'].startswith('ONOS 2.7.0')
    assert (lunchtime.RESULTS / 'lunchtime.json').stat().st_size > 0
    assert (lunchtime.RESULTS / 'lunchtime.png').stat().st_size > 10_000
