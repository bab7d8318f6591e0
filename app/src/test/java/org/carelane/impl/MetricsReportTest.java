package org.carelane.impl;

import org.carelane.api.Profile;
import org.carelane.testing.SampleConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.onosproject.net.DeviceId;
import org.onosproject.net.flow.FlowEntry;
import org.onosproject.openflow.controller.Dpid;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.U64;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /metrics as the manager writes it. */
class MetricsReportTest {
    private static final Instant WED_MORNING = Instant.parse("2026-01-14T09:00:00Z");
    private static final String GW = "of:0000000000000001";
    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);
    /** A sample line of the text exposition format. */
    private static final Pattern SAMPLE = Pattern.compile(
            "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*})? "
                    + "(-?[0-9.]+(E[0-9]+)?|NaN|[+-]Inf)");
    private CareLaneTestBed bed;

    @AfterEach
    void tearDown() {
        bed.close();
    }

    private void meterStatsReply(long meterId, long droppedPackets, long droppedBytes) {
        bed.manager.meterStatsListener().handleMessage(new Dpid(1), OF13.buildMeterStatsReply()
                .setEntries(new ArrayList<>(List.of(OF13.buildMeterStats().setMeterId(meterId).setDurationSec(10)
                        .setBandStats(List.of(OF13.buildMeterBandStats().setPacketBandCount(U64.of(droppedPackets))
                                .setByteBandCount(U64.of(droppedBytes)).build())).build())))
                .build());
        bed.manager.awaitMeterStats();
    }

    private static String labels(String slice) {
        return "{device=\"" + GW + "\",slice=\"" + slice + "\"}";
    }

    @Test
    void slicesCountersRatesDropsProfileAndSyncStateInPrometheusFormat() {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        long social = bed.store.installedMeters(DeviceId.deviceId(GW)).get("social").meterId();
        FlowEntry socialRule = bed.flows.devices(DeviceId.deviceId(GW)).stream()
                .filter(e -> e.treatment().meters().stream().anyMatch(m -> m.meterId().id() == social))
                .findFirst().orElseThrow();
        bed.flows.setCounters(socialRule.id(), 10, 15_000);
        meterStatsReply(social, 5, 7_500);
        String text = bed.manager.metrics();
        List<String> lines = List.of(text.split("\n"));
        for (String line : lines) {
            assertTrue(line.startsWith("# HELP ") || line.startsWith("# TYPE ") || SAMPLE.matcher(line).matches(),
                    "not in the exposition format: " + line);
        }
        assertTrue(lines.contains("carelane_active_profile{profile=\"offPeak\"} 1"), text);
        assertTrue(lines.contains("carelane_active_profile{profile=\"peak\"} 0"), text);
        assertTrue(lines.contains("carelane_override_active 0"), text);
        assertTrue(lines.contains("carelane_last_switchover_timestamp_seconds " + WED_MORNING.getEpochSecond()), text);
        assertTrue(lines.contains("carelane_slice_bytes_total" + labels("social") + " 15000"), text);
        assertTrue(lines.contains("carelane_slice_packets_total" + labels("social") + " 10"), text);
        assertTrue(lines.contains("carelane_slice_meter_dropped_packets_total" + labels("social") + " 5"), text);
        assertTrue(lines.contains("carelane_slice_meter_dropped_bytes_total" + labels("social") + " 7500"), text);
        assertTrue(lines.contains("carelane_slice_max_rate_bytes_per_second" + labels("social") + " 1875000"),
                "15,000 kbps off-peak is 1,875,000 bytes/s: " + text);
        assertTrue(lines.contains("carelane_slice_min_rate_bytes_per_second" + labels("social") + " 500000"), text);
        assertTrue(lines.contains("carelane_device_sync_state{device=\"" + GW + "\",state=\"IN_SYNC\"} 1"), text);
        assertTrue(lines.contains("carelane_device_sync_state{device=\"" + GW + "\",state=\"FAILED\"} 0"), text);
        assertTrue(lines.contains("carelane_device_master{device=\"" + GW + "\"} 1"), text);
        assertFalse(text.contains("max_rate_bytes_per_second" + labels("blocked")), "a drop slice has no rate");
        assertEquals(1, lines.stream().filter(l -> l.equals("# TYPE carelane_slice_bytes_total counter")).count());

        bed.clock.advance(java.time.Duration.ofMinutes(5));
        bed.manager.setOverride(Profile.PEAK, bed.clock.instant().plusSeconds(600), "alice", "drill", "rest");
        text = bed.manager.metrics();
        lines = List.of(text.split("\n"));
        assertTrue(lines.contains("carelane_active_profile{profile=\"peak\"} 1"), text);
        assertTrue(lines.contains("carelane_override_active 1"), text);
        assertTrue(lines.contains("carelane_slice_max_rate_bytes_per_second" + labels("social") + " 500000"), text);
        assertTrue(lines.contains("carelane_slice_min_rate_bytes_per_second" + labels("social") + " 500000"), text);
        assertTrue(lines.contains("carelane_last_switchover_timestamp_seconds "
                + (WED_MORNING.getEpochSecond() + 300)), text);
        assertTrue(lines.contains("carelane_slice_bytes_total" + labels("social") + " 15000"),
                "the replaced rules' bytes are kept: " + text);
    }
}
