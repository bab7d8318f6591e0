package org.carelane.impl;

import org.carelane.api.InstalledMeter;
import org.onosproject.net.DeviceId;
import org.onosproject.net.meter.Meter;
import org.onosproject.net.meter.MeterId;
import org.onosproject.net.meter.MeterService;
import org.onosproject.net.meter.MeterState;
import org.onosproject.openflow.controller.Dpid;
import org.onosproject.openflow.controller.OpenFlowController;
import org.onosproject.openflow.controller.OpenFlowSwitch;
import org.projectfloodlight.openflow.protocol.OFMeterModCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Deletes from a switch the meters CareLane withdrew that ONOS 2.7.0 put back. After the switch
 * lost its meters, a meter-stats reply that ONOS handles after a withdraw, from its read of the
 * store before it, re-ADDs the withdrawn meter (MeterManager.pushMeterMetrics); the store then
 * purges it, and the switch keeps it until a later poll, 10 s or more. Measured: an emptied
 * switch whole again 12.2 s after it reconnected. A few reads of the switch after such a
 * withdraw find it, and a METER_MOD DELETE goes out on the master's channel, as ONOS's own next
 * poll would send, for a meter the switch holds at the withdrawn rate that ONOS no longer holds
 * as a live meter (absent, or PENDING_REMOVE).
 */
final class WithdrawnMeterSweep {
    private final Logger log = LoggerFactory.getLogger(getClass());
    /** When the switch is read after the withdraw: ONOS's first poll comes 1 s after a connect. */
    static final List<Long> READ_AFTER_MILLIS = List.of(250L, 1_250L, 3_000L);

    private final Supplier<OpenFlowController> controller;
    private final SwitchMeterReader switchMeters;
    private final MeterService meters;
    private final Executor executor;

    /**
     * @param controller   ONOS's OpenFlow controller, or null while there is none
     * @param switchMeters reads the meters a switch holds
     * @param meters       ONOS's meter service, whose store decides what is stray
     * @param executor     where the reads' results are handled
     */
    WithdrawnMeterSweep(Supplier<OpenFlowController> controller, SwitchMeterReader switchMeters,
                        MeterService meters, Executor executor) {
        this.controller = controller;
        this.switchMeters = switchMeters;
        this.meters = meters;
        this.executor = executor;
    }

    /** Sweeps the device for {@code withdrawn} a few times while {@code master} holds. */
    void after(DeviceId id, List<InstalledMeter> withdrawn, BooleanSupplier master) {
        if (withdrawn.isEmpty()) {
            return;
        }
        for (long delay : READ_AFTER_MILLIS) {
            Executor later = CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS, executor);
            CompletableFuture.runAsync(() -> sweep(id, withdrawn, master), later);
        }
    }

    private void sweep(DeviceId id, List<InstalledMeter> withdrawn, BooleanSupplier master) {
        if (!master.getAsBoolean()) {
            return;
        }
        switchMeters.read(id).ifPresent(read -> read.thenAcceptAsync(held -> delete(id, withdrawn, held, master),
                executor));
    }

    private void delete(DeviceId id, List<InstalledMeter> withdrawn, Map<Long, Long> held, BooleanSupplier master) {
        for (InstalledMeter m : withdrawn) {
            Long rate = held.get(m.meterId());
            if (rate == null || rate != m.rateKbps() || !master.getAsBoolean()) {
                continue;
            }
            Meter now = meters.getMeter(id, MeterId.meterId(m.meterId()));
            if (now != null && now.state() != MeterState.PENDING_REMOVE) {
                continue;   // the id is in use again
            }
            OpenFlowController of = controller.get();
            OpenFlowSwitch sw = of == null ? null : of.getSwitch(Dpid.dpid(id.uri()));
            if (sw != null) {
                log.info("CareLane deletes meter {} ({} kbps) from {}: withdrawn, and put back by a late ONOS "
                        + "meter-stats reply", m.meterId(), m.rateKbps(), id);
                sw.sendMsg(sw.factory().buildMeterMod().setCommand(OFMeterModCommand.DELETE)
                        .setMeterId(m.meterId()).build());
            }
        }
    }
}
