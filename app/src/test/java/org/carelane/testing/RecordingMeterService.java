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
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * MeterService that behaves like ONOS 2.7.0's MeterManager with its distributed store
 * (core/net .../meter/impl/MeterManager.java, core/store/dist .../DistributedMeterStore.java):
 * <ul>
 *   <li>ids: a freed id is reused first, in no fixed order (allocateMeterId,
 *       firstReusableMeterId over a DistributedSet); otherwise the device's counter goes up
 *       (meterIdGenerators), and never back down;</li>
 *   <li>{@code submit} throws IllegalArgumentException when no id is left (MeterManager.submit:
 *       DefaultMeter.Builder "Must specify a cell id"): ids above {@link #tableSize};</li>
 *   <li>a meter is PENDING_ADD until a stats poll sets it ADDED and runs the context's
 *       onSuccess ("PENDING -> stats -> ADDED -> future completes"), when
 *       {@link #confirmOnPoll} is set; otherwise at once;</li>
 *   <li>a switch error runs onError and ONOS keeps the meter, PENDING_ADD with the reason
 *       (failedMeter 371-375), and keeps its id; every poll re-sends it (pushMeterMetrics);</li>
 *   <li>a withdrawn meter leaves the switch at once (METER_REM_REQ) but stays in the store,
 *       PENDING_REMOVE, until the next poll purges it, frees its id and posts METER_REMOVED
 *       (deleteMeter, pushMeterMetrics, purgeMeter);</li>
 *   <li>withdrawing an unknown meter is a no-op (DistributedMeterStore.deleteMeter);</li>
 *   <li>the switch (OVS) refuses a meter id it already holds (EXISTING_METER);</li>
 *   <li>a poll deletes from the switch what ONOS's store lacks;</li>
 *   <li>{@code getMeters(device)} copies the whole store, every device's meters, before it
 *       filters (DistributedMeterStore.getAllMeters(DeviceId): ImmutableSet.copyOf over the
 *       ConsistentMap): {@link #wholeStoreReads} counts them, {@link #wholeStoreReadMillis} is
 *       what each takes;</li>
 *   <li>{@link #loseMeter} drops a meter from the store and frees its id, as ONOS 2.7.0's
 *       racing meter-stats replies do (MeterManager.pushMeterMetrics).</li>
 * </ul>
 */
public class RecordingMeterService extends MeterServiceAdapter {
    private final Map<DeviceId, TreeMap<Long, Meter>> meters = new ConcurrentHashMap<>();
    private final Map<Meter, MeterRequest> pending = new LinkedHashMap<>();
    private final List<MeterListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Per device: the id counter, and ids freed for reuse. */
    private final Map<DeviceId, Long> nextId = new ConcurrentHashMap<>();
    private final Map<DeviceId, List<Long>> freed = new ConcurrentHashMap<>();
    /** Freed ids come back in no fixed order; seeded so that a run can be repeated. */
    private final java.util.Random reuseOrder = new java.util.Random(27);
    /** Meters the switch refused: ONOS keeps them, with the reason, and re-sends them. */
    private final Map<Meter, MeterFailReason> failed = new LinkedHashMap<>();
    /** Meters accepted by the switch (a rejected one counts when a re-send gets it there). */
    public int submits;
    /** Submits and withdraws per device. */
    public final java.util.Map<DeviceId, Integer> opsByDevice = new java.util.concurrent.ConcurrentHashMap<>();
    /** Meters withdrawn by their app. */
    public int withdraws;
    /** The switch rejects the next this-many meter adds (first sends and re-sends alike). */
    public int failSubmits;
    /** What the switch answers then. */
    public MeterFailReason failReason = MeterFailReason.OUT_OF_METERS;
    /** The highest meter id a device offers (its meter features' max_meter). */
    public int tableSize = Integer.MAX_VALUE;
    /** Reads of one device's meters, each a copy of ONOS's whole meter store. */
    public final java.util.concurrent.atomic.AtomicInteger wholeStoreReads =
            new java.util.concurrent.atomic.AtomicInteger();
    /** How long each such read takes (a large store, or a Raft read during a leader election). */
    public volatile long wholeStoreReadMillis;
    /**
     * How long a submit takes before it returns: ONOS's allocateMeterId and addOrUpdateMeter are
     * several round trips to its distributed store (an id set, a counter, the meter map).
     */
    public volatile long submitMillis;
    private final java.util.concurrent.atomic.AtomicInteger submitsInProgress =
            new java.util.concurrent.atomic.AtomicInteger();
    /** The most submits that were in progress at one moment. */
    public final java.util.concurrent.atomic.AtomicInteger mostSubmitsAtOnce =
            new java.util.concurrent.atomic.AtomicInteger();
    /** The threads submits ran on. */
    public final Set<String> submitThreads = ConcurrentHashMap.newKeySet();
    /** Meters stay PENDING_ADD until {@link #poll()}, as on ONOS. */
    public boolean confirmOnPoll;
    /** What each device's switch holds: meter id to rate (kbps). */
    private final Map<DeviceId, Map<Long, Long>> onSwitch = new ConcurrentHashMap<>();
    /**
     * Submitted meters wait off the switch until {@link #deliver()}: ONOS sends meter mods from
     * its own threads after submit returns (MeterManager, DistributedMeterStore delegate), so a
     * rule sent at once can reach the switch first.
     */
    public volatile boolean holdOffSwitch;
    private final List<Meter> held = new ArrayList<>();

    @Override
    public Meter submit(MeterRequest request) {
        int now = submitsInProgress.incrementAndGet();
        mostSubmitsAtOnce.accumulateAndGet(now, Math::max);
        submitThreads.add(Thread.currentThread().getName());
        try {
            pause(submitMillis);
            return store(request);
        } finally {
            submitsInProgress.decrementAndGet();
        }
    }

    /** Waits as a round trip to ONOS's store would (an interrupt ends the wait, and stays set). */
    private static void pause(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized Meter store(MeterRequest request) {
        long id = allocate(request.deviceId());
        TreeMap<Long, Meter> table = meters.computeIfAbsent(request.deviceId(), d -> new TreeMap<>());
        DefaultMeter meter = (DefaultMeter) DefaultMeter.builder()
                .forDevice(request.deviceId()).fromApp(request.appId()).withId(MeterId.meterId(id))
                .withUnit(request.unit()).withBands(request.bands()).burst().build();
        meter.setState(MeterState.PENDING_ADD);
        table.put(id, meter);
        requests.put(request.deviceId() + "/" + id, request);
        if (holdOffSwitch) {
            held.add(meter);   // confirmed or refused once it reaches the switch (deliver)
            return meter;
        }
        MeterFailReason refused = send(meter);
        if (refused != null) {
            request.context().ifPresent(c -> c.onError(request, refused));
            return meter;
        }
        if (confirmOnPoll) {
            pending.put(meter, request);
        } else {
            confirm(meter, request);
        }
        return meter;
    }

    /** Devices whose meter features ONOS lost (OpenFlowMeterProvider.switchRemoved on any node). */
    private final java.util.Set<DeviceId> featuresLost = ConcurrentHashMap.newKeySet();

    /**
     * ONOS deletes the device's meter features, as when its connection to a standby closes:
     * submit throws until they are stored again, and the freed ids are gone with them (the
     * features map's REMOVE destroys the device's set of reusable ids).
     */
    public synchronized void loseFeatures(DeviceId deviceId) {
        featuresLost.add(deviceId);
        freed.remove(deviceId);
    }

    /** MeterStore.storeMeterFeatures: ids up to the features' end index can be allocated again. */
    public synchronized void storeFeatures(org.onosproject.net.meter.MeterFeatures features) {
        featuresLost.remove(features.deviceId());
        featuresStored++;
    }

    /** Times features were stored. */
    public int featuresStored;

    /** ONOS's meter store, as far as CareLane uses it (storeMeterFeatures only). */
    public org.onosproject.net.meter.MeterStore store() {
        return (org.onosproject.net.meter.MeterStore) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {org.onosproject.net.meter.MeterStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("storeMeterFeatures")
                            && args[0] instanceof org.onosproject.net.meter.MeterFeatures) {
                        storeFeatures((org.onosproject.net.meter.MeterFeatures) args[0]);
                        return org.onosproject.net.meter.MeterStoreResult.success();
                    }
                    if (method.getName().equals("toString")) {
                        return "MeterStore double";
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private long allocate(DeviceId deviceId) {
        if (featuresLost.contains(deviceId)) {
            // DistributedMeterStore.allocateMeterId: no features, and OVS's driver has no MeterQuery.
            throw new IllegalArgumentException("Must specify a cell id.");
        }
        List<Long> reusable = freed.getOrDefault(deviceId, new ArrayList<>());
        if (!reusable.isEmpty()) {
            return reusable.remove(reuseOrder.nextInt(reusable.size()));
        }
        long id = nextId.merge(deviceId, 1L, Long::sum);
        if (id > tableSize) {
            throw new IllegalArgumentException("Must specify a cell id.");
        }
        return id;
    }

    private void free(DeviceId deviceId, long id) {
        freed.computeIfAbsent(deviceId, d -> new ArrayList<>()).add(id);
    }

    /** The meter mod reaches the switch; returns why the switch refused it, or null. */
    private MeterFailReason send(Meter meter) {
        MeterFailReason refused = null;
        try {
            onInstall(meter);
        } catch (RuntimeException e) {
            refused = MeterFailReason.UNKNOWN;
        }
        if (refused == null && failSubmits > 0) {
            failSubmits--;
            refused = failReason;
        }
        if (refused == null && onSwitch.getOrDefault(meter.deviceId(), Map.of()).containsKey(meter.id().id())) {
            refused = MeterFailReason.EXISTING_METER;
        }
        if (refused != null) {
            failed.put(meter, refused);
            return refused;
        }
        failed.remove(meter);
        submits++;
        opsByDevice.merge(meter.deviceId(), 1, Integer::sum);
        toSwitch(meter);
        return null;
    }

    /** The request of each meter submitted, by device/id, for a late error on it. */
    private final Map<String, MeterRequest> requests = new ConcurrentHashMap<>();

    /**
     * ONOS re-sends a meter at a stats poll (MeterManager.pushMeterMetrics re-ADDs one a reply
     * lacked, e.g. a reply that raced its ADD): a switch that holds the id answers EXISTING_METER,
     * which reaches the meter's context then, long after it was submitted.
     */
    public void resend(DeviceId deviceId, long meterId) {
        MeterRequest request = requests.get(deviceId + "/" + meterId);
        if (request != null && onSwitch(deviceId, MeterId.meterId(meterId))) {
            request.context().ifPresent(c -> c.onError(request, MeterFailReason.EXISTING_METER));
        }
    }

    /** The switch holds the meter with a band of another rate (as after a meter of another generation took the id). */
    public synchronized void setSwitchRate(DeviceId deviceId, long meterId, long rateKbps) {
        onSwitch.computeIfAbsent(deviceId, d -> new ConcurrentHashMap<>()).put(meterId, rateKbps);
    }

    /**
     * Holds meters off the switch until {@code millis} after a meter of {@code rateKbps} for the
     * device is submitted (ONOS sending it late), then delivers them and stops holding. Join the
     * returned thread to wait for the delivery.
     */
    public Thread deliverLate(DeviceId deviceId, long rateKbps, long millis) {
        holdOffSwitch = true;
        Thread sender = new Thread(() -> {
            try {
                long deadline = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
                while (metersOf(deviceId).stream().noneMatch(m -> m.bands().iterator().next().rate() == rateKbps)
                        && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            holdOffSwitch = false;
            deliver();
        });
        sender.start();
        return sender;
    }

    /**
     * The meters held off the switch reach it. The switch's refusal reaches the meter's context
     * then (MeterManager's MeterOperation error, through DistributedMeterStore.failedMeter),
     * outside this double's lock, as ONOS calls it from its own threads.
     */
    public void deliver() {
        List<Runnable> outcomes = new ArrayList<>();
        synchronized (this) {
            for (Meter meter : held) {
                MeterRequest request = requests.get(meter.deviceId() + "/" + meter.id().id());
                MeterFailReason refused = send(meter);
                if (refused != null) {
                    outcomes.add(() -> request.context().ifPresent(c -> c.onError(request, refused)));
                } else if (confirmOnPoll) {
                    pending.put(meter, request);
                } else {
                    ((DefaultMeter) meter).setState(MeterState.ADDED);
                    outcomes.add(() -> request.context().ifPresent(c -> c.onSuccess(request)));
                }
            }
            held.clear();
        }
        outcomes.forEach(Runnable::run);
    }

    private void toSwitch(Meter meter) {
        onSwitch.computeIfAbsent(meter.deviceId(), d -> new ConcurrentHashMap<>())
                .put(meter.id().id(), meter.bands().iterator().next().rate());
    }

    /** The meters a device's switch holds, id to rate, as its meter-config reply lists them. */
    public synchronized Map<Long, Long> switchMeters(DeviceId deviceId) {
        return new TreeMap<>(onSwitch.getOrDefault(deviceId, Map.of()));
    }

    /** The switch lost its meters (restarted); ONOS's store still holds them. */
    public synchronized void switchLost(DeviceId deviceId) {
        onSwitch.remove(deviceId);
    }

    /** True if the switch holds this meter. */
    public synchronized boolean onSwitch(DeviceId deviceId, MeterId meterId) {
        return onSwitch.getOrDefault(deviceId, Map.of()).containsKey(meterId.id());
    }

    /** The meters ONOS's store holds for a device that are not being removed (PENDING_REMOVE). */
    public synchronized List<Meter> liveMeters(DeviceId deviceId) {
        List<Meter> out = new ArrayList<>();
        meters.getOrDefault(deviceId, new TreeMap<>()).values().stream()
                .filter(m -> m.state() != MeterState.PENDING_REMOVE).forEach(out::add);
        return out;
    }

    /** Meters the switch refused that ONOS still holds (and re-sends at every poll). */
    public synchronized int failedMeters() {
        return failed.size();
    }

    /**
     * A meter-stats poll (ONOS: every 10 s), as MeterManager.pushMeterMetrics handles its reply:
     * meters ONOS holds but the switch lacks are re-sent (failed ones too), meters the switch
     * holds but ONOS lacks are deleted from it, PENDING_ADD meters on the switch become ADDED
     * (confirmed, unless they had failed), and PENDING_REMOVE meters are purged: their ids are
     * freed and METER_REMOVED is posted.
     */
    public void poll() {
        Map<Meter, MeterRequest> due = new LinkedHashMap<>();
        List<Meter> purged = new ArrayList<>();
        synchronized (this) {
            for (Map.Entry<DeviceId, TreeMap<Long, Meter>> device : meters.entrySet()) {
                Map<Long, Long> reply = new TreeMap<>(onSwitch.getOrDefault(device.getKey(), Map.of()));
                Map<Long, Long> switchHolds = onSwitch.computeIfAbsent(device.getKey(), d -> new ConcurrentHashMap<>());
                reply.keySet().stream().filter(id -> !device.getValue().containsKey(id)).forEach(switchHolds::remove);
                for (Meter meter : new ArrayList<>(device.getValue().values())) {
                    if (meter.state() == MeterState.PENDING_REMOVE) {
                        device.getValue().remove(meter.id().id());
                        free(device.getKey(), meter.id().id());
                        purged.add(meter);
                    } else if (!reply.containsKey(meter.id().id())) {
                        if (!held.contains(meter)) {
                            send(meter);
                        }
                    } else if (pending.containsKey(meter)) {
                        due.put(meter, pending.remove(meter));
                    } else if (meter.state() == MeterState.PENDING_ADD) {
                        ((DefaultMeter) meter).setState(MeterState.ADDED);
                    }
                }
            }
        }
        due.forEach((meter, request) -> confirm((DefaultMeter) meter, request));
        purged.forEach(this::post);
    }

    /**
     * A meter-stats reply read now and handled later, as ONOS 2.7.0 handles one:
     * MeterManager.pushMeterMetrics reads the store when it starts, on one of 32 threads, and
     * acts on what it read. A reply the switch sent before a withdraw and handled after it
     * re-ADDs a withdrawn meter the reply lacked (its MeterInstaller runs after the REMOVE), so
     * the switch holds a meter the store has let go; ONOS deletes it at a later poll.
     */
    public synchronized Runnable replyReadNow(DeviceId deviceId) {
        Map<Long, Long> reply = switchMeters(deviceId);
        Map<Meter, MeterState> seen = new LinkedHashMap<>();
        meters.getOrDefault(deviceId, new TreeMap<>()).values().forEach(m -> seen.put(m, m.state()));
        return () -> {
            List<Meter> purged = new ArrayList<>();
            synchronized (this) {
                Map<Long, Long> switchHolds = onSwitch.computeIfAbsent(deviceId, d -> new ConcurrentHashMap<>());
                seen.forEach((meter, state) -> {
                    if (state != MeterState.PENDING_REMOVE && !reply.containsKey(meter.id().id())
                            && !switchHolds.containsKey(meter.id().id())) {
                        toSwitch(meter);
                    }
                });
                reply.keySet().stream().filter(id -> seen.keySet().stream().noneMatch(m -> id.equals(m.id().id())))
                        .forEach(switchHolds::remove);
                TreeMap<Long, Meter> table = meters.getOrDefault(deviceId, new TreeMap<>());
                seen.forEach((meter, state) -> {
                    if (state == MeterState.PENDING_REMOVE && table.get(meter.id().id()) == meter) {
                        table.remove(meter.id().id());
                        free(deviceId, meter.id().id());
                        purged.add(meter);
                    }
                });
            }
            purged.forEach(this::post);
        };
    }

    /** A METER_MOD DELETE reaches the switch. */
    public synchronized void deleteFromSwitch(DeviceId deviceId, long meterId) {
        onSwitch.getOrDefault(deviceId, Map.of()).remove(meterId);
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
    public synchronized void withdraw(MeterRequest request, MeterId meterId) {
        TreeMap<Long, Meter> table = meters.get(request.deviceId());
        Meter removed = table == null ? null : table.get(meterId.id());
        if (removed == null || removed.state() == MeterState.PENDING_REMOVE) {
            return;
        }
        ((DefaultMeter) removed).setState(MeterState.PENDING_REMOVE);
        held.remove(removed);
        pending.remove(removed);
        failed.remove(removed);
        onSwitch.getOrDefault(request.deviceId(), Map.of()).remove(meterId.id());
        onRemove(request.deviceId(), meterId);
        withdraws++;
        opsByDevice.merge(request.deviceId(), 1, Integer::sum);
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
            if (lost != null) {
                pending.remove(lost);
                failed.remove(lost);
                free(deviceId, meterId);
            }
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
    public Collection<Meter> getMeters(DeviceId deviceId) {
        wholeStoreReads.incrementAndGet();
        pause(wholeStoreReadMillis);
        return metersOf(deviceId);
    }

    /** A device's meters, as the test sees them (no store read counted). */
    public synchronized Collection<Meter> metersOf(DeviceId deviceId) {
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
