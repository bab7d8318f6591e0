package org.carelane.api;

import java.util.Objects;

/**
 * Rates of one slice in one profile: in kbit/s, or as a share (percent) of the device's own
 * uplink. A policy's scopes may hold shares; a device's effective policy
 * ({@link SlicePolicy#forDevice}) holds kbit/s only.
 */
public final class SliceRates {
    /** Cap enforced by the slice meter, kbit/s (unused when {@link #maxPercent} is set). */
    private final long maxKbps;
    /** Minimum rate reserved at the uplink queue, kbit/s (0 = none; unused when {@link #minPercent} is set). */
    private final long minKbps;
    /** The cap as percent of the uplink, or 0 for {@link #maxKbps}. */
    private final double maxPercent;
    /** The reservation as percent of the uplink, or 0 for {@link #minKbps}. */
    private final double minPercent;

    public SliceRates(long maxKbps, long minKbps) {
        this(maxKbps, minKbps, 0, 0);
    }

    SliceRates(long maxKbps, long minKbps, double maxPercent, double minPercent) {
        this.maxKbps = maxKbps;
        this.minKbps = minKbps;
        this.maxPercent = maxPercent;
        this.minPercent = minPercent;
    }

    /**
     * Rates in either form: exactly one of {@code maxKbps} and {@code maxPercent}; at most one
     * of {@code minKbps} and {@code minPercent} (neither: no reservation).
     */
    public static SliceRates of(Long maxKbps, Double maxPercent, Long minKbps, Double minPercent) {
        if ((maxKbps == null) == (maxPercent == null) || minKbps != null && minPercent != null) {
            throw new IllegalArgumentException("one max (kbps or percent) and at most one min");
        }
        return new SliceRates(maxKbps == null ? 0 : maxKbps, minKbps == null ? 0 : minKbps,
                maxPercent == null ? 0 : maxPercent, minPercent == null ? 0 : minPercent);
    }

    /** True if either rate is a share of the uplink. */
    public boolean isShare() {
        return maxPercent > 0 || minPercent > 0;
    }

    /** The cap in kbit/s. @throws IllegalStateException if it is a share: resolve first */
    public long maxKbps() {
        if (maxPercent > 0) {
            throw new IllegalStateException("maxKbps of a share (" + maxPercent + "%): resolve against the uplink");
        }
        return maxKbps;
    }

    /** The reservation in kbit/s. @throws IllegalStateException if it is a share: resolve first */
    public long minKbps() {
        if (minPercent > 0) {
            throw new IllegalStateException("minKbps of a share (" + minPercent + "%): resolve against the uplink");
        }
        return minKbps;
    }

    /** The cap as percent of the uplink, or empty if given in kbit/s. */
    public java.util.OptionalDouble maxPercent() {
        return maxPercent > 0 ? java.util.OptionalDouble.of(maxPercent) : java.util.OptionalDouble.empty();
    }

    /** The reservation as percent of the uplink, or empty if given in kbit/s (or none). */
    public java.util.OptionalDouble minPercent() {
        return minPercent > 0 ? java.util.OptionalDouble.of(minPercent) : java.util.OptionalDouble.empty();
    }

    /** These rates in kbit/s on an uplink of that capacity; shares round down (a cap is never exceeded). */
    public SliceRates resolve(long uplinkKbps) {
        if (!isShare()) {
            return this;
        }
        return new SliceRates(maxPercent > 0 ? share(uplinkKbps, maxPercent) : maxKbps,
                minPercent > 0 ? share(uplinkKbps, minPercent) : minKbps);
    }

    private static long share(long uplinkKbps, double percent) {
        return (long) Math.floor(uplinkKbps * percent / 100.0 + 1e-9);
    }

    /** The cap replaced by another, in either form, keeping the reservation. */
    public SliceRates withMax(SliceRates from) {
        return new SliceRates(from.maxKbps, minKbps, from.maxPercent, minPercent);
    }

    /** The reservation replaced by another's, in either form, keeping the cap. */
    public SliceRates withMin(SliceRates from) {
        return new SliceRates(maxKbps, from.minKbps, maxPercent, from.minPercent);
    }

    /** "4000 kbps", "10%"; the reservation too if there is one. */
    public String describe() {
        String max = maxPercent > 0 ? percentText(maxPercent) : maxKbps + " kbps";
        String min = minPercent > 0 ? percentText(minPercent) : minKbps > 0 ? minKbps + " kbps" : null;
        return min == null ? "max " + max : "max " + max + ", min " + min;
    }

    private static String percentText(double p) {
        return (p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p)) + "%";
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SliceRates)) {
            return false;
        }
        SliceRates other = (SliceRates) o;
        return maxKbps == other.maxKbps && minKbps == other.minKbps
                && Double.compare(maxPercent, other.maxPercent) == 0
                && Double.compare(minPercent, other.minPercent) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxKbps, minKbps, maxPercent, minPercent);
    }

    @Override
    public String toString() {
        return isShare() ? "SliceRates[" + describe() + "]"
                : "SliceRates[maxKbps=" + maxKbps + ", minKbps=" + minKbps + "]";
    }
}
