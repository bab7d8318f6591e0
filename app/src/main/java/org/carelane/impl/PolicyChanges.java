package org.carelane.impl;

import org.carelane.api.DeviceUplink;
import org.carelane.api.PeakSchedule;
import org.carelane.api.PolicyException;
import org.carelane.api.Profile;
import org.carelane.api.ProfileOverride;
import org.carelane.api.RateOverride;
import org.carelane.api.RateScope;
import org.carelane.api.ScopeOverride;
import org.carelane.api.SliceDefinition;
import org.carelane.api.SlicePolicy;
import org.carelane.api.SliceRates;
import org.carelane.api.Steering;
import org.carelane.api.CareLaneStore;
import org.carelane.policy.PolicyValidator;
import org.onosproject.net.DeviceId;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * The changes REST and the CLI make to the policy and the override: checked, stored atomically
 * across the cluster on the CareLane thread, audited, written back to netcfg, and answered once
 * this node's reconciler has them (or after {@link CareLaneManager#PROMPT}). An error names the
 * field and changes nothing.
 */
final class PolicyChanges {
    private final CareLaneStore store;
    private final PolicyAudit audit;
    private final NetcfgIntake intake;
    private final DevicePorts ports;
    private final Reconciler reconciler;
    private final DeviceSyncTracker sync;
    private final Supplier<Instant> clock;
    private final CareLaneThread thread;

    PolicyChanges(CareLaneStore store, PolicyAudit audit, NetcfgIntake intake, DevicePorts ports,
                  Reconciler reconciler, DeviceSyncTracker sync, Supplier<Instant> clock, CareLaneThread thread) {
        this.store = store;
        this.audit = audit;
        this.intake = intake;
        this.ports = ports;
        this.reconciler = reconciler;
        this.sync = sync;
        this.clock = clock;
        this.thread = thread;
    }

    void setRates(String slice, Profile profile, SliceRates rates, String user, String source) {
        if (!rates.isShare()) {
            setRates(slice, profile, rates.maxKbps(), OptionalLong.of(rates.minKbps()), user, source);
            return;
        }
        setNationalRates(slice, profile, was -> rates, user, source);
    }

    void setRates(String slice, Profile profile, RateOverride change, String user, String source) {
        setNationalRates(slice, profile, change::applyTo, user, source);
    }

    void setRates(String slice, Profile profile, long maxKbps, OptionalLong minKbps, String user,
                         String source) {
        if (maxKbps <= 0) {
            throw new PolicyException("maxKbps", "must be positive, got " + maxKbps);
        }
        if (minKbps.isPresent() && minKbps.getAsLong() < 0) {
            throw new PolicyException("minKbps", "must not be negative, got " + minKbps.getAsLong());
        }
        // A reservation not given keeps its form (kbit/s or a share of each uplink).
        SliceRates cap = new SliceRates(maxKbps, minKbps.orElse(0));
        setNationalRates(slice, profile, was -> minKbps.isPresent() ? cap : was.withMax(cap), user, source);
    }

    /** @param change the slice's new national rates from its current ones, read inside the atomic update */
    private void setNationalRates(String slice, Profile profile, java.util.function.UnaryOperator<SliceRates> change,
                                  String user, String source) {
        update(user, source, "set-rate " + slice + " " + profile.jsonName(), current -> {
            SliceDefinition def = current.requireSlice(slice);
            if (def.drop()) {
                throw new PolicyException("slice", "slice '" + slice + "' drops traffic and has no rates");
            }
            SliceRates rates = change.apply(def.rates(profile));
            if (!rates.isShare() && rates.minKbps() > rates.maxKbps()) {
                throw new PolicyException("minKbps", "must not exceed maxKbps (" + rates.minKbps() + " > "
                        + rates.maxKbps() + ")");
            }
            SlicePolicy next = current.withSlice(def.withRates(profile, rates));
            try {
                PolicyValidator.validateCapacity(next, profile);
            } catch (PolicyException e) {
                throw new PolicyException(e.field().endsWith(".maxKbps") || e.field().endsWith(".maxPercent")
                        ? "maxKbps" : "minKbps", e.reason() + " [" + e.field() + "]");
            }
            return next;
        });
    }

    void setScopedRates(RateScope scope, String slice, Profile profile, RateOverride rates, String user,
                               String source) {
        if (scope.kind() == RateScope.Kind.NATIONAL) {
            throw new PolicyException("scope", "national rates are set with setRates");
        }
        update(user, source, "set-rate " + scope + " " + slice + " " + profile.jsonName(), current -> {
            current.requireSlice(slice);
            SlicePolicy next = changeScope(current, scope, was -> was.with(slice, profile, rates));
            // Every rule at once, so an error names the field and scope that conflict.
            PolicyValidator.validate(next);
            return next;
        });
    }

    /** The policy with what a board, site class or site changes replaced by {@code change} of it. */
    private static SlicePolicy changeScope(SlicePolicy current, RateScope scope,
                                           java.util.function.UnaryOperator<ScopeOverride> change) {
        ScopeOverride next = change.apply(current.requireScope(scope));
        if (scope.kind() == RateScope.Kind.SITE) {
            DeviceUplink device = current.device(DeviceId.deviceId(scope.name())).orElseThrow();
            return current.withDevice(device.withSite(next));
        }
        return current.withScope(scope.kind() == RateScope.Kind.SITE_CLASS, scope.name(), next);
    }

    void setSchedule(PeakSchedule schedule, String user, String source) {
        update(user, source, "set-schedule", current -> current.withSchedule(schedule));
    }

    void setScopedSchedule(RateScope scope, PeakSchedule schedule, String user, String source) {
        if (scope.kind() == RateScope.Kind.NATIONAL) {
            throw new PolicyException("scope", "the national schedule is set with setSchedule");
        }
        update(user, source, "set-schedule " + scope,
                current -> changeScope(current, scope, was -> was.withSchedule(schedule)));
    }

    void setEgress(String slice, Steering egress, String user, String source) {
        update(user, source, "set-egress " + slice, current -> {
            SliceDefinition def = current.requireSlice(slice);
            if (def.drop() && egress != null) {
                throw new PolicyException("slice", "slice '" + slice + "' drops traffic and sends nothing anywhere");
            }
            SlicePolicy next = current.withSlice(def.withEgress(egress));
            try {
                PolicyValidator.validate(next);
                ports.check(next);
            } catch (PolicyException e) {
                throw new PolicyException(e.field().endsWith(".when") ? "when" : "link", e.reason());
            }
            return next;
        });
    }

    void setScopedEgress(RateScope scope, String slice, Optional<Steering> egress, String user, String source) {
        if (scope.kind() == RateScope.Kind.NATIONAL) {
            throw new PolicyException("scope", "a slice's national egress is set with setEgress");
        }
        update(user, source, "set-egress " + scope + " " + slice, current -> {
            current.requireSlice(slice);
            SlicePolicy next = changeScope(current, scope, was -> was.withEgress(slice, egress));
            try {
                PolicyValidator.validate(next);
                ports.check(next);
            } catch (PolicyException e) {
                throw new PolicyException(e.field().endsWith(".link") ? "link" : e.field(), e.reason());
            }
            return next;
        });
    }

    void setOverride(Profile profile, Instant expiresAt, String user, String reason, String source) {
        if (!expiresAt.isAfter(clock.get())) {
            throw new PolicyException("expiresAt", "must be in the future");
        }
        ProfileOverride next = new ProfileOverride(profile, expiresAt, user, reason);
        long start = System.nanoTime();
        thread.runAndWait(() -> {
            String before = reconciler.overrideAt(clock.get()).map(Object::toString).orElse(null);
            store.setOverride(next);
            audit.record(user, source, "set-override", before, next.toString());
        });
        awaitPrompt(start, () -> reconciler.reconciledOverride().equals(Optional.of(next)));
    }

    boolean clearOverride(String user, String source) {
        boolean[] removed = new boolean[1];
        long start = System.nanoTime();
        thread.runAndWait(() -> {
            Optional<ProfileOverride> before = store.override();
            removed[0] = before.isPresent();
            if (removed[0]) {
                store.clearOverride();
                audit.record(user, source, "clear-override", before.get().toString(), null);
            }
        });
        if (removed[0]) {
            awaitPrompt(start, () -> reconciler.reconciledOverride().isEmpty());
        }
        return removed[0];
    }

    void setScopedOverride(RateScope scope, Profile profile, Instant expiresAt, String user, String reason,
                           String source) {
        if (scope.kind() == RateScope.Kind.NATIONAL) {
            throw new PolicyException("scope", "the national override is set with setOverride");
        }
        if (!expiresAt.isAfter(clock.get())) {
            throw new PolicyException("expiresAt", "must be in the future");
        }
        ProfileOverride next = new ProfileOverride(profile, expiresAt, user, reason);
        long start = System.nanoTime();
        thread.runAndWait(() -> {
            SlicePolicy current = store.policy().orElseThrow(() ->
                    new PolicyException("policy", "no CareLane policy (push the netcfg first)"));
            current.requireScope(scope);
            ProfileOverride before = store.scopedOverrides().get(scope);
            if (store.setScopedOverride(scope, next, null)) {
                audit.record(user, source, "set-override " + scope, before == null ? null : before.toString(),
                        next.toString());
            }
        });
        awaitPrompt(start, () -> next.equals(reconciler.reconciledScopedOverrides().get(scope)));
    }

    boolean clearScopedOverride(RateScope scope, String user, String source) {
        store.policy().ifPresent(p -> p.requireScope(scope));   // an unknown scope is an error, as when set
        boolean[] removed = new boolean[1];
        long start = System.nanoTime();
        thread.runAndWait(() -> {
            ProfileOverride before = store.scopedOverrides().get(scope);
            removed[0] = before != null && store.setScopedOverride(scope, null, before);
            if (removed[0]) {
                audit.record(user, source, "clear-override " + scope, before.toString(), null);
            }
        });
        if (removed[0]) {
            awaitPrompt(start, () -> !reconciler.reconciledScopedOverrides().containsKey(scope));
        }
        return removed[0];
    }

    /** Read-modify-write of the policy, atomic across the cluster, audited and written back to netcfg. */
    private void update(String user, String source, String action, java.util.function.UnaryOperator<SlicePolicy> f) {
        long start = System.nanoTime();
        boolean[] changed = new boolean[1];
        long[] version = new long[1];
        thread.runAndWait(() -> {
            store.markWriteBack(clock.get().plus(CareLaneManager.WRITE_BACK_LIMIT));
            try {
                changed[0] = audit.ifChanged(store.updatePolicy(f), user, source, action);
                version[0] = store.policyVersion();
                if (changed[0]) {
                    intake.writeBack();
                }
            } finally {
                store.clearWriteBack();
            }
        });
        if (changed[0]) {
            awaitPrompt(start, () -> reconciler.reconciledVersion() >= version[0]);
        }
    }

    /**
     * Waits, until {@link CareLaneManager#PROMPT} after {@code start} at most, for a stored change to reach
     * this node's reconciler (through the store's event, as on every other node) and for the
     * devices to settle: with many devices the caller gets its answer while programming goes
     * on (see /status).
     */
    private void awaitPrompt(long start, java.util.function.BooleanSupplier reconciled) {
        CareLaneThread.awaitUntil(start + CareLaneManager.PROMPT.toNanos(),
                () -> reconciled.getAsBoolean() && sync.settled());
    }
}
