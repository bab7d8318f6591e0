package org.carelane.impl;

import org.onosproject.net.DeviceId;
import org.onosproject.net.meter.Band;
import org.onosproject.net.meter.DefaultMeterFeatures;
import org.onosproject.net.meter.Meter;
import org.onosproject.net.meter.MeterFeatures;
import org.onosproject.openflow.controller.Dpid;
import org.onosproject.openflow.controller.OpenFlowController;
import org.onosproject.openflow.controller.OpenFlowSwitch;
import org.projectfloodlight.openflow.protocol.OFMeterFeatures;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Gives ONOS back a switch's meter features that it forgot. ONOS 2.7.0 deletes a device's
 * meter features from its replicated store whenever the switch's connection to any node
 * closes (OpenFlowMeterProvider.switchRemoved, MeterProviderService.deleteMeterFeatures), also
 * a standby's connection, while the switch stays connected to its master. From then on
 * MeterManager.submit throws for the device ("Must specify a cell id": no id to allocate),
 * until the switch happens to reconnect to that node. The master's own connection still holds
 * the features the switch sent at its handshake (OFPMP_METER_FEATURES).
 */
final class MeterFeaturesRepair {
    /** What a repair found. */
    enum Outcome {
        /** The switch's features were stored again: a submit can allocate an id. */
        RESTORED,
        /** The switch offers no meters (an OpenFlow 1.0 switch, or max_meter 0). */
        NO_METERS,
        /** Not an OpenFlow switch connected to this node, or no store to repair. */
        CANNOT_TELL
    }

    // OpenFlow 1.3 ofp_meter_flags and ofp_meter_band_type bits (spec 7.3.4.4, A.3.5.14).
    private static final long KBPS = 1;
    private static final long PKTPS = 1 << 1;
    private static final long BURST = 1 << 2;
    private static final long STATS = 1 << 3;
    private static final long BAND_DROP = 1 << 1;
    private static final long BAND_DSCP_REMARK = 1 << 2;

    private final Supplier<OpenFlowController> controller;
    private final Supplier<Consumer<MeterFeatures>> store;
    private final java.util.concurrent.atomic.AtomicInteger restored = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * @param controller ONOS's OpenFlow controller, or null while there is none
     * @param store      stores features in ONOS's meter store (MeterStore.storeMeterFeatures),
     *                   or null while there is none
     */
    MeterFeaturesRepair(Supplier<OpenFlowController> controller, Supplier<Consumer<MeterFeatures>> store) {
        this.controller = controller;
        this.store = store;
    }

    /** Stores the switch's meter features again, as its connection to this node holds them. */
    Outcome restore(DeviceId id) {
        OpenFlowController of = controller.get();
        Consumer<MeterFeatures> sink = store.get();
        if (of == null || sink == null || !"of".equals(id.uri().getScheme())) {
            return Outcome.CANNOT_TELL;
        }
        OpenFlowSwitch sw = of.getSwitch(Dpid.dpid(id.uri()));
        if (sw == null) {
            return Outcome.CANNOT_TELL;
        }
        OFMeterFeatures features;
        try {
            features = sw.getMeterFeatures();
        } catch (UnsupportedOperationException e) {
            return Outcome.CANNOT_TELL;
        }
        if (features == null || features.getMaxMeter() <= 0) {
            return Outcome.NO_METERS;
        }
        sink.accept(features(id, features));
        restored.incrementAndGet();
        return Outcome.RESTORED;
    }

    /** How many times features were stored again (for /status and tests). */
    int restored() {
        return restored.get();
    }

    /** ONOS's view of an OpenFlow 1.3 switch's meter features: ids 1 to max_meter. */
    static MeterFeatures features(DeviceId id, OFMeterFeatures of) {
        Set<Band.Type> bands = EnumSet.noneOf(Band.Type.class);
        if ((of.getBandTypes() & BAND_DROP) != 0) {
            bands.add(Band.Type.DROP);
        }
        if ((of.getBandTypes() & BAND_DSCP_REMARK) != 0) {
            bands.add(Band.Type.REMARK);
        }
        Set<Meter.Unit> units = EnumSet.noneOf(Meter.Unit.class);
        if ((of.getCapabilities() & KBPS) != 0) {
            units.add(Meter.Unit.KB_PER_SEC);
        }
        if ((of.getCapabilities() & PKTPS) != 0 || units.isEmpty()) {
            units.add(Meter.Unit.PKTS_PER_SEC);
        }
        return DefaultMeterFeatures.builder().forDevice(id)
                .withStartIndex(1).withEndIndex(of.getMaxMeter())
                .withMaxBands((short) of.getMaxBands()).withMaxColors((short) of.getMaxColor())
                .withBandTypes(bands).withUnits(units)
                .hasBurst((of.getCapabilities() & BURST) != 0).hasStats((of.getCapabilities() & STATS) != 0)
                .build();
    }
}
