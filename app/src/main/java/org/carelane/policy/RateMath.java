package org.carelane.policy;

/** Meter burst arithmetic. */
public final class RateMath {
    /** Never less than ten full-size frames, so that a TCP window can start. */
    public static final long MIN_BURST_KBITS = 10 * 1514 * 8 / 1000;

    private RateMath() {
    }

    /**
     * Burst of a token-bucket meter: the bytes the rate delivers in {@code burstMs},
     * at least {@link #MIN_BURST_KBITS}. A burst near one RTT of data keeps TCP
     * from collapsing its window on every policer drop.
     */
    public static long burstKbits(long rateKbps, int burstMs) {
        return Math.max(MIN_BURST_KBITS, Math.multiplyExact(rateKbps, (long) burstMs) / 1000);
    }
}
