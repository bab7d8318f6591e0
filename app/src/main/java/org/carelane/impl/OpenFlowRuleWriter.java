package org.carelane.impl;

import org.onosproject.net.DeviceId;
import org.onosproject.net.flow.FlowRule;
import org.onosproject.net.flow.criteria.Criterion;
import org.onosproject.net.flow.criteria.EthTypeCriterion;
import org.onosproject.net.flow.criteria.IPCriterion;
import org.onosproject.net.flow.criteria.IPDscpCriterion;
import org.onosproject.net.flow.criteria.IPProtocolCriterion;
import org.onosproject.net.flow.criteria.Icmpv6TypeCriterion;
import org.onosproject.net.flow.criteria.PortCriterion;
import org.onosproject.net.flow.criteria.TcpPortCriterion;
import org.onosproject.net.flow.criteria.UdpPortCriterion;
import org.onosproject.net.flow.instructions.Instruction;
import org.onosproject.net.flow.instructions.Instructions;
import org.onosproject.net.flow.instructions.L2ModificationInstruction;
import org.onosproject.net.flow.instructions.L3ModificationInstruction;
import org.onosproject.openflow.controller.Dpid;
import org.onosproject.openflow.controller.OpenFlowController;
import org.onosproject.openflow.controller.OpenFlowSwitch;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFFlowModFlags;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.IPv6AddressWithMask;
import org.projectfloodlight.openflow.types.IpDscp;
import org.projectfloodlight.openflow.types.IpProtocol;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.OFVlanVidMatch;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.TransportPort;
import org.projectfloodlight.openflow.types.U64;
import org.projectfloodlight.openflow.types.U8;
import org.projectfloodlight.openflow.types.VlanVid;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Writes one of CareLane's rules to its switch through this node's OpenFlow channel, past
 * ONOS's flow store, as the FLOW_MOD ADD ONOS itself would send for it (the cookie is the
 * rule's FlowId, SEND_FLOW_REM, as OpenFlowRuleProvider and FlowModBuilderVer13 build it). Only
 * for putting back a rule the switch lost while the store cannot take writes (see
 * {@link RuleKeeper}); the store learns the rule through the usual path as well. Knows the
 * matches and actions {@code FlowCompiler} uses, and writes nothing for anything else.
 */
final class OpenFlowRuleWriter {
    private final Supplier<OpenFlowController> controller;

    /** @param controller ONOS's OpenFlow controller, or null while there is none */
    OpenFlowRuleWriter(Supplier<OpenFlowController> controller) {
        this.controller = controller;
    }

    /** Writes the rule if this node masters the switch over OpenFlow 1.3; true if it did. */
    boolean write(DeviceId id, FlowRule rule) {
        OpenFlowController of = controller.get();
        if (of == null || !"of".equals(id.uri().getScheme())) {
            return false;
        }
        OpenFlowSwitch sw = of.getMasterSwitch(Dpid.dpid(id.uri()));
        if (sw == null || sw.factory().getVersion() != OFVersion.OF_13) {
            return false;
        }
        Optional<OFFlowAdd> add = flowAdd(sw.factory(), rule);
        if (add.isEmpty()) {
            return false;
        }
        sw.sendMsg(add.get());
        return true;
    }

    /** The FLOW_MOD ADD for a rule, or empty if it uses a match or action not known here. */
    static Optional<OFFlowAdd> flowAdd(OFFactory factory, FlowRule rule) {
        Optional<Match> match = match(factory, rule);
        Optional<List<OFAction>> actions = actions(factory, rule.treatment().immediate());
        if (match.isEmpty() || actions.isEmpty() || !rule.treatment().deferred().isEmpty()
                || rule.treatment().tableTransition() != null || rule.treatment().writeMetadata() != null) {
            return Optional.empty();
        }
        List<OFInstruction> instructions = new ArrayList<>();
        if (!actions.get().isEmpty()) {
            instructions.add(factory.instructions().applyActions(actions.get()));
        }
        Instructions.MeterInstruction meter = rule.treatment().metered();
        if (meter != null) {
            instructions.add(factory.instructions().buildMeter().setMeterId(meter.meterId().id()).build());
        }
        return Optional.of(factory.buildFlowAdd()
                .setCookie(U64.of(rule.id().value()))
                .setBufferId(OFBufferId.NO_BUFFER)
                .setInstructions(instructions)
                .setMatch(match.get())
                .setFlags(Set.of(OFFlowModFlags.SEND_FLOW_REM))
                .setPriority(rule.priority())
                .setTableId(TableId.of(rule.tableId()))
                .setHardTimeout(rule.hardTimeout())
                .build());
    }

    private static Optional<Match> match(OFFactory factory, FlowRule rule) {
        Match.Builder m = factory.buildMatch();
        for (Criterion c : rule.selector().criteria()) {
            switch (c.type()) {
                case IN_PORT:
                    m.setExact(MatchField.IN_PORT, OFPort.of((int) ((PortCriterion) c).port().toLong()));
                    break;
                case ETH_TYPE:
                    m.setExact(MatchField.ETH_TYPE, EthType.of(((EthTypeCriterion) c).ethType().toShort() & 0xffff));
                    break;
                case IP_PROTO:
                    m.setExact(MatchField.IP_PROTO, IpProtocol.of((short) ((IPProtocolCriterion) c).protocol()));
                    break;
                case IP_DSCP:
                    m.setExact(MatchField.IP_DSCP, IpDscp.of(((IPDscpCriterion) c).ipDscp()));
                    break;
                case IPV4_SRC:
                case IPV4_DST:
                    ipv4(m, (IPCriterion) c);
                    break;
                case IPV6_SRC:
                case IPV6_DST:
                    IPv6AddressWithMask masked = IPv6AddressWithMask.of(((IPCriterion) c).ip().toString());
                    m.setMasked(c.type() == Criterion.Type.IPV6_SRC ? MatchField.IPV6_SRC : MatchField.IPV6_DST,
                            masked);
                    break;
                case TCP_SRC:
                    m.setExact(MatchField.TCP_SRC, TransportPort.of(((TcpPortCriterion) c).tcpPort().toInt()));
                    break;
                case TCP_DST:
                    m.setExact(MatchField.TCP_DST, TransportPort.of(((TcpPortCriterion) c).tcpPort().toInt()));
                    break;
                case UDP_SRC:
                    m.setExact(MatchField.UDP_SRC, TransportPort.of(((UdpPortCriterion) c).udpPort().toInt()));
                    break;
                case UDP_DST:
                    m.setExact(MatchField.UDP_DST, TransportPort.of(((UdpPortCriterion) c).udpPort().toInt()));
                    break;
                case ICMPV6_TYPE:
                    m.setExact(MatchField.ICMPV6_TYPE, U8.of(((Icmpv6TypeCriterion) c).icmpv6Type()));
                    break;
                default:
                    return Optional.empty();
            }
        }
        return Optional.of(m.build());
    }

    private static void ipv4(Match.Builder m, IPCriterion c) {
        MatchField<IPv4Address> field = c.type() == Criterion.Type.IPV4_SRC ? MatchField.IPV4_SRC : MatchField.IPV4_DST;
        IPv4Address address = IPv4Address.of(c.ip().address().toOctets());
        if (c.ip().prefixLength() == 32) {
            m.setExact(field, address);
        } else {
            m.setMasked(field, address, IPv4Address.ofCidrMaskLength(c.ip().prefixLength()));
        }
    }

    private static Optional<List<OFAction>> actions(OFFactory factory, List<Instruction> immediate) {
        List<OFAction> out = new ArrayList<>();
        for (Instruction i : immediate) {
            switch (i.type()) {
                case NOACTION:
                    return Optional.of(List.of());   // drop, as ONOS builds it
                case OUTPUT:
                    out.add(factory.actions().buildOutput()
                            .setPort(OFPort.of((int) ((Instructions.OutputInstruction) i).port().toLong())).build());
                    break;
                case QUEUE:
                    out.add(factory.actions().buildSetQueue()
                            .setQueueId(((Instructions.SetQueueInstruction) i).queueId()).build());
                    break;
                case L3MODIFICATION:
                case L2MODIFICATION:
                    Optional<OFAction> modification = modification(factory, i);
                    if (modification.isEmpty()) {
                        return Optional.empty();
                    }
                    out.add(modification.get());
                    break;
                default:
                    return Optional.empty();
            }
        }
        return Optional.of(out);
    }

    /** The set-field or push action of a header modification FlowCompiler uses, or empty. */
    private static Optional<OFAction> modification(OFFactory factory, Instruction i) {
        if (i instanceof L3ModificationInstruction.ModDscpInstruction) {
            byte dscp = ((L3ModificationInstruction.ModDscpInstruction) i).dscp();
            return Optional.of(factory.actions().setField(factory.oxms().ipDscp(IpDscp.of(dscp))));
        }
        if (!(i instanceof L2ModificationInstruction)) {
            return Optional.empty();
        }
        L2ModificationInstruction l2 = (L2ModificationInstruction) i;
        switch (l2.subtype()) {
            case ETH_DST:
                return Optional.of(factory.actions().setField(factory.oxms().ethDst(MacAddress.of(
                        ((L2ModificationInstruction.ModEtherInstruction) l2).mac().toBytes()))));
            case VLAN_PUSH:
                return Optional.of(factory.actions().buildPushVlan().setEthertype(EthType.of(
                        ((L2ModificationInstruction.ModVlanHeaderInstruction) l2).ethernetType().toShort() & 0xffff))
                        .build());
            case VLAN_ID:
                return Optional.of(factory.actions().setField(factory.oxms().vlanVid(OFVlanVidMatch.ofVlanVid(
                        VlanVid.ofVlan(((L2ModificationInstruction.ModVlanIdInstruction) l2).vlanId().toShort())))));
            default:
                return Optional.empty();
        }
    }
}
