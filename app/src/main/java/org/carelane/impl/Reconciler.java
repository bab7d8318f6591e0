package org.carelane.impl;

import org.carelane.api.AuditEntry;
import org.carelane.api.CareLaneStore;
import org.carelane.api.CareLaneStoreDelegate;
import org.carelane.api.CareLaneStoreEvent;
import org.carelane.api.DeviceUplink;
import org.carelane.api.PeakSchedule;
import org.carelane.api.Profile;
import org.carelane.api.ProfileOverride;
import org.carelane.api.RateScope;
import org.carelane.api.SlicePolicy;
import org.carelane.policy.ScheduleCalculator;
import org.onosproject.core.ApplicationId;
import org.onosproject.cluster.NodeId;
import org.onosproject.mastership.MastershipEvent;
import org.onosproject.mastership.MastershipListener;
import org.onosproject.mastership.MastershipService;
import org.onosproject.net.DeviceId;
import org.onosproject.net.device.DeviceEvent;
import org.onosproject.net.device.DeviceListener;
import org.onosproject.net.driver.DriverEvent;
import org.onosproject.net.driver.DriverListener;
import org.onosproject.net.meter.MeterEvent;
import org.onosproject.net.meter.MeterListener;
import org.slf4j.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static org.slf4j.LoggerFactory.getLogger;

/**
 * Decides, on the CareLane thread, which devices this node brings to which policy and profile:
 * on a store change from any node, at each schedule boundary or override expiry, and on device,
 * mastership and meter events. It starts the per-device work ({@link DeviceProgramming}) and
 * cleans the devices that left the policy; it never waits for them.
 * <p>
 * Its listeners run on ONOS's event dispatcher, whose watchdog (ListenerRegistry, 1.8 s)
 * ejects a listener that blocks it for good: no store read there, only a hand-off.
 */
final class Reconciler {
    /** Re-check at least this often, so that wall-clock steps (NTP) are caught. */
    static final Duration MAX_SLEEP = Duration.ofSeconds(30);
    /**
     * How long before a boundary devices stage the next profile's meters
     * ({@link DeviceProgramming#stage}); 0 turns staging off.
     */
    static final Duration STAGE_LEAD = Duration.ofSeconds(Long.getLong("carelane.stageLeadSeconds", 30));
    /** Next evaluation after one that failed. */
    static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(1);

    private final Logger log = getLogger(getClass());
    private final ApplicationId appId;
    private final CareLaneStore store;
    private final DeviceProgramming devices;
    private final MastershipService mastership;
    private final RuleKeeper keeper;
    private final UplinkQueueOwner queues;
    private final Consumer<DeviceId> forgetCounters;
    private final Supplier<Instant> clock;
    private final ScheduledExecutorService carelane;
    private final Consumer<AuditEntry> audit;

    private ScheduledFuture<?> nextCheck;
    /** Each device's master as the last MASTER_CHANGED named it (the CareLane thread only). */
    private final java.util.Map<DeviceId, Optional<NodeId>> lastMaster = new java.util.HashMap<>();
    private volatile Profile appliedProfile;
    /** Each device's profile at the last reconcile (its own schedule's, or an override's). */
    private volatile Map<DeviceId, Profile> appliedByDevice = Map.of();
    /** Each device's profile, decided once at the start of a reconcile for all its devices; else null. */
    private volatile Map<DeviceId, Profile> passProfiles;
    /** When this node last applied a new profile, or started. */
    private volatile Instant lastSwitchOver;
    /** The policy version and override the last reconcile acted on. */
    private volatile long reconciledVersion = -1;
    private volatile Optional<ProfileOverride> reconciledOverride = Optional.empty();
    private volatile Map<RateScope, ProfileOverride> reconciledScopedOverrides = Map.of();

    /**
     * Every policy or override change, made on any node by REST, the CLI or netcfg, reaches
     * the devices this way: the store's event, handed to the CareLane thread. So do the queue
     * profiles that devices' masters record, for the node that owns the queues.
     */
    final CareLaneStoreDelegate storeDelegate = this::storeChanged;
    final DeviceListener deviceListener = new InternalDeviceListener();
    final MeterListener meterListener = new InternalMeterListener();
    final MastershipListener mastershipListener = new InternalMastershipListener();
    final DriverListener driverListener = new InternalDriverListener();

    /**
     * @param forgetCounters drops what is counted for a device that left the policy
     * @param carelane       the CareLane thread
     * @param audit          appends to the audit log
     */
    Reconciler(ApplicationId appId, CareLaneStore store, DeviceProgramming devices, MastershipService mastership,
               RuleKeeper keeper, UplinkQueueOwner queues, Consumer<DeviceId> forgetCounters,
               Supplier<Instant> clock, ScheduledExecutorService carelane, Consumer<AuditEntry> audit) {
        this.appId = appId;
        this.store = store;
        this.devices = devices;
        this.mastership = mastership;
        this.keeper = keeper;
        this.queues = queues;
        this.forgetCounters = forgetCounters;
        this.clock = clock;
        this.carelane = carelane;
        this.audit = audit;
    }

    /** The national profile in force at an instant: the national schedule's, unless an override holds. */
    Profile profileAt(Instant at) {
        return store.policy().map(p -> ScheduleCalculator.effective(p.schedule(), overrideAt(at), at))
                .orElse(Profile.OFF_PEAK);
    }

    /**
     * A device's profile at an instant: the most specific override in force (its site's, site
     * class's, board's, else the national one), else its own schedule's (that of its site, site
     * class or board, else the national one).
     */
    Profile profileAt(DeviceId id, Instant at) {
        Map<DeviceId, Profile> pass = passProfiles;
        if (pass != null && pass.containsKey(id)) {
            return pass.get(id);   // decided once for the whole reconcile
        }
        return store.policy().map(p -> profileOf(p, id, ScheduleCalculator.overrideAt(p, RateScope.site(id),
                store.override(), store.scopedOverrides(), at), at)).orElse(Profile.OFF_PEAK);
    }

    private static Profile profileOf(SlicePolicy policy, DeviceId id, Optional<ProfileOverride> override,
                                     Instant at) {
        return ScheduleCalculator.effective(scheduleOf(policy, id), override, at);
    }

    private static PeakSchedule scheduleOf(SlicePolicy policy, DeviceId id) {
        return policy.forDevice(id).map(d -> d.policy().schedule()).orElse(policy.schedule());
    }

    /** Every schedule in use: the national one and the scopes' own, each once. */
    private static Set<PeakSchedule> schedulesInUse(SlicePolicy policy) {
        Set<PeakSchedule> all = new java.util.LinkedHashSet<>();
        all.add(policy.schedule());
        policy.devices().forEach(d -> all.add(scheduleOf(policy, d.deviceId())));
        return all;
    }

    /** Each device's profile at an instant, the store read once for them all. */
    private Map<DeviceId, Profile> profilesAt(Instant at) {
        Map<DeviceId, Profile> out = new java.util.HashMap<>();
        Optional<SlicePolicy> policy = store.policy();
        if (policy.isEmpty()) {
            return out;
        }
        Optional<ProfileOverride> national = store.override();
        Map<RateScope, ProfileOverride> scoped = store.scopedOverrides();
        for (DeviceUplink d : policy.get().devices()) {
            Optional<ProfileOverride> override = ScheduleCalculator.overrideAt(policy.get(),
                    RateScope.site(d.deviceId()), national, scoped, at);
            out.put(d.deviceId(), profileOf(policy.get(), d.deviceId(), override, at));
        }
        return out;
    }

    Optional<ProfileOverride> overrideAt(Instant at) {
        return store.override().filter(o -> o.activeAt(at));
    }

    /** The profile this node last brought its devices to; null without a policy. */
    Profile appliedProfile() {
        return appliedProfile;
    }

    /** A device's profile as the last reconcile decided it, on every node; empty if it has not. */
    Optional<Profile> appliedProfile(DeviceId id) {
        return Optional.ofNullable(appliedByDevice.get(id));
    }

    /** The policy version the last reconcile acted on; -1 before the first. */
    long reconciledVersion() {
        return reconciledVersion;
    }

    /** The override the last reconcile acted on. */
    Optional<ProfileOverride> reconciledOverride() {
        return reconciledOverride;
    }

    /** The boards', site classes' and sites' overrides the last reconcile acted on. */
    Map<RateScope, ProfileOverride> reconciledScopedOverrides() {
        return reconciledScopedOverrides;
    }

    /** When this node last applied a new profile, or started. */
    Optional<Instant> lastSwitchOver() {
        return Optional.ofNullable(lastSwitchOver);
    }

    /**
     * Starts bringing every device this node masters to the policy and profile in force now,
     * and cleans those that left the policy. Does not wait (see {@link DeviceProgramming}).
     */
    void reconcile() {
        Instant decidedAt = clock.get();
        long version = store.policyVersion();
        Optional<ProfileOverride> override = store.override();
        Map<RateScope, ProfileOverride> scopedOverrides = store.scopedOverrides();
        Optional<SlicePolicy> policy = store.policy();
        Set<DeviceId> wanted = new HashSet<>();
        Map<DeviceId, Profile> applyingByDevice = profilesAt(decidedAt);
        if (policy.isPresent()) {
            passProfiles = applyingByDevice;   // one read of the store for a boundary's N devices
            try {
                for (DeviceUplink d : policy.get().devices()) {
                    wanted.add(d.deviceId());
                    devices.program(d.deviceId());
                }
            } finally {
                passProfiles = null;
            }
        }
        for (DeviceId stale : store.devicesWithMeters()) {
            if (!wanted.contains(stale)) {
                cleanIfLeft(stale, decidedAt);
            }
        }
        Profile applying = policy.isPresent() ? profileAt(decidedAt) : null;
        if (applying != appliedProfile || applyingByDevice.entrySet().stream().anyMatch(e ->
                appliedByDevice.containsKey(e.getKey()) && appliedByDevice.get(e.getKey()) != e.getValue())) {
            lastSwitchOver = decidedAt;
        }
        appliedProfile = applying;
        appliedByDevice = applyingByDevice;
        // Set last, so that a change waiting for its reconcile finds its devices under way,
        // and a reconcile that failed part-way is done again.
        reconciledVersion = version;
        reconciledOverride = override;
        reconciledScopedOverrides = scopedOverrides;
        scheduleNextCheck(decidedAt);
        stageUpcoming(decidedAt);
    }

    /**
     * Within {@link #STAGE_LEAD} of the next boundary or override expiry, each device this node
     * masters whose profile changes then stages that profile's meters.
     */
    private void stageUpcoming(Instant now) {
        stagingBoundary(now).ifPresent(next -> {
            Map<DeviceId, Profile> inForce = appliedByDevice;
            profilesAt(next).forEach((id, profile) -> {
                if (inForce.containsKey(id) && inForce.get(id) != profile) {
                    devices.stage(id, profile, next);
                }
            });
        });
    }

    /** {@link #stageUpcoming} for one device that has just come in sync, e.g. after a change. */
    void stageIfDue(DeviceId id) {
        Profile inForce = appliedByDevice.get(id);
        stagingBoundary(clock.get()).ifPresent(next -> {
            Profile then = profileAt(id, next);
            if (inForce != null && then != inForce) {
                devices.stage(id, then, next);
            }
        });
    }

    /** The next boundary or override expiry, if staging is on and it is within {@link #STAGE_LEAD}. */
    private Optional<Instant> stagingBoundary(Instant now) {
        if (STAGE_LEAD.isZero() || store.policy().isEmpty()) {
            return Optional.empty();
        }
        Instant next = nextChange(now);
        return next.isAfter(now.plus(STAGE_LEAD)) ? Optional.empty() : Optional.of(next);
    }

    /** Reconciles if the policy or override changed since the last reconcile. */
    void reconcileIfStale() {
        if (stale()) {
            reconcile();
        }
    }

    private boolean stale() {
        return store.policyVersion() != reconciledVersion || !store.override().equals(reconciledOverride)
                || !store.scopedOverrides().equals(reconciledScopedOverrides);
    }

    /** Re-evaluates the profile; reprograms when it changed. */
    void evaluate() {
        Instant now = clock.get();
        Optional<ProfileOverride> stored = store.override();
        if (stored.isPresent() && !stored.get().activeAt(now) && store.clearOverride(stored.get())) {
            audit.accept(new AuditEntry(0, now, stored.get().user(), "schedule", "override-expired",
                    stored.get().toString(), null));
        }
        store.scopedOverrides().forEach((scope, o) -> {
            if (!o.activeAt(now) && store.setScopedOverride(scope, null, o)) {
                audit.accept(new AuditEntry(0, now, o.user(), "schedule", "override-expired " + scope,
                        o.toString(), null));
            }
        });
        Profile target = profileAt(now);
        if (store.policy().isPresent() && target != appliedProfile) {
            Optional<Profile> before = store.recordedProfile();
            if (store.recordProfile(target)) {   // one node of the cluster audits the change
                audit.accept(new AuditEntry(0, now, "carelane", "schedule", "profile-change",
                        before.map(Profile::jsonName).orElse(null), target.jsonName()));
            }
            reconcile();
        } else if (store.policy().isPresent() && !profilesAt(now).equals(appliedByDevice)) {
            reconcile();   // a scope's own schedule crossed a boundary, or its override ended
        } else if (stale()) {
            reconcile();   // a store event that never came: the timer catches it up
        } else {
            scheduleNextCheck(now);
            stageUpcoming(now);
        }
    }

    /**
     * Milliseconds from now until the first change after {@code decidedAt} (the instant the
     * profile in force was decided): the next boundary or override expiry, capped at
     * {@link #MAX_SLEEP}. Rounded up, so that the timer never fires before the boundary, and
     * 1 ms if that change has already passed while the decision was being applied.
     */
    long nextCheckDelayMillis(Instant decidedAt) {
        Instant next = nextChange(decidedAt);
        Instant stageAt = next.minus(STAGE_LEAD);
        if (!STAGE_LEAD.isZero() && stageAt.isAfter(decidedAt)) {
            next = stageAt;   // wakes first to stage the devices' meters for it
        }
        long nanos = Duration.between(clock.get(), next).toNanos();
        long millis = (nanos + 999_999) / 1_000_000;
        return Math.max(1, Math.min(millis, MAX_SLEEP.toMillis()));
    }

    /** The first boundary or override expiry after {@code at}, or {@code at} + {@link #MAX_SLEEP}. */
    private Instant nextChange(Instant at) {
        Optional<ProfileOverride> override = overrideAt(at);
        Instant next = store.policy()
                .flatMap(p -> schedulesInUse(p).stream()
                        .map(s -> ScheduleCalculator.nextChange(s, override, at)).min(Instant::compareTo))
                .orElse(at.plus(MAX_SLEEP));
        for (ProfileOverride o : store.scopedOverrides().values()) {
            if (o.activeAt(at) && o.expiresAt().isBefore(next)) {
                next = o.expiresAt();
            }
        }
        return next;
    }

    /** Stops the schedule timer and every retry; what is in flight goes on. */
    void stop() {
        if (nextCheck != null) {
            nextCheck.cancel(false);
        }
    }

    private void scheduleNextCheck(Instant decidedAt) {
        scheduleCheck(nextCheckDelayMillis(decidedAt));
    }

    private void scheduleCheck(long delayMillis) {
        if (nextCheck != null) {
            nextCheck.cancel(false);
        }
        if (!carelane.isShutdown()) {
            nextCheck = carelane.schedule(this::evaluateSafely, delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void evaluateSafely() {
        try {
            evaluate();
        } catch (RuntimeException e) {
            log.error("CareLane schedule evaluation failed; retrying in {}", RETRY_AFTER_FAILURE, e);
            scheduleCheck(RETRY_AFTER_FAILURE.toMillis());
        }
    }

    /**
     * Removes what CareLane installed on a device that has left the policy, if this node masters
     * it. A device that had no master when it left is cleaned by the node it gets next.
     *
     * @return true if the device has left the policy
     */
    boolean cleanIfLeft(DeviceId id, Instant decidedAt) {
        if (store.policy().flatMap(p -> p.device(id)).isPresent()) {
            return false;
        }
        if (mastership.isLocalMaster(id) && store.devicesWithMeters().contains(id)) {
            forgetCounters.accept(id);
            devices.clear(id, decidedAt);
        }
        if (mastership.isLocalMaster(id)) {
            store.setQueueProfile(id, Optional.empty());   // the queues' owner removes them
        }
        return true;
    }

    private void storeChanged(CareLaneStoreEvent event) {
        if (event.type() == CareLaneStoreEvent.Type.QUEUES_WANTED) {
            onCareLaneThread(() -> queues.wanted(DeviceId.deviceId(event.subject())));
            return;
        }
        onCareLaneThread(this::reconcileIfStale);
        if (event.type() == CareLaneStoreEvent.Type.POLICY_CHANGED) {
            onCareLaneThread(queues::wantedAll);
        }
    }

    private void onCareLaneThread(Runnable task) {
        if (!carelane.isShutdown()) {
            carelane.execute(task);
        }
    }

    /** Switches connecting and going; OVSDB devices for the uplink queues. */
    private final class InternalDeviceListener implements DeviceListener {
        @Override
        public boolean isRelevant(DeviceEvent event) {
            switch (event.type()) {
                case DEVICE_ADDED:
                case DEVICE_AVAILABILITY_CHANGED:
                    return true;
                case DEVICE_UPDATED:
                    return "ovsdb".equals(event.subject().id().uri().getScheme());
                default:
                    return false;   // port and statistics events every few seconds
            }
        }

        @Override
        public void event(DeviceEvent event) {
            DeviceId id = event.subject().id();
            if ("ovsdb".equals(id.uri().getScheme())) {
                // An OVSDB device came, went or got another driver: its uplink queues try again.
                onCareLaneThread(() -> queues.wantedOn(id));
            } else if (event.type() != DeviceEvent.Type.DEVICE_UPDATED) {
                // Connected: program it. Disconnected: shown as waiting until it is back.
                onCareLaneThread(() -> {
                    if (!cleanIfLeft(id, clock.get())) {
                        devices.connected(id);
                    }
                });
            }
        }
    }

    /**
     * A driver gained behaviours, as when ONOS's OVSDB drivers load after CareLane: uplink queues
     * that found their driver lacking try again.
     */
    private final class InternalDriverListener implements DriverListener {
        @Override
        public boolean isRelevant(DriverEvent event) {
            return event.type() == DriverEvent.Type.DRIVER_ENHANCED;
        }

        @Override
        public void event(DriverEvent event) {
            onCareLaneThread(queues::wantedAll);
        }
    }

    /** Meters leaving ONOS's store: CareLane's own (lost ones), and others' (room). */
    private final class InternalMeterListener implements MeterListener {
        @Override
        public boolean isRelevant(MeterEvent event) {
            return event.type() == MeterEvent.Type.METER_REMOVED;
        }

        @Override
        public void event(MeterEvent event) {
            DeviceId id = event.subject().deviceId();
            if (appId.equals(event.subject().appId())) {
                long meterId = event.subject().id().id();
                onCareLaneThread(() -> devices.meterRemoved(id, meterId));
            } else {
                onCareLaneThread(() -> devices.meterLeft(id));   // room for a meter on the device
            }
        }
    }

    /**
     * A device's master changed: the new one takes over, or cleans a device that left. When
     * the mastership moved from one node to another the switch kept its tables; when the device
     * had no master, or the same node masters it again, its switch reconnected and may have
     * lost them (in a cluster ONOS tells that before the device's availability).
     */
    private final class InternalMastershipListener implements MastershipListener {
        @Override
        public void event(MastershipEvent event) {
            if (event.type() == MastershipEvent.Type.MASTER_CHANGED) {
                DeviceId id = event.subject();
                if ("ovsdb".equals(id.uri().getScheme())) {
                    onCareLaneThread(() -> queues.wantedOn(id));   // the queues on it have another owner
                    return;
                }
                Optional<NodeId> master = event.mastershipInfo().master();
                onCareLaneThread(() -> {
                    Optional<NodeId> before = lastMaster.put(id, master);
                    boolean moved = before != null && before.isPresent() && master.isPresent()
                            && !before.equals(master);
                    keeper.forget(id);
                    if (!cleanIfLeft(id, clock.get())) {
                        devices.masterChanged(id, !moved);
                    }
                    queues.wanted(id);
                });
            }
        }
    }
}
