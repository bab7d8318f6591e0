package org.carelane.impl;

import org.carelane.api.InstalledMeter;
import org.junit.jupiter.api.Test;
import org.onosproject.net.DeviceId;
import org.onosproject.openflow.controller.Dpid;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFMeterStats;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.U64;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Meter drops from OpenFlow 1.3 meter-stats replies, as ONOS's controller passes them on. */
class MeterDropsTest {
    private static final DeviceId GW = DeviceId.deviceId("of:0000000000000001");
    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);
    private final Map<String, InstalledMeter> installed = new HashMap<>();
    private final MeterDrops drops = new MeterDrops(d -> d.equals(GW) ? Map.copyOf(installed) : Map.of());
    private final OpenFlowMeterStatsListener listener = new OpenFlowMeterStatsListener(drops, Runnable::run);

    private static OFMeterStats meter(long id, long seconds, long droppedPackets, long droppedBytes) {
        return OF13.buildMeterStats().setMeterId(id).setDurationSec(seconds).setDurationNsec(0)
                .setPacketInCount(U64.of(droppedPackets * 3)).setByteInCount(U64.of(droppedBytes * 3))
                .setBandStats(List.of(OF13.buildMeterBandStats().setPacketBandCount(U64.of(droppedPackets))
                        .setByteBandCount(U64.of(droppedBytes)).build()))
                .build();
    }

    private void reply(OFMeterStats... meters) {
        listener.handleMessage(new Dpid(1), OF13.buildMeterStatsReply().setEntries(new ArrayList<>(List.of(meters)))
                .build());
    }

    @Test
    void aSlicesDropsComeFromItsMetersDropBand() {
        installed.put("social", new InstalledMeter(2, 4000, 1200));
        installed.put("clinical", new InstalledMeter(1, 20000, 6000));
        assertFalse(drops.seen(GW));
        reply(meter(1, 10, 0, 0), meter(2, 10, 50, 75_000), meter(9, 10, 7, 7));   // 9: not CareLane's
        assertTrue(drops.seen(GW), "its counts stay reported after the device disconnects");
        assertArrayEquals(new long[]{50, 75_000}, drops.counts(GW, "social").dropped());
        assertArrayEquals(new long[]{0, 0}, drops.counts(GW, "clinical").dropped());
        reply(meter(2, 20, 80, 120_000));
        assertArrayEquals(new long[]{80, 120_000}, drops.counts(GW, "social").dropped());
        assertArrayEquals(new long[]{160, 240_000}, drops.counts(GW, "social").forwarded(),
                "input less drops, from the same reply");
    }

    @Test
    void aReplyHandledLateDoesNotTurnTheCountBack() {
        installed.put("social", new InstalledMeter(2, 4000, 1200));
        reply(meter(2, 20, 80, 120_000));
        reply(meter(2, 10, 50, 75_000));   // ONOS handles replies on 32 threads
        assertArrayEquals(new long[]{80, 120_000}, drops.counts(GW, "social").dropped());
    }

    @Test
    void theCountKeepsGrowingWhenARateChangeReplacesTheMeter() {
        installed.put("social", new InstalledMeter(2, 4000, 1200));
        reply(meter(2, 20, 80, 120_000));
        installed.put("social", new InstalledMeter(4, 3000, 900));   // the new meter
        reply(meter(2, 30, 90, 130_000), meter(4, 5, 10, 15_000));   // 2 is being removed
        assertArrayEquals(new long[]{90, 135_000}, drops.counts(GW, "social").dropped(),
                "the old meter's last reading while it was CareLane's, plus the new meter's");
        // ONOS reuses the id for a meter of another rate: a new meter, counted from zero.
        installed.put("social", new InstalledMeter(2, 2000, 600));
        reply(meter(2, 1, 3, 4_500));
        assertArrayEquals(new long[]{80 + 10 + 3, 120_000 + 15_000 + 4_500}, drops.counts(GW, "social").dropped());
        assertArrayEquals(new long[]{2 * (80 + 10 + 3), 2 * (120_000 + 15_000 + 4_500)},
                drops.counts(GW, "social").forwarded(), "forwarded keeps growing across meter swaps too");
    }
}
