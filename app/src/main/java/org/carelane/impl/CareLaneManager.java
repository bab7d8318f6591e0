package org.carelane.impl;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.AuditEntry;
import org.carelane.api.CareLaneService;
import org.carelane.api.CareLaneStore;
import org.carelane.api.CareLaneStoreDelegate;
import org.carelane.api.DeviceUplink;
import org.carelane.api.InstalledMeter;
import org.carelane.api.PeakSchedule;
import org.carelane.api.PolicyException;
import org.carelane.api.Profile;
import org.carelane.api.ProfileOverride;
import org.carelane.api.SliceDefinition;
import org.carelane.api.SlicePolicy;
import org.carelane.api.SliceRates;
import org.carelane.api.SliceStats;
import org.carelane.config.CareLaneConfig;
import org.carelane.policy.PolicyCodec;
import org.carelane.policy.PolicyValidator;
import org.carelane.policy.ScheduleCalculator;
import org.onosproject.app.ApplicationService;
import org.onosproject.app.ApplicationState;
import org.onosproject.core.ApplicationId;
import org.onosproject.core.CoreService;
import org.onosproject.mastership.MastershipEvent;
import org.onosproject.mastership.MastershipListener;
import org.onosproject.mastership.MastershipService;
import org.onosproject.net.DeviceId;
import org.onosproject.net.device.DeviceEvent;
import org.onosproject.net.device.DeviceListener;
import org.onosproject.net.device.DeviceService;
import org.onosproject.net.config.ConfigFactory;
import org.onosproject.net.config.NetworkConfigEvent;
import org.onosproject.net.config.NetworkConfigListener;
import org.onosproject.net.config.NetworkConfigRegistry;
import org.onosproject.net.config.basics.SubjectFactories;
import org.onosproject.net.flow.FlowEntry;
import org.onosproject.net.flow.FlowRule;
import org.onosproject.net.flow.FlowRuleService;
import org.onosproject.net.meter.MeterEvent;
import org.onosproject.openflow.controller.OpenFlowController;
import org.onosproject.openflow.controller.OpenFlowEventListener;
import org.onosproject.net.meter.MeterListener;
import org.onosproject.net.meter.MeterService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.slf4j.LoggerFactory.getLogger;

/**
 * CareLane: slices WAN traffic with meters, DSCP marks and queues, switching profile
 * on the peak schedule. Each node programs the devices it is master of.
 */
@Component(immediate = true, service = CareLaneService.class)
public class CareLaneManager implements CareLaneService {
    public static final String APP_NAME = "org.carelane.app";
    /** Re-check at least this often, so that wall-clock steps (NTP) are caught. */
    static final Duration MAX_SLEEP = Duration.ofSeconds(30);
    /** An attempt on a device that has not finished by then fails and is retried. */
    static final Duration PROGRAM_TIMEOUT = Duration.ofSeconds(30);
    /** How long a change waits for the devices before it answers; they go on in the background. */
    static final Duration PROMPT = Duration.ofMillis(750);
    /** Time ONOS gets to send new meters before the rules that use them (see SliceProgrammer). */
    static final Duration METER_GRACE = Duration.ofMillis(150);
    /**
     * After ONOS's flow-stats poll (every 5 s) every rule of a successful attempt must be ADDED.
     * ONOS 2.7.0 completes a batch at the barrier even when the switch rejected a rule with a
     * meter error, so success alone does not prove the rules are on the switch. Two polls and
     * a margin: with 7 s, a busy 2-core host sometimes failed rules that were on the switch.
     */
    static final Duration VERIFY_AFTER = Duration.ofSeconds(12);
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(1);
    /** Longest a REST or CLI change's write-back to netcfg may hold off other nodes' netcfg reloads. */
    static final Duration WRITE_BACK_LIMIT = Duration.ofSeconds(10);

    private final Logger log = getLogger(getClass());

    @Reference(cardinality = ReferenceCardinality.MANDATORY)
    protected CoreService coreService;
    @Reference(cardinality = ReferenceCardinality.MANDATORY)
    protected NetworkConfigRegistry configRegistry;
    @Reference(cardinality = ReferenceCardinality.MANDATORY)
    protected FlowRuleService flowRuleService;
    @Reference(cardinality = ReferenceCardinality.MANDATORY)
    protected MeterService meterService;
    @Reference(cardinality = ReferenceCardinality.MANDATORY)
    protected MastershipService mastershipService;
    @Reference(cardinality = ReferenceCardinality.MANDATORY)
    protected DeviceService deviceService;
    @Reference(cardinality = ReferenceCardinality.MANDATORY)
    protected CareLaneStore store;
    @Reference(cardinality = ReferenceCardinality.MANDATORY)
    protected ApplicationService applicationService;

    /** Counts what CareLane's meters drop, from the OpenFlow meter-stats replies ONOS asks for. */
    private final MeterDrops meterDrops = new MeterDrops(id -> store.installedMeters(id));
    private final OpenFlowEventListener meterStatsListener = new OpenFlowMeterStatsListener(meterDrops);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    protected void bindOpenFlowController(OpenFlowController controller) {
        controller.addEventListener(meterStatsListener);
    }

    protected void unbindOpenFlowController(OpenFlowController controller) {
        controller.removeEventListener(meterStatsListener);
    }

    private final ConfigFactory<ApplicationId, CareLaneConfig> configFactory =
            new ConfigFactory<>(SubjectFactories.APP_SUBJECT_FACTORY, CareLaneConfig.class, CareLaneConfig.KEY) {
                @Override
                public CareLaneConfig createConfig() {
                    return new CareLaneConfig();
                }
            };
    private final NetworkConfigListener configListener = new InternalConfigListener();
    private final DeviceListener deviceListener = new InternalDeviceListener();
    private final MeterListener meterListener = new InternalMeterListener();
    private final MastershipListener mastershipListener = new InternalMastershipListener();
    /** Hears policy and override changes made on any node of the cluster. */
    private final CareLaneStoreDelegate storeDelegate = event -> onCareLaneThread(this::reconcileIfStale);

    private Clock clock = Clock.systemUTC();
    private ApplicationId appId;
    private volatile SliceProgrammer programmer;
    private volatile Duration programTimeout = PROGRAM_TIMEOUT;
    /** Package-private for the test bed, whose doubles deliver in order at once. */
    volatile Duration meterGrace = METER_GRACE;
    private ScheduledExecutorService executor;
    /** The steps that follow ONOS's callbacks (see SliceProgrammer); never ONOS's own threads. */
    private ExecutorService programming;
    private ScheduledFuture<?> nextCheck;
    private volatile Profile appliedProfile;
    /** The policy version and override the last reconcile acted on (CareLane thread). */
    private long reconciledVersion = -1;
    private Optional<ProfileOverride> reconciledOverride = Optional.empty();
    private final DeviceSyncTracker sync = new DeviceSyncTracker();
    private final RetiredCounters retired = new RetiredCounters();
    private CareLaneReports reports;
    private MetricsReport metrics;
    /** When this node last applied a new profile, or started. */
    private volatile Instant lastSwitchOver;
    // The maps below are touched only on the CareLane thread.
    /** Devices with an attempt in flight. */
    private final Map<DeviceId, CompletableFuture<Void>> inFlight = new HashMap<>();
    /** Devices whose policy changed during their attempt: they go again when it ends. */
    private final Set<DeviceId> dirty = new HashSet<>();
    private final Map<DeviceId, ScheduledFuture<?>> retries = new HashMap<>();
    /** Devices whose switch may not hold what ONOS thinks: they get a fresh generation. */
    private final Set<DeviceId> fresh = new HashSet<>();

    @Activate
    protected void activate() {
        appId = coreService.registerApplication(APP_NAME);
        executor = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "carelane"));
        programming = Executors.newSingleThreadExecutor(r -> new Thread(r, "carelane-programming"));
        programmer = newProgrammer();
        reports = new CareLaneReports(appId, store, flowRuleService, meterService, deviceService, mastershipService,
                sync, retired);
        metrics = new MetricsReport(store, reports, meterDrops, sync, mastershipService);
        configRegistry.registerConfigFactory(configFactory);
        store.setDelegate(storeDelegate);
        configRegistry.addListener(configListener);
        deviceService.addListener(deviceListener);
        meterService.addListener(meterListener);
        mastershipService.addListener(mastershipListener);
        runAndWait(() -> {
            loadConfig("activate");
            reconcile();
        });
        awaitSettled(PROMPT);
        log.info("CareLane started");
    }

    @Deactivate
    protected void deactivate() {
        mastershipService.removeListener(mastershipListener);
        meterService.removeListener(meterListener);
        deviceService.removeListener(deviceListener);
        configRegistry.removeListener(configListener);
        store.unsetDelegate(storeDelegate);
        configRegistry.unregisterConfigFactory(configFactory);
        // ONOS marks the app deactivated in its store before it stops the components on every
        // node (DistributedApplicationStore.deactivate): then each node cleans the devices it
        // masters, so all are cleaned. A node that stops keeps the app ACTIVE: its devices keep
        // their rules and meters for the next master.
        if (applicationService.getState(appId) != ApplicationState.ACTIVE) {
            runAndWait(this::removeMastered);
        } else {
            log.info("CareLane stopping with the node; rules stay on the devices for their next master");
        }
        executor.shutdownNow();
        programming.shutdownNow();
        log.info("CareLane stopped");
    }

    /** For tests and the OVS harness: the time source of the schedule. */
    public void setClock(Clock clock) {
        this.clock = clock;
    }

    /** For tests: how long an attempt on a device may take before it fails and is retried. */
    void setProgramTimeout(Duration timeout) {
        programTimeout = timeout;
        programmer = newProgrammer();
    }

    private SliceProgrammer newProgrammer() {
        return new SliceProgrammer(appId, flowRuleService, meterService, store, programTimeout, retired, meterGrace,
                programming);
    }

    public ApplicationId appId() {
        return appId;
    }

    // ---- service -------------------------------------------------------

    @Override
    public Optional<SlicePolicy> policy() {
        return store.policy();
    }

    @Override
    public long policyVersion() {
        return store.policyVersion();
    }

    @Override
    public Instant now() {
        return clock.instant();
    }

    @Override
    public Profile activeProfile() {
        return profileAt(clock.instant());
    }

    private Profile profileAt(Instant at) {
        return store.policy().map(p -> ScheduleCalculator.effective(p.schedule(), overrideAt(at), at))
                .orElse(Profile.OFF_PEAK);
    }

    @Override
    public Optional<ProfileOverride> override() {
        return liveOverride();
    }

    @Override
    public void setRates(String slice, Profile profile, SliceRates rates, String user, String source) {
        setRates(slice, profile, rates.maxKbps(), OptionalLong.of(rates.minKbps()), user, source);
    }

    @Override
    public void setRates(String slice, Profile profile, long maxKbps, OptionalLong minKbps, String user,
                         String source) {
        if (maxKbps <= 0) {
            throw new PolicyException("maxKbps", "must be positive, got " + maxKbps);
        }
        if (minKbps.isPresent() && minKbps.getAsLong() < 0) {
            throw new PolicyException("minKbps", "must not be negative, got " + minKbps.getAsLong());
        }
        update(user, source, "set-rate " + slice + " " + profile.jsonName(), current -> {
            SliceDefinition def = current.requireSlice(slice);
            if (def.drop()) {
                throw new PolicyException("slice", "slice '" + slice + "' drops traffic and has no rates");
            }
            // Read inside the atomic update, so a concurrent reservation change is not overwritten.
            long min = minKbps.orElse(def.rates(profile) == null ? 0 : def.rates(profile).minKbps());
            if (min > maxKbps) {
                throw new PolicyException("minKbps", "must not exceed maxKbps (" + min + " > " + maxKbps + ")");
            }
            SlicePolicy next = current.withSlice(def.withRates(profile, new SliceRates(maxKbps, min)));
            try {
                PolicyValidator.validateCapacity(next, profile);
            } catch (PolicyException e) {
                throw new PolicyException(e.field().endsWith("minKbps") ? "minKbps" : "maxKbps", e.reason());
            }
            return next;
        });
    }

    @Override
    public void setSchedule(PeakSchedule schedule, String user, String source) {
        update(user, source, "set-schedule", current -> current.withSchedule(schedule));
    }

    @Override
    public void setOverride(Profile profile, Instant expiresAt, String user, String reason, String source) {
        if (!expiresAt.isAfter(clock.instant())) {
            throw new PolicyException("expiresAt", "must be in the future");
        }
        ProfileOverride next = new ProfileOverride(profile, expiresAt, user, reason);
        long start = System.nanoTime();
        runAndWait(() -> {
            String before = liveOverride().map(Object::toString).orElse(null);
            store.setOverride(next);
            audit(user, source, "set-override", before, next.toString());
        });
        reconcileWithinPrompt(start);
    }

    @Override
    public boolean clearOverride(String user, String source) {
        boolean[] removed = new boolean[1];
        long start = System.nanoTime();
        runAndWait(() -> {
            Optional<ProfileOverride> before = store.override();
            removed[0] = before.isPresent();
            if (removed[0]) {
                store.clearOverride();
                audit(user, source, "clear-override", before.get().toString(), null);
            }
        });
        if (removed[0]) {
            reconcileWithinPrompt(start);
        }
        return removed[0];
    }

    @Override
    public ObjectNode status() {
        ObjectNode root = PolicyCodec.mapper().createObjectNode();
        root.put("activeProfile", activeProfile().jsonName());
        root.put("appliedProfile", appliedProfile == null ? null : appliedProfile.jsonName());
        root.put("time", clock.instant().toString());
        root.put("policyVersion", store.policyVersion());
        liveOverride().ifPresent(o -> root.putObject("override").put("profile", o.profile().jsonName())
                .put("expiresAt", o.expiresAt().toString()).put("user", o.user()));
        store.policy().ifPresent(p -> root.put("nextChange",
                ScheduleCalculator.nextChange(p.schedule(), liveOverride(), clock.instant()).toString()));
        reports.writeDevices(root.putArray("devices"));
        return root;
    }

    @Override
    public List<SliceStats> stats() {
        return reports.stats();
    }

    /** For tests: what ONOS's OpenFlow controller hands meter-stats replies to. */
    OpenFlowEventListener meterStatsListener() {
        return meterStatsListener;
    }

    @Override
    public String metrics() {
        return metrics.write(activeProfile(), liveOverride().isPresent(), Optional.ofNullable(lastSwitchOver));
    }

    @Override
    public List<AuditEntry> audit(int max) {
        return store.audit(max);
    }

    // ---- scheduling and programming --------------------------------------

    /** Re-evaluates the profile; reprograms when it changed. Runs on the CareLane thread. */
    void evaluate() {
        Instant now = clock.instant();
        Optional<ProfileOverride> stored = store.override();
        if (stored.isPresent() && !stored.get().activeAt(now) && store.clearOverride(stored.get())) {
            audit(stored.get().user(), "schedule", "override-expired", stored.get().toString(), null);
        }
        Profile target = profileAt(now);
        if (store.policy().isPresent() && target != appliedProfile) {
            Optional<Profile> before = store.recordedProfile();
            if (store.recordProfile(target)) {   // one node of the cluster audits the change
                audit("carelane", "schedule", "profile-change", before.map(Profile::jsonName).orElse(null),
                        target.jsonName());
            }
            reconcile();
        } else {
            scheduleNextCheck(now);
        }
    }

    /** Milliseconds until the next evaluation, if the profile was decided now. */
    long nextCheckDelayMillis() {
        return nextCheckDelayMillis(clock.instant());
    }

    /**
     * Milliseconds from now until the first change after {@code decidedAt} (the instant the
     * profile in force was decided): the next boundary or override expiry, capped at
     * {@link #MAX_SLEEP}. Rounded up, so that the timer never fires before the boundary, and
     * 1 ms if that change has already passed while the decision was being applied.
     */
    long nextCheckDelayMillis(Instant decidedAt) {
        Instant next = store.policy()
                .map(p -> ScheduleCalculator.nextChange(p.schedule(), overrideAt(decidedAt), decidedAt))
                .orElse(decidedAt.plus(MAX_SLEEP));
        long nanos = Duration.between(clock.instant(), next).toNanos();
        long millis = (nanos + 999_999) / 1_000_000;
        return Math.max(1, Math.min(millis, MAX_SLEEP.toMillis()));
    }

    private void scheduleNextCheck(Instant decidedAt) {
        scheduleCheck(nextCheckDelayMillis(decidedAt));
    }

    private void scheduleCheck(long delayMillis) {
        if (nextCheck != null) {
            nextCheck.cancel(false);
        }
        if (!executor.isShutdown()) {
            nextCheck = executor.schedule(this::evaluateSafely, delayMillis, TimeUnit.MILLISECONDS);
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
     * Starts bringing every device this node masters to the policy and profile in force now.
     * Does not wait: each device's attempt ends in {@link #attemptEnded}.
     */
    private void reconcile() {
        Instant decidedAt = clock.instant();
        reconciledVersion = store.policyVersion();
        reconciledOverride = store.override();
        Optional<SlicePolicy> policy = store.policy();
        Set<DeviceId> wanted = new HashSet<>();
        if (policy.isPresent()) {
            for (DeviceUplink d : policy.get().devices()) {
                wanted.add(d.deviceId());
                program(d.deviceId());
            }
        }
        for (DeviceId stale : store.devicesWithMeters()) {
            if (!wanted.contains(stale) && mastershipService.isLocalMaster(stale)) {
                cancelRetry(stale);
                retired.forget(stale);
                meterDrops.forget(stale);
                sync.removing(stale, decidedAt);
                CompletableFuture<Void> clearing = programmer.clear(stale);
                inFlight.put(stale, clearing);
                CompletableFuture<Void> unused = clearing.whenComplete((v, e) -> onCareLaneThread(() -> {
                    inFlight.remove(stale);
                    sync.forget(stale);
                    if (e != null) {
                        log.warn("CareLane could not clear {}: {}", stale, e.getMessage());
                    }
                }));
            }
        }
        Profile applying = policy.isPresent() ? profileAt(decidedAt) : null;
        if (applying != appliedProfile) {
            lastSwitchOver = decidedAt;
        }
        appliedProfile = applying;
        scheduleNextCheck(decidedAt);
    }

    /**
     * Reconciles if the policy or override changed since the last reconcile: a change made
     * on another node, or this node's own change echoed back by the store or netcfg.
     */
    private void reconcileIfStale() {
        if (store.policyVersion() != reconciledVersion || !store.override().equals(reconciledOverride)) {
            reconcile();
        }
    }

    /** One attempt to bring a device to the policy in force; runs on the CareLane thread. */
    private void program(DeviceId id) {
        if (inFlight.containsKey(id)) {
            dirty.add(id);
            return;
        }
        Optional<SlicePolicy> policy = store.policy();
        Optional<DeviceUplink> device = policy.flatMap(p -> p.device(id));
        if (device.isEmpty() || !mastershipService.isLocalMaster(id)) {
            cancelRetry(id);
            sync.forget(id);
            return;
        }
        Instant now = clock.instant();
        Profile profile = profileAt(now);
        long version = store.policyVersion();
        Optional<DeviceSyncTracker.Entry> last = sync.get(id);
        if (retries.containsKey(id) && last.isPresent() && last.get().state == DeviceSyncTracker.State.FAILED
                && last.get().policyVersion == version && last.get().profile == profile) {
            return;   // nothing new since the failure: keep to the backoff
        }
        cancelRetry(id);
        if (!deviceService.isAvailable(id)) {
            // Programmed when it connects (device listener).
            sync.waiting(id, profile, version, now, "device not available");
            return;
        }
        sync.pending(id, profile, version, now);
        boolean renew = fresh.remove(id);
        CompletableFuture<Void> attempt;
        try {
            attempt = programmer.program(policy.get(), profile, device.get(), renew);
        } catch (RuntimeException e) {
            attempt = CompletableFuture.failedFuture(e);
        }
        inFlight.put(id, attempt);
        CompletableFuture<Void> unused =
                attempt.whenComplete((v, error) -> onCareLaneThread(() -> attemptEnded(id, profile, version, error)));
    }

    private void attemptEnded(DeviceId id, Profile profile, long version, Throwable error) {
        inFlight.remove(id);
        if (dirty.remove(id)) {
            program(id);
            return;
        }
        Instant now = clock.instant();
        if (error == null) {
            sync.inSync(id, profile, version, now);
            if (!executor.isShutdown()) {
                retries.put(id, executor.schedule(() -> verify(id), VERIFY_AFTER.toMillis(), TimeUnit.MILLISECONDS));
            }
            return;
        }
        String reason = rootMessage(error);
        fresh.add(id);   // what the failed attempt left on the switch is uncertain
        Duration delay = sync.failed(id, profile, version, now, reason);
        log.warn("CareLane could not program {} ({}); previous rules kept, retrying in {}", id, reason, delay);
        if (!executor.isShutdown()) {
            retries.put(id, executor.schedule(() -> {
                retries.remove(id);
                program(id);
            }, delay.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    /** For tests: runs {@link #verify} now on the CareLane thread. */
    void verifyNow(DeviceId id) {
        runAndWait(() -> verify(id));
        try {
            programming.submit(() -> { }).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runAndWait(() -> { });
    }

    /**
     * Checks, after a flow-stats poll, that ONOS found every rule of an in-sync device on it,
     * and withdraws stray meters. The reads run on the programming thread, so that verifying
     * many devices does not hold up changes waiting for the CareLane thread.
     */
    private void verify(DeviceId id) {
        retries.remove(id);
        Optional<DeviceSyncTracker.Entry> state = sync.get(id);
        if (state.isEmpty() || state.get().state != DeviceSyncTracker.State.IN_SYNC || inFlight.containsKey(id)) {
            return;
        }
        programming.execute(() -> {
            long missing = 0;
            for (FlowEntry e : flowRuleService.getFlowEntries(id)) {
                if (e.appId() == appId.id() && e.state() != FlowEntry.FlowEntryState.ADDED) {
                    missing++;
                }
            }
            List<String> lost = programmer.lostMeters(id);
            List<InstalledMeter> stray = missing > 0 || !lost.isEmpty() ? List.of() : programmer.strayMeters(id);
            long notOnSwitch = missing;
            onCareLaneThread(() -> verified(id, state.get(), notOnSwitch, lost, stray));
        });
    }

    private void verified(DeviceId id, DeviceSyncTracker.Entry checked, long missing, List<String> lost,
                          List<InstalledMeter> stray) {
        if (sync.get(id).orElse(null) != checked || inFlight.containsKey(id)) {
            return;   // an attempt ran meanwhile: what was read may be out of date
        }
        if (!lost.isEmpty()) {
            attemptEnded(id, checked.profile, checked.policyVersion, lostMetersError(lost));
            return;
        }
        if (missing > 0) {
            attemptEnded(id, checked.profile, checked.policyVersion, new IllegalStateException(
                    missing + " rule(s) not on the switch after ONOS's flow-stats poll"));
            return;
        }
        programmer.withdrawMeters(id, stray);
    }

    private static IllegalStateException lostMetersError(List<String> lost) {
        return new IllegalStateException("ONOS dropped meter(s) in use from its store: " + String.join(", ", lost));
    }

    /**
     * ONOS removed a CareLane meter: if it was one in use, the device fails and gets a fresh
     * generation (see {@link SliceProgrammer#lostMeters}); an attempt in flight goes again.
     */
    private void meterRemoved(DeviceId id) {
        if (!mastershipService.isLocalMaster(id)) {
            return;
        }
        List<String> lost = programmer.lostMeters(id);
        if (lost.isEmpty()) {
            return;   // one CareLane withdrew
        }
        fresh.add(id);
        Optional<DeviceSyncTracker.Entry> state = sync.get(id);
        if (inFlight.containsKey(id)) {
            dirty.add(id);
        } else if (state.isPresent() && state.get().state == DeviceSyncTracker.State.IN_SYNC) {
            cancelRetry(id);
            attemptEnded(id, state.get().profile, state.get().policyVersion, lostMetersError(lost));
        }
    }

    private void cancelRetry(DeviceId id) {
        ScheduledFuture<?> retry = retries.remove(id);
        if (retry != null) {
            retry.cancel(false);
        }
    }

    /** The reason behind the wrappers of a failed attempt. */
    private String rootMessage(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && (t instanceof CompletionException || t instanceof ProgrammingException)) {
            t = t.getCause();
        }
        if (t instanceof TimeoutException) {
            return "timed out after " + programTimeout.toMillis() + " ms";
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** Waits up to {@code limit} until no attempt is in flight; the rest goes on in the background. */
    private void awaitSettled(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!sync.settled() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void onCareLaneThread(Runnable task) {
        if (!executor.isShutdown()) {
            executor.execute(task);
        }
    }

    /** The netcfg block was removed: stop slicing and remove what was installed. */
    private void removePolicy() {
        store.clearPolicy().ifPresent(before ->
                audit("netcfg", "netcfg", "remove-policy", PolicyCodec.encode(before).toString(), null));
        reconcile();
    }

    /** Removes CareLane's rules and meters from the devices this node masters. */
    private void removeMastered() {
        new ArrayList<>(retries.keySet()).forEach(this::cancelRetry);
        await(new ArrayList<>(inFlight.values()));
        List<CompletableFuture<Void>> work = new ArrayList<>();
        store.devicesWithMeters().stream().filter(mastershipService::isLocalMaster)
                .forEach(id -> work.add(programmer.clear(id)));
        await(work);
        // Per mastered device: reading another master's flows can fail (see CareLaneReports).
        List<FlowRule> leftovers = new ArrayList<>();
        for (DeviceId id : reports.policyDevices()) {
            if (mastershipService.isLocalMaster(id)) {
                leftovers.addAll(reports.carelaneFlows(id));
            }
        }
        flowRuleService.removeFlowRules(leftovers.toArray(new FlowRule[0]));
    }

    /** Read-modify-write of the policy, atomic across the cluster, then reprogram and audit. */
    private void update(String user, String source, String action, java.util.function.UnaryOperator<SlicePolicy> f) {
        long start = System.nanoTime();
        boolean[] changed = new boolean[1];
        runAndWait(() -> {
            store.markWriteBack(clock.instant().plus(WRITE_BACK_LIMIT));
            try {
                changed[0] = auditIfChanged(store.updatePolicy(f), user, source, action);
                if (changed[0]) {
                    writeBackToNetcfg();
                }
            } finally {
                store.clearWriteBack();
            }
        });
        if (changed[0]) {
            reconcileWithinPrompt(start);
        }
    }

    /**
     * Reconciles on the CareLane thread after a stored change, and waits for that and for the
     * devices until {@link #PROMPT} after {@code start}, no longer: with many devices the
     * caller gets its answer while programming goes on (see /status).
     */
    private void reconcileWithinPrompt(long start) {
        CompletableFuture<Void> reconciled = new CompletableFuture<>();
        onCareLaneThread(() -> {
            try {
                reconcile();
            } catch (RuntimeException e) {
                log.error("CareLane could not start programming the devices; the change is stored", e);
            } finally {
                reconciled.complete(null);
            }
        });
        try {
            reconciled.get(Math.max(0, PROMPT.toNanos() - (System.nanoTime() - start)), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        awaitSettled(Duration.ofNanos(Math.max(0, PROMPT.toNanos() - (System.nanoTime() - start))));
    }

    /**
     * Netcfg is the one source of truth: a REST or CLI change is written back to it, so that
     * app reactivation and ONOS restarts, which reload netcfg, keep it. The store's current
     * policy is written, so that concurrent changes from several nodes converge on the latest.
     */
    private void writeBackToNetcfg() {
        store.policy().ifPresent(p -> {
            try {
                configRegistry.applyConfig(appId, CareLaneConfig.class, PolicyCodec.encode(p));
            } catch (RuntimeException e) {
                log.error("CareLane could not write the change back to netcfg; a reload of netcfg would undo it", e);
            }
        });
    }

    /** Stores a whole new policy and audits it, once per cluster; no-op if it equals the current one. */
    private void replacePolicy(SlicePolicy next, String user, String source, String action) {
        auditIfChanged(store.replacePolicy(next), user, source, action);
    }

    private boolean auditIfChanged(CareLaneStore.PolicyUpdate u, String user, String source, String action) {
        if (u.changed()) {
            audit(user, source, action, u.before() == null ? null : PolicyCodec.encode(u.before()).toString(),
                    PolicyCodec.encode(u.after()).toString());
        }
        return u.changed();
    }

    private void loadConfig(String source) {
        CareLaneConfig cfg = configRegistry.getConfig(appId, CareLaneConfig.class);
        if (cfg == null) {
            return;
        }
        try {
            SlicePolicy next = cfg.policy();
            if (store.writeBackUntil().filter(until -> until.isAfter(clock.instant())).isPresent()
                    && !store.policy().map(next::equals).orElse(false)) {
                // A node has stored a REST or CLI change and is writing it to netcfg: what netcfg
                // holds now is the policy before it. The write-back's own event follows.
                log.debug("CareLane ignores a netcfg {} read during another change's write-back", source);
                return;
            }
            replacePolicy(next, "netcfg", "netcfg", "replace-policy (" + source + ")");
        } catch (PolicyException e) {
            log.error("CareLane netcfg rejected, previous policy stays in force: {}", e.getMessage());
            audit("netcfg", "netcfg", "rejected-config", null, e.getMessage());
        }
    }

    private Optional<ProfileOverride> liveOverride() {
        return overrideAt(clock.instant());
    }

    private Optional<ProfileOverride> overrideAt(Instant at) {
        return store.override().filter(o -> o.activeAt(at));
    }

    private void audit(String user, String source, String action, String before, String after) {
        store.appendAudit(new AuditEntry(0, clock.instant(), user, source, action, before, after));
    }

    private void await(List<CompletableFuture<Void>> work) {
        try {
            CompletableFuture.allOf(work.toArray(CompletableFuture[]::new))
                    .get(PROGRAM_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("CareLane clean-up incomplete: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs on the single CareLane thread, so that changes never interleave. */
    private void runAndWait(Runnable task) {
        if (Thread.currentThread().getName().equals("carelane")) {
            task.run();
            return;
        }
        try {
            executor.submit(task).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** For tests: waits until what is queued on the CareLane thread has run and no attempt is in flight. */
    void awaitIdle() {
        runAndWait(() -> { });
        awaitSettled(PROMPT);
    }

    /** Runs {@link #evaluate()} now on the CareLane thread (tests, harness). */
    public void evaluateNow() {
        runAndWait(this::evaluate);
        awaitSettled(PROMPT);
    }

    private final class InternalConfigListener implements NetworkConfigListener {
        @Override
        public boolean isRelevant(NetworkConfigEvent event) {
            return event.configClass().equals(CareLaneConfig.class);
        }

        @Override
        public void event(NetworkConfigEvent event) {
            switch (event.type()) {
                case CONFIG_ADDED:
                case CONFIG_UPDATED:
                    onCareLaneThread(() -> {
                        loadConfig(event.type().name());
                        reconcileIfStale();
                    });
                    break;
                case CONFIG_REMOVED:
                    onCareLaneThread(CareLaneManager.this::removePolicy);
                    break;
                default:
                    break;
            }
        }
    }

    private final class InternalDeviceListener implements DeviceListener {
        @Override
        public void event(DeviceEvent event) {
            DeviceId id = event.subject().id();
            boolean ours = store.policy().flatMap(p -> p.device(id)).isPresent();
            // Connected: program it. Disconnected: shown as waiting until it is back.
            if (ours && (event.type() == DeviceEvent.Type.DEVICE_ADDED
                    || event.type() == DeviceEvent.Type.DEVICE_AVAILABILITY_CHANGED)) {
                // ONOS 2.7.0 replays a reconnected switch's flows before its meters, and OVS
                // rejects them (INVALID_METER): install a fresh generation, meters first.
                onCareLaneThread(() -> {
                    if (deviceService.isAvailable(id)) {
                        fresh.add(id);
                    }
                    cancelRetry(id);   // a reconnect does not wait out a backoff
                    program(id);
                });
            }
        }
    }

    private final class InternalMeterListener implements MeterListener {
        @Override
        public boolean isRelevant(MeterEvent event) {
            return event.type() == MeterEvent.Type.METER_REMOVED && event.subject().appId().equals(appId);
        }

        @Override
        public void event(MeterEvent event) {
            DeviceId id = event.subject().deviceId();
            onCareLaneThread(() -> meterRemoved(id));
        }
    }

    private final class InternalMastershipListener implements MastershipListener {
        @Override
        public void event(MastershipEvent event) {
            if (event.type() == MastershipEvent.Type.MASTER_CHANGED) {
                // The switch keeps its rules and meters when only the master changes: the new
                // master checks them against the policy and changes nothing if they match.
                DeviceId id = event.subject();
                onCareLaneThread(() -> {
                    cancelRetry(id);
                    program(id);
                });
            }
        }
    }
}
