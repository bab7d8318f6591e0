package org.carelane.api;

import org.onlab.packet.IpPrefix;
import org.onosproject.net.DeviceId;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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
    /** What each health board changes of the national policy, by board name. */
    private final Map<String, ScopeOverride> boards;
    /** What each site class changes of its board's policy, by class name. */
    private final Map<String, ScopeOverride> siteClasses;
    /** Name lists and DNS learning. */
    private final NameSettings names;
    /** Each device's effective policy, worked out once per policy. */
    private final Map<DeviceId, DevicePolicy> effective = new ConcurrentHashMap<>();
    /** The devices by id: one lookup per device, not a scan, with hundreds of them. */
    private final Map<DeviceId, DeviceUplink> byId = new java.util.HashMap<>();

    public SlicePolicy(List<DeviceUplink> devices, Map<String, List<IpPrefix>> prefixLists,
                        List<SliceDefinition> slices, PeakSchedule schedule, int burstMs) {
        this(devices, prefixLists, slices, schedule, burstMs, Map.of(), Map.of());
    }

    public SlicePolicy(List<DeviceUplink> devices, Map<String, List<IpPrefix>> prefixLists,
                        List<SliceDefinition> slices, PeakSchedule schedule, int burstMs,
                        Map<String, ScopeOverride> boards, Map<String, ScopeOverride> siteClasses) {
        this(devices, prefixLists, slices, schedule, burstMs, boards, siteClasses, NameSettings.NONE);
    }

    public SlicePolicy(List<DeviceUplink> devices, Map<String, List<IpPrefix>> prefixLists,
                        List<SliceDefinition> slices, PeakSchedule schedule, int burstMs,
                        Map<String, ScopeOverride> boards, Map<String, ScopeOverride> siteClasses, NameSettings names) {
        this.names = names;
        this.boards = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(boards));
        this.siteClasses = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(siteClasses));
        this.devices = List.copyOf(devices);
        this.devices.forEach(d -> byId.putIfAbsent(d.deviceId(), d));
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

    public NameSettings names() {
        return names;
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
        return Optional.ofNullable(byId.get(id));
    }

    /** What each health board changes, by name (a board with no changes maps to {@link ScopeOverride#NONE}). */
    public Map<String, ScopeOverride> boards() {
        return boards;
    }

    /** What each site class changes, by name. */
    public Map<String, ScopeOverride> siteClasses() {
        return siteClasses;
    }

    /** The device's effective policy (see {@link DevicePolicy}), if the policy holds the device. */
    public Optional<DevicePolicy> forDevice(DeviceId id) {
        DevicePolicy known = effective.get(id);
        if (known != null) {
            return Optional.of(known);
        }
        for (int i = 0; i < devices.size(); i++) {
            DeviceUplink d = devices.get(i);
            if (d.deviceId().equals(id)) {
                DevicePolicy resolved = DevicePolicy.of(this, d, devicePath(i));
                effective.putIfAbsent(id, resolved);
                return Optional.of(resolved);
            }
        }
        return Optional.empty();
    }

    /**
     * What a board, site class or site changes of the national policy.
     *
     * @throws PolicyException naming board, siteClass or device when the policy has no such scope
     */
    public ScopeOverride requireScope(RateScope scope) {
        switch (scope.kind()) {
            case NATIONAL:
                throw new IllegalArgumentException("the national policy is not a scope's changes");
            case SITE:
                return device(DeviceId.deviceId(scope.name())).orElseThrow(() -> new PolicyException("device",
                        "no device " + scope.name() + " in the CareLane policy")).site();
            default:
                boolean siteClass = scope.kind() == RateScope.Kind.SITE_CLASS;
                ScopeOverride o = (siteClass ? siteClasses : boards).get(scope.name());
                if (o == null) {
                    throw new PolicyException(siteClass ? "siteClass" : "board", "unknown " + scope
                            + " (netcfg " + (siteClass ? "siteClasses" : "boards") + ")");
                }
                return o;
        }
    }

    /**
     * A board's, site class's or site's own schedule, if it has one (empty nationally).
     *
     * @throws PolicyException naming board, siteClass or device when the policy has no such scope
     */
    public Optional<PeakSchedule> ownSchedule(RateScope scope) {
        return scope.kind() == RateScope.Kind.NATIONAL ? Optional.empty() : requireScope(scope).schedule();
    }

    /**
     * The schedule in force at a scope: its own, else the scope before's (a site's: its class's,
     * its board's), else the national one; national holidays always hold.
     */
    public PeakSchedule scheduleAt(RateScope scope) {
        if (scope.kind() == RateScope.Kind.SITE) {
            ownSchedule(scope);   // an unknown device is an error
            return forDevice(DeviceId.deviceId(scope.name())).orElseThrow().policy().schedule();
        }
        return ownSchedule(scope).map(own -> DevicePolicy.withNationalHolidays(own, schedule)).orElse(schedule);
    }

    /**
     * Where the i-th device is configured, for error messages: {@code devices[i]} in this
     * block, or {@code devices."of:...".carelane}, the site's own netcfg subject.
     */
    public String devicePath(int i) {
        DeviceUplink d = devices.get(i);
        return d.ownSubject() ? "devices.\"" + d.deviceId() + "\".carelane" : "devices[" + i + "]";
    }

    /** A copy with the sites configured in their own netcfg subjects added. */
    public SlicePolicy withSites(List<DeviceUplink> sites) {
        List<DeviceUplink> all = new java.util.ArrayList<>(devices);
        all.addAll(sites);
        return new SlicePolicy(all, prefixLists, slices, schedule, burstMs, boards, siteClasses, names);
    }

    /** This policy without the sites configured in their own netcfg subjects: the national block. */
    public SlicePolicy nationalBlock() {
        return new SlicePolicy(devices.stream().filter(d -> !d.ownSubject()).collect(Collectors.toList()),
                prefixLists, slices, schedule, burstMs, boards, siteClasses, names);
    }

    /** A copy with one device replaced (by id). */
    public SlicePolicy withDevice(DeviceUplink replacement) {
        List<DeviceUplink> copy = devices.stream()
                .map(d -> d.deviceId().equals(replacement.deviceId()) ? replacement : d)
                .collect(Collectors.toList());
        return new SlicePolicy(copy, prefixLists, slices, schedule, burstMs, boards, siteClasses, names);
    }

    /** A copy in which a board (or, with {@code siteClass}, a site class) has other changes. */
    public SlicePolicy withScope(boolean siteClass, String name, ScopeOverride changes) {
        Map<String, ScopeOverride> copy = new java.util.LinkedHashMap<>(siteClass ? siteClasses : boards);
        copy.put(name, changes);
        return siteClass ? new SlicePolicy(devices, prefixLists, slices, schedule, burstMs, boards, copy, names)
                : new SlicePolicy(devices, prefixLists, slices, schedule, burstMs, copy, siteClasses, names);
    }

    /** A copy with one slice replaced by name. */
    public SlicePolicy withSlice(SliceDefinition replacement) {
        List<SliceDefinition> copy = slices.stream()
                .map(s -> s.name().equals(replacement.name()) ? replacement : s)
                .collect(Collectors.toList());
        return new SlicePolicy(devices, prefixLists, copy, schedule, burstMs, boards, siteClasses, names);
    }

    /** A copy with another schedule. */
    public SlicePolicy withSchedule(PeakSchedule newSchedule) {
        return new SlicePolicy(devices, prefixLists, slices, newSchedule, burstMs, boards, siteClasses, names);
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
                && burstMs == other.burstMs
                && boards.equals(other.boards)
                && siteClasses.equals(other.siteClasses)
                && names.equals(other.names);
    }

    @Override
    public int hashCode() {
        return Objects.hash(devices, prefixLists, slices, schedule, burstMs, boards, siteClasses, names);
    }

    @Override
    public String toString() {
        return "SlicePolicy[devices=" + devices + ", prefixLists=" + prefixLists + ", slices=" + slices
                + ", schedule=" + schedule + ", burstMs=" + burstMs
                + (boards.isEmpty() ? "" : ", boards=" + boards)
                + (siteClasses.isEmpty() ? "" : ", siteClasses=" + siteClasses)
                + (names.equals(NameSettings.NONE) ? "" : ", names=" + names) + "]";
    }
}
