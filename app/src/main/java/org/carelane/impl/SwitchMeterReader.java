package org.carelane.impl;

import org.onosproject.net.DeviceId;
import org.onosproject.openflow.controller.Dpid;
import org.onosproject.openflow.controller.OpenFlowController;
import org.onosproject.openflow.controller.OpenFlowSwitch;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMeterConfig;
import org.projectfloodlight.openflow.protocol.OFMeterConfigStatsReply;
import org.projectfloodlight.openflow.protocol.meterband.OFMeterBand;
import org.projectfloodlight.openflow.protocol.meterband.OFMeterBandDrop;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Reads the meters a switch holds, from the switch itself (OFPMP_METER_CONFIG), through ONOS's
 * OpenFlow controller: ONOS's own meter store says ADDED only after its next stats poll, and
 * says nothing of a meter the switch kept under an id with another band (EXISTING_METER).
 * The request goes out on the switch's channel after any meter ONOS has already sent it, so
 * a reply that lists a meter means the switch holds it. Only the master's channel sends
 * (AbstractOpenFlowSwitch.sendMsg), and ONOS 2.7.0 registers the reply's future after writing
 * the request (OpenFlowControllerImpl.writeResponse), so a read can be missed: it times out.
 */
final class SwitchMeterReader {
    /** A read not answered by then is given up (and retried by the caller). */
    static final long READ_TIMEOUT_MILLIS = 500;
    private static final long ALL_METERS = 0xffffffffL;

    /** xids of CareLane's requests, apart from those ONOS's providers use. */
    private final AtomicLong xids = new AtomicLong(0x7ca10000L);
    private final Supplier<OpenFlowController> controller;

    /** @param controller ONOS's OpenFlow controller, or null while there is none */
    SwitchMeterReader(Supplier<OpenFlowController> controller) {
        this.controller = controller;
    }

    /**
     * The switch's meters, id to the rate of their first drop band (kbps), or empty if this
     * switch cannot be read that way: not an OpenFlow device, or no controller or connection.
     */
    Optional<CompletableFuture<Map<Long, Long>>> read(DeviceId id) {
        OpenFlowController of = controller.get();
        if (of == null || !"of".equals(id.uri().getScheme())) {
            return Optional.empty();
        }
        Dpid dpid = Dpid.dpid(id.uri());
        OpenFlowSwitch sw = of.getSwitch(dpid);
        if (sw == null) {
            return Optional.empty();
        }
        OFMessage request = sw.factory().buildMeterConfigStatsRequest().setXid(xids.incrementAndGet() & 0xffffffffL)
                .setMeterId(ALL_METERS).build();
        CompletableFuture<OFMessage> reply;
        try {
            reply = of.writeResponse(dpid, request);
        } catch (RuntimeException e) {
            // OpenFlowControllerImpl.write does not check for a switch that just disconnected.
            reply = CompletableFuture.failedFuture(e);
        }
        return Optional.of(reply.orTimeout(READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .thenApply(SwitchMeterReader::rates));
    }

    private static Map<Long, Long> rates(OFMessage reply) {
        Map<Long, Long> out = new HashMap<>();
        if (!(reply instanceof OFMeterConfigStatsReply)) {
            throw new IllegalStateException("the switch answered " + reply.getType() + " to a meter-config request");
        }
        for (OFMeterConfig meter : ((OFMeterConfigStatsReply) reply).getEntries()) {
            for (OFMeterBand band : meter.getEntries()) {
                if (band instanceof OFMeterBandDrop) {
                    out.put(meter.getMeterId(), ((OFMeterBandDrop) band).getRate());
                    break;
                }
            }
        }
        return out;
    }
}
