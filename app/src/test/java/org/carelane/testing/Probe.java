package org.carelane.testing;

import org.onlab.packet.Ethernet;
import org.onlab.packet.Ip4Address;
import org.onlab.packet.IpPrefix;
import org.onosproject.net.flow.TrafficSelector;
import org.onosproject.net.flow.criteria.Criterion;
import org.onosproject.net.flow.criteria.EthTypeCriterion;
import org.onosproject.net.flow.criteria.IPCriterion;
import org.onosproject.net.flow.criteria.IPProtocolCriterion;

/** An IPv4 packet for probing a switch table: source, destination and IP protocol. */
public final class Probe {
    private final Ip4Address src;
    private final Ip4Address dst;
    private final int proto;

    public Probe(String src, String dst, int proto) {
        this.src = Ip4Address.valueOf(src);
        this.dst = Ip4Address.valueOf(dst);
        this.proto = proto;
    }

    /** True if every criterion of the selector matches this packet (unknown criteria never match). */
    public boolean matches(TrafficSelector selector) {
        for (Criterion c : selector.criteria()) {
            switch (c.type()) {
                case ETH_TYPE:
                    if (((EthTypeCriterion) c).ethType().toShort() != Ethernet.TYPE_IPV4) {
                        return false;
                    }
                    break;
                case IPV4_SRC:
                    if (!((IPCriterion) c).ip().contains(src)) {
                        return false;
                    }
                    break;
                case IPV4_DST:
                    if (!((IPCriterion) c).ip().contains(dst)) {
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
