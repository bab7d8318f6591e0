package org.carelane.api;

import org.onosproject.net.DeviceId;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Cluster-wide CareLane state. */
public interface CareLaneStore {

    Optional<SlicePolicy> policy();

    void setPolicy(SlicePolicy policy);

    void clearPolicy();

    /**
     * Atomically replaces the policy with {@code change.apply(current)}, retrying if another
     * node changed it meanwhile. Exceptions from {@code change} propagate and change nothing.
     *
     * @return the policy before and after; both equal if there was nothing to change
     * @throws PolicyException when there is no policy
     */
    PolicyUpdate updatePolicy(java.util.function.UnaryOperator<SlicePolicy> change);

    /** Result of {@link #updatePolicy}. */
    record PolicyUpdate(SlicePolicy before, SlicePolicy after) {
        public boolean changed() {
            return !before.equals(after);
        }
    }

    Optional<ProfileOverride> override();

    void setOverride(ProfileOverride override);

    void clearOverride();

    /** Meters installed on a device, by slice name. */
    Map<String, InstalledMeter> installedMeters(DeviceId device);

    /** Devices that have meters recorded. */
    List<DeviceId> devicesWithMeters();

    /** Replaces the record of a device's meters; an empty map removes it. */
    void setInstalledMeters(DeviceId device, Map<String, InstalledMeter> meters);

    /** Appends an entry, giving it the next sequence number. */
    AuditEntry appendAudit(AuditEntry entry);

    /** Newest entries last, at most {@code max}. */
    List<AuditEntry> audit(int max);
}
