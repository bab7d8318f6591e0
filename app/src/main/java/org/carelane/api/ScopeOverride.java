package org.carelane.api;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one scope (a health board, a site class or a site) changes of the national policy:
 * slice rates, per slice and profile, where slices leave its devices, and its own peak schedule
 * (its lunch window), if any.
 */
public final class ScopeOverride {
    /** No change. */
    public static final ScopeOverride NONE = new ScopeOverride(Map.of());

    /** By slice name, then profile. */
    private final Map<String, Map<Profile, RateOverride>> rates;
    /** The scope's own schedule, or null: the scope before's. */
    private final PeakSchedule schedule;
    /** By slice: steered to a link, or (empty) to the WAN uplink. */
    private final Map<String, Optional<Steering>> egress;

    public ScopeOverride(Map<String, Map<Profile, RateOverride>> rates) {
        this(rates, null);
    }

    /** @param schedule the scope's own schedule, or null to keep the one of the scope before */
    public ScopeOverride(Map<String, Map<Profile, RateOverride>> rates, PeakSchedule schedule) {
        this(rates, schedule, Map.of());
    }

    /**
     * @param egress by slice: where this scope steers it, or empty for the WAN uplink; a slice
     *               not named keeps the egress of the scope before
     */
    public ScopeOverride(Map<String, Map<Profile, RateOverride>> rates, PeakSchedule schedule,
                         Map<String, Optional<Steering>> egress) {
        Map<String, Map<Profile, RateOverride>> copy = new LinkedHashMap<>();
        rates.forEach((slice, byProfile) -> copy.put(slice, Map.copyOf(byProfile)));
        this.rates = java.util.Collections.unmodifiableMap(copy);
        this.schedule = schedule;
        this.egress = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(egress));
    }

    /** By slice: where this scope steers it (empty: the WAN uplink). */
    public Map<String, Optional<Steering>> egress() {
        return egress;
    }

    /** A copy in which the slice leaves by {@code value} (empty: the WAN uplink; null: as the scope before). */
    public ScopeOverride withEgress(String slice, Optional<Steering> value) {
        Map<String, Optional<Steering>> copy = new LinkedHashMap<>(egress);
        if (value == null) {
            copy.remove(slice);
        } else {
            copy.put(slice, value);
        }
        return new ScopeOverride(rates, schedule, copy);
    }

    /** The scope's own schedule, if it has one. */
    public Optional<PeakSchedule> schedule() {
        return Optional.ofNullable(schedule);
    }

    /** A copy with this schedule (null: the scope before's again). */
    public ScopeOverride withSchedule(PeakSchedule newSchedule) {
        return new ScopeOverride(rates, newSchedule, egress);
    }

    public Map<String, Map<Profile, RateOverride>> rates() {
        return rates;
    }

    public boolean isEmpty() {
        return rates.isEmpty() && schedule == null && egress.isEmpty();
    }

    /** What this scope sets for the slice in the profile, if anything. */
    public Optional<RateOverride> rates(String slice, Profile profile) {
        return Optional.ofNullable(rates.getOrDefault(slice, Map.of()).get(profile));
    }

    /** A copy in which the slice's rates in the profile are {@code value} (null: inherited again). */
    public ScopeOverride with(String slice, Profile profile, RateOverride value) {
        Map<String, Map<Profile, RateOverride>> copy = new LinkedHashMap<>();
        rates.forEach((s, byProfile) -> copy.computeIfAbsent(s, k -> new EnumMap<>(Profile.class))
                .putAll(byProfile));
        Map<Profile, RateOverride> mine = copy.computeIfAbsent(slice, s -> new EnumMap<>(Profile.class));
        if (value == null) {
            mine.remove(profile);
        } else {
            mine.put(profile, value);
        }
        copy.values().removeIf(Map::isEmpty);
        return new ScopeOverride(copy, schedule, egress);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScopeOverride && rates.equals(((ScopeOverride) o).rates)
                && Objects.equals(schedule, ((ScopeOverride) o).schedule)
                && egress.equals(((ScopeOverride) o).egress);
    }

    @Override
    public int hashCode() {
        return Objects.hash(rates, schedule, egress);
    }

    @Override
    public String toString() {
        return "ScopeOverride" + rates + (schedule == null ? "" : " " + schedule)
                + (egress.isEmpty() ? "" : " egress " + egress);
    }
}
