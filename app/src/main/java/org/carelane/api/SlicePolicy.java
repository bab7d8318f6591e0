package org.carelane.api;

import org.onlab.packet.IpPrefix;
import org.onosproject.net.DeviceId;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The whole validated CareLane policy.
 */
public final class SlicePolicy {
    /** Devices to program. */
    private final List<DeviceUplink> devices;
    /** Named prefix lists referenced by classifier rules. */
    private final Map<String, List<IpPrefix>> prefixLists;
    /** Slice definitions. */
    private final List<SliceDefinition> slices;
    /** Peak window. */
    private final PeakSchedule schedule;
    /** Meter burst expressed as time at the meter rate. */
    private final int burstMs;

    public SlicePolicy(List<DeviceUplink> devices, Map<String, List<IpPrefix>> prefixLists,
                        List<SliceDefinition> slices, PeakSchedule schedule, int burstMs) {
        this.devices = List.copyOf(devices);
        this.prefixLists = Map.copyOf(prefixLists);
        this.slices = List.copyOf(slices);

        this.schedule = schedule;
        this.burstMs = burstMs;
    }

    public List<DeviceUplink> devices() {
        return devices;
    }

    public Map<String, List<IpPrefix>> prefixLists() {
        return prefixLists;
    }

    public List<SliceDefinition> slices() {
        return slices;
    }

    public PeakSchedule schedule() {
        return schedule;
    }

    public int burstMs() {
        return burstMs;
    }

    /** The meter burst of a slice in ms: its own, else the policy's. */
    public int burstMs(SliceDefinition slice) {
        return slice.burstMs() != null ? slice.burstMs() : burstMs;
    }

    public Optional<SliceDefinition> slice(String name) {
        return slices.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /**
     * The slice of that name: the one place "unknown slice" is decided.
     *
     * @throws PolicyException on field {@code slice} when there is none
     */
    public SliceDefinition requireSlice(String name) {
        return slice(name).orElseThrow(() -> new PolicyException("slice", "unknown slice '" + name + "'"));
    }

    public Optional<DeviceUplink> device(DeviceId id) {
        return devices.stream().filter(d -> d.deviceId().equals(id)).findFirst();
    }

    /** A copy with one slice replaced by name. */
    public SlicePolicy withSlice(SliceDefinition replacement) {
        List<SliceDefinition> copy = slices.stream()
                .map(s -> s.name().equals(replacement.name()) ? replacement : s)
                .collect(Collectors.toList());
        return new SlicePolicy(devices, prefixLists, copy, schedule, burstMs);
    }

    /** A copy with another schedule. */
    public SlicePolicy withSchedule(PeakSchedule newSchedule) {
        return new SlicePolicy(devices, prefixLists, slices, newSchedule, burstMs);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SlicePolicy)) {
            return false;
        }
        SlicePolicy other = (SlicePolicy) o;
        return Objects.equals(devices, other.devices)
                && Objects.equals(prefixLists, other.prefixLists)
                && Objects.equals(slices, other.slices)
                && Objects.equals(schedule, other.schedule)
                && burstMs == other.burstMs;
    }

    @Override
    public int hashCode() {
        return Objects.hash(devices, prefixLists, slices, schedule, burstMs);
    }

    @Override
    public String toString() {
        return "SlicePolicy[devices=" + devices + ", prefixLists=" + prefixLists + ", slices=" + slices
                + ", schedule=" + schedule + ", burstMs=" + burstMs + "]";
    }
}
