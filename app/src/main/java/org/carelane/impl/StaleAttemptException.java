package org.carelane.impl;

import org.onosproject.net.DeviceId;

/** An attempt stopped because its node is no longer the device's master in the term it started in. */
final class StaleAttemptException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StaleAttemptException(DeviceId id) {
        super("mastership of " + id + " moved on");
    }
}
