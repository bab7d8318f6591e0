package org.carelane.impl;

import org.onosproject.net.DeviceId;
import org.onosproject.openflow.controller.Dpid;
import org.onosproject.openflow.controller.OpenFlowEventListener;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMeterBandStats;
import org.projectfloodlight.openflow.protocol.OFMeterStats;
import org.projectfloodlight.openflow.protocol.OFMeterStatsReply;
import org.projectfloodlight.openflow.protocol.OFStatsReply;
import org.projectfloodlight.openflow.protocol.OFStatsType;
import org.projectfloodlight.openflow.protocol.OFType;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the drop-band counters of the meter-stats replies that ONOS's OpenFlow meter provider
 * asks for (it sends nothing itself) and hands them to {@link MeterDrops}. ONOS's controller
 * passes every METER stats reply to its event listeners, on its "event-stats" threads.
 */
final class OpenFlowMeterStatsListener implements OpenFlowEventListener {
    private final MeterDrops drops;
    private final java.util.concurrent.Executor recorder;

    /** @param recorder where the readings are recorded: they need a store read, never on ONOS's threads */
    OpenFlowMeterStatsListener(MeterDrops drops, java.util.concurrent.Executor recorder) {
        this.drops = drops;
        this.recorder = recorder;
    }

    @Override
    public void handleMessage(Dpid dpid, OFMessage msg) {
        if (msg.getType() != OFType.STATS_REPLY || ((OFStatsReply) msg).getStatsType() != OFStatsType.METER) {
            return;
        }
        List<MeterDrops.Reading> readings = new ArrayList<>();
        for (OFMeterStats stats : ((OFMeterStatsReply) msg).getEntries()) {
            long packets = 0;
            long bytes = 0;
            for (OFMeterBandStats band : stats.getBandStats()) {
                packets += band.getPacketBandCount().getValue();
                bytes += band.getByteBandCount().getValue();
            }
            long duration = stats.getDurationSec() * 1_000_000_000L + stats.getDurationNsec();
            readings.add(new MeterDrops.Reading(stats.getMeterId(), duration, packets, bytes,
                    stats.getPacketInCount().getValue(), stats.getByteInCount().getValue()));
        }
        DeviceId device = DeviceId.deviceId(Dpid.uri(dpid));
        try {
            recorder.execute(() -> drops.record(device, readings));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return;   // CareLane is stopping
        }
    }
}
