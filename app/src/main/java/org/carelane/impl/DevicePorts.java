package org.carelane.impl;

import org.carelane.api.DeviceUplink;
import org.carelane.api.PolicyException;
import org.carelane.api.SlicePolicy;
import org.onosproject.net.Port;
import org.onosproject.net.PortNumber;
import org.onosproject.net.device.DeviceService;

/**
 * Checks a policy against the devices' ports: what only ONOS knows, so not part of the policy
 * core's validation.
 */
final class DevicePorts {
    private final DeviceService deviceService;

    DevicePorts(DeviceService deviceService) {
        this.deviceService = deviceService;
    }

    /**
     * The egress links' ports and the uplink port must exist on the devices that are connected
     * (a device that is not connected is checked when a change is made after it connects); the
     * uplink port, where the switch reports a speed, must carry {@code uplinkKbps}.
     *
     * @throws PolicyException naming the field
     */
    void check(SlicePolicy policy) {
        for (int i = 0; i < policy.devices().size(); i++) {
            DeviceUplink d = policy.devices().get(i);
            if (!deviceService.isAvailable(d.deviceId())) {
                continue;
            }
            for (var link : d.links().values()) {
                requirePort(d, link.port(), policy.devicePath(i) + ".links." + link.name() + ".port");
            }
            if (d.uplinkPort().isPresent()) {
                String field = policy.devicePath(i) + ".uplinkPort";
                long mbps = requirePort(d, d.uplinkPort().get(), field).portSpeed();
                if (mbps > 0 && mbps * 1000 < d.uplinkKbps()) {
                    throw new PolicyException(field, "port " + d.uplinkPort().get() + " of " + d.deviceId()
                            + " runs at " + mbps + " Mbit/s, less than uplinkKbps " + d.uplinkKbps());
                }
            }
        }
    }

    private Port requirePort(DeviceUplink d, PortNumber number, String field) {
        Port port = deviceService.getPort(d.deviceId(), number);
        if (port == null) {
            throw new PolicyException(field, "no port " + number + " on " + d.deviceId());
        }
        return port;
    }
}
