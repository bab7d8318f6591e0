package org.carelane.impl;

import org.carelane.api.CareLaneStore;
import org.carelane.api.DeviceStatus;
import org.carelane.api.DeviceUplink;
import org.carelane.policy.QueuePlan;
import org.onosproject.net.AnnotationKeys;
import org.onosproject.net.Device;
import org.onosproject.net.DeviceId;
import org.onosproject.net.Port;
import org.onosproject.net.device.DeviceService;
import org.slf4j.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import static org.slf4j.LoggerFactory.getLogger;

/**
 * Owns the queues of each device's WAN uplink port over OVSDB: an HTB QoS with one queue per
 * slice at the active profile's rates. ONOS's OVSDB client cannot change a row, so every
 * change is a new generation: new queues and QoS, the port pointed at the new QoS in one
 * update, then the previous generation deleted. Runs on its own thread. ONOS's OVSDB calls wait
 * without a timeout (a paused or hung ovsdb-server holds them): each device's OVSDB work runs
 * serialised on that OVSDB device's own thread, and is given up after {@link #OVSDB_TIMEOUT}
 * (FAILED, with the reason). Given-up work that ends later still counts, if it is the latest:
 * the queues show APPLIED then; older work stops before its next OVSDB step. Which node runs
 * it is {@link UplinkQueueOwner}'s decision; every status is also recorded cluster-wide
 * ({@link Record}), so that /status answers on any node and a node that takes over can
 * remove queues it did not make.
 */
final class UplinkQueues {
    /** How long a new row may take to show in ONOS's copy of the OVSDB tables. */
    static final Duration ROWS_VISIBLE = Duration.ofSeconds(10);
    /** OVSDB work not done by then is reported FAILED; it goes on, and counts if it ends. */
    static final Duration OVSDB_TIMEOUT = Duration.ofSeconds(15);

    enum State { APPLIED, UNSUPPORTED, FAILED }

    /** The cluster-wide record of each device's queues. */
    interface Record {
        Optional<DeviceStatus.Queues> get(DeviceId device);

        void set(DeviceId device, Optional<DeviceStatus.Queues> queues);

        /** The cluster-wide record: the store's queue status map. */
        static Record of(CareLaneStore store) {
            return new Record() {
                @Override
                public Optional<DeviceStatus.Queues> get(DeviceId device) {
                    return store.queueStatus(device);
                }

                @Override
                public void set(DeviceId device, Optional<DeviceStatus.Queues> queues) {
                    store.setQueueStatus(device, queues);
                }
            };
        }

        /** A record kept in memory, for a single node's tests. */
        static Record inMemory() {
            Map<DeviceId, DeviceStatus.Queues> kept = new ConcurrentHashMap<>();
            return new Record() {
                @Override
                public Optional<DeviceStatus.Queues> get(DeviceId device) {
                    return Optional.ofNullable(kept.get(device));
                }

                @Override
                public void set(DeviceId device, Optional<DeviceStatus.Queues> queues) {
                    queues.ifPresentOrElse(q -> kept.put(device, q), () -> kept.remove(device));
                }
            };
        }
    }

    /** What a device's uplink has now, for /status. */
    static final class Status {
        final State state;
        final String reason;
        final DeviceId ovsdb;
        final String port;
        final String qos;
        final QueuePlan plan;

        Status(State state, String reason, DeviceId ovsdb, String port, String qos, QueuePlan plan) {
            this.state = state;
            this.reason = reason;
            this.ovsdb = ovsdb;
            this.port = port;
            this.qos = qos;
            this.plan = plan;
        }

        DeviceStatus.Queues toStatus() {
            return new DeviceStatus.Queues(state.name(), reason, ovsdb, port, qos,
                    state == State.APPLIED ? shown(plan) : List.of());
        }

        /** What another node recorded: its plan is known only as shown in /status. */
        static Status recorded(DeviceStatus.Queues q) {
            return new Status(State.valueOf(q.state()), q.reason().orElse(null), q.ovsdbDevice().orElse(null),
                    q.port().orElse(null), q.qos().orElse(null), null);
        }
    }

    /** A plan's queues as /status shows them. */
    static List<DeviceStatus.Queue> shown(QueuePlan plan) {
        List<DeviceStatus.Queue> queues = new ArrayList<>();
        if (plan != null) {
            plan.queues().forEach(q -> queues.add(new DeviceStatus.Queue(q.key(), q.slice(), q.minBps() / 1000,
                    q.maxBps() / 1000, q.burstBits() / 1000)));
        }
        return queues;
    }

    private final Logger log = getLogger(getClass());
    private final QueueConfigurator ovsdb;
    private final DeviceService devices;
    private final Record record;
    private final LongSupplier millis;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "carelane-queues"));
    private final Map<DeviceId, Status> status = new ConcurrentHashMap<>();
    /** One thread per OVSDB device: its calls in order, and a hung one holds only its own. */
    private final Map<DeviceId, ExecutorService> ovsdbThreads = new ConcurrentHashMap<>();
    /** The latest work asked for each device; older work stops before its next OVSDB step. */
    private final Map<DeviceId, Object> latest = new ConcurrentHashMap<>();
    /** Grows when a device is released: work asked before that is dropped. */
    private final Map<DeviceId, Long> epochs = new ConcurrentHashMap<>();

    private final Duration ovsdbTimeout;

    UplinkQueues(QueueConfigurator ovsdb, DeviceService devices, Record record, LongSupplier millis) {
        this(ovsdb, devices, record, millis, OVSDB_TIMEOUT);
    }

    /** @param ovsdbTimeout OVSDB work not done by then is reported FAILED (and goes on) */
    UplinkQueues(QueueConfigurator ovsdb, DeviceService devices, Record record, LongSupplier millis,
                 Duration ovsdbTimeout) {
        this.ovsdb = ovsdb;
        this.devices = devices;
        this.record = record;
        this.millis = millis;
        this.ovsdbTimeout = ovsdbTimeout;
    }

    /** Brings the device's uplink queues to the plan, unless they are there already. */
    Future<?> apply(DeviceUplink device, QueuePlan plan) {
        long asked = epoch(device.deviceId());
        return worker.submit(() -> {
            if (epoch(device.deviceId()) == asked) {
                applyNow(device, plan);
            }
        });
    }

    /** Removes the queues CareLane made on a device's uplink. */
    Future<?> remove(DeviceId id) {
        long asked = epoch(id);
        return worker.submit(() -> {
            if (epoch(id) == asked) {
                removeNow(id);
            }
        });
    }

    /**
     * Forgets, at once, a device whose queues another node now owns, without touching OVSDB:
     * work asked before and not started is dropped, work in flight stops before its next OVSDB
     * step, and neither reports any more.
     */
    synchronized void release(DeviceId id) {
        epochs.merge(id, 1L, Long::sum);
        latest.remove(id);
        status.remove(id);
    }

    private long epoch(DeviceId id) {
        return epochs.getOrDefault(id, 0L);
    }

    /** Devices this node has worked on or is working on. */
    Set<DeviceId> working() {
        Set<DeviceId> ids = new java.util.HashSet<>(status.keySet());
        ids.addAll(latest.keySet());
        return ids;
    }

    /** Done when everything asked before it is done or given up (for tests). */
    Future<?> flush() {
        return worker.submit(() -> { });
    }

    /** The OVSDB device that last held a device's queues, as this node or the record knows. */
    Optional<DeviceId> lastOvsdb(DeviceId id) {
        Status known = status.get(id);
        if (known != null) {
            return Optional.ofNullable(known.ovsdb);
        }
        return record.get(id).flatMap(DeviceStatus.Queues::ovsdbDevice);
    }

    /** Removes the given devices' queues, waiting up to the timeout; then stops. */
    void removeAndStop(Set<DeviceId> ids, Duration timeout) {
        Future<?> done = worker.submit(() -> ids.forEach(this::removeNow));
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("CareLane could not remove every uplink queue: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker.shutdownNow();
        ovsdbThreads.values().forEach(ExecutorService::shutdownNow);
    }

    /** Stops without touching OVSDB: the queues stay for the device's next master. */
    void stop() {
        worker.shutdownNow();
        ovsdbThreads.values().forEach(ExecutorService::shutdownNow);
    }

    Optional<Status> status(DeviceId id) {
        return Optional.ofNullable(status.get(id));
    }

    private void applyNow(DeviceUplink device, QueuePlan plan) {
        DeviceId id = device.deviceId();
        if (device.uplinkPort().isEmpty()) {
            removeNow(id);
            return;
        }
        DeviceId ovsdbId = ovsdbDevice(device);
        if (ovsdbId == null) {
            report(id, new Status(State.UNSUPPORTED, "no management address for " + id
                    + "; declare devices[].ovsdb", null, null, null, plan));
            return;
        }
        Object work = new Object();
        latest.put(id, work);
        Future<?> done = ovsdbThread(ovsdbId).submit(() -> configure(device, plan, ovsdbId, work));
        try {
            done.get(ovsdbTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            String reason = "OVSDB " + ovsdbId + " did not answer within " + ovsdbTimeout.toMillis()
                    + " ms; the change is still queued for it";
            log.warn("CareLane could not configure the uplink queues of {}: {}", id, reason);
            synchronized (this) {
                if (latest.get(id) == work && !done.isDone()) {
                    Status v = known(id);
                    report(id, v == null ? new Status(State.FAILED, reason, ovsdbId, null, null, null)
                            : new Status(State.FAILED, reason, ovsdbId, v.port, v.qos, v.plan));
                }
            }
        } catch (ExecutionException e) {
            log.warn("CareLane could not configure the uplink queues of {}: {}", id, e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ExecutorService ovsdbThread(DeviceId ovsdbId) {
        return ovsdbThreads.computeIfAbsent(ovsdbId, d -> Executors.newSingleThreadExecutor(
                r -> new Thread(r, "carelane-ovsdb-" + d)));
    }

    /** Whether {@code work} is still the latest asked for the device: if not, it stops. */
    private void stillWanted(DeviceId id, Object work) {
        if (latest.get(id) != work) {
            throw new IllegalStateException("superseded by a later change");
        }
    }

    /** The OVSDB steps, on the OVSDB device's thread. */
    private void configure(DeviceUplink device, QueuePlan plan, DeviceId ovsdbId, Object work) {
        DeviceId id = device.deviceId();
        Status was = known(id);
        try {
            stillWanted(id, work);
            Optional<String> why = ovsdb.unsupported(ovsdbId);
            if (why.isPresent()) {
                // What is on the port stays named, so that it can still be removed.
                reportIfLatest(id, work, new Status(State.UNSUPPORTED, why.get(), ovsdbId,
                        was == null ? null : was.port, was == null ? null : was.qos, plan));
                return;
            }
            Port port = devices.getPort(id, device.uplinkPort().get());
            String portName = port == null ? null : port.annotations().value(AnnotationKeys.PORT_NAME);
            if (portName == null) {
                throw new IllegalStateException("no port " + device.uplinkPort().get() + " on " + id);
            }
            if (was != null && was.state == State.APPLIED && portName.equals(was.port) && ovsdbId.equals(was.ovsdb)
                    && (plan.equals(was.plan) || was.plan == null && shownNow(id).equals(Optional.of(shown(plan))))
                    && ovsdb.qosNames(ovsdbId).contains(was.qos)) {
                reportIfLatest(id, work, new Status(State.APPLIED, null, ovsdbId, portName, was.qos, plan));
                return;
            }
            String prefix = prefix(id);
            String generation = prefix + Long.toString(millis.getAsLong(), 36);
            Map<Long, String> queues = new LinkedHashMap<>();
            for (QueuePlan.Queue q : plan.queues()) {
                String name = generation + "-q" + q.key();
                stillWanted(id, work);
                ovsdb.addQueue(ovsdbId, name, q.minBps(), q.maxBps(), q.burstBits());
                queues.put(q.key(), name);
            }
            awaitRows(() -> ovsdb.queueNames(ovsdbId).containsAll(queues.values()), "queues " + queues.values());
            stillWanted(id, work);
            ovsdb.addQos(ovsdbId, generation, plan.portBps(), queues);
            awaitRows(() -> ovsdb.qosNames(ovsdbId).contains(generation), "QoS " + generation);
            stillWanted(id, work);
            ovsdb.applyQos(ovsdbId, portName, generation);
            sweep(ovsdbId, prefix, generation);
            reportIfLatest(id, work, new Status(State.APPLIED, null, ovsdbId, portName, generation, plan));
            log.info("CareLane queues on {} {}: {} ({})", id, portName, generation, plan);
        } catch (RuntimeException e) {
            if (latest.get(id) != work) {
                return;   // a later change owns the device's status
            }
            log.warn("CareLane could not configure the uplink queues of {}: {}", id, e.getMessage());
            reportIfLatest(id, work, new Status(State.FAILED, e.getMessage(), ovsdbId,
                    was == null ? null : was.port, was == null ? null : was.qos, was == null ? null : was.plan));
        }
    }

    /** What this node knows of a device's queues, or else what the record says. */
    private Status known(DeviceId id) {
        Status local = status.get(id);
        return local != null ? local : record.get(id).map(Status::recorded).orElse(null);
    }

    private Optional<List<DeviceStatus.Queue>> shownNow(DeviceId id) {
        return record.get(id).map(DeviceStatus.Queues::queues);
    }

    /** Only the latest work reports, and not for a device removed or released meanwhile. */
    private synchronized void reportIfLatest(DeviceId id, Object work, Status next) {
        if (latest.get(id) == work) {
            report(id, next);
        }
    }

    /** Here and in the cluster-wide record, in one order. */
    private synchronized void report(DeviceId id, Status next) {
        Status was = status.put(id, next);
        if (was == null || !was.toStatus().equals(next.toStatus())) {
            record.set(id, Optional.of(next.toStatus()));
        }
    }

    /** Forgets the device here; the record stays until its queues are gone. */
    private synchronized Status forget(DeviceId id) {
        Status was = known(id);
        status.remove(id);
        latest.remove(id);
        return was;
    }

    private void removeNow(DeviceId id) {
        Status was = forget(id);
        if (was == null) {
            return;
        }
        if (was.ovsdb == null || was.state == State.UNSUPPORTED && was.port == null && was.qos == null) {
            record.set(id, Optional.empty());   // nothing of CareLane's on any port
            return;
        }
        Future<?> done = ovsdbThread(was.ovsdb).submit(() -> unconfigure(id, was));
        try {
            done.get(ovsdbTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("CareLane could not remove the uplink queues of {}: OVSDB {} did not answer within {} ms",
                    id, was.ovsdb, ovsdbTimeout.toMillis());
        } catch (ExecutionException e) {
            log.warn("CareLane could not remove the uplink queues of {}: {}", id, e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Detaches and deletes the device's queues; the record goes only then. A failure keeps it,
     * FAILED, naming what is left, so that the next owner tries again.
     */
    private void unconfigure(DeviceId id, Status was) {
        try {
            if (was.port != null) {
                ovsdb.detachQos(was.ovsdb, was.port);
            }
            sweep(was.ovsdb, prefix(id), null);
            record.set(id, Optional.empty());
            log.info("CareLane removed its queues from {}", id);
        } catch (RuntimeException e) {
            log.warn("CareLane could not remove the uplink queues of {}: {}", id, e.getMessage());
            record.set(id, Optional.of(new Status(State.FAILED, "could not remove: " + e.getMessage(), was.ovsdb,
                    was.port, was.qos, null).toStatus()));
        }
    }

    /** Deletes the device's QoS and queues of every generation but {@code keep}. */
    private void sweep(DeviceId ovsdbId, String prefix, String keep) {
        for (String qos : ovsdb.qosNames(ovsdbId)) {
            if (qos.startsWith(prefix) && !qos.equals(keep)) {
                ovsdb.deleteQos(ovsdbId, qos);
            }
        }
        for (String queue : ovsdb.queueNames(ovsdbId)) {
            if (queue.startsWith(prefix) && (keep == null || !queue.startsWith(keep + "-"))) {
                ovsdb.deleteQueue(ovsdbId, queue);
            }
        }
    }

    /** The OVSDB device that serves a device's uplink: declared, or from its management address. */
    DeviceId ovsdbDevice(DeviceUplink device) {
        if (device.ovsdbDevice().isPresent()) {
            return device.ovsdbDevice().get();
        }
        Device d = devices.getDevice(device.deviceId());
        String address = d == null ? null : d.annotations().value(AnnotationKeys.MANAGEMENT_ADDRESS);
        return address == null ? null : DeviceId.deviceId("ovsdb:" + address);
    }

    /** Names start with the switch's datapath id, so one OVSDB can serve several bridges. */
    private static String prefix(DeviceId id) {
        return "carelane-" + id.toString().replace("of:", "") + "-";
    }

    private static void awaitRows(BooleanSupplier visible, String what) {
        long deadline = System.nanoTime() + ROWS_VISIBLE.toNanos();
        while (!visible.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " not in OVSDB after " + ROWS_VISIBLE.toSeconds() + " s");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what);
            }
        }
    }
}
