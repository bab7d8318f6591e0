package org.carelane.api;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** What /status shows: the profile in force and each device's state, as this node sees it. */
public final class CareLaneStatus {
    private final Profile activeProfile;
    private final Profile appliedProfile;
    private final Instant time;
    private final long policyVersion;
    private final ProfileOverride override;
    private final Instant nextChange;
    private final List<DeviceStatus> devices;
    private final List<BoardSummary> boards;
    private final int queued;
    private final int inFlight;

    /**
     * @param appliedProfile the profile this node last brought its devices to; null without a policy
     * @param override       the override in force; null if none
     * @param nextChange     the next switch-over; null without a policy
     */
    public CareLaneStatus(Profile activeProfile, Profile appliedProfile, Instant time, long policyVersion,
                          ProfileOverride override, Instant nextChange, List<DeviceStatus> devices) {
        this(activeProfile, appliedProfile, time, policyVersion, override, nextChange, devices, List.of());
    }

    /** @param boards the devices summed up by health board, in board order */
    public CareLaneStatus(Profile activeProfile, Profile appliedProfile, Instant time, long policyVersion,
                          ProfileOverride override, Instant nextChange, List<DeviceStatus> devices,
                          List<BoardSummary> boards) {
        this(activeProfile, appliedProfile, time, policyVersion, override, nextChange, devices, boards, 0, 0);
    }

    private CareLaneStatus(Profile activeProfile, Profile appliedProfile, Instant time, long policyVersion,
                           ProfileOverride override, Instant nextChange, List<DeviceStatus> devices,
                           List<BoardSummary> boards, int queued, int inFlight) {
        this.queued = queued;
        this.inFlight = inFlight;
        this.boards = List.copyOf(boards);
        this.activeProfile = activeProfile;
        this.appliedProfile = appliedProfile;
        this.time = time;
        this.policyVersion = policyVersion;
        this.override = override;
        this.nextChange = nextChange;
        this.devices = List.copyOf(devices);
    }

    public Profile activeProfile() {
        return activeProfile;
    }

    public Optional<Profile> appliedProfile() {
        return Optional.ofNullable(appliedProfile);
    }

    public Instant time() {
        return time;
    }

    public long policyVersion() {
        return policyVersion;
    }

    public Optional<ProfileOverride> override() {
        return Optional.ofNullable(override);
    }

    public Optional<Instant> nextChange() {
        return Optional.ofNullable(nextChange);
    }

    /** The devices of the policy and those CareLane still has meters on, in id order. */
    public List<DeviceStatus> devices() {
        return devices;
    }

    /** A copy with this node's programming work: devices queued for room, attempts in flight. */
    public CareLaneStatus withWork(int queuedDevices, int attemptsInFlight) {
        return new CareLaneStatus(activeProfile, appliedProfile, time, policyVersion, override, nextChange, devices,
                boards, queuedDevices, attemptsInFlight);
    }

    /** Devices waiting on this node for room to start their attempt. */
    public int queued() {
        return queued;
    }

    /** Attempts in flight on this node. */
    public int inFlight() {
        return inFlight;
    }

    /** The devices summed up by health board. */
    public List<BoardSummary> boards() {
        return boards;
    }
}
