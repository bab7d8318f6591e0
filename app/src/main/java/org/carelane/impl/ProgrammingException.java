package org.carelane.impl;

import org.onosproject.net.DeviceId;

/** An attempt to program a device failed; what it created was withdrawn and the previous rules stay. */
final class ProgrammingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ProgrammingException(DeviceId id, Throwable cause) {
        super("programming " + id + " failed", cause);
    }
}
