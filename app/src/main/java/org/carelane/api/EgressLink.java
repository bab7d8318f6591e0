package org.carelane.api;

import org.onlab.packet.MacAddress;
import org.onosproject.net.PortNumber;

import java.util.Objects;

/**
 * A second way out of a device besides its WAN uplink, e.g. a local internet breakout: the
 * port, its capacity, a VLAN to push and the next hop's MAC address, if any. Slices are
 * steered to it by name.
 */
public final class EgressLink {
    private final String name;
    private final PortNumber port;
    private final long kbps;
    private final Integer vlan;
    private final MacAddress nextHopMac;

    public EgressLink(String name, PortNumber port, long kbps, Integer vlan, MacAddress nextHopMac) {
        this.name = Objects.requireNonNull(name);
        this.port = Objects.requireNonNull(port);
        this.kbps = kbps;
        this.vlan = vlan;
        this.nextHopMac = nextHopMac;
    }

    public String name() {
        return name;
    }

    public PortNumber port() {
        return port;
    }

    /** Declared capacity, kbit/s: the reservations of the slices steered to it must fit. */
    public long kbps() {
        return kbps;
    }

    /** VLAN id pushed on the way out, or null. */
    public Integer vlan() {
        return vlan;
    }

    /**
     * Destination MAC written on the way out, or null: the breakout router's, so that it routes
     * frames the hosts addressed to their WAN gateway (policy-based routing).
     */
    public MacAddress nextHopMac() {
        return nextHopMac;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EgressLink)) {
            return false;
        }
        EgressLink other = (EgressLink) o;
        return name.equals(other.name) && port.equals(other.port) && kbps == other.kbps
                && Objects.equals(vlan, other.vlan) && Objects.equals(nextHopMac, other.nextHopMac);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, port, kbps, vlan, nextHopMac);
    }

    @Override
    public String toString() {
        return "EgressLink[" + name + " port " + port + ", " + kbps + " kbps" + (vlan == null ? "" : ", vlan " + vlan)
                + (nextHopMac == null ? "" : ", next hop " + nextHopMac) + "]";
    }
}
