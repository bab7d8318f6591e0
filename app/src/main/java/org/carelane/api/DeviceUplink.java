package org.carelane.api;

import org.onlab.packet.IpPrefix;
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
    /** The health board the site belongs to, or null. */
    private final String board;
    /** The site's class (gp-practice, acute-hospital...), or null. */
    private final String siteClass;
    /** What this site changes of the policy of its board and class. */
    private final ScopeOverride site;
    /** The site's own ranges, added to the national prefix lists of those names on this device only. */
    private final Map<String, List<IpPrefix>> localLists;
    /** True if the site is configured in its own netcfg subject, devices."of:...".carelane. */
    private final boolean ownSubject;

    public DeviceUplink(DeviceId deviceId, long uplinkKbps, PortNumber output) {
        this(deviceId, uplinkKbps, output, List.of());
    }

    public DeviceUplink(DeviceId deviceId, long uplinkKbps, PortNumber output, List<EgressLink> links) {
        this(deviceId, uplinkKbps, output, links, null, null);
    }

    public DeviceUplink(DeviceId deviceId, long uplinkKbps, PortNumber output, List<EgressLink> links,
                        PortNumber uplinkPort, DeviceId ovsdbDevice) {
        this(deviceId, uplinkKbps, output, links, uplinkPort, ovsdbDevice, null, null, ScopeOverride.NONE, Map.of(),
                false);
    }

    private DeviceUplink(DeviceId deviceId, long uplinkKbps, PortNumber output, List<EgressLink> links,
                         PortNumber uplinkPort, DeviceId ovsdbDevice, String board, String siteClass,
                         ScopeOverride site, Map<String, List<IpPrefix>> localLists, boolean ownSubject) {
        this.ownSubject = ownSubject;
        this.board = board;
        this.siteClass = siteClass;
        this.site = site;
        Map<String, List<IpPrefix>> lists = new LinkedHashMap<>();
        localLists.forEach((name, prefixes) -> lists.put(name, List.copyOf(prefixes)));
        this.localLists = Collections.unmodifiableMap(lists);
        this.deviceId = deviceId;
        this.uplinkKbps = uplinkKbps;
        this.output = output;
        Map<String, EgressLink> byName = new LinkedHashMap<>();
        links.forEach(l -> byName.put(l.name(), l));
        this.links = Collections.unmodifiableMap(byName);
        this.uplinkPort = uplinkPort;
        this.ovsdbDevice = ovsdbDevice;
    }

    /** A copy placed in a board and a site class (either may be null), with the site's own changes and lists. */
    public DeviceUplink withScopes(String newBoard, String newSiteClass, ScopeOverride newSite,
                                   Map<String, List<IpPrefix>> newLocalLists) {
        return new DeviceUplink(deviceId, uplinkKbps, output, List.copyOf(links.values()), uplinkPort, ovsdbDevice,
                newBoard, newSiteClass, newSite, newLocalLists, ownSubject);
    }

    /** A copy configured in its own netcfg subject ({@code devices."of:...".carelane}), or not. */
    public DeviceUplink withOwnSubject(boolean own) {
        return new DeviceUplink(deviceId, uplinkKbps, output, List.copyOf(links.values()), uplinkPort, ovsdbDevice,
                board, siteClass, site, localLists, own);
    }

    /** True if the site is configured in its own netcfg subject, {@code devices."of:...".carelane}. */
    public boolean ownSubject() {
        return ownSubject;
    }

    /** A copy with another site override. */
    public DeviceUplink withSite(ScopeOverride newSite) {
        return withScopes(board, siteClass, newSite, localLists);
    }

    /** The health board, if the site names one. */
    public Optional<String> board() {
        return Optional.ofNullable(board);
    }

    /** The site class, if the site names one. */
    public Optional<String> siteClass() {
        return Optional.ofNullable(siteClass);
    }

    /** What this site changes of its board's and class's policy. */
    public ScopeOverride site() {
        return site;
    }

    /** The site's own ranges, by national prefix list name. */
    public Map<String, List<IpPrefix>> localLists() {
        return localLists;
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
                && Objects.equals(ovsdbDevice, other.ovsdbDevice)
                && Objects.equals(board, other.board)
                && Objects.equals(siteClass, other.siteClass)
                && site.equals(other.site)
                && localLists.equals(other.localLists)
                && ownSubject == other.ownSubject;
    }

    @Override
    public int hashCode() {
        return Objects.hash(deviceId, uplinkKbps, output, links, uplinkPort, ovsdbDevice, board, siteClass, site,
                localLists, ownSubject);
    }

    @Override
    public String toString() {
        return "DeviceUplink[deviceId=" + deviceId + ", uplinkKbps=" + uplinkKbps + ", output=" + output
                + ", links=" + links.values() + (uplinkPort == null ? "" : ", uplinkPort=" + uplinkPort)
                + (ovsdbDevice == null ? "" : ", ovsdb=" + ovsdbDevice)
                + (board == null ? "" : ", board=" + board) + (siteClass == null ? "" : ", siteClass=" + siteClass)
                + (site.isEmpty() ? "" : ", site=" + site) + (localLists.isEmpty() ? "" : ", localLists=" + localLists)
                + "]";
    }
}
