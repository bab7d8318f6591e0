package org.carelane.impl;

import org.onosproject.net.meter.MeterFailReason;

/**
 * What a failed attempt waits for before CareLane tries again. Trying again at once cannot
 * help a switch that refuses the policy itself (a rate it cannot meter) or has no room left:
 * each attempt would be a whole new generation of meters and rules, for nothing.
 */
enum FailureCause {
    /** May pass by itself (a timeout, a race, a switch going away): retried with backoff. */
    TRANSIENT("retried with backoff, and at once on a reconnect or a meter leaving the device"),
    /** The switch has no meter left: retried when one leaves it, and every 60 s as a backstop. */
    NO_ROOM("retried when a meter leaves the device, on a reconnect or a policy change, and every 60 s"),
    /** The switch refuses what the policy asks: not retried until something changes. */
    PERMANENT("not retried until the policy changes or the device reconnects");

    /** What the next attempt waits for, as /status shows it. */
    final String retry;

    FailureCause(String retry) {
        this.retry = retry;
    }

    /** The cause behind a failed attempt: TRANSIENT unless a refusal says otherwise. */
    static FailureCause of(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof RefusedException) {
                return ((RefusedException) t).cause;
            }
        }
        return TRANSIENT;
    }

    /** How a switch's refusal of a meter (ONOS 2.7.0's MeterFailReason) is retried. */
    static FailureCause of(MeterFailReason reason) {
        switch (reason) {
            case OUT_OF_METERS:
                return NO_ROOM;
            case OUT_OF_BANDS:
            case BAD_RATE:
            case BAD_BURST:
            case BAD_BAND:
            case BAD_BAND_VALUE:
            case UNKNOWN_FLAGS:
            case UNKNOWN_COMMAND:
                return PERMANENT;
            default:
                return TRANSIENT;   // EXISTING_METER, TIMEOUT, INVALID_METER, UNKNOWN...
        }
    }

    /** A failure with a known cause. */
    static final class RefusedException extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        final FailureCause cause;

        RefusedException(FailureCause cause, String message) {
            super(message);
            this.cause = cause;
        }
    }
}
