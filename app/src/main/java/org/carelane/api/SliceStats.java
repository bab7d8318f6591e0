package org.carelane.api;

import java.util.Objects;

/**
 * Counters of one slice summed over the programmed devices.
 */
public final class SliceStats {
    private final String slice;
    /** Bytes matched by the slice's flow rules. */
    private final long bytes;
    /** Packets matched by the slice's flow rules. */
    private final long packets;
    /** Bytes dropped by the slice meters' bands. */
    private final long meterDropBytes;
    /** Packets dropped by the slice meters' bands. */
    private final long meterDropPackets;
    private final int flowRules;
    private final int meters;

    public SliceStats(String slice, long bytes, long packets, long meterDropBytes, long meterDropPackets,
                       int flowRules, int meters) {
        this.slice = slice;
        this.bytes = bytes;
        this.packets = packets;
        this.meterDropBytes = meterDropBytes;
        this.meterDropPackets = meterDropPackets;
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

    public long meterDropBytes() {
        return meterDropBytes;
    }

    public long meterDropPackets() {
        return meterDropPackets;
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
        return Objects.equals(slice, other.slice)
                && bytes == other.bytes
                && packets == other.packets
                && meterDropBytes == other.meterDropBytes
                && meterDropPackets == other.meterDropPackets
                && flowRules == other.flowRules
                && meters == other.meters;
    }

    @Override
    public int hashCode() {
        return Objects.hash(slice, bytes, packets, meterDropBytes, meterDropPackets, flowRules, meters);
    }

    @Override
    public String toString() {
        return "SliceStats[slice=" + slice + ", bytes=" + bytes + ", packets=" + packets
                + ", meterDropBytes=" + meterDropBytes + ", meterDropPackets=" + meterDropPackets
                + ", flowRules=" + flowRules + ", meters=" + meters + "]";
    }
}
