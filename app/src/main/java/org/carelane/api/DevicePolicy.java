package org.carelane.api;

import org.onlab.packet.IpPrefix;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One device's effective policy: the national policy, then what its health board, its site
 * class and the site itself change, in that order, with every rate in kbit/s of the device's
 * own uplink, and the schedule of the most specific scope that has one. Each rate, and the
 * schedule, remembers the scope and the field that set it.
 */
public final class DevicePolicy {
    /** Where a value comes from: its scope ("national", "board 'x'", ...) and the field that set it. */
    public static final class Source {
        private final String scope;
        private final String field;
        private final int rank;

        Source(String scope, String field, int rank) {
            this.scope = scope;
            this.field = field;
            this.rank = rank;
        }

        /** 0 national, 1 board, 2 site class, 3 site: the more specific, the higher. */
        public int rank() {
            return rank;
        }

        public String scope() {
            return scope;
        }

        /** The policy field that set the value, e.g. boards.bcuhb.slices.social.rates.peak.maxPercent. */
        public String field() {
            return field;
        }

        @Override
        public String toString() {
            return scope + " (" + field + ")";
        }
    }

    /** The key of the schedule's source (no slice is named with a slash). */
    private static final String SCHEDULE = "/schedule";
    /** The suffix of a slice's egress source key. */
    private static final String EGRESS = "/egress";
    private final DeviceUplink device;
    private final SlicePolicy effective;
    private final Map<String, Source> sources;

    private DevicePolicy(DeviceUplink device, SlicePolicy effective, Map<String, Source> sources) {
        this.device = device;
        this.effective = effective;
        this.sources = sources;
    }

    /** The device's effective policy: the scopes merged, shares resolved against its uplink. */
    static DevicePolicy of(SlicePolicy policy, DeviceUplink device, String sitePath) {
        List<Scope> scopes = new ArrayList<>();
        device.board().ifPresent(b -> scopes.add(new Scope("board '" + b + "'", "boards." + b, 1,
                policy.boards().getOrDefault(b, ScopeOverride.NONE))));
        device.siteClass().ifPresent(c -> scopes.add(new Scope("site class '" + c + "'", "siteClasses." + c, 2,
                policy.siteClasses().getOrDefault(c, ScopeOverride.NONE))));
        scopes.add(new Scope("site " + device.deviceId(), sitePath, 3, device.site()));
        Map<String, Source> sources = new LinkedHashMap<>();
        List<SliceDefinition> slices = new ArrayList<>();
        for (int i = 0; i < policy.slices().size(); i++) {
            SliceDefinition s = policy.slices().get(i);
            if (s.drop()) {
                slices.add(s);
                continue;
            }
            Map<Profile, SliceRates> rates = new EnumMap<>(Profile.class);
            for (Profile p : Profile.values()) {
                SliceRates r = s.rates(p);
                String at = "slices[" + i + "].rates." + p.jsonName() + ".";
                Source max = new Source("national", at + (r.maxPercent().isPresent() ? "maxPercent" : "maxKbps"), 0);
                Source min = new Source("national", at + (r.minPercent().isPresent() ? "minPercent" : "minKbps"), 0);
                for (Scope scope : scopes) {
                    Optional<RateOverride> o = scope.override.rates(s.name(), p);
                    if (o.isEmpty()) {
                        continue;
                    }
                    r = o.get().applyTo(r);
                    String field = scope.path + ".slices." + s.name() + ".rates." + p.jsonName() + ".";
                    if (o.get().setsMax()) {
                        max = new Source(scope.label, field + o.get().maxField(), scope.rank);
                    }
                    if (o.get().setsMin()) {
                        min = new Source(scope.label, field + o.get().minField(), scope.rank);
                    }
                }
                rates.put(p, r.resolve(device.uplinkKbps()));
                sources.put(key(s.name(), p, true), max);
                sources.put(key(s.name(), p, false), min);
            }
            SliceDefinition resolved = s;
            for (Profile p : Profile.values()) {
                resolved = resolved.withRates(p, rates.get(p));
            }
            Source egressFrom = new Source("national", "slices[" + i + "].egress", 0);
            for (Scope scope : scopes) {
                if (scope.override.egress().containsKey(s.name())) {
                    resolved = resolved.withEgress(scope.override.egress().get(s.name()).orElse(null));
                    egressFrom = new Source(scope.label, scope.path + ".slices." + s.name() + ".egress", scope.rank);
                }
            }
            sources.put(s.name() + EGRESS, egressFrom);
            slices.add(resolved);
        }
        PeakSchedule schedule = policy.schedule();
        Source scheduleFrom = new Source("national", "schedule", 0);
        for (Scope scope : scopes) {
            Optional<PeakSchedule> own = scope.override.schedule();
            if (own.isPresent()) {
                schedule = withNationalHolidays(own.get(), policy.schedule());
                scheduleFrom = new Source(scope.label, scope.path + ".schedule", scope.rank);
            }
        }
        sources.put(SCHEDULE, scheduleFrom);
        Map<String, List<IpPrefix>> lists = new LinkedHashMap<>(policy.prefixLists());
        device.localLists().forEach((name, local) -> {
            List<IpPrefix> merged = new ArrayList<>(lists.getOrDefault(name, List.of()));
            local.stream().filter(p -> !merged.contains(p)).forEach(merged::add);
            lists.put(name, merged);
        });
        SlicePolicy effective = new SlicePolicy(List.of(device), lists, slices, schedule, policy.burstMs(), Map.of(),
                Map.of(), policy.names());
        return new DevicePolicy(device, effective, java.util.Collections.unmodifiableMap(sources));
    }

    /** A scope's schedule keeps the national holidays: a board adds its own, it cannot drop a bank holiday. */
    public static PeakSchedule withNationalHolidays(PeakSchedule own, PeakSchedule national) {
        if (own.holidays().containsAll(national.holidays())) {
            return own;
        }
        java.util.Set<java.time.LocalDate> holidays = new java.util.TreeSet<>(own.holidays());
        holidays.addAll(national.holidays());
        return new PeakSchedule(own.zone(), own.windows(), own.days(), holidays);
    }

    private static String key(String slice, Profile profile, boolean max) {
        return slice + "/" + profile.jsonName() + (max ? "/max" : "/min");
    }

    public DeviceUplink device() {
        return device;
    }

    /** The policy to program on this device: its slices at its own rates, in kbit/s. */
    public SlicePolicy policy() {
        return effective;
    }

    /** Where a slice's egress on this device comes from; empty for a drop slice. */
    public Optional<Source> egressSource(String slice) {
        return Optional.ofNullable(sources.get(slice + EGRESS));
    }

    /** Where the device's schedule comes from: national, or the most specific scope with its own. */
    public Source scheduleSource() {
        return sources.get(SCHEDULE);
    }

    /** Where the slice's cap ({@code max}) or reservation in the profile comes from; empty for a drop slice. */
    public Optional<Source> source(String slice, Profile profile, boolean max) {
        return Optional.ofNullable(sources.get(key(slice, profile, max)));
    }

    private static final class Scope {
        final String label;
        final String path;
        final int rank;
        final ScopeOverride override;

        Scope(String label, String path, int rank, ScopeOverride override) {
            this.label = label;
            this.path = path;
            this.rank = rank;
            this.override = override;
        }
    }
}
