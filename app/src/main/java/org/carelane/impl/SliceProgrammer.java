package org.carelane.impl;

import org.carelane.api.CareLaneStore;
import org.carelane.api.DeviceUplink;
import org.carelane.api.InstalledMeter;
import org.carelane.api.ShadowGeneration;
import org.carelane.api.Profile;
import org.carelane.api.SliceDefinition;
import org.carelane.api.SlicePolicy;
import org.carelane.policy.FlowCompiler;
import org.carelane.policy.RateMath;
import org.onosproject.core.ApplicationId;
import org.onosproject.net.DeviceId;
import org.onosproject.net.flow.FlowEntry;
import org.onosproject.net.flow.FlowRule;
import org.onosproject.net.flow.FlowRuleOperations;
import org.onosproject.net.flow.FlowRuleOperationsContext;
import org.onosproject.net.flow.FlowRuleService;
import org.onosproject.net.flow.FlowId;
import org.onosproject.net.flow.TrafficTreatment;
import org.onosproject.net.meter.Band;
import org.onosproject.net.meter.DefaultBand;
import org.onosproject.net.meter.DefaultMeterRequest;
import org.onosproject.net.meter.Meter;
import org.onosproject.net.meter.MeterContext;
import org.onosproject.net.meter.MeterFailReason;
import org.onosproject.net.meter.MeterId;
import org.onosproject.net.meter.MeterRequest;
import org.onosproject.net.meter.MeterService;
import org.onosproject.net.meter.MeterState;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Programs one device make-before-break: new meters first, then a new generation of flow
 * rules that points at them (in the other priority band, see {@link FlowCompiler}), then the
 * old rules and meters are removed. MeterService has no modify, so a rate change is a meter
 * swap; unchanged meters are reused, so each slice keeps exactly one meter per device.
 */
final class SliceProgrammer {
    private final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(getClass());
    private final ApplicationId appId;
    private final FlowRuleService flowRules;
    private final MeterService meters;
    private final CareLaneStore store;
    private final Duration timeout;
    private final RetiredCounters retired;
    private final Duration meterGrace;
    /** Where meters are submitted: not the programming thread, and a device's meters together. */
    private final Executor submits;
    /**
     * Runs everything that follows an ONOS future. Never the thread that completed it: that
     * can be an Atomix partition thread, and a blocking store call there times the store out.
     */
    private final Executor callbacks;
    private final RuleKeeper keeper;
    private final SwitchMeterReader switchMeters;
    private final MeterFeaturesRepair features;
    private final WithdrawnMeterSweep sweep;
    /** Told of a device whose switch holds one of its meters at another rate (a late EXISTING_METER). */
    private volatile Consumer<DeviceId> meterMismatch = id -> { };
    /** How often a new meter is looked for on the switch. */
    static final long METER_POLL_MILLIS = 20;
    /** A meter not on the switch by then fails the attempt (before any rule uses it). */
    static final Duration METER_ON_SWITCH_TIMEOUT = Duration.ofSeconds(5);

    /**
     * @param timeout an attempt not finished by then fails, and what it created is withdrawn
     * @param retired where the counters of replaced rules are kept
     * @param meterGrace time between submitting meters and sending the rules that use them
     * @param callbacks   where the steps after ONOS's callbacks run
     * @param submits     where meters are submitted (several threads)
     * @param keeper      told which rules each device is to hold
     * @param switchMeters reads the meters a switch holds
     * @param features    gives ONOS back a switch's meter features it forgot
     * @param sweep       deletes from a reconnected switch the withdrawn meters ONOS put back
     */
    SliceProgrammer(ApplicationId appId, FlowRuleService flowRules, MeterService meters, CareLaneStore store,
                    Duration timeout, RetiredCounters retired, Duration meterGrace, Executor callbacks,
                    Executor submits,
                    RuleKeeper keeper, SwitchMeterReader switchMeters, MeterFeaturesRepair features,
                    WithdrawnMeterSweep sweep) {
        this.appId = appId;
        this.flowRules = flowRules;
        this.meters = meters;
        this.store = store;
        this.timeout = timeout;
        this.retired = retired;
        this.meterGrace = meterGrace;
        this.callbacks = callbacks;
        this.submits = submits;
        this.keeper = keeper;
        this.switchMeters = switchMeters;
        this.features = features;
        this.sweep = sweep;
    }

    /** Who renews a device whose switch holds one of its meters at another rate. */
    void onMeterMismatch(Consumer<DeviceId> renew) {
        meterMismatch = renew;
    }

    /**
     * The mastership term in which each device's meters were last looked through for strays
     * at an attempt's end: a term's later attempts leave none (verification still looks).
     */
    private final Map<DeviceId, Long> sweptInTerm = new ConcurrentHashMap<>();

    /** device/meter id of withdrawn meters whose purge gives the device room (see {@link #madeRoom}). */
    private final Set<String> roomMaking = ConcurrentHashMap.newKeySet();

    /**
     * What one attempt has done so far: what a failure must undo, and whether the new
     * generation has replaced the old one (after which nothing of it is undone).
     */
    private static final class Attempt {
        final DeviceId id;
        final MastershipFence fence;
        /** Every meter this attempt submitted, confirmed or not. */
        final List<InstalledMeter> created = Collections.synchronizedList(new ArrayList<>());
        /** Meter ids the switch answered EXISTING_METER for: checked against its own meters. */
        final Set<Long> existing = java.util.concurrent.ConcurrentHashMap.newKeySet();
        /**
         * Ends when every meter submit of this attempt has (failed or not): a timeout may come
         * while some wait for a submit thread, and undo withdraws what they create too.
         */
        volatile CompletableFuture<Void> submits = CompletableFuture.completedFuture(null);
        /** What giving ONOS back the switch's meter features found, once per attempt (guarded by the attempt). */
        MeterFeaturesRepair.Outcome featuresRepair;
        /** Set once the wait for the meters on the switch ended: a later EXISTING_METER is checked on its own. */
        volatile boolean meterWaitOver;
        /** Rules this attempt added that no rule in place shares: deleted if it fails before all are in. */
        volatile List<FlowRule> newRules = List.of();
        /**
         * RUNNING, then either COMMITTED (the new rules are all on the switch: the previous
         * generation is no longer the working one) or UNDONE (it failed or timed out), whichever
         * comes first: an attempt undone on a timeout does not commit when ONOS's adds end late.
         */
        private final java.util.concurrent.atomic.AtomicInteger outcome =
                new java.util.concurrent.atomic.AtomicInteger();

        boolean commit() {
            return outcome.compareAndSet(0, 1) || outcome.get() == 1;
        }

        /** True if this call undoes the attempt; false if it had committed. */
        boolean undo() {
            return outcome.compareAndSet(0, 2) || outcome.get() == 2;
        }
        /** What the keeper wanted before this attempt's new generation, wanted again if it fails. */
        volatile Map<Long, FlowRule> wantedBefore;

        Attempt(DeviceId id, MastershipFence fence) {
            this.id = id;
            this.fence = fence;
        }
    }

    /**
     * Brings a device to the policy in the given profile. Make-before-break: the old rules are
     * removed only after every new rule is in. If the new rules fail (each priority is a batch
     * of its own, since ONOS runs a batch's later stages even after one failed), this attempt's
     * rules are deleted before its meters are withdrawn, and the previous generation stays whole.
     * An attempt whose node lost the device's mastership stops and undoes nothing: the new
     * master owns the device.
     *
     * @param fence the mastership this attempt runs under, checked before each change it makes
     * @param fresh install new meters and a new rule generation even if ONOS's view already
     *              matches: after a failure, the switch may not hold that view
     */
    CompletableFuture<Void> program(SlicePolicy policy, Profile profile, DeviceUplink device, boolean fresh,
                                    MastershipFence fence) {
        return programNow(policy, profile, device, fresh, false, false, fence);
    }

    /**
     * {@link #program}, after a reconnect: a new generation only if the switch really lost
     * meters. A switch that reconnects with its tables kept still holds the recorded meters
     * (asked through {@link SwitchMeterReader}), ONOS still holds them too, and a new
     * generation would only churn the switch; a switch that cannot be asked gets one. The
     * generation's rules are re-added in place all the same: ONOS re-adds meters the switch lost
     * at its next meter poll, so meters found again do not prove the rules were kept, and ONOS's
     * flow store still lists the rules the switch lost until its next flow poll (5 s). Seen on
     * the cluster: an emptied switch whole again only after 5.9 s.
     */
    CompletableFuture<Void> programReconnected(SlicePolicy policy, Profile profile, DeviceUplink device,
                                               MastershipFence fence) {
        DeviceId id = device.deviceId();
        Map<String, InstalledMeter> recorded = store.installedMeters(id);
        Optional<CompletableFuture<Map<Long, Long>>> read =
                recorded.isEmpty() || !lostMeters(id).isEmpty() ? Optional.empty() : switchMeters.read(id);
        if (read.isEmpty()) {
            return programNow(policy, profile, device, true, false, true, fence);
        }
        return read.get().handle((rates, error) -> {
                    if (error != null) {
                        log.debug("CareLane could not read {}'s meters: {}", id, error.toString());
                    }
                    return error == null && recorded.values().stream().allMatch(m -> heldAtItsRate(m, rates));
                })
                .thenComposeAsync(kept -> {
                    if (kept) {
                        log.info("CareLane finds {}'s meters on the switch: no new generation", id);
                    }
                    return programNow(policy, profile, device, !kept, kept, true, fence);
                }, callbacks);
    }

    /**
     * @param rewrite   re-add the recorded generation's rules in place even if ONOS lists them all
     * @param reconnect the switch reconnected: the meters it lost and this attempt withdraws are
     *                  swept ({@link WithdrawnMeterSweep})
     */
    private CompletableFuture<Void> programNow(SlicePolicy policy, Profile profile, DeviceUplink device,
                                               boolean fresh, boolean rewrite, boolean reconnect,
                                               MastershipFence fence) {
        DeviceId id = device.deviceId();
        Attempt attempt = new Attempt(id, fence);
        Map<String, InstalledMeter> current = store.installedMeters(id);
        // A fresh generation trusts nothing recorded: staged meters may be gone from the switch too.
        Map<String, InstalledMeter> staged = fresh ? Map.of() : store.stagedMeters(id);
        // Shadows use the working meters the staging took off the record (see stageRules).
        boolean shadowed = store.shadow(id).isPresent();
        // Taken until this attempt succeeds: after any failure the next success looks for strays.
        Long swept = sweptInTerm.remove(id);
        Map<String, InstalledMeter> next = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> submitted = new ArrayList<>();
        // Fails with the first meter error ONOS reports for this attempt.
        CompletableFuture<Void> meterError = new CompletableFuture<>();
        fence.check();
        forEachMeter(policy, profile, (slice, rate, burst) -> {
            InstalledMeter existing = current.get(slice);
            if (!fresh && serves(existing, rate, burst)) {
                next.put(slice, existing);
                return;
            }
            InstalledMeter ready = staged.get(slice);
            if (serves(ready, rate, burst) && holds(id, ready)) {
                next.put(slice, ready);   // staged before the boundary, already on the switch
                return;
            }
            submitted.add(submitApart(id, slice, rate, burst, attempt, meterError)
                    .thenAccept(m -> next.put(slice, m)));
        });
        attempt.submits = CompletableFuture.allOf(submitted.toArray(CompletableFuture[]::new));
        return attempt.submits
                .thenComposeAsync(v -> onSwitch(id, attempt, meterError), callbacks)
                .thenComposeAsync(v -> applyFlows(attempt, policy, profile, device, meterIds(next), fresh,
                        rewrite), callbacks)
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handleAsync((v, error) -> {
                    if (error != null) {
                        return undo(attempt, next, error);
                    }
                    attempt.fence.check();
                    store.setInstalledMeters(id, new LinkedHashMap<>(next));
                    List<InstalledMeter> withdrawn = new ArrayList<>();
                    current.forEach((slice, old) -> {
                        if (!old.equals(next.get(slice)) && withdrawIfHeld(id, old, next.values(), true)) {
                            withdrawn.add(old);
                        }
                    });
                    if (reconnect) {
                        sweep.after(id, withdrawn, attempt.fence::holds);
                    }
                    if (staged.values().stream().anyMatch(next::containsValue)) {
                        // The boundary this device was staged for: the staged meters not taken go.
                        store.setStagedMeters(id, Map.of());
                        staged.values().stream().filter(m -> !next.containsValue(m))
                                .forEach(m -> withdrawIfHeld(id, m, next.values(), true));
                    }
                    // The meters the expired shadows used, those of an attempt that stopped when
                    // this node lost the device (a stale attempt undoes nothing: the next master
                    // decides), before it got it back, and those a failed attempt could not
                    // withdraw: looked for after a failure or in a new term, not at every
                    // attempt, as ONOS copies its whole meter store for the read.
                    long term = attempt.fence.term();
                    if (shadowed || swept == null || swept != term) {
                        withdrawMeters(id, strayMeters(id));
                    }
                    sweptInTerm.put(id, term);
                    return CompletableFuture.<Void>completedFuture(null);
                }, callbacks)
                .thenCompose(f -> f);
    }

    /**
     * Stages a device's next boundary, so that the switch switches itself. First the meters:
     * each forwarding slice whose meter changes then gets its new meter now, confirmed on the
     * switch and recorded as staged. Then, if the device holds its working generation whole and
     * the boundary is at least {@link #MIN_STAGE_SECONDS} away, the rules: the next profile's
     * generation in a staging band, each of its rules whose actions change under a shadow of the
     * working rule that expires at the boundary ({@link FlowCompiler#shadowOf}), added top-down, then the
     * working generation removed bottom-up, so every packet keeps its treatment until the switch
     * expires the shadows. The attempt at the boundary then finds the device's rules in place.
     * Meters staged earlier that are no longer wanted are withdrawn; on a failure this staging's
     * own rules are deleted and its meters withdrawn, and the boundary programs as usual.
     *
     * @param now   the profile in force until the boundary
     * @param next  the profile from the boundary
     * @param at    the boundary
     * @param clock the time now, when the shadows' hard_timeout is computed
     * @return the shadow, if the rules were staged too
     */
    CompletableFuture<Optional<ShadowGeneration>> stage(SlicePolicy policy, Profile now, Profile next, Instant at,
                                                       java.util.function.Supplier<Instant> clock,
                                                       DeviceUplink device, MastershipFence fence) {
        DeviceId id = device.deviceId();
        Attempt attempt = new Attempt(id, fence);
        Map<String, InstalledMeter> current = store.installedMeters(id);
        Map<String, InstalledMeter> earlier = store.stagedMeters(id);
        Map<String, InstalledMeter> staged = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> submitted = new ArrayList<>();
        CompletableFuture<Void> meterError = new CompletableFuture<>();
        fence.check();
        forEachMeter(policy, next, (slice, rate, burst) -> {
            if (serves(current.get(slice), rate, burst)) {
                return;   // the same meter serves both profiles
            }
            InstalledMeter ready = earlier.get(slice);
            if (serves(ready, rate, burst) && holds(id, ready)) {
                staged.put(slice, ready);
                return;
            }
            submitted.add(submitApart(id, slice, rate, burst, attempt, meterError)
                    .thenAccept(m -> staged.put(slice, m)));
        });
        attempt.submits = CompletableFuture.allOf(submitted.toArray(CompletableFuture[]::new));
        return attempt.submits
                .thenComposeAsync(v -> onSwitch(id, attempt, meterError), callbacks)
                .thenComposeAsync(v -> {
                    attempt.fence.check();
                    store.setStagedMeters(id, new LinkedHashMap<>(staged));
                    earlier.values().stream().filter(m -> !staged.containsValue(m))
                            .forEach(m -> withdrawIfHeld(id, m, store.installedMeters(id).values(), true));
                    if (!staged.isEmpty()) {
                        log.info("CareLane staged {} meter(s) on {} for {}", staged.size(), id, next.jsonName());
                    }
                    return stageRules(attempt, policy, now, next, at, clock, device, current, staged);
                }, callbacks)
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handleAsync((shadow, error) -> error == null
                        ? CompletableFuture.completedFuture(shadow)
                        : undo(attempt, Map.of(), error).thenApply(v -> Optional.<ShadowGeneration>empty()), callbacks)
                .thenCompose(f -> f);
    }

    /** What is done with each metered slice's meter (see {@link #forEachMeter}). */
    @FunctionalInterface
    private interface MeterStep {
        void accept(String slice, long rateKbps, long burstKbits);
    }

    /** Each slice of a policy that has a meter (all but drop slices), with its rate and burst in a profile. */
    private static void forEachMeter(SlicePolicy policy, Profile profile, MeterStep step) {
        for (SliceDefinition slice : policy.slices()) {
            if (!slice.drop()) {
                long rate = slice.rates(profile).maxKbps();
                step.accept(slice.name(), rate, RateMath.burstKbits(rate, policy.burstMs(slice)));
            }
        }
    }

    /**
     * Tells the {@link RuleKeeper} to want the device's recorded generation, as the first attempt
     * of a new master re-adds it in place: its recorded band, with its recorded meters, if they
     * serve this profile and no boundary is staged. Otherwise that attempt decides.
     */
    void wantRecorded(SlicePolicy policy, Profile profile, DeviceUplink device) {
        DeviceId id = device.deviceId();
        java.util.OptionalInt band = store.ruleBand(id);
        Map<String, InstalledMeter> installed = store.installedMeters(id);
        if (band.isEmpty() || installed.isEmpty() || store.shadow(id).isPresent()) {
            return;
        }
        List<String> unserved = new ArrayList<>();
        forEachMeter(policy, profile, (slice, rate, burst) -> {
            if (!serves(installed.get(slice), rate, burst)) {
                unserved.add(slice);
            }
        });
        if (unserved.isEmpty()) {
            keeper.want(id, FlowCompiler.compile(policy, device, meterIds(installed), appId, profile,
                    band.getAsInt()));
        }
    }

    /** True if {@code m} is a meter with this rate and burst. */
    private static boolean serves(InstalledMeter m, long rateKbps, long burstKbits) {
        return m != null && m.rateKbps() == rateKbps && m.burstKbits() == burstKbits;
    }

    /** A staged boundary's shadows expire no sooner than this after they are sent. */
    static final int MIN_STAGE_SECONDS = 2;

    /** The rules of {@link #stage}: empty if the device is not as recorded or the boundary is too near. */
    private CompletableFuture<Optional<ShadowGeneration>> stageRules(
            Attempt attempt, SlicePolicy policy, Profile now, Profile next, Instant at,
            java.util.function.Supplier<Instant> clock, DeviceUplink device, Map<String, InstalledMeter> current,
            Map<String, InstalledMeter> staged) {
        DeviceId id = attempt.id;
        java.util.OptionalInt recorded = store.ruleBand(id);
        if (recorded.isEmpty() || store.shadow(id).isPresent()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        List<FlowEntry> existing = liveEntries(id);
        Map<String, MeterId> nowIds = meterIds(current);
        if (!sameRules(existing, FlowCompiler.compile(policy, device, nowIds, appId, now, recorded.getAsInt()))) {
            return CompletableFuture.completedFuture(Optional.empty());   // the boundary programs it as usual
        }
        if (Duration.between(clock.get(), at).toMillis() < MIN_STAGE_SECONDS * 1000L) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        Map<String, InstalledMeter> nextMeters = new LinkedHashMap<>(current);
        nextMeters.putAll(staged);
        int band = FlowCompiler.otherStagingBand(recorded.getAsInt());
        List<FlowRule> nextRules = FlowCompiler.compile(policy, device, meterIds(nextMeters), appId, next, band);
        Map<FlowId, FlowRule> nextById = new HashMap<>();
        nextRules.forEach(r -> nextById.put(r.id(), r));
        // A shadow only over a rule whose actions change: an unchanged slice's next rule is its rule.
        List<FlowRule> shadowed = FlowCompiler.compile(policy, device, nowIds, appId, now, band).stream()
                .filter(w -> !nextById.containsKey(w.id()) || !sameTreatment(w.treatment(),
                        nextById.get(w.id()).treatment()))
                .collect(java.util.stream.Collectors.toList());
        log.info("CareLane stages {}'s switch to {} at {}: {} rules at priority band {}, {} under shadows", id,
                next.jsonName(), at, nextRules.size(), band, shadowed.size());
        attempt.fence.check();
        List<FlowRule> all = new ArrayList<>(nextRules);
        shadowed.forEach(w -> all.add(FlowCompiler.shadowOf(w, appId, 1)));
        attempt.newRules = all;
        attempt.wantedBefore = keeper.wantAlso(id, nextRules);
        // Top-down, a stage per priority. OpenFlow counts a hard_timeout in whole seconds from when
        // the switch takes the rule, so each shadow's is worked out when its stage goes out (never
        // before the boundary), and the staging records when the last of them expires.
        TreeMap<Integer, List<FlowRule>> stages = new TreeMap<>(Comparator.reverseOrder());
        nextRules.forEach(r -> stages.computeIfAbsent(r.priority(), p -> new ArrayList<>()).add(r));
        shadowed.forEach(w -> stages.computeIfAbsent(w.priority() + 1, p -> new ArrayList<>()).add(w));
        java.util.concurrent.atomic.AtomicReference<Instant> expiry =
                new java.util.concurrent.atomic.AtomicReference<>(at);
        List<java.util.function.Supplier<FlowRuleOperations.Builder>> adds = new ArrayList<>();
        stages.forEach((priority, rules) -> adds.add(() -> {
            FlowRuleOperations.Builder ops = FlowRuleOperations.builder();
            if (!FlowCompiler.shadow(priority)) {
                rules.forEach(ops::add);
                return ops;
            }
            Instant sent = clock.get();
            int seconds = (int) Math.max(1, (Duration.between(sent, at).toMillis() + 999) / 1000);
            expiry.accumulateAndGet(sent.plusSeconds(seconds), (a, b) -> a.isAfter(b) ? a : b);
            rules.forEach(w -> ops.add(FlowCompiler.shadowOf(w, appId, seconds)));
            return ops;
        }));
        List<FlowRuleOperations.Builder> removes = staged(existing, Comparator.naturalOrder(),
                FlowRuleOperations.Builder::remove);
        return inTurnBuilt(adds, attempt.fence::check).thenComposeAsync(v -> {
            attempt.fence.check();
            if (!attempt.commit()) {
                return removeLate(attempt, "the staging");
            }
            ShadowGeneration shadow = new ShadowGeneration(now, expiry.get());
            keeper.want(id, nextRules);
            store.setRuleBand(id, java.util.OptionalInt.of(band));
            store.setShadow(id, shadow);
            store.setInstalledMeters(id, nextMeters);   // the shadows keep using the working meters until they go
            store.setStagedMeters(id, Map.of());
            return inTurn(removes, attempt.fence::check).handleAsync((removed, error) -> {
                if (error != null) {
                    log.warn("CareLane could not remove {}'s working rules under its staged boundary: {}", id,
                            error.getMessage());
                }
                existing.forEach(e -> retired.retire(e, FlowCompiler.slicePriority(e.priority())));
                return Optional.of(shadow);
            }, callbacks);
        }, callbacks);
    }

    /** CareLane's rules ONOS holds for a device, but those it is removing. */
    List<FlowEntry> liveEntries(DeviceId id) {
        List<FlowEntry> out = new ArrayList<>();
        for (FlowEntry e : flowRules.getFlowEntries(id)) {
            if (e.appId() == appId.id() && e.state() != FlowEntry.FlowEntryState.PENDING_REMOVE) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * After a failure: a stale attempt undoes nothing; one whose new rules were all in keeps
     * them and their meters (the old ones' removal failed, and a retry tidies up); otherwise
     * this attempt's new rules are deleted, then its meters withdrawn.
     */
    private CompletableFuture<Void> undo(Attempt attempt, Map<String, InstalledMeter> next, Throwable error) {
        DeviceId id = attempt.id;
        if (!attempt.fence.holds()) {
            log.info("CareLane stops its attempt on {}: this node is no longer its master", id);
            return CompletableFuture.failedFuture(new StaleAttemptException(id));
        }
        if (!attempt.undo()) {
            store.setInstalledMeters(id, new LinkedHashMap<>(next));
            return CompletableFuture.failedFuture(new ProgrammingException(id, error));
        }
        if (attempt.wantedBefore != null) {
            keeper.wantAgain(id, attempt.wantedBefore);
        }
        CompletableFuture<Void> deleted = CompletableFuture.completedFuture(null);
        if (!attempt.newRules.isEmpty()) {
            deleted = deleteBottomUp(attempt.newRules).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        CompletableFuture<Void> submitsEnded = attempt.submits.handle((v, e) -> null);
        return deleted.handle((v, e) -> Optional.ofNullable(e)).thenCombineAsync(submitsEnded, (e, v) -> {
            if (e.isPresent()) {
                log.warn("CareLane could not delete the failed attempt's rules on {}: {}", id, e.get().getMessage());
            }
            synchronized (attempt.created) {
                attempt.created.forEach(m -> withdrawIfHeld(id, m, List.of(), false));
            }
            throw new ProgrammingException(id, error);
        }, callbacks);
    }

    /**
     * CareLane meters that ONOS still holds for a device but that are neither the installed
     * ones nor used by a CareLane rule, e.g. a generation's meters that ONOS replayed after a
     * restart. A rule ONOS is removing does not count: at a staged boundary the attempt removes
     * the shadows the switch has expired, and ONOS lists them PENDING_REMOVE until it handles
     * their FLOW_REMOVED (seen: the working meter then stayed 12 s). Only reads; the answer
     * holds while no attempt runs on the device.
     */
    List<InstalledMeter> strayMeters(DeviceId id) {
        List<InstalledMeter> stray = new ArrayList<>();
        Set<Long> keep = new HashSet<>();
        store.installedMeters(id).values().forEach(m -> keep.add(m.meterId()));
        store.stagedMeters(id).values().forEach(m -> keep.add(m.meterId()));
        liveEntries(id).forEach(e -> e.treatment().meters().forEach(m -> keep.add(m.meterId().id())));
        for (Meter m : meters.getMeters(id)) {
            if (m.appId().equals(appId) && !keep.contains(m.id().id()) && !m.bands().isEmpty()
                    && m.state() != MeterState.PENDING_REMOVE) {
                Band band = m.bands().iterator().next();
                long burst = band.burst() == null ? 0 : band.burst();
                stray.add(new InstalledMeter(m.id().id(), band.rate(), burst));
            }
        }
        return stray;
    }

    /**
     * Withdraws meters found by {@link #strayMeters}, but any the device now uses or has staged
     * (a staging may have run while a verification read ONOS's meter store).
     */
    void withdrawMeters(DeviceId id, List<InstalledMeter> stray) {
        if (stray.isEmpty()) {
            return;
        }
        List<InstalledMeter> inUse = new ArrayList<>(store.installedMeters(id).values());
        inUse.addAll(store.stagedMeters(id).values());
        stray.forEach(m -> withdrawIfHeld(id, m, inUse, true));
    }

    /**
     * Removes every rule and meter CareLane installed on a device. The meters go, and the
     * store forgets them, only once the rules are off the switch: if that fails (its master
     * cannot reach the switch, or it has none) the device keeps its record of what is there,
     * so that whichever node reaches the switch next clears it.
     */
    public CompletableFuture<Void> clear(DeviceId id) {
        return clear(id, false);
    }

    /**
     * As {@link #clear(DeviceId)}, but the meters go and the record is forgotten even if the
     * rules could not be removed: for the app's deactivation, after which nobody comes back for
     * them (OVS deletes the rules that use a deleted meter). The future still fails then.
     */
    public CompletableFuture<Void> clearLeaving(DeviceId id) {
        return clear(id, true);
    }

    private CompletableFuture<Void> clear(DeviceId id, boolean evenIfRulesStay) {
        keeper.forget(id);
        sweptInTerm.remove(id);
        List<FlowRule> mine = new ArrayList<>();
        for (FlowEntry e : flowRules.getFlowEntries(id)) {
            if (e.appId() == appId.id()) {
                mine.add(e);
            }
        }
        FlowRuleOperations.Builder ops = FlowRuleOperations.builder();
        mine.forEach(ops::remove);
        CompletableFuture<Void> done = execute(ops).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return done.handleAsync((v, e) -> {
            if (e == null || evenIfRulesStay) {
                Map<String, InstalledMeter> installed = store.installedMeters(id);
                Map<String, InstalledMeter> staged = store.stagedMeters(id);
                store.setInstalledMeters(id, Map.of());
                store.setStagedMeters(id, Map.of());
                store.setRuleBand(id, java.util.OptionalInt.empty());
                installed.values().forEach(m -> withdrawIfHeld(id, m, List.of(), true));
                staged.values().forEach(m -> withdrawIfHeld(id, m, List.of(), true));
            }
            if (e != null) {
                throw e instanceof CompletionException ? (CompletionException) e : new CompletionException(e);
            }
            return null;
        }, callbacks);
    }

    /**
     * The installed meters of a device that ONOS no longer holds, as "slice (meter N)". ONOS
     * 2.7.0 can drop a meter from its store: it handles meter-stats replies on a pool of 32
     * threads and forces a poll after every meter removal, and a reply handled late purges
     * by id whatever meter holds that id by then, such as one just allocated in its place.
     * At its next poll ONOS deletes that meter from the switch, and OVS the rules that use it.
     */
    List<String> lostMeters(DeviceId id) {
        List<String> lost = new ArrayList<>();
        store.installedMeters(id).forEach((slice, m) -> {
            if (!holds(id, m)) {
                lost.add(slice + " (meter " + m.meterId() + ")");
            }
        });
        return lost;
    }

    /** True if ONOS holds this meter as CareLane's, with the same band, and is not removing it. */
    private boolean holds(DeviceId id, InstalledMeter m) {
        Meter held = meters.getMeter(id, MeterId.meterId(m.meterId()));
        if (held == null || !held.appId().equals(appId) || held.state() == MeterState.PENDING_REMOVE
                || held.bands().isEmpty()) {
            return false;
        }
        Band band = held.bands().iterator().next();
        long burst = band.burst() == null ? 0 : band.burst();
        return band.rate() == m.rateKbps() && burst == m.burstKbits();
    }

    /**
     * Withdraws a meter by id only if ONOS still holds it as CareLane's and no rule of the
     * device is to use that id: once ONOS has dropped a meter, its id may already belong to
     * a meter just submitted, and withdrawing "the old one" would delete that.
     *
     * @param freesRoom whether its leaving gives the device room it did not have before the
     *                  attempt (an old generation's meter, not a failed attempt's own)
     */
    private boolean withdrawIfHeld(DeviceId id, InstalledMeter m, java.util.Collection<InstalledMeter> inUse,
                                   boolean freesRoom) {
        if (inUse.stream().anyMatch(u -> u.meterId() == m.meterId()) || !holds(id, m)) {
            log.info("CareLane does not withdraw meter {} on {}: ONOS no longer holds it as CareLane's {} kbps meter",
                    m.meterId(), id, m.rateKbps());
            return false;
        }
        if (freesRoom) {
            roomMaking.add(id + "/" + m.meterId());
        }
        withdraw(id, m);
        return true;
    }

    /**
     * True, once, if ONOS has just purged a meter CareLane withdrew from a device's previous
     * generation: its id and room are free again (a failed attempt's own meters give nothing
     * back, and waking on them would retry a full device forever).
     */
    boolean madeRoom(DeviceId id, long meterId) {
        return roomMaking.remove(id + "/" + meterId);
    }

    /**
     * {@link #submitOrExplain} on the submit threads. In a cluster each submit is several Raft
     * round trips (MeterManager.submit: a free id, the id counter, the meter map), slowest just
     * after a Raft leader changed: a device's meters go together, and a reconnect's fresh
     * generation, which starts on the programming thread, does not hold up other devices there.
     */
    private CompletableFuture<InstalledMeter> submitApart(DeviceId id, String slice, long rateKbps, long burstKbits,
                                                          Attempt attempt, CompletableFuture<Void> meterError) {
        return CompletableFuture.supplyAsync(
                () -> submitOrExplain(id, slice, rateKbps, burstKbits, attempt, meterError), submits)
                .thenCompose(f -> f);
    }

    /**
     * Submits a meter; when ONOS has no meter id for the device (MeterManager.submit throws),
     * says why: ONOS forgot the switch's meter features (they are given back, and the meter is
     * submitted again), the switch offers no meters, or all its meter ids are taken.
     */
    private CompletableFuture<InstalledMeter> submitOrExplain(DeviceId id, String slice, long rateKbps,
                                                              long burstKbits, Attempt attempt,
                                                              CompletableFuture<Void> meterError) {
        try {
            return submitMeter(id, rateKbps, burstKbits, attempt, meterError);
        } catch (IllegalArgumentException first) {
            // Once for the attempt: its meters are submitted together, and each finds them lost.
            MeterFeaturesRepair.Outcome repair;
            boolean mine;
            synchronized (attempt) {
                mine = attempt.featuresRepair == null;
                if (mine) {
                    attempt.featuresRepair = features.restore(id);
                }
                repair = attempt.featuresRepair;
            }
            if (repair == MeterFeaturesRepair.Outcome.NO_METERS) {
                return CompletableFuture.failedFuture(new FailureCause.RefusedException(FailureCause.PERMANENT,
                        "no meter for slice " + slice + ": the switch offers no meters"));
            }
            if (repair == MeterFeaturesRepair.Outcome.RESTORED) {
                if (mine) {
                    log.warn("CareLane gave ONOS back the meter features of {}, which it had lost", id);
                }
                try {
                    return submitMeter(id, rateKbps, burstKbits, attempt, meterError);
                } catch (IllegalArgumentException again) {
                    return CompletableFuture.failedFuture(new FailureCause.RefusedException(FailureCause.NO_ROOM,
                            "no meter for slice " + slice + ": every meter id of the switch is taken"));
                }
            }
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "no meter for slice " + slice + ": " + first.getMessage(), first));
        }
    }

    /**
     * Submits a meter. ONOS 2.7.0 confirms a meter only at its next meter-stats poll (every
     * 10 s), so this does not wait for that: it completes once ONOS has had {@code meterGrace} to
     * send the meter, ahead of the rules that use it on the same OpenFlow channel. Should a rule
     * still arrive first, the switch rejects it (INVALID_METER), the attempt fails without
     * touching the old rules, and it is retried. A meter error within the grace fails it too,
     * but for EXISTING_METER: ONOS re-sends meters the switch may already hold (after a reconnect
     * it re-adds the ones a meter poll missed), so that meter id is checked against the switch's
     * own meters instead ({@link #onSwitch}), and only a different band there fails the attempt.
     * One that comes after that wait is checked against the switch too ({@link #checkLateExisting}).
     */
    private CompletableFuture<InstalledMeter> submitMeter(DeviceId id, long rateKbps, long burstKbits,
                                                          Attempt attempt, CompletableFuture<Void> meterError) {
        Set<Long> existing = attempt.existing;
        Band band = DefaultBand.builder().ofType(Band.Type.DROP).withRate(rateKbps).burstSize(burstKbits).build();
        // The meter's id once submit returns; EXISTING_METER may come before (a synchronous provider).
        long[] meterId = {-1};
        boolean[] existingBeforeId = {false};
        MeterRequest request = DefaultMeterRequest.builder()
                .forDevice(id).fromApp(appId).withUnit(Meter.Unit.KB_PER_SEC).burst()
                .withBands(List.of(band))
                .withContext(new MeterContext() {
                    @Override
                    public void onError(MeterRequest op, MeterFailReason reason) {
                        if (reason == MeterFailReason.EXISTING_METER) {
                            if (attempt.meterWaitOver) {
                                checkLateExisting(id, meterId[0], rateKbps);
                                return;
                            }
                            synchronized (meterId) {
                                if (meterId[0] >= 0) {
                                    existing.add(meterId[0]);
                                } else {
                                    existingBeforeId[0] = true;
                                }
                            }
                            return;
                        }
                        meterError.completeExceptionally(new FailureCause.RefusedException(
                                FailureCause.of(reason), "meter on " + id + ": " + reason));
                    }
                }).add();
        Meter submitted = meters.submit(request);
        synchronized (meterId) {
            meterId[0] = submitted.id().id();
            if (existingBeforeId[0]) {
                existing.add(meterId[0]);
            }
        }
        InstalledMeter installed = new InstalledMeter(submitted.id().id(), rateKbps, burstKbits);
        attempt.created.add(installed);
        return CompletableFuture.completedFuture(installed);
    }

    /**
     * Completes once the switch holds every one of {@code created} at its rate, read from the
     * switch itself, one read for them all every {@link #METER_POLL_MILLIS} (see
     * {@link SwitchMeterReader}); a switch that cannot be read that way gets {@code meterGrace}
     * instead. ONOS 2.7.0 confirms a meter only at its next stats poll (10 s). A rule that
     * reached the switch before its meter would be rejected, and ONOS would still report the
     * batch done (OpenFlowRuleProvider.handleErrorMsg drops METER_MOD_FAILED errors), so the
     * old rules would go with no new ones. This also catches a meter id the switch still holds
     * with another band (EXISTING_METER). A meter error ONOS reports fails it.
     */
    private CompletableFuture<Void> onSwitch(DeviceId id, Attempt attempt, CompletableFuture<Void> meterError) {
        List<InstalledMeter> created = List.copyOf(attempt.created);
        Set<Long> existing = attempt.existing;
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletableFuture<Void> over = done.whenComplete((v, e) -> attempt.meterWaitOver = true);
        CompletableFuture<Void> unused = meterError.whenComplete((v, e) -> {
            if (e != null) {
                done.completeExceptionally(e);
            }
        });
        if (created.isEmpty()) {
            done.complete(null);
        } else {
            awaitOnSwitch(id, created, existing, done, System.nanoTime() + METER_ON_SWITCH_TIMEOUT.toNanos());
        }
        return over;
    }

    /**
     * An EXISTING_METER after the meter wait (ONOS re-sends meters at its stats polls): the
     * switch's own meter config decides. At the meter's rate it is the meter; at another, the
     * rules use a band the policy does not want, and a new generation follows.
     */
    private void checkLateExisting(DeviceId id, long meterId, long rateKbps) {
        switchMeters.read(id).ifPresent(read -> {
            CompletableFuture<Void> unused = read.thenAcceptAsync(rates -> {
                Long held = rates.get(meterId);
                boolean inUse = store.installedMeters(id).values().stream()
                        .anyMatch(m -> m.meterId() == meterId && m.rateKbps() == rateKbps);
                if (inUse && held != null && held != rateKbps) {
                    log.warn("CareLane: EXISTING_METER on {}: the switch holds meter {} at {} kbps, not {}; a new "
                            + "generation follows", id, meterId, held, rateKbps);
                    meterMismatch.accept(id);
                }
            }, callbacks);
        });
    }

    private void awaitOnSwitch(DeviceId id, List<InstalledMeter> created, Set<Long> existing,
                               CompletableFuture<Void> done, long deadline) {
        if (done.isDone()) {
            return;   // a meter error came first
        }
        Optional<CompletableFuture<Map<Long, Long>>> read = switchMeters.read(id);
        if (read.isEmpty()) {
            if (!existing.isEmpty()) {   // cannot be checked against the switch
                done.completeExceptionally(new FailureCause.RefusedException(FailureCause.TRANSIENT,
                        "meter on " + id + ": " + MeterFailReason.EXISTING_METER));
            } else if (meterGrace.isZero()) {
                done.complete(null);
            } else {
                CompletableFuture.delayedExecutor(meterGrace.toMillis(), TimeUnit.MILLISECONDS)
                        .execute(() -> done.complete(null));
            }
            return;
        }
        CompletableFuture<Map<Long, Long>> unused = read.get().whenCompleteAsync((rates, error) -> {
            List<InstalledMeter> missing = new ArrayList<>();
            created.forEach(m -> {
                if (rates == null || !heldAtItsRate(m, rates)) {
                    missing.add(m);
                }
            });
            Optional<InstalledMeter> taken = missing.stream()
                    .filter(m -> existing.contains(m.meterId()) && rates != null && rates.containsKey(m.meterId()))
                    .findFirst();
            if (taken.isPresent()) {
                done.completeExceptionally(new FailureCause.RefusedException(FailureCause.TRANSIENT, "meter on " + id
                        + ": EXISTING_METER, the switch holds meter " + taken.get().meterId() + " at "
                        + rates.get(taken.get().meterId()) + " kbps, not " + taken.get().rateKbps()));
            } else if (missing.isEmpty()) {
                done.complete(null);
            } else if (System.nanoTime() - deadline > 0) {
                InstalledMeter m = missing.get(0);
                done.completeExceptionally(new IllegalStateException("meter " + m.meterId() + " on " + id
                        + " not on the switch at " + m.rateKbps() + " kbps after "
                        + METER_ON_SWITCH_TIMEOUT.toSeconds() + " s"
                        + (rates == null ? "" : " (the switch holds " + rates.get(m.meterId()) + ")")));
            } else {
                CompletableFuture.delayedExecutor(METER_POLL_MILLIS, TimeUnit.MILLISECONDS, callbacks)
                        .execute(() -> awaitOnSwitch(id, created, existing, done, deadline));
            }
        }, callbacks);
    }

    /** True if a switch's meters (id to rate, as {@link SwitchMeterReader} reads them) hold this one at its rate. */
    private static boolean heldAtItsRate(InstalledMeter m, Map<Long, Long> rates) {
        return Long.valueOf(m.rateKbps()).equals(rates.get(m.meterId()));
    }

    private void withdraw(DeviceId id, InstalledMeter m) {
        MeterRequest request = DefaultMeterRequest.builder().forDevice(id).fromApp(appId)
                .withUnit(Meter.Unit.KB_PER_SEC).burst()
                .withBands(List.of(DefaultBand.builder().ofType(Band.Type.DROP).withRate(m.rateKbps())
                        .burstSize(m.burstKbits()).build()))
                .remove();
        meters.withdraw(request, MeterId.meterId(m.meterId()));
    }

    /**
     * Brings the device's flow rules to {@code policy}. If anything differs, the whole new rule
     * set goes into the band not in use, and only once all of it is in are the old rules
     * removed. Adds run highest priority first and removes lowest priority first, one batch per
     * priority, each sent once the switch has answered the last one's barrier and stopping at
     * the first failure (ONOS 2.7.0 would run a batch's later stages even after one failed:
     * FlowRuleManager.FlowOperationsProcessor), so a packet always meets either its old or its
     * new rule. A change of treatments only needs one of the two sides staged (see
     * {@link #sameMatches}). No MODIFY: ONOS sends it non-strict, and OVS would rewrite every
     * narrower rule too.
     */
    private CompletableFuture<Void> applyFlows(Attempt attempt, SlicePolicy policy, Profile profile,
                                               DeviceUplink device, Map<String, MeterId> meterIds, boolean fresh,
                                               boolean rewrite) {
        DeviceId id = attempt.id;
        attempt.fence.check();
        Optional<ShadowGeneration> shadow = store.shadow(id);
        if (shadow.isEmpty() || shadow.get().profile() == profile) {
            // Before its boundary a staged device is brought back to the profile in force like
            // any other: its staging band's rules, shadows included, are removed bottom-up.
            return applyFlowsNow(attempt, policy, profile, device, meterIds, fresh, rewrite, shadow.isPresent());
        }
        // Past the boundary, or forced to the next profile before it: the shadows go first. One
        // that ONOS re-sent with its full timeout (FlowRuleManager.flowMissing, e.g. a new master
        // that missed the expiry) would otherwise hold the old profile. Any order: each shadow
        // lies right above its own slice's next rule.
        FlowRuleOperations.Builder ops = FlowRuleOperations.builder();
        List<FlowEntry> shadows = liveEntries(id).stream().filter(e -> FlowCompiler.shadow(e.priority()))
                .collect(java.util.stream.Collectors.toList());
        shadows.forEach(ops::remove);
        CompletableFuture<Void> gone = shadows.isEmpty() ? CompletableFuture.completedFuture(null) : execute(ops);
        return gone.thenComposeAsync(v -> {
            attempt.fence.check();
            shadows.forEach(e -> retired.retire(e, FlowCompiler.slicePriority(e.priority())));
            store.setShadow(id, null);
            return applyFlowsNow(attempt, policy, profile, device, meterIds, fresh, rewrite, false);
        }, callbacks);
    }

    /** @param shadowed the device has a staged boundary, whose record goes when it leaves the staging band */
    private CompletableFuture<Void> applyFlowsNow(Attempt attempt, SlicePolicy policy, Profile profile,
                                                  DeviceUplink device, Map<String, MeterId> meterIds, boolean fresh,
                                                  boolean rewrite, boolean shadowed) {
        DeviceId id = attempt.id;
        attempt.fence.check();   // a stale attempt must not tell the keeper what to want
        // Rules ONOS is removing (PENDING_REMOVE until its next flow poll, e.g. a failed attempt's)
        // are not in use: counting them could put a changed generation into the working band, in
        // place, and ONOS's poll then deletes and re-adds every rule whose treatment differs from
        // its reply's (FlowRuleManager.pushFlowMetricsInternal, exactMatch): seen through the real
        // ONOS as 2 pings to the blocked site answered and 124 clinical packets without DSCP 46.
        List<FlowEntry> existing = liveEntries(id);
        // ONOS may know only part of the generation on the switch: a new master whose flow store
        // lost the rules that rewrite DSCP (ONOS 2.7.0 cannot back them up to other nodes, see
        // CareLaneReports#carelaneFlows). Then the generation goes back into its recorded band:
        // an ADD replaces the rule with the same match and priority in place, so no packet meets
        // a rule of another generation, and ONOS removes none of them as extraneous.
        java.util.OptionalInt recorded = store.ruleBand(id);
        List<FlowRule> inPlace = recorded.isPresent()
                ? FlowCompiler.compile(policy, device, meterIds, appId, profile, recorded.getAsInt()) : null;
        int band;
        int working = -1;
        String why;
        List<FlowRule> next;
        boolean newBand;
        if (inPlace != null && (existing.isEmpty() || !fresh) && knownPart(existing, inPlace)) {
            keeper.want(id, inPlace);
            if (existing.size() == inPlace.size() && !rewrite) {
                return CompletableFuture.completedFuture(null);
            }
            band = recorded.getAsInt();
            next = inPlace;
            why = rewrite ? "re-added in place after a reconnect" : "re-added in place";
            newBand = false;
        } else if (existing.isEmpty()) {
            band = FlowCompiler.BASE_PRIORITY;
            next = FlowCompiler.compile(policy, device, meterIds, appId, profile, band);
            why = "first";
            newBand = true;
        } else {
            // The band of the last generation that went in whole (recorded at its commit): the
            // rules a failed attempt left in ONOS's store do not count. Without a record, an
            // interrupted swap counts as the higher band.
            int inUse = recorded.isPresent() ? recorded.getAsInt()
                    : FlowCompiler.bandBase(existing.stream().mapToInt(FlowEntry::priority).max().getAsInt());
            List<FlowRule> current = inPlace != null && recorded.getAsInt() == inUse ? inPlace
                    : FlowCompiler.compile(policy, device, meterIds, appId, profile, inUse);
            if (!fresh && sameRules(existing, current)) {
                keeper.want(id, current);
                return CompletableFuture.completedFuture(null);
            }
            band = FlowCompiler.otherBand(inUse);
            working = inUse;
            next = FlowCompiler.compile(policy, device, meterIds, appId, profile, band);
            why = fresh ? "fresh generation" : "policy changed";
            newBand = true;
        }
        log.info("CareLane programs {}: {} rules at priority band {} ({}; {} of its rules known to ONOS before)", id,
                next.size(), band, why, existing.size());
        Set<FlowId> nextIds = new HashSet<>();
        next.forEach(r -> nextIds.add(r.id()));
        List<FlowEntry> old = new ArrayList<>();
        existing.stream().filter(e -> !nextIds.contains(e.id())).forEach(old::add);
        // A change of treatments only (rates, marks, egress): slice for slice, the new rules
        // match what the working ones match, which ONOS holds ADDED (not a fresh attempt or a
        // reconnect's, where the switch may not hold what ONOS lists). Into the band below, the
        // working rules outrank and cover all of the new ones, so they go in one batch; out of
        // the band below, the new rules outrank and cover the old ones, which go in one batch.
        // Each saves a barrier round trip per priority (a board-wide change at 300 devices).
        boolean treatmentsOnly = working >= 0 && !fresh && !rewrite && sameMatches(existing, next, working);
        List<FlowRuleOperations.Builder> adds = treatmentsOnly && band < working
                ? oneBatch(next, FlowRuleOperations.Builder::add)
                : staged(next, Comparator.reverseOrder(), FlowRuleOperations.Builder::add);
        List<FlowRuleOperations.Builder> removes = treatmentsOnly && band > working
                ? oneBatch(old, FlowRuleOperations.Builder::remove)
                : staged(old, Comparator.naturalOrder(), FlowRuleOperations.Builder::remove);
        attempt.fence.check();
        if (newBand) {
            // Deleted if the attempt fails: every rule of the new band, also those ONOS already
            // held there (a failed attempt's leftovers, ADDED or PENDING_ADD, which ONOS re-sends
            // at each flow poll and which outrank the working band). Only a rule of the working
            // band is kept, should the band in use have been inferred wrongly.
            Set<FlowId> workingIds = new HashSet<>();
            existing.stream().filter(e -> FlowCompiler.bandBase(e.priority()) != band)
                    .forEach(e -> workingIds.add(e.id()));
            attempt.newRules = next.stream().filter(r -> !workingIds.contains(r.id()))
                    .collect(java.util.stream.Collectors.toList());
            attempt.wantedBefore = keeper.wantAlso(id, next);
        }
        return inTurn(adds, attempt.fence::check).thenComposeAsync(added -> {
            attempt.fence.check();
            if (!attempt.commit()) {
                return removeLate(attempt, "the attempt");
            }
            keeper.want(id, next);
            store.setRuleBand(id, java.util.OptionalInt.of(band));
            if (shadowed && !FlowCompiler.staging(band)) {
                store.setShadow(id, null);
            }
            if (old.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            return inTurn(removes, attempt.fence::check).handleAsync((removed, error) -> {
                if (error != null) {
                    throw new IllegalStateException("the previous rules were not all removed", error);
                }
                old.forEach(e -> retired.retire(e, FlowCompiler.slicePriority(e.priority())));
                return null;
            }, callbacks);
        }, callbacks);
    }

    /**
     * True if every existing rule is ADDED in the working band, and they and {@code next} match
     * the same packets at the same slice priorities, rule for rule.
     */
    private static boolean sameMatches(List<FlowEntry> existing, List<FlowRule> next, int working) {
        if (existing.isEmpty() || existing.size() != next.size()
                || !existing.stream().allMatch(e -> FlowCompiler.bandBase(e.priority()) == working
                        && e.state() == FlowEntry.FlowEntryState.ADDED)) {
            return false;
        }
        Map<List<Object>, Integer> matches = new HashMap<>();
        existing.forEach(e -> matches.merge(List.of(e.selector(), FlowCompiler.slicePriority(e.priority())), 1,
                Integer::sum));
        next.forEach(r -> matches.merge(List.of(r.selector(), FlowCompiler.slicePriority(r.priority())), -1,
                Integer::sum));
        return matches.values().stream().allMatch(n -> n == 0);
    }

    /** All of {@code rules} in one batch; none if there are none. */
    private static List<FlowRuleOperations.Builder> oneBatch(List<? extends FlowRule> rules,
                                                             java.util.function.BiConsumer<FlowRuleOperations.Builder,
                                                                     FlowRule> operation) {
        if (rules.isEmpty()) {
            return List.of();
        }
        FlowRuleOperations.Builder ops = FlowRuleOperations.builder();
        rules.forEach(r -> operation.accept(ops, r));
        return List.of(ops);
    }

    /**
     * One batch per priority, in {@code order}, each sent only once the last succeeded (see
     * {@link #inTurn}). Not stages of one batch: after a failed stage ONOS 2.7.0 calls onError
     * and then still sends the later stages (FlowRuleManager.FlowOperationsProcessor), so an
     * undo could run before them, and a later stage's rule of the higher band, sent after the
     * undo freed room, would outrank the working rules. Seen through the real ONOS: 4 pings to
     * the blocked site answered while the table was full.
     */
    private static List<FlowRuleOperations.Builder> staged(List<? extends FlowRule> rules,
                                                           Comparator<Integer> order,
                                                           java.util.function.BiConsumer<FlowRuleOperations.Builder,
                                                                   FlowRule> operation) {
        TreeMap<Integer, List<FlowRule>> stages = new TreeMap<>(order);
        rules.forEach(r -> stages.computeIfAbsent(r.priority(), p -> new ArrayList<>()).add(r));
        List<FlowRuleOperations.Builder> batches = new ArrayList<>();
        stages.values().forEach(stage -> batches.addAll(oneBatch(stage, operation)));
        return batches;
    }

    /** The batches one after another, each after {@code check}; the first failure stops the rest. */
    private CompletableFuture<Void> inTurn(List<FlowRuleOperations.Builder> batches, Runnable check) {
        List<java.util.function.Supplier<FlowRuleOperations.Builder>> built = new ArrayList<>();
        batches.forEach(b -> built.add(() -> b));
        return inTurnBuilt(built, check);
    }

    /** {@link #inTurn}, each batch built when its turn comes. */
    private CompletableFuture<Void> inTurnBuilt(List<java.util.function.Supplier<FlowRuleOperations.Builder>> batches,
                                                Runnable check) {
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        for (java.util.function.Supplier<FlowRuleOperations.Builder> batch : batches) {
            done = done.thenComposeAsync(v -> {
                check.run();
                return execute(batch.get());
            }, callbacks);
        }
        return done;
    }

    /**
     * An attempt undone on a timeout while ONOS was still adding its rules: takes out what went
     * in late, and fails.
     */
    private <T> CompletableFuture<T> removeLate(Attempt attempt, String what) {
        return deleteBottomUp(attempt.newRules).thenCompose(v -> CompletableFuture.<T>failedFuture(
                new IllegalStateException(what + " was undone while its rules went in")));
    }

    /**
     * Deletes a failed attempt's rules lowest priority first, one batch per priority, stopping
     * at a failure. In one batch ONOS would send them in no fixed order (a set in
     * ECFlowRuleStore.updateStoreInternal and OpenFlowRuleProvider.executeBatch), and a packet
     * could meet a lower slice's new rule in the band above while its own was already gone.
     */
    private CompletableFuture<Void> deleteBottomUp(List<FlowRule> rules) {
        return inTurn(staged(rules, Comparator.naturalOrder(), FlowRuleOperations.Builder::remove), () -> { });
    }

    /** True if the device already has exactly these rules, meters included. */
    private static boolean sameRules(List<FlowEntry> existing, List<FlowRule> wanted) {
        return existing.size() == wanted.size() && knownPart(existing, wanted);
    }

    /** True if every existing rule is one of {@code wanted}, with the same treatment and meters. */
    private static boolean knownPart(List<FlowEntry> existing, List<FlowRule> wanted) {
        Map<FlowId, FlowRule> byId = new HashMap<>();
        wanted.forEach(r -> byId.put(r.id(), r));
        return existing.stream().allMatch(e -> byId.containsKey(e.id())
                && sameTreatment(e.treatment(), byId.get(e.id()).treatment()));
    }

    private CompletableFuture<Void> execute(FlowRuleOperations.Builder ops) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        flowRules.apply(ops.build(new FlowRuleOperationsContext() {
            @Override
            public void onSuccess(FlowRuleOperations o) {
                done.complete(null);
            }

            @Override
            public void onError(FlowRuleOperations o) {
                done.completeExceptionally(new IllegalStateException("flow rule operations failed"));
            }
        }));
        return done;
    }

    /** DefaultTrafficTreatment.equals ignores meters in ONOS 2.7, so compare them too. */
    static boolean sameTreatment(TrafficTreatment a, TrafficTreatment b) {
        return a.equals(b) && a.meters().equals(b.meters());
    }

    private static Map<String, MeterId> meterIds(Map<String, InstalledMeter> installed) {
        Map<String, MeterId> out = new HashMap<>();
        installed.forEach((slice, m) -> out.put(slice, MeterId.meterId(m.meterId())));
        return out;
    }
}
