package org.carelane.testing;

import org.onosproject.net.DeviceId;
import org.onosproject.net.meter.DefaultMeter;
import org.onosproject.net.meter.Meter;
import org.onosproject.net.meter.MeterEvent;
import org.onosproject.net.meter.MeterFailReason;
import org.onosproject.net.meter.MeterId;
import org.onosproject.net.meter.MeterListener;
import org.onosproject.net.meter.MeterRequest;
import org.onosproject.net.meter.MeterServiceAdapter;
import org.onosproject.net.meter.MeterState;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * MeterService that behaves like ONOS 2.7.0's MeterManager with its distributed store:
 * <ul>
 *   <li>it allocates the lowest free id per device;</li>
 *   <li>{@code submit} throws IllegalArgumentException when no id is free (MeterManager.submit,
 *       allocateMeterId): an OpenFlow 1.0 switch or a full meter table;</li>
 *   <li>a meter is PENDING_ADD until a stats poll sets it ADDED and runs the context's
 *       onSuccess ("PENDING -> stats -> ADDED -> future completes"), when
 *       {@link #confirmOnPoll} is set; otherwise at once;</li>
 *   <li>a switch error runs onError and ONOS forgets the meter;</li>
 *   <li>withdrawing an unknown meter is a no-op (DistributedMeterStore.deleteMeter);</li>
 *   <li>a meter leaving the store is posted as METER_REMOVED (ONOS: once purged);</li>
 *   <li>{@link #loseMeter} drops a meter from the store and frees its id, as ONOS 2.7.0's
 *       racing meter-stats replies do (MeterManager.pushMeterMetrics).</li>
 * </ul>
 */
public class RecordingMeterService extends MeterServiceAdapter {
    private final Map<DeviceId, TreeMap<Long, Meter>> meters = new ConcurrentHashMap<>();
    private final Map<Meter, MeterRequest> pending = new LinkedHashMap<>();
    private final List<MeterListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Meters accepted (a rejected one never becomes live). */
    public int submits;
    public int withdraws;
    /** The switch rejects the next this-many meters. */
    public int failSubmits;
    /** Meters a device can hold (models a full meter table). */
    public int tableSize = Integer.MAX_VALUE;
    /** Meters stay PENDING_ADD until {@link #poll()}, as on ONOS. */
    public boolean confirmOnPoll;
    /** What each device's switch holds: meter id to rate (kbps). */
    private final Map<DeviceId, Map<Long, Long>> onSwitch = new ConcurrentHashMap<>();
    /**
     * Submitted meters wait off the switch until {@link #deliver()}: ONOS sends meter mods from
     * its own threads after submit returns (MeterManager, DistributedMeterStore delegate), so a
     * rule sent at once can reach the switch first.
     */
    public boolean holdOffSwitch;
    private final List<Meter> held = new ArrayList<>();

    @Override
    public synchronized Meter submit(MeterRequest request) {
        TreeMap<Long, Meter> table = meters.computeIfAbsent(request.deviceId(), d -> new TreeMap<>());
        if (table.size() >= tableSize) {
            throw new IllegalArgumentException("no meter id available on " + request.deviceId());
        }
        long id = 1;
        while (table.containsKey(id)) {
            id++;
        }
        DefaultMeter meter = (DefaultMeter) DefaultMeter.builder()
                .forDevice(request.deviceId()).fromApp(request.appId()).withId(MeterId.meterId(id))
                .withUnit(request.unit()).withBands(request.bands()).burst().build();
        meter.setState(MeterState.PENDING_ADD);
        try {
            onInstall(meter);
        } catch (RuntimeException e) {
            request.context().ifPresent(c -> c.onError(request, MeterFailReason.UNKNOWN));
            return meter;
        }
        if (failSubmits > 0) {
            failSubmits--;
            request.context().ifPresent(c -> c.onError(request, MeterFailReason.OUT_OF_METERS));
            return meter;
        }
        submits++;
        table.put(id, meter);
        if (holdOffSwitch) {
            held.add(meter);
        } else {
            toSwitch(meter);
        }
        if (confirmOnPoll) {
            pending.put(meter, request);
        } else {
            confirm(meter, request);
        }
        return meter;
    }

    /** The meters held off the switch reach it. */
    public synchronized void deliver() {
        held.forEach(this::toSwitch);
        held.clear();
    }

    private void toSwitch(Meter meter) {
        onSwitch.computeIfAbsent(meter.deviceId(), d -> new ConcurrentHashMap<>())
                .put(meter.id().id(), meter.bands().iterator().next().rate());
    }

    /** The meters a device's switch holds, id to rate, as its meter-config reply lists them. */
    public synchronized Map<Long, Long> switchMeters(DeviceId deviceId) {
        return new TreeMap<>(onSwitch.getOrDefault(deviceId, Map.of()));
    }

    /** True if the switch holds this meter. */
    public synchronized boolean onSwitch(DeviceId deviceId, MeterId meterId) {
        return onSwitch.getOrDefault(deviceId, Map.of()).containsKey(meterId.id());
    }

    /** A meter stats poll: every PENDING_ADD meter still present becomes ADDED and is confirmed. */
    public void poll() {
        Map<Meter, MeterRequest> due;
        synchronized (this) {
            due = new LinkedHashMap<>(pending);
            pending.clear();
        }
        due.forEach((meter, request) -> {
            if (getMeter(meter.deviceId(), meter.id()) == meter) {
                confirm((DefaultMeter) meter, request);
            }
        });
    }

    private void confirm(DefaultMeter meter, MeterRequest request) {
        meter.setState(MeterState.ADDED);
        request.context().ifPresent(c -> c.onSuccess(request));
    }

    /** Hook run when a meter is allocated; throwing fails the request. */
    protected void onInstall(Meter meter) {
    }

    /** Hook run when a meter is withdrawn. */
    protected void onRemove(DeviceId deviceId, MeterId meterId) {
    }

    @Override
    public void withdraw(MeterRequest request, MeterId meterId) {
        Meter removed;
        synchronized (this) {
            TreeMap<Long, Meter> table = meters.get(request.deviceId());
            removed = table == null ? null : table.remove(meterId.id());
            if (removed == null) {
                return;
            }
            held.remove(removed);
            onSwitch.getOrDefault(request.deviceId(), Map.of()).remove(meterId.id());
            onRemove(request.deviceId(), meterId);
            withdraws++;
        }
        post(removed);
    }

    /**
     * ONOS 2.7.0 drops a meter from its store without a withdraw: a meter-stats reply handled
     * late purges the id (MeterManager.pushMeterMetrics on the 32 "event-stats" threads), and
     * the id is free again. ONOS then deletes the meter from the switch at its next poll.
     *
     * @param post whether this node posts METER_REMOVED for it
     * @return the meter dropped
     */
    public Meter loseMeter(DeviceId deviceId, long meterId, boolean post) {
        Meter lost;
        synchronized (this) {
            lost = meters.get(deviceId).remove(meterId);
        }
        if (lost != null && post) {
            post(lost);
        }
        return lost;
    }

    /** {@link #loseMeter(DeviceId, long, boolean)}, posting METER_REMOVED. */
    public Meter loseMeter(DeviceId deviceId, long meterId) {
        return loseMeter(deviceId, meterId, true);
    }

    private void post(Meter removed) {
        MeterEvent event = new MeterEvent(MeterEvent.Type.METER_REMOVED, removed);
        listeners.stream().filter(l -> l.isRelevant(event)).forEach(l -> l.event(event));
    }

    @Override
    public void addListener(MeterListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(MeterListener listener) {
        listeners.remove(listener);
    }

    @Override
    public synchronized Meter getMeter(DeviceId deviceId, MeterId meterId) {
        TreeMap<Long, Meter> table = meters.get(deviceId);
        return table == null ? null : table.get(meterId.id());
    }

    @Override
    public synchronized Collection<Meter> getMeters(DeviceId deviceId) {
        return new ArrayList<>(meters.getOrDefault(deviceId, new TreeMap<>()).values());
    }

    @Override
    public synchronized Collection<Meter> getAllMeters() {
        List<Meter> out = new ArrayList<>();
        meters.values().forEach(t -> out.addAll(t.values()));
        return out;
    }

    /**
     * Meter operations a node sent for a device it did not master at that moment: ONOS forwards
     * them to the master, so two nodes would be programming one switch.
     */
    public int nonMasterOperations;

    /** The service as one node of a cluster sees it; counts its operations as a non-master. */
    public org.onosproject.net.meter.MeterService forNode(java.util.function.Predicate<DeviceId> localMaster) {
        RecordingMeterService shared = this;
        return new MeterServiceAdapter() {
            @Override
            public Meter submit(MeterRequest request) {
                count(request.deviceId());
                return shared.submit(request);
            }

            @Override
            public void withdraw(MeterRequest request, MeterId meterId) {
                count(request.deviceId());
                shared.withdraw(request, meterId);
            }

            private void count(DeviceId device) {
                if (!localMaster.test(device)) {
                    synchronized (shared) {
                        shared.nonMasterOperations++;
                    }
                }
            }

            @Override
            public Meter getMeter(DeviceId deviceId, MeterId meterId) {
                return shared.getMeter(deviceId, meterId);
            }

            @Override
            public Collection<Meter> getMeters(DeviceId deviceId) {
                return shared.getMeters(deviceId);
            }

            @Override
            public Collection<Meter> getAllMeters() {
                return shared.getAllMeters();
            }

            @Override
            public void addListener(MeterListener listener) {
                shared.addListener(listener);
            }

            @Override
            public void removeListener(MeterListener listener) {
                shared.removeListener(listener);
            }
        };
    }
}
