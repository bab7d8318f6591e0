package org.carelane.api;

import java.util.Objects;

/**
 * What a scope (a health board, a site class or a site) changes of one slice's rates in one
 * profile: its cap, its reservation, or both, each in kbit/s or as percent of the uplink. A
 * value it does not set comes from the scope before.
 */
public final class RateOverride {
    private final Long maxKbps;
    private final Double maxPercent;
    private final Long minKbps;
    private final Double minPercent;

    /** At most one form of each; at least one value. */
    public RateOverride(Long maxKbps, Double maxPercent, Long minKbps, Double minPercent) {
        if (maxKbps != null && maxPercent != null || minKbps != null && minPercent != null
                || maxKbps == null && maxPercent == null && minKbps == null && minPercent == null) {
            throw new IllegalArgumentException("at most one form of max and of min, and at least one value");
        }
        this.maxKbps = maxKbps;
        this.maxPercent = maxPercent;
        this.minKbps = minKbps;
        this.minPercent = minPercent;
    }

    public boolean setsMax() {
        return maxKbps != null || maxPercent != null;
    }

    public boolean setsMin() {
        return minKbps != null || minPercent != null;
    }

    /** The JSON field that sets the cap: maxKbps or maxPercent. */
    public String maxField() {
        return maxPercent != null ? "maxPercent" : "maxKbps";
    }

    /** The JSON field that sets the reservation: minKbps or minPercent. */
    public String minField() {
        return minPercent != null ? "minPercent" : "minKbps";
    }

    public Long maxKbps() {
        return maxKbps;
    }

    public Double maxPercent() {
        return maxPercent;
    }

    public Long minKbps() {
        return minKbps;
    }

    public Double minPercent() {
        return minPercent;
    }

    /** The rates of the scope before, with what this one sets. */
    public SliceRates applyTo(SliceRates base) {
        SliceRates mine = new SliceRates(maxKbps == null ? 0 : maxKbps, minKbps == null ? 0 : minKbps,
                maxPercent == null ? 0 : maxPercent, minPercent == null ? 0 : minPercent);
        SliceRates out = base;
        if (setsMax()) {
            out = out.withMax(mine);
        }
        if (setsMin()) {
            out = out.withMin(mine);
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RateOverride)) {
            return false;
        }
        RateOverride other = (RateOverride) o;
        return Objects.equals(maxKbps, other.maxKbps) && Objects.equals(maxPercent, other.maxPercent)
                && Objects.equals(minKbps, other.minKbps) && Objects.equals(minPercent, other.minPercent);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxKbps, maxPercent, minKbps, minPercent);
    }

    @Override
    public String toString() {
        return "RateOverride[max=" + (maxPercent != null ? maxPercent + "%" : maxKbps) + ", min="
                + (minPercent != null ? minPercent + "%" : minKbps) + "]";
    }
}
