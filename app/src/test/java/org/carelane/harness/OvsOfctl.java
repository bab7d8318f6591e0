package org.carelane.harness;

import org.onosproject.net.PortNumber;
import org.onosproject.net.flow.FlowRule;
import org.onosproject.net.flow.criteria.Criterion;
import org.onosproject.net.flow.criteria.EthTypeCriterion;
import org.onosproject.net.flow.criteria.IPCriterion;
import org.onosproject.net.flow.criteria.IPDscpCriterion;
import org.onosproject.net.flow.criteria.IPProtocolCriterion;
import org.onosproject.net.flow.criteria.PortCriterion;
import org.onosproject.net.flow.criteria.TcpPortCriterion;
import org.onosproject.net.flow.criteria.UdpPortCriterion;
import org.onosproject.net.flow.instructions.Instruction;
import org.onosproject.net.flow.instructions.Instructions;
import org.onosproject.net.flow.instructions.L2ModificationInstruction;
import org.onosproject.net.flow.instructions.L3ModificationInstruction;
import org.onosproject.net.meter.Band;
import org.onosproject.net.meter.Meter;

import java.util.ArrayList;
import java.util.List;

/**
 * Translates ONOS FlowRules and Meters into ovs-ofctl (OpenFlow 1.3) syntax, the way
 * the ONOS OpenFlow provider would encode them. Anything it cannot encode fails loudly.
 */
public final class OvsOfctl {
    private OvsOfctl() {
    }

    /** Argument of "ovs-ofctl -O OpenFlow13 add-meter BR ...". */
    public static String meter(Meter m) {
        if (m.unit() != Meter.Unit.KB_PER_SEC || m.bands().size() != 1) {
            throw new IllegalArgumentException("unsupported meter " + m);
        }
        Band b = m.bands().iterator().next();
        if (b.type() != Band.Type.DROP) {
            throw new IllegalArgumentException("unsupported band " + b);
        }
        return "meter=" + m.id().id() + ",kbps" + (m.isBurst() ? ",burst" : "") + ",stats,bands=type=drop,rate="
                + b.rate() + (m.isBurst() ? ",burst_size=" + b.burst() : "");
    }

    /** One line of "ovs-ofctl -O OpenFlow13 add-flows BR FILE". */
    public static String flow(FlowRule r) {
        return "cookie=0x" + Long.toHexString(r.id().value()) + "," + match(r) + ",actions=" + actions(r);
    }

    /** Table, priority and match: what "mod-flows --strict" and "del-flows --strict" select on. */
    public static String match(FlowRule r) {
        List<String> match = new ArrayList<>();
        match.add("table=" + r.tableId());
        match.add("priority=" + r.priority());
        for (Criterion c : r.selector().criteria()) {
            match.add(criterion(c));
        }
        return String.join(",", match);
    }

    private static String criterion(Criterion c) {
        switch (c.type()) {
            case ETH_TYPE:
                return "dl_type=0x" + Integer.toHexString(((EthTypeCriterion) c).ethType().toShort() & 0xffff);
            case IN_PORT:
                return "in_port=" + ((PortCriterion) c).port().toLong();
            case IPV4_SRC:
                return "nw_src=" + ((IPCriterion) c).ip();
            case IPV4_DST:
                return "nw_dst=" + ((IPCriterion) c).ip();
            case IPV6_SRC:
                return "ipv6_src=" + ((IPCriterion) c).ip();
            case IPV6_DST:
                return "ipv6_dst=" + ((IPCriterion) c).ip();
            case ICMPV6_TYPE:
                return "icmpv6_type=" + ((org.onosproject.net.flow.criteria.Icmpv6TypeCriterion) c).icmpv6Type();
            case IP_PROTO:
                return "nw_proto=" + ((IPProtocolCriterion) c).protocol();
            case IP_DSCP:
                return "ip_dscp=" + ((IPDscpCriterion) c).ipDscp();
            case TCP_SRC:
                return "tcp_src=" + ((TcpPortCriterion) c).tcpPort().toInt();
            case TCP_DST:
                return "tcp_dst=" + ((TcpPortCriterion) c).tcpPort().toInt();
            case UDP_SRC:
                return "udp_src=" + ((UdpPortCriterion) c).udpPort().toInt();
            case UDP_DST:
                return "udp_dst=" + ((UdpPortCriterion) c).udpPort().toInt();
            default:
                throw new IllegalArgumentException("unsupported criterion " + c);
        }
    }

    /** A steered slice's next hop MAC and VLAN, as ovs-ofctl prints them. */
    private static String l2Action(L2ModificationInstruction l2) {
        switch (l2.subtype()) {
            case ETH_DST:
                return "set_field:" + ((L2ModificationInstruction.ModEtherInstruction) l2).mac().toString()
                        .toLowerCase(java.util.Locale.ROOT) + "->eth_dst";
            case VLAN_PUSH:
                return "push_vlan:0x8100";
            case VLAN_ID:
                return "set_field:" + (4096 + ((L2ModificationInstruction.ModVlanIdInstruction) l2).vlanId().toShort())
                        + "->vlan_vid";
            default:
                throw new IllegalArgumentException("unsupported " + l2);
        }
    }

    private static String actions(FlowRule r) {
        List<String> out = new ArrayList<>();
        r.treatment().meters().forEach(m -> out.add("meter:" + m.meterId().id()));
        boolean forwards = false;
        for (Instruction i : r.treatment().immediate()) {
            switch (i.type()) {
                case NOACTION:
                    break;
                case L3MODIFICATION:
                    L3ModificationInstruction l3 = (L3ModificationInstruction) i;
                    if (l3.subtype() != L3ModificationInstruction.L3SubType.IP_DSCP) {
                        throw new IllegalArgumentException("unsupported " + i);
                    }
                    out.add("set_field:" + ((L3ModificationInstruction.ModDscpInstruction) l3).dscp() + "->ip_dscp");
                    break;
                case L2MODIFICATION:
                    out.add(l2Action((L2ModificationInstruction) i));
                    break;
                case QUEUE:
                    out.add("set_queue:" + ((Instructions.SetQueueInstruction) i).queueId());
                    break;
                case OUTPUT:
                    PortNumber p = ((Instructions.OutputInstruction) i).port();
                    out.add(p.equals(PortNumber.NORMAL) ? "NORMAL" : "output:" + p.toLong());
                    forwards = true;
                    break;
                case METER:
                    break;
                default:
                    throw new IllegalArgumentException("unsupported instruction " + i);
            }
        }
        return forwards ? String.join(",", out) : "drop";
    }
}
