package org.carelane.api;

import org.onosproject.net.DeviceId;
import org.onosproject.net.PortNumber;

import java.util.Objects;

/**
 * An edge or gateway device that CareLane programs.
 */
public final class DeviceUplink {
    /** The OpenFlow device. */
    private final DeviceId deviceId;
    /** Declared capacity of its WAN uplink, kbit/s. */
    private final long uplinkKbps;
    /** Where classified traffic goes: NORMAL (default) or a fixed port. */
    private final PortNumber output;

    public DeviceUplink(DeviceId deviceId, long uplinkKbps, PortNumber output) {
        this.deviceId = deviceId;
        this.uplinkKbps = uplinkKbps;
        this.output = output;
    }

    public DeviceId deviceId() {
        return deviceId;
    }

    public long uplinkKbps() {
        return uplinkKbps;
    }

    public PortNumber output() {
        return output;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof DeviceUplink)) {
            return false;
        }
        DeviceUplink other = (DeviceUplink) o;
        return Objects.equals(deviceId, other.deviceId)
                && uplinkKbps == other.uplinkKbps
                && Objects.equals(output, other.output);
    }

    @Override
    public int hashCode() {
        return Objects.hash(deviceId, uplinkKbps, output);
    }

    @Override
    public String toString() {
        return "DeviceUplink[deviceId=" + deviceId + ", uplinkKbps=" + uplinkKbps + ", output=" + output + "]";
    }
}
