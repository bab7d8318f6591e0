package org.carelane.api;

import org.onosproject.net.DeviceId;
import org.onosproject.net.PortNumber;

/**
 * An edge or gateway device that CareLane programs.
 *
 * @param deviceId   the OpenFlow device
 * @param uplinkKbps declared capacity of its WAN uplink, kbit/s
 * @param output     where classified traffic goes: NORMAL (default) or a fixed port
 */
public record DeviceUplink(DeviceId deviceId, long uplinkKbps, PortNumber output) {
}
