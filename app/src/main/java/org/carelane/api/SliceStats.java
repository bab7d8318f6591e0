package org.carelane.api;

import java.util.Objects;

/**
 * Counters of one slice summed over the programmed devices.
 * Meter drops are not included: ONOS 2.7.0 keeps no meter band counters
 * (DistributedMeterStore.updateMeterState copies only packets and bytes seen).
 */
public final class SliceStats {
    private final String slice;
    /** Bytes matched by the slice's flow rules. */
    private final long bytes;
    /** Packets matched by the slice's flow rules. */
    private final long packets;
    private final int flowRules;
    private final int meters;

    public SliceStats(String slice, long bytes, long packets, int flowRules, int meters) {
        this.slice = slice;
        this.bytes = bytes;
        this.packets = packets;
        this.flowRules = flowRules;
        this.meters = meters;
    }

    public String slice() {
        return slice;
    }

    public long bytes() {
        return bytes;
    }

    public long packets() {
        return packets;
    }

    public int flowRules() {
        return flowRules;
    }

    public int meters() {
        return meters;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SliceStats)) {
            return false;
        }
        SliceStats other = (SliceStats) o;
        return Objects.equals(slice, other.slice) && bytes == other.bytes && packets == other.packets
                && flowRules == other.flowRules && meters == other.meters;
    }

    @Override
    public int hashCode() {
        return Objects.hash(slice, bytes, packets, flowRules, meters);
    }

    @Override
    public String toString() {
        return "SliceStats[slice=" + slice + ", bytes=" + bytes + ", packets=" + packets
                + ", flowRules=" + flowRules + ", meters=" + meters + "]";
    }
}
