package org.carelane.api;

import org.onosproject.net.DeviceId;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** One device in /status: its programming, its uplink queues, its rules and meters. */
public final class DeviceStatus {
    private final DeviceId deviceId;
    private final boolean available;
    private final boolean master;
    private final Sync sync;
    private final Queues queues;
    private final Integer flowRules;
    private final long flowRulesAdded;
    private final String flowRulesError;
    private final Map<String, Meter> meters;
    private final Staged staged;

    /**
     * @param sync           null if this node does not program the device
     * @param queues         null if this node has done no queue work for it
     * @param flowRules      CareLane's rules ONOS holds for it; null if this node cannot read them
     * @param flowRulesError why they cannot be read; null if they can
     * @param meters         by slice name, in the order given
     */
    public DeviceStatus(DeviceId deviceId, boolean available, boolean master, Sync sync, Queues queues,
                        Integer flowRules, long flowRulesAdded, String flowRulesError, Map<String, Meter> meters) {
        this(deviceId, available, master, sync, queues, flowRules, flowRulesAdded, flowRulesError, meters, null);
    }

    /** @param staged the next boundary's staging on the device; null if none */
    public DeviceStatus(DeviceId deviceId, boolean available, boolean master, Sync sync, Queues queues,
                        Integer flowRules, long flowRulesAdded, String flowRulesError, Map<String, Meter> meters,
                        Staged staged) {
        this.staged = staged;
        this.deviceId = deviceId;
        this.available = available;
        this.master = master;
        this.sync = sync;
        this.queues = queues;
        this.flowRules = flowRules;
        this.flowRulesAdded = flowRulesAdded;
        this.flowRulesError = flowRulesError;
        this.meters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(meters));
    }

    public DeviceId deviceId() {
        return deviceId;
    }

    public boolean available() {
        return available;
    }

    /** True if this node masters the device. */
    public boolean master() {
        return master;
    }

    public Optional<Sync> sync() {
        return Optional.ofNullable(sync);
    }

    public Optional<Queues> queues() {
        return Optional.ofNullable(queues);
    }

    public Optional<Integer> flowRules() {
        return Optional.ofNullable(flowRules);
    }

    public long flowRulesAdded() {
        return flowRulesAdded;
    }

    public Optional<String> flowRulesError() {
        return Optional.ofNullable(flowRulesError);
    }

    /** The next boundary staged on the device, if any. */
    public Optional<Staged> staged() {
        return Optional.ofNullable(staged);
    }

    /**
     * A boundary staged ahead: the next profile's meters already on the switch, and, if its rules
     * are staged too, the profile its shadows keep until they run out, when the switch switches
     * itself to the next.
     */
    public static final class Staged {
        private final ShadowGeneration shadow;
        private final Map<String, InstalledMeter> meters;

        public Staged(ShadowGeneration shadow, Map<String, InstalledMeter> meters) {
            this.shadow = shadow;
            this.meters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(meters));
        }

        /** The staged rules' boundary, if the rules are staged (not only the meters). */
        public Optional<ShadowGeneration> shadow() {
            return Optional.ofNullable(shadow);
        }

        public Map<String, InstalledMeter> meters() {
            return meters;
        }
    }

    public Map<String, Meter> meters() {
        return meters;
    }

    /** Where programming the device stands (IN_SYNC, PENDING or FAILED). */
    public static final class Sync {
        private final String state;
        private final Profile profile;
        private final long policyVersion;
        private final Instant since;
        private final int failures;
        private final String reason;
        private final Instant nextRetry;
        private final String retry;
        private final String lastFailure;
        private final Instant lastFailureAt;

        /** Nullable: profile, reason, nextRetry, retry (what a failure waits for), lastFailure(At). */
        public Sync(String state, Profile profile, long policyVersion, Instant since, int failures, String reason,
                    Instant nextRetry, String retry, String lastFailure, Instant lastFailureAt) {
            this.state = state;
            this.profile = profile;
            this.policyVersion = policyVersion;
            this.since = since;
            this.failures = failures;
            this.reason = reason;
            this.nextRetry = nextRetry;
            this.retry = retry;
            this.lastFailure = lastFailure;
            this.lastFailureAt = lastFailureAt;
        }

        public String state() {
            return state;
        }

        public Optional<Profile> profile() {
            return Optional.ofNullable(profile);
        }

        public long policyVersion() {
            return policyVersion;
        }

        public Instant since() {
            return since;
        }

        public int failures() {
            return failures;
        }

        public Optional<String> reason() {
            return Optional.ofNullable(reason);
        }

        public Optional<Instant> nextRetry() {
            return Optional.ofNullable(nextRetry);
        }

        public Optional<String> retry() {
            return Optional.ofNullable(retry);
        }

        public Optional<String> lastFailure() {
            return Optional.ofNullable(lastFailure);
        }

        public Optional<Instant> lastFailureAt() {
            return Optional.ofNullable(lastFailureAt);
        }
    }

    /** The uplink's queues through OVSDB (APPLIED, UNSUPPORTED or FAILED). */
    public static final class Queues {
        private final String state;
        private final String reason;
        private final DeviceId ovsdbDevice;
        private final String port;
        private final String qos;
        private final List<Queue> queues;

        /** Nullable: reason, ovsdbDevice, port, qos; queues empty unless APPLIED. */
        public Queues(String state, String reason, DeviceId ovsdbDevice, String port, String qos, List<Queue> queues) {
            this.state = state;
            this.reason = reason;
            this.ovsdbDevice = ovsdbDevice;
            this.port = port;
            this.qos = qos;
            this.queues = List.copyOf(queues);
        }

        public String state() {
            return state;
        }

        public Optional<String> reason() {
            return Optional.ofNullable(reason);
        }

        public Optional<DeviceId> ovsdbDevice() {
            return Optional.ofNullable(ovsdbDevice);
        }

        public Optional<String> port() {
            return Optional.ofNullable(port);
        }

        public Optional<String> qos() {
            return Optional.ofNullable(qos);
        }

        public List<Queue> queues() {
            return queues;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Queues)) {
                return false;
            }
            Queues q = (Queues) o;
            return state.equals(q.state) && Objects.equals(reason, q.reason)
                    && Objects.equals(ovsdbDevice, q.ovsdbDevice) && Objects.equals(port, q.port)
                    && Objects.equals(qos, q.qos) && queues.equals(q.queues);
        }

        @Override
        public int hashCode() {
            return Objects.hash(state, reason, ovsdbDevice, port, qos, queues);
        }
    }

    /** One queue of the uplink's QoS. */
    public static final class Queue {
        private final long queue;
        private final String slice;
        private final long minKbps;
        private final long maxKbps;
        private final long burstKbits;

        public Queue(long queue, String slice, long minKbps, long maxKbps, long burstKbits) {
            this.queue = queue;
            this.slice = slice;
            this.minKbps = minKbps;
            this.maxKbps = maxKbps;
            this.burstKbits = burstKbits;
        }

        public long queue() {
            return queue;
        }

        public String slice() {
            return slice;
        }

        public long minKbps() {
            return minKbps;
        }

        public long maxKbps() {
            return maxKbps;
        }

        public long burstKbits() {
            return burstKbits;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Queue)) {
                return false;
            }
            Queue q = (Queue) o;
            return queue == q.queue && slice.equals(q.slice) && minKbps == q.minKbps && maxKbps == q.maxKbps
                    && burstKbits == q.burstKbits;
        }

        @Override
        public int hashCode() {
            return Objects.hash(queue, slice, minKbps, maxKbps, burstKbits);
        }
    }

    /** One slice's meter: CareLane's record, and ONOS's state of it (UNKNOWN if ONOS lacks it). */
    public static final class Meter {
        private final InstalledMeter installed;
        private final String state;

        public Meter(InstalledMeter installed, String state) {
            this.installed = installed;
            this.state = state;
        }

        public InstalledMeter installed() {
            return installed;
        }

        public String state() {
            return state;
        }
    }
}
