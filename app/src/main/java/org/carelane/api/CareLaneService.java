package org.carelane.api;


import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * CareLane slicing service. Mutators validate first and change nothing on error
 * ({@link PolicyException} names the field).
 */
public interface CareLaneService {

    Optional<SlicePolicy> policy();

    /** Version of the stored policy; /status shows, per device, the version it is in sync with. */
    long policyVersion();

    /** The time as the app's schedule sees it. */
    Instant now();

    /** Profile in force now (override or schedule). */
    Profile activeProfile();

    Optional<ProfileOverride> override();

    /** Changes one slice's rates in one profile. */
    void setRates(String slice, Profile profile, SliceRates rates, String user, String source);

    /** Changes one slice's max rate in one profile; an empty {@code minKbps} keeps the current reservation. */
    void setRates(String slice, Profile profile, long maxKbps, java.util.OptionalLong minKbps, String user,
                  String source);

    /**
     * Changes a slice's national rates in one profile by what {@code change} sets (kbit/s or
     * shares); what it does not set is kept, read inside the atomic update.
     */
    void setRates(String slice, Profile profile, RateOverride change, String user, String source);

    /**
     * Changes, at a board, site class or site, what that scope sets for a slice's rates in a
     * profile; null returns them to what the scope before sets.
     *
     * @throws PolicyException naming the field (board, siteClass, device, slice, a rate) and the scope
     */
    void setScopedRates(RateScope scope, String slice, Profile profile, RateOverride rates, String user,
                        String source);

    void setSchedule(PeakSchedule schedule, String user, String source);

    /**
     * Gives a board, site class or site its own peak schedule (its lunch window), or (null)
     * returns it to the schedule of the scope before. National holidays still hold there.
     *
     * @throws PolicyException naming the field (board, siteClass, device)
     */
    void setScopedSchedule(RateScope scope, PeakSchedule schedule, String user, String source);

    /**
     * Steers a slice to an egress link of the devices that have it, in the profiles given,
     * or (null) back to the WAN uplink. The link's capacity must hold the slice's rates.
     */
    void setEgress(String slice, Steering egress, String user, String source);

    /**
     * Steers a slice at a board, site class or site: to a link ({@code Optional.of}), to the WAN
     * uplink ({@code Optional.empty()}), or (null) as the scope before does.
     *
     * @throws PolicyException naming the field (board, siteClass, device, slice, link)
     */
    void setScopedEgress(RateScope scope, String slice, java.util.Optional<Steering> egress, String user,
                         String source);

    void setOverride(Profile profile, Instant expiresAt, String user, String reason, String source);

    /** Removes the override, if any. @return true if one was removed */
    boolean clearOverride(String user, String source);

    /**
     * Forces a profile at a board, site class or site until {@code expiresAt}: there it wins over
     * the schedules and over the override of a wider scope.
     *
     * @throws PolicyException naming the field (board, siteClass, device, expiresAt)
     */
    void setScopedOverride(RateScope scope, Profile profile, Instant expiresAt, String user, String reason,
                           String source);

    /** Removes a board's, site class's or site's override, if any. @return true if one was removed */
    boolean clearScopedOverride(RateScope scope, String user, String source);

    /** The boards', site classes' and sites' overrides, expired ones included until they are cleared. */
    java.util.Map<RateScope, ProfileOverride> scopedOverrides();

    /** The profile in force and each device's state, as this node sees it. */
    CareLaneStatus status();

    List<SliceStats> stats();

    /** Counters and state in Prometheus's text exposition format (GET /metrics). */
    String metrics();

    List<AuditEntry> audit(int max);

    /**
     * The addresses a device learned from DNS answers; empty if this node does not master it
     * (learning runs on the device's master only).
     */
    java.util.Optional<List<LearnedName>> learnedNames(org.onosproject.net.DeviceId device);

    /** Classification by name on this node: answers read, learned, held, late, blocked, evicted. */
    java.util.Map<String, Object> nameCounters();
}
