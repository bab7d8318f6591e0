package org.carelane.impl;

import org.carelane.api.DeviceStatus;
import org.carelane.api.Profile;
import org.onosproject.net.DeviceId;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each device this node programs stands: in sync with the policy, pending, or failed
 * with the reason and the time of the next retry. Retries back off exponentially.
 */
final class DeviceSyncTracker {
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration MAX_RETRY = Duration.ofSeconds(60);

    /** Sync state of one device. */
    enum State {
        IN_SYNC, PENDING, FAILED
    }

    /** One device's state. */
    static final class Entry {
        final State state;
        final Profile profile;
        final long policyVersion;
        final Instant since;
        final int failures;
        final String reason;
        final Instant nextRetry;
        /** An attempt is in flight. */
        final boolean programming;
        /** The device's last failure, kept after it recovers: "what went wrong at noon". */
        final String lastFailure;
        final Instant lastFailureAt;
        /** What a FAILED device waits for before its next attempt; null otherwise. */
        final FailureCause cause;

        private Entry(State state, Profile profile, long policyVersion, Instant since, int failures,
                      String reason, Instant nextRetry, boolean programming, Entry before) {
            this(state, profile, policyVersion, since, failures, reason, nextRetry, programming,
                    before == null ? null : before.lastFailure, before == null ? null : before.lastFailureAt, null);
        }

        private Entry(State state, Profile profile, long policyVersion, Instant since, int failures,
                      String reason, Instant nextRetry, boolean programming, String lastFailure,
                      Instant lastFailureAt, FailureCause cause) {
            this.state = state;
            this.profile = profile;
            this.policyVersion = policyVersion;
            this.since = since;
            this.failures = failures;
            this.reason = reason;
            this.nextRetry = nextRetry;
            this.programming = programming;
            this.lastFailure = lastFailure;
            this.lastFailureAt = lastFailureAt;
            this.cause = cause;
        }

        /** Failed for a cause that a reconcile of the same policy does not retry (see {@link FailureCause}). */
        boolean waitsForChange() {
            return state == State.FAILED && cause != null && cause != FailureCause.TRANSIENT;
        }

        DeviceStatus.Sync toStatus() {
            return new DeviceStatus.Sync(state.name(), profile, policyVersion, since, failures, reason, nextRetry,
                    cause == null ? null : cause.retry, lastFailure, lastFailureAt);
        }
    }

    private final Map<DeviceId, Entry> entries = new ConcurrentHashMap<>();

    /** Programming of the device started; failures so far are kept until it succeeds. */
    void pending(DeviceId id, Profile profile, long policyVersion, Instant now) {
        Entry before = entries.get(id);
        int failures = before == null ? 0 : before.failures;
        String reason = before == null ? null : before.reason;
        entries.put(id, new Entry(State.PENDING, profile, policyVersion, now, failures, reason, null, true, before));
    }

    /** The device is waiting for something outside CareLane, e.g. to connect. */
    void waiting(DeviceId id, Profile profile, long policyVersion, Instant now, String reason) {
        entries.put(id, new Entry(State.PENDING, profile, policyVersion, now, 0, reason, null, false,
                entries.get(id)));
    }

    /** CareLane's rules and meters are being removed from a device that left the policy. */
    void removing(DeviceId id, Instant now) {
        entries.put(id, new Entry(State.PENDING, null, 0, now, 0, "removing CareLane's rules", null, true, null));
    }

    /** Still in sync with a later policy version that did not change the device: the entry keeps its time. */
    void stillInSync(DeviceId id, long policyVersion) {
        Entry e = entries.get(id);
        if (e != null && e.state == State.IN_SYNC) {
            entries.put(id, new Entry(State.IN_SYNC, e.profile, policyVersion, e.since, 0, null, null, false, e));
        }
    }

    void inSync(DeviceId id, Profile profile, long policyVersion, Instant now) {
        entries.put(id, new Entry(State.IN_SYNC, profile, policyVersion, now, 0, null, null, false, entries.get(id)));
    }

    /**
     * Records a failure; returns how long to wait before the next attempt (for want of room, only
     * the slow backstop), or empty if no timer retries it (see {@link FailureCause}).
     */
    Optional<Duration> failed(DeviceId id, Profile profile, long policyVersion, Instant now, String reason,
                              FailureCause cause) {
        int failures = get(id).map(e -> e.failures).orElse(0) + 1;
        Optional<Duration> delay = cause == FailureCause.TRANSIENT ? Optional.of(backoff(failures))
                : cause == FailureCause.NO_ROOM ? Optional.of(MAX_RETRY) : Optional.empty();
        entries.put(id, new Entry(State.FAILED, profile, policyVersion, now, failures, reason,
                delay.map(now::plus).orElse(null), false, reason, now, cause));
        return delay;
    }

    void forget(DeviceId id) {
        entries.remove(id);
    }

    Optional<Entry> get(DeviceId id) {
        return Optional.ofNullable(entries.get(id));
    }

    /** True when no attempt is in flight on any device. */
    boolean settled() {
        return entries.values().stream().noneMatch(e -> e.programming);
    }

    /** 1 s, 2 s, 4 s ... capped at 60 s. */
    static Duration backoff(int failures) {
        long factor = 1L << Math.min(failures - 1, 16);
        Duration d = FIRST_RETRY.multipliedBy(factor);
        return d.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : d;
    }
}
