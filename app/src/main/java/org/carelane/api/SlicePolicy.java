package org.carelane.api;

import org.onlab.packet.IpPrefix;
import org.onosproject.net.DeviceId;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole validated CareLane policy.
 *
 * @param devices     devices to program
 * @param prefixLists named prefix lists referenced by classifier rules
 * @param slices      slice definitions
 * @param schedule    peak window
 * @param burstMs     meter burst expressed as time at the meter rate
 */
public record SlicePolicy(List<DeviceUplink> devices,
                          Map<String, List<IpPrefix>> prefixLists,
                          List<SliceDefinition> slices,
                          PeakSchedule schedule,
                          int burstMs) {

    public SlicePolicy {
        devices = List.copyOf(devices);
        prefixLists = Map.copyOf(prefixLists);
        slices = List.copyOf(slices);
    }

    public Optional<SliceDefinition> slice(String name) {
        return slices.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public Optional<DeviceUplink> device(DeviceId id) {
        return devices.stream().filter(d -> d.deviceId().equals(id)).findFirst();
    }

    /** A copy with one slice replaced by name. */
    public SlicePolicy withSlice(SliceDefinition replacement) {
        List<SliceDefinition> copy = slices.stream()
                .map(s -> s.name().equals(replacement.name()) ? replacement : s)
                .toList();
        return new SlicePolicy(devices, prefixLists, copy, schedule, burstMs);
    }

    /** A copy with another schedule. */
    public SlicePolicy withSchedule(PeakSchedule newSchedule) {
        return new SlicePolicy(devices, prefixLists, slices, newSchedule, burstMs);
    }
}
