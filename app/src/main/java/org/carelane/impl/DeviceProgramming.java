package org.carelane.impl;

import org.carelane.api.CareLaneStore;
import org.carelane.api.DeviceUplink;
import org.carelane.api.InstalledMeter;
import org.carelane.api.Profile;
import org.carelane.api.SlicePolicy;
import org.onosproject.core.ApplicationId;
import org.onosproject.mastership.MastershipService;
import org.onosproject.net.DeviceId;
import org.onosproject.net.device.DeviceService;
import org.onosproject.net.flow.FlowEntry;
import org.onosproject.net.flow.FlowRuleService;
import org.slf4j.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import static org.slf4j.LoggerFactory.getLogger;

/**
 * Brings each device this node masters to the policy in force, one attempt at a time per
 * device (see {@link SliceProgrammer}): retries with backoff, verification after ONOS's
 * flow-stats poll, and a fresh generation whenever what the switch holds is uncertain.
 * Everything but the verification reads runs on the CareLane thread.
 */
final class DeviceProgramming implements WorkCounts {
    /**
     * After ONOS's flow-stats poll (every 5 s) every rule of a successful attempt must be ADDED.
     * ONOS 2.7.0 completes a batch at the barrier even when the switch rejected a rule with a
     * meter error, so success alone does not prove the rules are on the switch. Two polls and
     * a margin: with 7 s, a busy 2-core host sometimes failed rules that were on the switch.
     */
    static final Duration VERIFY_AFTER = Duration.ofSeconds(12);
    /**
     * When, after a clear, CareLane reads ONOS's flow store for the device again. ONOS 2.7.0
     * can put rules into a new master's store after CareLane read it: a bucket holding a DSCP
     * rule fails to sync from the previous master (see {@link CareLaneReports#carelaneFlows}),
     * DeviceFlowTable then activates the term anyway, and the buckets still in flight land
     * later (seen on the cluster: the drop rule's, within 2 s). A removal that waits over 5 s
     * for the term is dropped (ECFlowRuleStore.updateStoreInternal). The clear's own removals
     * wait for the term, so the first look, at once, comes after it is active.
     */
    static final List<Duration> CLEAR_CHECKS = List.of(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(3),
            Duration.ofSeconds(10));

    private final Logger log = getLogger(getClass());
    private final ApplicationId appId;
    private final CareLaneStore store;
    private final FlowRuleService flowRules;
    private final MastershipService mastership;
    private final DeviceService devices;
    private final DeviceSyncTracker sync;
    private final Supplier<Instant> clock;
    private final BiFunction<DeviceId, Instant, Profile> profileAt;
    /** The CareLane thread. */
    private final ScheduledExecutorService carelane;
    /** Where ONOS's callbacks continue (see SliceProgrammer). */
    private final ExecutorService reads;
    /**
     * Where verification and clear-check reads run: each copies ONOS's whole meter store, and a
     * boundary verifies every device, so on the programming thread they held up changes.
     */
    private final ExecutorService checks;
    /**
     * Where attempts start: their store reads and meter submits (each several Raft operations
     * in ONOS's meter store) overlap across devices instead of queueing on the CareLane thread.
     */
    private final Executor starts;
    private volatile SliceProgrammer programmer;
    private volatile Duration timeout;
    private volatile java.util.function.BiConsumer<DeviceId, Profile> inSync = (id, profile) -> { };

    /** Devices with an attempt in flight. */
    private final Map<DeviceId, CompletableFuture<Void>> inFlight = new HashMap<>();
    /** The mastership term each attempt in flight started in. */
    private final Map<DeviceId, MastershipFence> inFlightTerm = new HashMap<>();
    /** Attempts in flight that were to install a fresh generation. */
    private final Set<DeviceId> inFlightFresh = new HashSet<>();
    /** Devices whose policy changed during their attempt: they go again when it ends. */
    private final Set<DeviceId> dirty = new HashSet<>();
    /** A device's next retry or verification. */
    private final Map<DeviceId, ScheduledFuture<?>> retries = new HashMap<>();
    /** Devices whose switch may not hold what ONOS thinks: they get a fresh generation. */
    private final Set<DeviceId> fresh = new HashSet<>();
    /** Devices that reconnected: a fresh generation if the switch lost its meters. */
    private final Set<DeviceId> reconnected = new HashSet<>();
    /** Devices whose CareLane rules and meters are being removed. */
    private final Set<DeviceId> clearing = new HashSet<>();
    /** Failed clears in a row per device, for the backoff of the next. */
    private final Map<DeviceId, Integer> clearFailures = new HashMap<>();
    /** A device's next clear, after a failed one (apart from programming's retries). */
    private final Map<DeviceId, ScheduledFuture<?>> clearRetries = new HashMap<>();
    /** A cleared device's next look at ONOS's flow store (see {@link #CLEAR_CHECKS}). */
    private final Map<DeviceId, ScheduledFuture<?>> clearChecks = new HashMap<>();
    /** Set when the component stops: nothing is started or retried any more. */
    private volatile boolean stopped;
    /**
     * At most this many attempts in flight on this node (0: no bound). A boundary or a
     * board-wide change then starts them as earlier ones end, so ONOS is not flooded.
     */
    private volatile int maxInFlight;
    /** Attempts started since activation (diagnostics and tests). */
    private volatile long attemptsStarted;
    /** The effective policy each device was last brought to: a change that leaves it equal needs no attempt. */
    private final Map<DeviceId, SlicePolicy> programmedWith = new HashMap<>();
    /** Devices waiting for room to start their attempt, in order (shown PENDING). */
    private final Set<DeviceId> queued = new java.util.LinkedHashSet<>();
    /** Devices whose boundary this node staged, with the shadow the switch expires then. */
    private final Map<DeviceId, org.carelane.api.ShadowGeneration> shadows = new HashMap<>();
    /** The boundary each staged device was staged for. */
    private final Map<DeviceId, Instant> stagedAt = new HashMap<>();
    /** What each device's staged meters are for: its effective policy and its next profile. */
    private final Map<DeviceId, Map.Entry<SlicePolicy, Profile>> stagedFor = new HashMap<>();

    /**
     * @param profileAt a device's profile at an instant
     * @param carelane  the CareLane thread
     * @param reads     the programming thread
     * @param checks    the thread of verification reads
     * @param starts    where attempts start (several threads)
     */
    DeviceProgramming(ApplicationId appId, CareLaneStore store, FlowRuleService flowRules, MastershipService mastership,
                      DeviceService devices, DeviceSyncTracker sync, Supplier<Instant> clock,
                      BiFunction<DeviceId, Instant, Profile> profileAt,
                      ScheduledExecutorService carelane, ExecutorService reads, ExecutorService checks,
                      Executor starts) {
        this.appId = appId;
        this.store = store;
        this.flowRules = flowRules;
        this.mastership = mastership;
        this.devices = devices;
        this.sync = sync;
        this.clock = clock;
        this.profileAt = profileAt;
        this.carelane = carelane;
        this.reads = reads;
        this.checks = checks;
        this.starts = starts;
    }

    /** @param attemptTimeout what the programmer's attempts time out after (for the reason shown) */
    void use(SliceProgrammer slices, Duration attemptTimeout) {
        this.programmer = slices;
        this.timeout = attemptTimeout;
    }

    /** At most this many attempts in flight (0: no bound). */
    void boundInFlight(int max) {
        maxInFlight = Math.max(0, max);
        onCareLaneThread(this::startQueued);
    }

    long attemptsStarted() {
        return attemptsStarted;
    }

    /**
     * True if two effective policies of a device give it the same rules and meters in a profile:
     * equal but for the schedule, which only decides the profile (compared on its own).
     */
    private static boolean sameRules(SlicePolicy own, SlicePolicy before) {
        return before != null && (own.equals(before) || own.withSchedule(before.schedule()).equals(before));
    }

    /** Devices waiting for room to start their attempt. */
    @Override
    public int queued() {
        return queued.size();
    }

    /** Attempts in flight on this node. */
    @Override
    public int inFlight() {
        return inFlight.size();
    }

    /** Starts waiting devices while there is room. */
    private void startQueued() {
        if (stopped) {
            return;
        }
        java.util.Iterator<DeviceId> it = queued.iterator();
        while (it.hasNext() && (maxInFlight == 0 || inFlight.size() < maxInFlight)) {
            DeviceId next = it.next();
            it.remove();
            if (!inFlight.containsKey(next)) {
                program(next, true);
            }
        }
    }

    /** Told, on the CareLane thread, whenever an attempt brought a device to a profile. */
    void onInSync(java.util.function.BiConsumer<DeviceId, Profile> listener) {
        this.inSync = listener;
    }

    SliceProgrammer programmer() {
        return programmer;
    }

    /**
     * One attempt to bring a device to the policy in force, unless one is in flight, or the
     * device failed for the same policy and profile and waits for its backoff or for a change
     * (see {@link FailureCause}).
     */
    void program(DeviceId id) {
        program(id, false);
    }

    /** @param now true to try again at once, whatever the last failure waits for */
    private void program(DeviceId id, boolean now) {
        if (stopped) {
            return;   // deactivating: the clean-up owns the devices now
        }
        if (inFlight.containsKey(id)) {
            dirty.add(id);
            return;
        }
        Optional<SlicePolicy> policy = store.policy();
        Optional<DeviceUplink> device = policy.flatMap(p -> p.device(id));
        if (device.isEmpty() || !mastership.isLocalMaster(id)) {
            cancelRetry(id);
            sync.forget(id);
            queued.remove(id);
            programmedWith.remove(id);
            return;
        }
        cancelClearRetry(id);   // back in the policy
        cancel(clearChecks, id);
        clearFailures.remove(id);
        Instant at = clock.get();
        Profile profile = profileAt.apply(id, at);
        org.carelane.api.ShadowGeneration staged = shadows.get(id);
        if (staged != null && staged.profile() != profile && at.isBefore(staged.until())) {
            // The switch switches itself when the shadows expire; the attempt that tidies up
            // (the old meters) comes after them, so that it neither races nor repeats them.
            cancelRetry(id);
            if (!carelane.isShutdown()) {
                retries.put(id, carelane.schedule(() -> {
                    retries.remove(id);
                    program(id, true);
                }, Duration.between(at, staged.until()).toMillis() + 100, TimeUnit.MILLISECONDS));
            }
            return;
        }
        long version = store.policyVersion();
        Optional<DeviceSyncTracker.Entry> last = sync.get(id);
        boolean sameAsFailed = last.isPresent() && last.get().state == DeviceSyncTracker.State.FAILED
                && last.get().policyVersion == version && last.get().profile == profile;
        if (!now && sameAsFailed && (retries.containsKey(id) || last.get().waitsForChange())) {
            return;   // nothing new since the failure: keep to the backoff, or wait for a change
        }
        // The device's own policy: its board's, class's and site's changes, at its uplink's rates.
        SlicePolicy own = policy.get().forDevice(id).orElseThrow().policy();
        if (!now && last.isPresent() && last.get().state == DeviceSyncTracker.State.IN_SYNC
                && last.get().profile == profile && sameRules(own, programmedWith.get(id)) && !fresh.contains(id)
                && !reconnected.contains(id) && devices.isAvailable(id) && !stagedInVain(id, own)) {
            // Nothing of this device changed (another site's or board's change): no attempt at all.
            sync.stillInSync(id, version);
            return;
        }
        cancelRetry(id);
        if (!devices.isAvailable(id)) {
            // Programmed when it connects (device listener).
            sync.waiting(id, profile, version, at, "device not available");
            return;
        }
        sync.pending(id, profile, version, at);
        if (maxInFlight > 0 && inFlight.size() >= maxInFlight) {
            queued.add(id);   // started when an attempt ends (startQueued)
            return;
        }
        queued.remove(id);
        attemptsStarted++;
        boolean renew = fresh.remove(id);
        boolean reconnect = reconnected.remove(id);
        log.debug("CareLane attempt on {} for {} (fresh {}, reconnected {})", id, profile, renew, reconnect);
        MastershipFence fence = MastershipFence.now(mastership, id);
        SliceProgrammer p = programmer;
        DeviceUplink uplink = device.get();
        CompletableFuture<Void> attempt = CompletableFuture.supplyAsync(() -> reconnect && !renew
                ? p.programReconnected(own, profile, uplink, fence)
                : p.program(own, profile, uplink, renew, fence), starts).thenCompose(f -> f);
        inFlight.put(id, attempt);
        inFlightTerm.put(id, fence);
        if (renew) {
            inFlightFresh.add(id);
        } else {
            inFlightFresh.remove(id);
        }
        CompletableFuture<Void> ended = attempt;
        CompletableFuture<Void> unused = attempt.whenComplete((v, error) -> onCareLaneThread(() -> {
            if (inFlight.get(id) == ended) {   // not one left behind by a reconnect (see connected)
                if (error == null) {
                    programmedWith.put(id, own);
                }
                attemptEnded(id, profile, version, error);
            }
            startQueued();
        }));
    }

    /**
     * Stages a device's next boundary ({@link SliceProgrammer#stage}): its meters and, where it
     * can, its rules under shadows that the switch expires at the boundary. Once per policy and
     * profile, when the device is in sync and nothing else runs on it. It counts as the device's
     * attempt in flight, so an attempt that comes meanwhile starts when it ends. A failure only
     * costs the boundary its head start.
     *
     * @param at the boundary
     */
    void stage(DeviceId id, Profile next, Instant at) {
        if (stopped) {
            return;
        }
        Optional<DeviceSyncTracker.Entry> last = sync.get(id);
        Optional<SlicePolicy> policy = store.policy();
        Optional<DeviceUplink> device = policy.flatMap(p -> p.device(id));
        if (inFlight.containsKey(id) || queued.contains(id) || clearing.contains(id) || device.isEmpty()
                || !mastership.isLocalMaster(id) || !devices.isAvailable(id) || last.isEmpty()
                || last.get().state != DeviceSyncTracker.State.IN_SYNC || last.get().profile == next) {
            return;
        }
        SlicePolicy own = policy.get().forDevice(id).orElseThrow().policy();
        Map.Entry<SlicePolicy, Profile> key = Map.entry(own, next);
        if (key.equals(stagedFor.get(id))) {
            return;
        }
        MastershipFence fence = MastershipFence.now(mastership, id);
        CompletableFuture<Optional<org.carelane.api.ShadowGeneration>> staging;
        try {
            staging = programmer.stage(own, last.get().profile, next, at, clock, device.get(), fence);
        } catch (RuntimeException e) {
            staging = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> ended = staging.thenApply(shadow -> null);
        inFlight.put(id, ended);
        inFlightTerm.put(id, fence);
        CompletableFuture<?> unused = staging.whenComplete((shadow, error) -> onCareLaneThread(() -> {
            if (inFlight.get(id) != ended || clearing.contains(id)) {
                return;
            }
            inFlight.remove(id);
            inFlightTerm.remove(id);
            if (error == null) {
                stagedFor.put(id, key);
                shadow.ifPresent(s -> {
                    shadows.put(id, s);
                    stagedAt.put(id, at);
                });
            } else if (!isStale(error)) {
                log.info("CareLane could not stage {}'s meters for {} ({}); the boundary submits them", id,
                        next.jsonName(), rootMessage(error));
            }
            if (dirty.remove(id)) {
                program(id);
            }
            startQueued();
        }));
    }

    /**
     * True if this node staged a boundary on the device that no longer comes as staged: its
     * policy changed, or its profile from then did (e.g. an override now reaches past it). Its
     * shadows would still expire then, so it gets an attempt, which takes the staging out.
     */
    private boolean stagedInVain(DeviceId id, SlicePolicy own) {
        org.carelane.api.ShadowGeneration staged = shadows.get(id);
        if (staged == null) {
            return false;
        }
        Map.Entry<SlicePolicy, Profile> key = stagedFor.get(id);
        Instant boundary = stagedAt.get(id);
        return key == null || boundary == null || !sameRules(own, key.getKey())
                || profileAt.apply(id, boundary) != key.getValue();
    }

    /**
     * The device connected, or reconnected. ONOS 2.7.0 replays a reconnected switch's flows
     * before its meters, and OVS rejects them (INVALID_METER): a fresh generation, meters
     * first. A reconnect does not wait out a backoff.
     */
    void connected(DeviceId id) {
        abandonEarlierTerm(id, "the switch reconnected");
        // Only the master's (or, before one is elected, anyone's) business: a standby that hears
        // a switch connect must not carry a fresh generation into a later failover, in which
        // the switch keeps its tables and the new master re-adds them in place.
        if (devices.isAvailable(id) && (mastership.isLocalMaster(id) || mastership.getMasterFor(id) == null)) {
            reconnected.add(id);
        }
        cancelRetry(id);
        program(id, true);
    }

    /**
     * A meter CareLane did not withdraw left the device (another app's, or one ONOS purged):
     * a device that failed for want of room, or for a passing cause, tries again now rather
     * than at its timer.
     */
    void meterLeft(DeviceId id) {
        Optional<DeviceSyncTracker.Entry> state = sync.get(id);
        if (mastership.isLocalMaster(id) && state.isPresent() && state.get().state == DeviceSyncTracker.State.FAILED
                && state.get().cause != FailureCause.PERMANENT) {
            cancelRetry(id);
            program(id, true);
        }
    }

    /**
     * Leaves an attempt in flight from an earlier mastership term to its fence: it sent its
     * work down a channel that is gone, and its fence stops it at its next step, which may be the
     * attempt timeout (30 s) away. The device does not wait for that.
     */
    private void abandonEarlierTerm(DeviceId id, String why) {
        MastershipFence term = inFlightTerm.get(id);
        if (inFlight.containsKey(id) && !clearing.contains(id) && term != null && !term.holds()
                && mastership.isLocalMaster(id)) {
            log.info("CareLane leaves its attempt on {} to its fence: {}", id, why);
            inFlight.remove(id);
            inFlightTerm.remove(id);
            dirty.remove(id);
            if (inFlightFresh.remove(id)) {
                fresh.add(id);   // what it was to renew still needs renewing
            }
            startQueued();
        }
    }

    /**
     * The master changed. The switch keeps its rules and meters: the new master checks them
     * against the policy and changes nothing if they match.
     *
     * @param reconnect the switch reconnected (it had no master, or has the same one again):
     *                  its meters are read first, as for {@link #connected}
     */
    void masterChanged(DeviceId id, boolean reconnect) {
        abandonEarlierTerm(id, "this node is the master again, in a later term");
        if (!mastership.isLocalMaster(id)) {
            reconnected.remove(id);   // the next master decides what the switch holds
            fresh.remove(id);
        } else {
            wantRecorded(id);
            if (reconnect && devices.isAvailable(id)) {
                reconnected.add(id);
            }
        }
        cancelRetry(id);
        program(id, true);
    }

    /**
     * A new master wants the recorded generation on the switch from the start: ONOS's flow-stats
     * poll on its unsynced store may delete it before the first attempt (seen after 0.77 s).
     */
    private void wantRecorded(DeviceId id) {
        Optional<SlicePolicy> policy = store.policy();
        Optional<DeviceUplink> device = policy.flatMap(p -> p.device(id));
        if (device.isPresent()) {
            programmer.wantRecorded(policy.get().forDevice(id).orElseThrow().policy(),
                    profileAt.apply(id, clock.get()), device.get());
        }
    }

    /**
     * Removes everything CareLane installed on a device that left the policy, once the attempt
     * in flight on it, if any, has ended. A clear already under way is not started twice.
     */
    void clear(DeviceId stale, Instant decidedAt) {
        if (clearing.contains(stale)) {
            return;
        }
        cancelRetry(stale);
        cancelClearRetry(stale);
        cancel(clearChecks, stale);
        dirty.remove(stale);
        programmedWith.remove(stale);
        // Nothing of its programming carries over: the clear removes its rules, staged ones too.
        queued.remove(stale);
        fresh.remove(stale);
        reconnected.remove(stale);
        shadows.remove(stale);
        stagedAt.remove(stale);
        stagedFor.remove(stale);
        sync.removing(stale, decidedAt);
        clearing.add(stale);
        CompletableFuture<Void> before = inFlight.getOrDefault(stale, CompletableFuture.completedFuture(null));
        CompletableFuture<Void> cleared = before.handle((v, e) -> null)
                .thenComposeAsync(v -> programmer.clear(stale), reads);
        inFlight.put(stale, cleared);
        CompletableFuture<Void> unused = cleared.whenComplete((v, e) -> onCareLaneThread(() -> {
            inFlight.remove(stale);
            inFlightTerm.remove(stale);
            inFlightFresh.remove(stale);
            clearing.remove(stale);
            sync.forget(stale);
            dirty.remove(stale);   // also set by meter events that came meanwhile
            if (inPolicy(stale)) {
                clearFailures.remove(stale);
                program(stale);   // back in the policy meanwhile
            } else if (e != null) {
                clearFailed(stale, e);
            } else {
                clearFailures.remove(stale);
                log.info("CareLane cleared {}: it left the policy", stale);
                checkClearedLater(stale, 0);
            }
            startQueued();
        }));
    }

    /** Reads ONOS's flow store for a cleared device at the check'th of {@link #CLEAR_CHECKS}. */
    private void checkClearedLater(DeviceId id, int check) {
        if (check >= CLEAR_CHECKS.size() || carelane.isShutdown()) {
            return;
        }
        Duration since = check == 0 ? Duration.ZERO : CLEAR_CHECKS.get(check - 1);
        clearChecks.put(id, carelane.schedule(() -> {
            clearChecks.remove(id);
            if (!stillCleared(id)) {
                return;
            }
            checks.execute(() -> {
                int found = programmer.liveEntries(id).size();
                onCareLaneThread(() -> {
                    if (!stillCleared(id) || clearChecks.containsKey(id)) {
                        return;
                    }
                    if (found == 0) {
                        checkClearedLater(id, check + 1);
                        return;
                    }
                    log.info("CareLane finds {} of its rule(s) on {} in ONOS's flow store after clearing it "
                            + "(synced into the store since); clearing it again", found, id);
                    clear(id, clock.get());
                });
            });
        }, CLEAR_CHECKS.get(check).minus(since).toMillis(), TimeUnit.MILLISECONDS));
    }

    /** A device this node masters, out of the policy, and not being cleared now. */
    private boolean stillCleared(DeviceId id) {
        return !stopped && !clearing.contains(id) && !inPolicy(id) && mastership.isLocalMaster(id);
    }

    /**
     * The rules of a device that left the policy could not be removed; what CareLane put on
     * it stays recorded. Its master tries again with backoff; if this node no longer masters
     * it, or cannot reach it, the node that gets it next clears it.
     */
    private void clearFailed(DeviceId stale, Throwable e) {
        int failures = clearFailures.merge(stale, 1, Integer::sum);
        if (stopped || !mastership.isLocalMaster(stale) || !devices.isAvailable(stale) || carelane.isShutdown()) {
            clearFailures.remove(stale);
            log.warn("CareLane could not clear {} ({}); the node that masters it when it is reachable clears it",
                    stale, rootMessage(e));
            return;
        }
        Duration delay = DeviceSyncTracker.backoff(failures);
        log.warn("CareLane could not clear {} ({}); retrying in {}", stale, rootMessage(e), delay);
        clearRetries.put(stale, carelane.schedule(() -> {
            clearRetries.remove(stale);
            if (!stopped && !inPolicy(stale) && mastership.isLocalMaster(stale)) {
                clear(stale, clock.get());
            } else {
                clearFailures.remove(stale);
            }
        }, delay.toMillis(), TimeUnit.MILLISECONDS));
    }

    private boolean inPolicy(DeviceId id) {
        return store.policy().flatMap(p -> p.device(id)).isPresent();
    }

    private void cancelClearRetry(DeviceId id) {
        cancel(clearRetries, id);
    }

    /** Stops every retry and verification; returns the attempts still in flight. */
    List<CompletableFuture<Void>> stop() {
        stopped = true;
        new ArrayList<>(retries.keySet()).forEach(this::cancelRetry);
        new ArrayList<>(clearRetries.keySet()).forEach(this::cancelClearRetry);
        new ArrayList<>(clearChecks.keySet()).forEach(id -> cancel(clearChecks, id));
        return new ArrayList<>(inFlight.values());
    }

    private void attemptEnded(DeviceId id, Profile profile, long version, Throwable error) {
        stagedFor.remove(id);   // the boundary took the staged meters, or the device may stage anew
        if (error != null) {
            programmedWith.remove(id);
        }
        if (clearing.contains(id)) {
            return;   // the device left the policy: the clear that waited for this attempt goes on
        }
        inFlight.remove(id);
        inFlightTerm.remove(id);
        inFlightFresh.remove(id);
        if (stopped) {
            return;   // deactivating: no record of the device's state, no queue profile, no retry
        }
        Instant now = clock.get();
        if (dirty.remove(id)) {
            // The policy changed meanwhile: go again at once, but say what failed.
            if (error != null && !isStale(error)) {
                if (FailureCause.of(error) == FailureCause.TRANSIENT) {
                    fresh.add(id);
                }
                String reason = rootMessage(error);
                sync.failed(id, profile, version, now, reason, FailureCause.of(error));
                log.warn("CareLane could not program {} ({}); previous rules kept, trying the newer policy", id,
                        reason);
            }
            program(id);
            return;
        }
        if (isStale(error)) {
            // Another term owns the device now; this node programs it again only if it is its master.
            if (mastership.isLocalMaster(id)) {
                program(id);
            } else {
                sync.forget(id);
            }
            return;
        }
        org.carelane.api.ShadowGeneration flipped = shadows.remove(id);
        stagedAt.remove(id);
        if (error == null) {
            // A staged boundary: the switch switched itself when the shadows expired.
            Instant since = flipped != null && flipped.profile() != profile && flipped.until().isBefore(now)
                    ? flipped.until() : now;
            sync.inSync(id, profile, version, since);
            inSync.accept(id, profile);
            if (!carelane.isShutdown()) {
                retries.put(id, carelane.schedule(() -> verify(id), VERIFY_AFTER.toMillis(), TimeUnit.MILLISECONDS));
            }
            return;
        }
        String reason = rootMessage(error);
        FailureCause cause = FailureCause.of(error);
        if (cause == FailureCause.TRANSIENT) {
            fresh.add(id);   // what the failed attempt left on the switch is uncertain
        }   // a refused meter: no rule went out, and a fresh generation would need room for all
        Optional<Duration> delay = sync.failed(id, profile, version, now, reason, cause);
        if (delay.isEmpty()) {
            log.warn("CareLane could not program {} ({}); previous rules kept, {}", id, reason, cause.retry);
            return;
        }
        log.warn("CareLane could not program {} ({}); previous rules kept, retrying in {}", id, reason, delay.get());
        if (!carelane.isShutdown()) {
            retries.put(id, carelane.schedule(() -> {
                retries.remove(id);
                program(id, true);
            }, delay.get().toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    /**
     * Checks, after a flow-stats poll, that ONOS found every rule of an in-sync device on it
     * and still holds its meters, and withdraws stray meters. The reads run on their own
     * thread, so that verifying many devices holds up neither changes nor ONOS's callbacks.
     */
    void verify(DeviceId id) {
        retries.remove(id);
        Optional<DeviceSyncTracker.Entry> state = sync.get(id);
        if (state.isEmpty() || state.get().state != DeviceSyncTracker.State.IN_SYNC || inFlight.containsKey(id)) {
            return;
        }
        checks.execute(() -> {
            long missing = 0;
            for (FlowEntry e : flowRules.getFlowEntries(id)) {
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

    /** For tests: waits until the verification reads queued so far have run. */
    void awaitReads() {
        QueuedWork.await(checks);
    }

    private void verified(DeviceId id, DeviceSyncTracker.Entry checked, long missing, List<String> lost,
                          List<InstalledMeter> stray) {
        Optional<DeviceSyncTracker.Entry> now = sync.get(id);
        if (now.isEmpty() || now.get().state != checked.state || now.get().profile != checked.profile
                || !now.get().since.equals(checked.since) || inFlight.containsKey(id)) {
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
     * If CareLane withdrew it from a previous generation, its room is free (see {@link #meterLeft}).
     */
    void meterRemoved(DeviceId id, long meterId) {
        if (!mastership.isLocalMaster(id)) {
            return;
        }
        List<String> lost = programmer.lostMeters(id);
        if (lost.isEmpty()) {
            if (programmer.madeRoom(id, meterId)) {
                meterLeft(id);   // a previous generation's meter, purged: its room is free
            }
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

    /**
     * The switch holds one of the device's meters at another rate than CareLane recorded (a
     * late EXISTING_METER, checked against the switch): a fresh generation, with new meters.
     */
    void meterMismatch(DeviceId id) {
        if (!mastership.isLocalMaster(id)) {
            return;
        }
        fresh.add(id);
        if (inFlight.containsKey(id)) {
            dirty.add(id);
        } else {
            cancelRetry(id);
            program(id, true);
        }
    }

    private void cancelRetry(DeviceId id) {
        cancel(retries, id);
    }

    private static void cancel(Map<DeviceId, ScheduledFuture<?>> timers, DeviceId id) {
        ScheduledFuture<?> timer = timers.remove(id);
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private static boolean isStale(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof StaleAttemptException) {
                return true;
            }
        }
        return false;
    }

    /** The reason behind the wrappers of a failed attempt. */
    private String rootMessage(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && (t instanceof CompletionException || t instanceof ProgrammingException)) {
            t = t.getCause();
        }
        if (t instanceof TimeoutException) {
            return "timed out after " + timeout.toMillis() + " ms";
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private void onCareLaneThread(Runnable task) {
        if (!carelane.isShutdown()) {
            carelane.execute(task);
        }
    }
}
