package org.carelane.api;

import org.onosproject.net.DeviceId;
import org.onosproject.store.Store;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Cluster-wide CareLane state. Every node's delegate hears of policy and override changes,
 * whichever node made them.
 */
public interface CareLaneStore extends Store<CareLaneStoreEvent, CareLaneStoreDelegate> {

    Optional<SlicePolicy> policy();

    void setPolicy(SlicePolicy policy);

    /** The stored policy as the JSON it was written as: what a write-back gives netcfg. */
    Optional<String> policyJson();

    /** Cluster-wide version of the stored policy; it grows with every change (0 when there is none). */
    long policyVersion();

    /**
     * Replaces the policy unless it is already equal, atomically across the cluster, so that
     * only one node sees a change for the same netcfg update.
     *
     * @return before (null if there was none) and after
     */
    PolicyUpdate replacePolicy(SlicePolicy next);

    /** Removes the policy. @return the removed policy, if this call removed it */
    Optional<SlicePolicy> clearPolicy();

    /**
     * Atomically replaces the policy with {@code change.apply(current)}, retrying if another
     * node changed it meanwhile. Exceptions from {@code change} propagate and change nothing.
     *
     * @return the policy before and after; both equal if there was nothing to change
     * @throws PolicyException when there is no policy
     */
    PolicyUpdate updatePolicy(java.util.function.UnaryOperator<SlicePolicy> change);

    /**
     * Result of a policy update, with the JSON the store holds before and after it (for the
     * audit, so that a change is encoded once); {@code before} is null when there was no policy.
     */
    final class PolicyUpdate {
        private final SlicePolicy before;
        private final SlicePolicy after;
        private final String beforeJson;
        private final String afterJson;

        public PolicyUpdate(SlicePolicy before, SlicePolicy after, String beforeJson, String afterJson) {
            this.before = before;
            this.after = after;
            this.beforeJson = beforeJson;
            this.afterJson = afterJson;
        }

        public String beforeJson() {
            return beforeJson;
        }

        public String afterJson() {
            return afterJson;
        }

        public SlicePolicy before() {
            return before;
        }

        public SlicePolicy after() {
            return after;
        }

        public boolean changed() {
            return before == null || !before.equals(after);
        }
    }

    /**
     * Records the cluster-wide profile in force.
     *
     * @return true for the one caller that changed it, so that a profile change is audited once
     */
    boolean recordProfile(Profile profile);

    /** The profile last recorded by {@link #recordProfile}. */
    Optional<Profile> recordedProfile();

    Optional<ProfileOverride> override();

    void setOverride(ProfileOverride override);

    void clearOverride();

    /** Removes the override only if it is still {@code expected}. @return true if this call removed it */
    boolean clearOverride(ProfileOverride expected);

    /** The overrides of boards, site classes and sites, by scope (the national one is {@link #override}). */
    Map<RateScope, ProfileOverride> scopedOverrides();

    /**
     * Sets (or, with null, removes) a board's, site class's or site's override; removes it
     * only if it is still {@code expected} when that is given.
     *
     * @return true if this call changed it
     */
    boolean setScopedOverride(RateScope scope, ProfileOverride override, ProfileOverride expected);

    /** Meters installed on a device, by slice name. */
    Map<String, InstalledMeter> installedMeters(DeviceId device);

    /**
     * Meters staged on a device for the profile it changes to at its next boundary, by slice
     * name: submitted and on the switch, used by no rule until the boundary's attempt takes them.
     */
    Map<String, InstalledMeter> stagedMeters(DeviceId device);

    /** Replaces the record of a device's staged meters; an empty map removes it. */
    void setStagedMeters(DeviceId device, Map<String, InstalledMeter> meters);

    /** The device's shadow generation, if one is staged (see {@link ShadowGeneration}). */
    Optional<ShadowGeneration> shadow(DeviceId device);

    /** Records (or, with null, forgets) the device's shadow generation. */
    void setShadow(DeviceId device, ShadowGeneration shadow);

    /** Devices that have meters recorded. */
    List<DeviceId> devicesWithMeters();

    /** Replaces the record of a device's meters; an empty map removes it. */
    void setInstalledMeters(DeviceId device, Map<String, InstalledMeter> meters);

    /**
     * Marks a write-back of the policy to netcfg in progress, until {@code until} at the latest
     * (a node that dies mid-way does not leave it set for good). While it is, netcfg may still
     * hold the previous policy, and other nodes must not load that over the store.
     */
    void markWriteBack(java.time.Instant until);

    /** Ends the write-back that {@link #markWriteBack} announced. */
    void clearWriteBack();

    /** When the write-back in progress ends at the latest; empty if none is. */
    Optional<java.time.Instant> writeBackUntil();

    /**
     * The priority band ({@code FlowCompiler} band base) of the rule generation last installed
     * on a device; empty if none.
     */
    java.util.OptionalInt ruleBand(DeviceId device);

    /** Records the band of a device's rules; empty forgets it. */
    void setRuleBand(DeviceId device, java.util.OptionalInt band);

    /**
     * The profile whose queues a device's uplink should have: the one its master last put in
     * force on it. Every node hears of a change ({@link CareLaneStoreEvent.Type#QUEUES_WANTED}),
     * so that the node holding the device's OVSDB session can apply them.
     */
    Optional<Profile> queueProfile(DeviceId device);

    /** Every device's queue profile. */
    Map<DeviceId, Profile> queueProfiles();

    /** Records a device's queue profile, unless it is already that; empty asks for no queues. */
    void setQueueProfile(DeviceId device, Optional<Profile> profile);

    /** A device's uplink queues as the node that owns them last reported them. */
    Optional<DeviceStatus.Queues> queueStatus(DeviceId device);

    /** Devices with a queue status recorded. */
    java.util.Set<DeviceId> devicesWithQueueStatus();

    /** Records a device's uplink queues; empty forgets them. */
    void setQueueStatus(DeviceId device, Optional<DeviceStatus.Queues> status);

    /** Appends an entry, giving it the next sequence number. */
    AuditEntry appendAudit(AuditEntry entry);

    /** Newest entries last, at most {@code max}. */
    List<AuditEntry> audit(int max);
}
