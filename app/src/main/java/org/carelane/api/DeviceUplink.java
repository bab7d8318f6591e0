package org.carelane.api;

import org.onosproject.net.DeviceId;
import org.onosproject.net.PortNumber;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

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
    /** Other ways out (e.g. an internet breakout), by name. */
    private final Map<String, EgressLink> links;
    /** The WAN uplink's port, whose queues CareLane owns; null: CareLane configures no queues. */
    private final PortNumber uplinkPort;
    /** The OVSDB device that configures the uplink's queues; null: the switch's management address. */
    private final DeviceId ovsdbDevice;

    public DeviceUplink(DeviceId deviceId, long uplinkKbps, PortNumber output) {
        this(deviceId, uplinkKbps, output, List.of());
    }

    public DeviceUplink(DeviceId deviceId, long uplinkKbps, PortNumber output, List<EgressLink> links) {
        this(deviceId, uplinkKbps, output, links, null, null);
    }

    public DeviceUplink(DeviceId deviceId, long uplinkKbps, PortNumber output, List<EgressLink> links,
                        PortNumber uplinkPort, DeviceId ovsdbDevice) {
        this.deviceId = deviceId;
        this.uplinkKbps = uplinkKbps;
        this.output = output;
        Map<String, EgressLink> byName = new LinkedHashMap<>();
        links.forEach(l -> byName.put(l.name(), l));
        this.links = Collections.unmodifiableMap(byName);
        this.uplinkPort = uplinkPort;
        this.ovsdbDevice = ovsdbDevice;
    }

    /** The uplink port whose queues CareLane configures, if declared. */
    public Optional<PortNumber> uplinkPort() {
        return Optional.ofNullable(uplinkPort);
    }

    /** The OVSDB device declared for the queues, if any. */
    public Optional<DeviceId> ovsdbDevice() {
        return Optional.ofNullable(ovsdbDevice);
    }

    /** The device's other links, by name, in configured order. */
    public Map<String, EgressLink> links() {
        return links;
    }

    /** The link a slice steered there leaves by in this profile, if the device has it. */
    public Optional<EgressLink> egressOf(SliceDefinition slice, Profile profile) {
        Steering s = slice.egress();
        return s == null || !s.appliesIn(profile) ? Optional.empty() : Optional.ofNullable(links.get(s.link()));
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
                && Objects.equals(output, other.output)
                && Objects.equals(links, other.links)
                && Objects.equals(uplinkPort, other.uplinkPort)
                && Objects.equals(ovsdbDevice, other.ovsdbDevice);
    }

    @Override
    public int hashCode() {
        return Objects.hash(deviceId, uplinkKbps, output, links, uplinkPort, ovsdbDevice);
    }

    @Override
    public String toString() {
        return "DeviceUplink[deviceId=" + deviceId + ", uplinkKbps=" + uplinkKbps + ", output=" + output
                + ", links=" + links.values() + (uplinkPort == null ? "" : ", uplinkPort=" + uplinkPort)
                + (ovsdbDevice == null ? "" : ", ovsdb=" + ovsdbDevice) + "]";
    }
}
