package org.carelane.impl;

import org.carelane.api.AuditEntry;
import org.carelane.api.CareLaneService;
import org.carelane.api.CareLaneStatus;
import org.carelane.api.CareLaneStore;
import org.carelane.api.DeviceStatus;
import org.carelane.api.PeakSchedule;
import org.carelane.api.Profile;
import org.carelane.api.ProfileOverride;
import org.carelane.api.RateOverride;
import org.carelane.api.RateScope;
import org.carelane.api.SlicePolicy;
import org.carelane.api.SliceRates;
import org.carelane.api.SliceStats;
import org.carelane.api.Steering;
import org.carelane.policy.ScheduleCalculator;
import org.onosproject.app.ApplicationService;
import org.onosproject.app.ApplicationState;
import org.onosproject.core.ApplicationId;
import org.onosproject.core.CoreService;
import org.onosproject.mastership.MastershipService;
import org.onosproject.net.DeviceId;
import org.onosproject.net.device.DeviceService;
import org.onosproject.net.driver.DriverService;
import org.onosproject.net.config.NetworkConfigRegistry;
import org.onosproject.net.flow.FlowRule;
import org.onosproject.net.flow.FlowRuleService;
import org.onosproject.openflow.controller.OpenFlowController;
import org.onosproject.openflow.controller.OpenFlowEventListener;
import org.onosproject.net.meter.MeterService;
import org.onosproject.net.meter.MeterStore;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
    /** An attempt on a device that has not finished by then fails and is retried. */
    static final Duration PROGRAM_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Attempts in flight at most on one node: a boundary or a board-wide change starts them as
     * earlier ones end (0: no bound). See docs/evidence.md, bench_all_wales.
     */
    static final int PROGRAM_IN_FLIGHT = Integer.getInteger("carelane.programInFlight", 0);
    /** Threads that start attempts: their store and meter-store round trips overlap across devices. */
    static final int START_THREADS = Integer.getInteger("carelane.startThreads", 4);
    /** How long a change waits for the devices before it answers; they go on in the background. */
    static final Duration PROMPT = Duration.ofMillis(750);
    /** Time ONOS gets to send new meters before their rules, on a switch CareLane cannot ask (SliceProgrammer). */
    static final Duration METER_GRACE = Duration.ofMillis(150);
    /** Longest a REST or CLI change's write-back to netcfg may hold off other nodes' netcfg reloads. */
    static final Duration WRITE_BACK_LIMIT = Duration.ofSeconds(10);
    /** How long deactivation waits for OVSDB to drop CareLane's queues. */
    private static final Duration QUEUES_REMOVAL = Duration.ofSeconds(20);

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
    @Reference(cardinality = ReferenceCardinality.MANDATORY)
    protected DriverService driverService;
    @Reference(cardinality = ReferenceCardinality.MANDATORY)
    protected org.onosproject.net.packet.PacketService packetService;

    /** Counts what CareLane's meters drop, from the OpenFlow meter-stats replies ONOS asks for. */
    private final MeterDrops meterDrops = new MeterDrops(id -> store.installedMeters(id));
    /** Reads the store for the meter-stats replies, off ONOS's OpenFlow stats threads. */
    private final ExecutorService meterStats =
            Executors.newSingleThreadExecutor(r -> new Thread(r, "carelane-meter-stats"));
    private final OpenFlowEventListener meterStatsListener = new OpenFlowMeterStatsListener(meterDrops, meterStats);
    /** Puts back a rule the switch lost without CareLane asking (see RuleKeeper). */
    private RuleKeeper keeper;
    /** Set while active: the rule-removed listener needs the app id. */
    private volatile OpenFlowEventListener ruleRemovedDelegate;
    private final OpenFlowEventListener ruleRemovedListener = (dpid, msg) -> {
        OpenFlowEventListener delegate = ruleRemovedDelegate;
        if (delegate != null) {
            delegate.handleMessage(dpid, msg);
        }
    };

    /** ONOS's OpenFlow controller, while there is one. */
    private volatile OpenFlowController openFlowController;
    /** Reads the meters a switch holds, to send no rule before its meter is there. */
    private final SwitchMeterReader switchMeters = new SwitchMeterReader(() -> openFlowController);

    /** ONOS's meter store, only to give it back a switch's meter features it lost. */
    private volatile MeterStore meterStore;
    private final MeterFeaturesRepair meterFeatures = new MeterFeaturesRepair(() -> openFlowController, () -> {
        MeterStore s = meterStore;
        return s == null ? null : s::storeMeterFeatures;
    });

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    protected void bindMeterStore(MeterStore meterStore) {
        this.meterStore = meterStore;
    }

    protected void unbindMeterStore(MeterStore meterStore) {
        if (this.meterStore == meterStore) {
            this.meterStore = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    protected void bindOpenFlowController(OpenFlowController controller) {
        controller.addEventListener(meterStatsListener);
        controller.addEventListener(ruleRemovedListener);
        openFlowController = controller;
    }

    protected void unbindOpenFlowController(OpenFlowController controller) {
        if (openFlowController == controller) {
            openFlowController = null;
        }
        controller.removeEventListener(meterStatsListener);
        controller.removeEventListener(ruleRemovedListener);
    }

    private Clock clock = Clock.systemUTC();
    private ApplicationId appId;
    private DeviceProgramming devices;
    private UplinkQueueOwner queues;
    private volatile Duration programTimeout = PROGRAM_TIMEOUT;
    /** Package-private for the test bed, whose doubles deliver in order at once. */
    volatile Duration meterGrace = METER_GRACE;
    private ScheduledExecutorService executor;
    private CareLaneThread thread;
    private PolicyChanges changes;
    /** The steps that follow ONOS's callbacks (see SliceProgrammer); never ONOS's own threads. */
    private ExecutorService programming;
    /** Verification reads (see DeviceProgramming#verify), apart from the programming thread. */
    private ExecutorService checks;
    /** Where attempts start (see DeviceProgramming#starts). */
    private ExecutorService starts;
    /** Where meters are submitted (see SliceProgrammer#submitApart), as many threads as starts. */
    private ExecutorService submits;
    private Reconciler reconciler;
    private NetcfgIntake intake;
    private PolicyAudit audit;
    private DevicePorts ports;
    private final DeviceSyncTracker sync = new DeviceSyncTracker();
    private final RetiredCounters retired = new RetiredCounters();
    private CareLaneReports reports;
    private MetricsReport metrics;
    /** Classification by name: learns from the site's DNS answers on its own thread. */
    private NameLearning names;
    private ScheduledExecutorService namesThread;

    @Activate
    protected void activate() {
        appId = coreService.registerApplication(APP_NAME);
        thread = new CareLaneThread();
        executor = thread.executor();
        audit = new PolicyAudit(store, () -> clock.instant());
        ports = new DevicePorts(deviceService);
        programming = Executors.newSingleThreadExecutor(r -> new Thread(r, "carelane-programming"));
        checks = Executors.newSingleThreadExecutor(r -> new Thread(r, "carelane-checks"));
        starts = pool("carelane-starts-", START_THREADS);
        submits = pool("carelane-submits-", START_THREADS);
        OpenFlowRuleWriter writer = new OpenFlowRuleWriter(() -> openFlowController);
        keeper = new RuleKeeper(flowRuleService, mastershipService, () -> clock.millis(), writer::write);
        devices = new DeviceProgramming(appId, store, flowRuleService, mastershipService, deviceService, sync,
                () -> clock.instant(), (id, at) -> reconciler.profileAt(id, at), executor, programming, checks, starts);
        devices.use(newProgrammer(), programTimeout);
        devices.boundInFlight(PROGRAM_IN_FLIGHT);
        UplinkQueues uplinkQueues = new UplinkQueues(new OnosQueueConfigurator(driverService, deviceService),
                deviceService, UplinkQueues.Record.of(store), System::currentTimeMillis);
        queues = new UplinkQueueOwner(store, uplinkQueues, mastershipService, deviceService);
        reconciler = new Reconciler(appId, store, devices, mastershipService, keeper, queues, id -> {
            retired.forget(id);
            meterDrops.forget(id);
        }, () -> clock.instant(), executor, store::appendAudit);
        // A device holds the policy in force: its uplink queues follow, on the node that owns them.
        // Within the lead before a boundary, it stages the boundary again (after a change).
        namesThread = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "carelane-names"));
        names = new NameLearning(coreService.registerApplication(APP_NAME + ".names"), store, flowRuleService,
                packetService, mastershipService, (id, at) -> reconciler.profileAt(id, at), () -> clock.instant(),
                namesThread);
        ruleRemovedDelegate = new OpenFlowRuleRemovedListener(appId, keeper, retired, executor,
                names.appId(), names::deleted);
        devices.onInSync((id, profile) -> {
            queues.inForce(id, profile);
            reconciler.stageIfDue(id);
            names.inSync(id);
        });
        reports = new CareLaneReports(appId, store, flowRuleService, meterService, deviceService, mastershipService,
                sync, retired);
        metrics = new MetricsReport(store, reports, meterDrops, sync, mastershipService, devices);
        metrics.names(names::counters);
        intake = new NetcfgIntake(appId, configRegistry, store, ports, audit, () -> clock.instant(),
                thread::execute);
        changes = new PolicyChanges(store, audit, intake, ports, reconciler, sync, () -> clock.instant(), thread);
        store.setDelegate(reconciler.storeDelegate);
        intake.start();
        deviceService.addListener(reconciler.deviceListener);
        meterService.addListener(reconciler.meterListener);
        mastershipService.addListener(reconciler.mastershipListener);
        driverService.addListener(reconciler.driverListener);
        names.start();
        thread.runAndWait(() -> {
            intake.load("activate");
            reconciler.reconcile();
            queues.wantedAll();
        });
        awaitSettled(PROMPT);
        log.info("CareLane started");
    }

    @Deactivate
    protected void deactivate() {
        ruleRemovedDelegate = null;
        driverService.removeListener(reconciler.driverListener);
        mastershipService.removeListener(reconciler.mastershipListener);
        meterService.removeListener(reconciler.meterListener);
        deviceService.removeListener(reconciler.deviceListener);
        intake.stop();
        store.unsetDelegate(reconciler.storeDelegate);
        // ONOS marks the app deactivated in its store before it stops the components on every
        // node (DistributedApplicationStore.deactivate): then each node cleans the devices it
        // masters, so all are cleaned. A node that stops keeps the app ACTIVE: its devices keep
        // their rules and meters for the next master.
        boolean leaving = applicationService.getState(appId) != ApplicationState.ACTIVE;
        names.stop(leaving);
        namesThread.shutdown();   // the answers already taken are sent on
        try {
            namesThread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        namesThread.shutdownNow();
        if (leaving) {
            thread.runAndWait(this::removeMastered);
            queues.removeOwnedAndStop(QUEUES_REMOVAL);
        } else {
            log.info("CareLane stopping with the node; rules and queues stay on the devices for their next master");
            queues.stop();
        }
        thread.shutdownNow();
        programming.shutdownNow();
        checks.shutdownNow();
        starts.shutdownNow();
        submits.shutdownNow();
        meterStats.shutdownNow();
        log.info("CareLane stopped");
    }

    /** For tests: classification by name. */
    NameLearning nameLearning() {
        return names;
    }

    @Override
    public Map<String, Object> nameCounters() {
        return names.counters();
    }

    @Override
    public java.util.Optional<List<org.carelane.api.LearnedName>> learnedNames(DeviceId id) {
        if (!mastershipService.isLocalMaster(id)) {
            return java.util.Optional.empty();
        }
        List<org.carelane.api.LearnedName> out = new java.util.ArrayList<>();
        names.learned(id).forEach(e -> out.add(new org.carelane.api.LearnedName(
                org.onlab.packet.IpAddress.valueOf(e.address), e.name, e.slice, e.expires)));
        return java.util.Optional.of(out);
    }

    /** For tests and the OVS harness: the time source of the schedule. */
    public void setClock(Clock clock) {
        this.clock = clock;
    }

    /** For tests: no attempt in flight on this node. */
    boolean settled() {
        return sync.settled();
    }

    /** For tests: attempts started on devices since activation. */
    long attemptsStarted() {
        return devices.attemptsStarted();
    }

    /** For tests: at most this many attempts in flight (0: no bound). */
    void boundInFlight(int max) {
        devices.boundInFlight(max);
    }

    /** For tests: how long an attempt on a device may take before it fails and is retried. */
    void setProgramTimeout(Duration timeout) {
        programTimeout = timeout;
        devices.use(newProgrammer(), timeout);
    }

    /** A fixed pool of threads named {@code prefix} 1, 2, ... */
    private static ExecutorService pool(String prefix, int threads) {
        java.util.concurrent.atomic.AtomicInteger made = new java.util.concurrent.atomic.AtomicInteger();
        return Executors.newFixedThreadPool(threads, r -> new Thread(r, prefix + made.incrementAndGet()));
    }

    private SliceProgrammer newProgrammer() {
        SliceProgrammer programmer = new SliceProgrammer(appId, flowRuleService, meterService, store, programTimeout,
                retired, meterGrace, programming, submits, keeper, switchMeters, meterFeatures,
                new WithdrawnMeterSweep(() -> openFlowController, switchMeters, meterService, programming));
        programmer.onMeterMismatch(id -> thread.execute(() -> devices.meterMismatch(id)));
        return programmer;
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
        return reconciler.profileAt(at);
    }

    @Override
    public Optional<ProfileOverride> override() {
        return liveOverride();
    }

    @Override
    public void setRates(String slice, Profile profile, SliceRates rates, String user, String source) {
        changes.setRates(slice, profile, rates, user, source);
    }

    @Override
    public void setRates(String slice, Profile profile, RateOverride change, String user, String source) {
        changes.setRates(slice, profile, change, user, source);
    }

    @Override
    public void setRates(String slice, Profile profile, long maxKbps, OptionalLong minKbps, String user,
                         String source) {
        changes.setRates(slice, profile, maxKbps, minKbps, user, source);
    }

    @Override
    public void setScopedRates(RateScope scope, String slice, Profile profile, RateOverride rates, String user,
                               String source) {
        changes.setScopedRates(scope, slice, profile, rates, user, source);
    }

    @Override
    public void setSchedule(PeakSchedule schedule, String user, String source) {
        changes.setSchedule(schedule, user, source);
    }

    @Override
    public void setScopedSchedule(RateScope scope, PeakSchedule schedule, String user, String source) {
        changes.setScopedSchedule(scope, schedule, user, source);
    }

    @Override
    public void setEgress(String slice, Steering egress, String user, String source) {
        changes.setEgress(slice, egress, user, source);
    }

    @Override
    public void setScopedEgress(RateScope scope, String slice, Optional<Steering> egress, String user,
                                String source) {
        changes.setScopedEgress(scope, slice, egress, user, source);
    }

    @Override
    public void setOverride(Profile profile, Instant expiresAt, String user, String reason, String source) {
        changes.setOverride(profile, expiresAt, user, reason, source);
    }

    @Override
    public boolean clearOverride(String user, String source) {
        return changes.clearOverride(user, source);
    }

    @Override
    public void setScopedOverride(RateScope scope, Profile profile, Instant expiresAt, String user, String reason,
                                  String source) {
        changes.setScopedOverride(scope, profile, expiresAt, user, reason, source);
    }

    @Override
    public boolean clearScopedOverride(RateScope scope, String user, String source) {
        return changes.clearScopedOverride(scope, user, source);
    }

    @Override
    public java.util.Map<RateScope, ProfileOverride> scopedOverrides() {
        return store.scopedOverrides();
    }

    @Override
    public CareLaneStatus status() {
        Instant now = clock.instant();
        Optional<ProfileOverride> override = overrideAt(now);
        Instant next = store.policy().map(p -> ScheduleCalculator.nextChange(p.schedule(), override, now))
                .orElse(null);
        List<DeviceStatus> devices = reports.devices();
        return new CareLaneStatus(profileAt(now), reconciler.appliedProfile(), now, store.policyVersion(),
                override.orElse(null), next, devices, reports.boards(devices))
                .withWork(this.devices.queued(), this.devices.inFlight());
    }

    @Override
    public List<SliceStats> stats() {
        return reports.stats();
    }

    /** For tests: what ONOS's OpenFlow controller hands meter-stats replies to. */
    OpenFlowEventListener meterStatsListener() {
        return meterStatsListener;
    }

    /** For tests: waits until the meter-stats replies handed over so far are recorded. */
    void awaitMeterStats() {
        QueuedWork.await(meterStats);
    }

    @Override
    public String metrics() {
        return metrics.write(activeProfile(), liveOverride().isPresent(), reconciler.lastSwitchOver(),
                reconciler::appliedProfile);
    }

    @Override
    public List<AuditEntry> audit(int max) {
        return store.audit(max);
    }

    // ---- scheduling and programming --------------------------------------

    /** Re-evaluates the profile; reprograms when it changed. Runs on the CareLane thread. */
    void evaluate() {
        reconciler.evaluate();
    }

    /** Milliseconds until the next evaluation, if the profile was decided now. */
    long nextCheckDelayMillis() {
        return reconciler.nextCheckDelayMillis(clock.instant());
    }

    /** See {@link Reconciler#nextCheckDelayMillis}. */
    long nextCheckDelayMillis(Instant decidedAt) {
        return reconciler.nextCheckDelayMillis(decidedAt);
    }

    /** For tests: runs the verification of a device now, and waits for it. */
    void verifyNow(DeviceId id) {
        thread.runAndWait(() -> devices.verify(id));
        devices.awaitReads();
        thread.runAndWait(() -> { });
    }

    /** Waits up to {@code limit} until no attempt is in flight; the rest goes on in the background. */
    private void awaitSettled(Duration limit) {
        CareLaneThread.awaitUntil(System.nanoTime() + limit.toNanos(), sync::settled);
    }


    /** Removes CareLane's rules and meters from the devices this node masters. */
    private void removeMastered() {
        await(devices.stop());
        List<CompletableFuture<Void>> work = new ArrayList<>();
        store.devicesWithMeters().stream().filter(mastershipService::isLocalMaster)
                .forEach(id -> work.add(devices.programmer().clearLeaving(id)));
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

    private Optional<ProfileOverride> liveOverride() {
        return overrideAt(clock.instant());
    }

    private Optional<ProfileOverride> overrideAt(Instant at) {
        return reconciler.overrideAt(at);
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

    /** Rules this node put back after the switch lost them without CareLane asking (see RuleKeeper). */
    long restoredRules() {
        return keeper.restoredRules();
    }

    /** For tests: waits until what is queued on the CareLane thread has run and no attempt is in flight. */
    void awaitIdle() {
        CareLaneThread.awaitUntil(System.nanoTime() + PROMPT.toNanos(), () -> inFlightNow() == 0);
        awaitSettled(PROMPT);
    }

    /** For tests: attempts and stagings in flight on this node, read on the CareLane thread. */
    int inFlightNow() {
        int[] inFlight = {0};
        thread.runAndWait(() -> inFlight[0] = devices.inFlight());
        return inFlight[0];
    }

    /** Runs {@link #evaluate()} now on the CareLane thread (tests, harness). */
    public void evaluateNow() {
        thread.runAndWait(this::evaluate);
        awaitIdle();
    }
}
