package org.carelane.testing;

import org.onosproject.net.DeviceId;
import org.onosproject.net.flow.FlowRule;
import org.onosproject.openflow.controller.Dpid;
import org.onosproject.openflow.controller.OpenFlowClassifierListener;
import org.onosproject.openflow.controller.OpenFlowController;
import org.onosproject.openflow.controller.OpenFlowEventListener;
import org.onosproject.openflow.controller.OpenFlowMessageListener;
import org.onosproject.openflow.controller.OpenFlowSwitch;
import org.onosproject.openflow.controller.OpenFlowSwitchListener;
import org.onosproject.openflow.controller.PacketListener;
import org.onosproject.openflow.controller.RoleState;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMeterConfig;
import org.projectfloodlight.openflow.protocol.OFMeterConfigStatsRequest;
import org.projectfloodlight.openflow.protocol.OFMeterMod;
import org.projectfloodlight.openflow.protocol.OFMeterModCommand;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One node's OpenFlow controller, as far as CareLane uses it: event listeners, and the
 * FLOW_REMOVED messages a switch sends its master when it deletes a rule (reason DELETE,
 * the rule's cookie; the match is left empty).
 */
public final class TestOpenFlowController implements OpenFlowController {
    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);
    private final List<OpenFlowEventListener> listeners = new CopyOnWriteArrayList<>();
    /** What each switch answers to a meter-config request: meter id to rate (kbps). */
    private volatile java.util.function.Function<DeviceId, java.util.Map<Long, Long>> meterTables;

    /** Switches answer meter-config requests from {@code tables}; without it, there is no switch to ask. */
    public void answerMeterConfig(java.util.function.Function<DeviceId, java.util.Map<Long, Long>> tables) {
        this.meterTables = tables;
    }

    /** Where a METER_MOD DELETE sent to a switch goes: device and meter id. */
    private volatile java.util.function.BiConsumer<DeviceId, Long> meterDeleted = (device, id) -> { };
    /** METER_MOD DELETEs sent to switches directly. */
    public final AtomicInteger meterDeletes = new AtomicInteger();

    /** Switches apply the METER_MOD DELETEs sent to them with {@code deleted}. */
    public void onMeterDelete(java.util.function.BiConsumer<DeviceId, Long> deleted) {
        this.meterDeleted = deleted;
    }

    /** The max_meter each switch reported at its handshake (OFPMP_METER_FEATURES); 0: no meters. */
    public volatile long maxMeter = 1_000_000;

    /** The switch of {@code device} reports that it deleted {@code rule}. */
    public void flowRemoved(DeviceId device, FlowRule rule) {
        OFMessage msg = OF13.buildFlowRemoved().setCookie(U64.of(rule.id().value()))
                .setPriority(rule.priority()).setReason(OFFlowRemovedReason.DELETE)
                .setTableId(TableId.of(rule.tableId())).setMatch(OF13.buildMatch().build()).build();
        Dpid dpid = Dpid.dpid(device.uri());
        listeners.forEach(l -> l.handleMessage(dpid, msg));
    }

    @Override
    public void addEventListener(OpenFlowEventListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeEventListener(OpenFlowEventListener listener) {
        listeners.remove(listener);
    }

    @Override
    public Iterable<OpenFlowSwitch> getSwitches() {
        return List.of();
    }

    @Override
    public Iterable<OpenFlowSwitch> getMasterSwitches() {
        return List.of();
    }

    @Override
    public Iterable<OpenFlowSwitch> getEqualSwitches() {
        return List.of();
    }

    /** A connected OpenFlow 1.3 switch, as far as its factory goes. */
    @Override
    public OpenFlowSwitch getSwitch(Dpid dpid) {
        if (meterTables == null) {
            return null;
        }
        return (OpenFlowSwitch) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {OpenFlowSwitch.class}, (proxy, method, args) -> {
                    if (method.getName().equals("factory")) {
                        return OF13;
                    }
                    if (method.getName().equals("sendMsg") && args.length == 1 && args[0] instanceof OFMeterMod
                            && ((OFMeterMod) args[0]).getCommand() == OFMeterModCommand.DELETE) {
                        meterDeletes.incrementAndGet();
                        meterDeleted.accept(DeviceId.deviceId(Dpid.uri(dpid)), ((OFMeterMod) args[0]).getMeterId());
                        return null;
                    }
                    if (method.getName().equals("getMeterFeatures")) {
                        // As OVS 3.1 reports them: kbps, pktps, burst and stats; drop bands.
                        return OF13.buildMeterFeatures().setMaxMeter(maxMeter).setBandTypes(1 << 1)
                                .setCapabilities(0xf).setMaxBands((short) 3).setMaxColor((short) 0).build();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Override
    public OpenFlowSwitch getMasterSwitch(Dpid dpid) {
        return null;
    }

    @Override
    public OpenFlowSwitch getEqualSwitch(Dpid dpid) {
        return null;
    }

    @Override
    public void addListener(OpenFlowSwitchListener listener) {
    }

    @Override
    public void removeListener(OpenFlowSwitchListener listener) {
    }

    @Override
    public void addMessageListener(OpenFlowMessageListener listener) {
    }

    @Override
    public void removeMessageListener(OpenFlowMessageListener listener) {
    }

    @Override
    public void addPacketListener(int priority, PacketListener listener) {
    }

    @Override
    public void removePacketListener(PacketListener listener) {
    }

    @Override
    public void write(Dpid dpid, OFMessage msg) {
        throw new UnsupportedOperationException("CareLane sends nothing to switches directly");
    }

    /** Meter-config requests whose answer waits (see {@link #holdMeterReads}); null: answered at once. */
    private List<Runnable> heldReads;

    /**
     * Meter-config requests wait for their answer, as over a real channel (the round trip took
     * 0.9 s on a new master); the returned action answers them, with the switch as it is then.
     */
    public synchronized Runnable holdMeterReads() {
        List<Runnable> held = new java.util.ArrayList<>();
        heldReads = held;
        return () -> {
            synchronized (this) {
                heldReads = null;
            }
            held.forEach(Runnable::run);
        };
    }

    /** Meter-config requests waiting for their answer. */
    public synchronized int heldMeterReads() {
        return heldReads == null ? 0 : heldReads.size();
    }

    /** Answers a meter-config request (OFPMP_METER_CONFIG, all meters), at once unless held. */
    @Override
    public CompletableFuture<OFMessage> writeResponse(Dpid dpid, OFMessage msg) {
        if (!(msg instanceof OFMeterConfigStatsRequest) || meterTables == null) {
            throw new UnsupportedOperationException("not modelled: " + msg.getType());
        }
        synchronized (this) {
            if (heldReads != null) {
                CompletableFuture<OFMessage> later = new CompletableFuture<>();
                heldReads.add(() -> later.complete(meterConfig(dpid, msg)));
                return later;
            }
        }
        return CompletableFuture.completedFuture(meterConfig(dpid, msg));
    }

    private OFMessage meterConfig(Dpid dpid, OFMessage msg) {
        List<OFMeterConfig> entries = new java.util.ArrayList<>();
        meterTables.apply(DeviceId.deviceId(Dpid.uri(dpid))).forEach((id, rate) -> entries.add(
                OF13.buildMeterConfig().setMeterId(id).setEntries(List.of(
                        OF13.meterBands().buildDrop().setRate(rate).setBurstSize(0).build())).build()));
        return OF13.buildMeterConfigStatsReply().setXid(msg.getXid()).setEntries(entries).build();
    }

    @Override
    public void processPacket(Dpid dpid, OFMessage msg) {
    }

    @Override
    public void setRole(Dpid dpid, RoleState role) {
    }

    @Override
    public void removeClassifierListener(OpenFlowClassifierListener listener) {
    }

    @Override
    public void addClassifierListener(OpenFlowClassifierListener listener) {
    }
}
