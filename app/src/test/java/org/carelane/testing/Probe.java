package org.carelane.testing;

import org.onlab.packet.Ethernet;
import org.onlab.packet.IpAddress;
import org.onlab.packet.IpPrefix;
import org.onosproject.net.flow.TrafficSelector;
import org.onosproject.net.flow.criteria.Criterion;
import org.onosproject.net.flow.criteria.EthTypeCriterion;
import org.onosproject.net.flow.criteria.IPCriterion;
import org.onosproject.net.flow.criteria.IPProtocolCriterion;
import org.onosproject.net.flow.criteria.Icmpv6TypeCriterion;

/** An IPv4 or IPv6 packet for probing a switch table: source, destination, IP protocol (and ICMPv6 type). */
public final class Probe {
    private final IpAddress src;
    private final IpAddress dst;
    private final int proto;
    private final int icmpv6Type;

    public Probe(String src, String dst, int proto) {
        this(src, dst, proto, -1);
    }

    public Probe(String src, String dst, int proto, int icmpv6Type) {
        this.src = IpAddress.valueOf(src);
        this.dst = IpAddress.valueOf(dst);
        this.proto = proto;
        this.icmpv6Type = icmpv6Type;
    }

    /** True if every criterion of the selector matches this packet (unknown criteria never match). */
    public boolean matches(TrafficSelector selector) {
        for (Criterion c : selector.criteria()) {
            switch (c.type()) {
                case ETH_TYPE:
                    if (((EthTypeCriterion) c).ethType().toShort() != (src.isIp4() ? Ethernet.TYPE_IPV4
                            : Ethernet.TYPE_IPV6)) {
                        return false;
                    }
                    break;
                case IPV4_SRC:
                case IPV6_SRC:
                    if (!((IPCriterion) c).ip().contains(src)) {
                        return false;
                    }
                    break;
                case IPV4_DST:
                case IPV6_DST:
                    if (!((IPCriterion) c).ip().contains(dst)) {
                        return false;
                    }
                    break;
                case ICMPV6_TYPE:
                    if (((Icmpv6TypeCriterion) c).icmpv6Type() != icmpv6Type) {
                        return false;
                    }
                    break;
                case IP_PROTO:
                    if (((IPProtocolCriterion) c).protocol() != proto) {
                        return false;
                    }
                    break;
                default:
                    return false;
            }
        }
        return true;
    }

    /**
     * OpenFlow's non-strict match: {@code rule} is equal to or narrower than {@code mod} if it
     * has every criterion of {@code mod}, with prefixes inside mod's and other values equal.
     */
    static boolean narrowerOrEqual(TrafficSelector rule, TrafficSelector mod) {
        for (Criterion m : mod.criteria()) {
            Criterion r = rule.getCriterion(m.type());
            if (r == null) {
                return false;
            }
            if (m instanceof IPCriterion) {
                IpPrefix outer = ((IPCriterion) m).ip();
                IpPrefix inner = ((IPCriterion) r).ip();
                if (!outer.contains(inner)) {
                    return false;
                }
            } else if (!m.equals(r)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return src + " -> " + dst + " proto " + proto;
    }
}
