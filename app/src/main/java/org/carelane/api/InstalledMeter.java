package org.carelane.api;

import java.util.Objects;

/**
 * A meter CareLane installed for one slice on one device.
 */
public final class InstalledMeter {
    private final long meterId;
    private final long rateKbps;
    private final long burstKbits;

    public InstalledMeter(long meterId, long rateKbps, long burstKbits) {
        this.meterId = meterId;
        this.rateKbps = rateKbps;
        this.burstKbits = burstKbits;
    }

    public long meterId() {
        return meterId;
    }

    public long rateKbps() {
        return rateKbps;
    }

    public long burstKbits() {
        return burstKbits;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof InstalledMeter)) {
            return false;
        }
        InstalledMeter other = (InstalledMeter) o;
        return meterId == other.meterId
                && rateKbps == other.rateKbps
                && burstKbits == other.burstKbits;
    }

    @Override
    public int hashCode() {
        return Objects.hash(meterId, rateKbps, burstKbits);
    }

    @Override
    public String toString() {
        return "InstalledMeter[meterId=" + meterId + ", rateKbps=" + rateKbps + ", burstKbits=" + burstKbits + "]";
    }
}
