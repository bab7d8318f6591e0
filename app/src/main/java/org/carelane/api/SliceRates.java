package org.carelane.api;

import java.util.Objects;

/**
 * Rates of one slice in one profile.
 */
public final class SliceRates {
    /** Cap enforced by the slice meter, kbit/s. */
    private final long maxKbps;
    /** Minimum rate reserved at the uplink queue, kbit/s (0 = none). */
    private final long minKbps;

    public SliceRates(long maxKbps, long minKbps) {
        this.maxKbps = maxKbps;
        this.minKbps = minKbps;
    }

    public long maxKbps() {
        return maxKbps;
    }

    public long minKbps() {
        return minKbps;
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
        return maxKbps == other.maxKbps
                && minKbps == other.minKbps;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxKbps, minKbps);
    }

    @Override
    public String toString() {
        return "SliceRates[maxKbps=" + maxKbps + ", minKbps=" + minKbps + "]";
    }
}
