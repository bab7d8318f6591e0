package org.carelane.policy;

import org.carelane.api.ClassifierRule;
import org.carelane.api.DeviceUplink;
import org.carelane.api.EgressLink;
import org.carelane.api.Profile;
import org.carelane.api.SliceDefinition;
import org.carelane.api.SlicePolicy;
import org.onlab.packet.Ethernet;
import org.onlab.packet.IpPrefix;
import org.onlab.packet.TpPort;
import org.onlab.packet.VlanId;
import org.onosproject.core.ApplicationId;
import org.onosproject.net.flow.DefaultFlowRule;
import org.onosproject.net.flow.DefaultTrafficSelector;
import org.onosproject.net.flow.DefaultTrafficTreatment;
import org.onosproject.net.flow.FlowRule;
import org.onosproject.net.flow.TrafficSelector;
import org.onosproject.net.flow.TrafficTreatment;
import org.onosproject.net.meter.MeterId;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Translates slices into OpenFlow 1.3 flow rules for one device, in table 0.
 * Priorities sit at a band base + slice priority, above org.onosproject.fwd (priority 10),
 * so classified traffic never reaches fwd's rules. There are two bands: a change installs the
 * new rules in the band not in use and then removes the old ones, so that no rule is ever
 * modified (ONOS sends MODIFY as a non-strict OpenFlow modify).
 *
 * <p>A policy with an IPv6 prefix is dual-stack: a rule without prefixes then matches IPv6
 * too, and ICMPv6 neighbour discovery goes out untouched, above every slice.
 */
public final class FlowCompiler {
    /** The first band, used by a device's first programming. */
    public static final int BASE_PRIORITY = 1000;
    /** The second band; slice priorities (0..1000) keep the bands apart. */
    public static final int ALTERNATE_BASE_PRIORITY = 3000;
    /**
     * The staging bands, above both: each slice's rule of the next profile at base + 2 x its
     * priority, and right above it (+1) a shadow of its rule in the profile in force, which the
     * switch expires at the boundary (OpenFlow hard_timeout). A packet's highest match is then
     * its own slice's shadow or next rule, whichever shadows have expired, so the switch switches
     * itself, slice by slice, in any order. Slice priorities (0..1000) keep them apart.
     */
    public static final int STAGE_BASE_PRIORITY = 5000;
    /** The other staging band: a device staged in one stages its next boundary in the other. */
    public static final int ALTERNATE_STAGE_BASE_PRIORITY = 8000;
    private static final int BAND_WIDTH = 1000;
    /** Above every slice priority (0..1000) in a band: ICMPv6 neighbour discovery. */
    public static final int ND_OFFSET = BAND_WIDTH + 1;
    /** Router and neighbour solicitation and advertisement, and redirect. */
    static final List<Integer> ND_TYPES = List.of(133, 134, 135, 136, 137);
    private static final int ICMP = 1;
    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final int ICMPV6 = 58;

    private FlowCompiler() {
    }

    /**
     * Flow rules of one device.
     *
     * @param meters meter of each non-drop slice on this device, by slice name
     */
    public static List<FlowRule> compile(SlicePolicy policy, DeviceUplink device,
                                         Map<String, MeterId> meters, ApplicationId appId, Profile profile) {
        return compile(policy, device, meters, appId, profile, BASE_PRIORITY);
    }

    /**
     * Flow rules of one device in the band starting at {@code bandBase}.
     *
     * @param meters meter of each non-drop slice on this device, by slice name
     */
    public static List<FlowRule> compile(SlicePolicy policy, DeviceUplink device, Map<String, MeterId> meters,
                                         ApplicationId appId, Profile profile, int bandBase) {
        // Distinct selectors per priority: duplicates would be one OpenFlow entry anyway.
        Map<Integer, Map<TrafficSelector, FlowRule>> byPriority = new LinkedHashMap<>();
        boolean dualStack = dualStack(policy);
        int stride = staging(bandBase) ? 2 : 1;
        for (SliceDefinition slice : policy.slices()) {
            int priority = bandBase + stride * slice.priority();
            TrafficTreatment treatment = treatment(slice, device, meters.get(slice.name()), profile);
            // A steered slice's replies leave by the device's output (see carriesReplies).
            TrafficTreatment returning = slice.egress() == null ? treatment
                    : treatment(slice.withEgress(null), device, meters.get(slice.name()), profile);
            Map<TrafficSelector, FlowRule> rules = byPriority.computeIfAbsent(priority, p -> new LinkedHashMap<>());
            for (ClassifierRule rule : slice.rules()) {
                TrafficTreatment ruleTreatment = carriesReplies(rule) ? returning : treatment;
                for (TrafficSelector selector : selectors(policy, device, rule, dualStack)) {
                    rules.computeIfAbsent(selector, sel -> DefaultFlowRule.builder()
                            .forDevice(device.deviceId())
                            .forTable(0)
                            .withSelector(sel)
                            .withTreatment(ruleTreatment)
                            .withPriority(priority)
                            .fromApp(appId)
                            .makePermanent()
                            .build());
                }
            }
        }
        List<FlowRule> out = new ArrayList<>();
        byPriority.values().forEach(m -> out.addAll(m.values()));
        if (dualStack) {
            TrafficTreatment untouched = DefaultTrafficTreatment.builder().setOutput(device.output()).build();
            for (int type : ND_TYPES) {
                out.add(DefaultFlowRule.builder().forDevice(device.deviceId()).forTable(0)
                        .withSelector(DefaultTrafficSelector.builder().matchEthType(Ethernet.TYPE_IPV6)
                                .matchIPProtocol((byte) ICMPV6).matchIcmpv6Type((byte) type).build())
                        .withTreatment(untouched).withPriority(bandBase + stride * ND_OFFSET).fromApp(appId)
                        .makePermanent().build());
            }
        }
        return out;
    }

    /**
     * True if a rule matches only where traffic comes from (source prefixes, no destination):
     * it carries the slice's replies, e.g. from the internet back to staff, which are never
     * steered. Replies that a breakout's NAT sends back in through the link would otherwise
     * be sent out of the port they came in on, and dropped.
     */
    public static boolean carriesReplies(ClassifierRule rule) {
        boolean source = !rule.srcPrefixes().isEmpty() || rule.srcPrefixList() != null;
        boolean destination = !rule.dstPrefixes().isEmpty() || rule.dstPrefixList() != null
                || rule.dstNameList() != null;
        return source && !destination;
    }

    /** True if the policy names an IPv6 prefix anywhere: then it classifies IPv6 too. */
    public static boolean dualStack(SlicePolicy policy) {
        boolean inLists = policy.prefixLists().values().stream().flatMap(List::stream).anyMatch(IpPrefix::isIp6);
        return inLists || policy.slices().stream().flatMap(s -> s.rules().stream())
                .anyMatch(r -> r.srcPrefixes().stream().anyMatch(IpPrefix::isIp6)
                        || r.dstPrefixes().stream().anyMatch(IpPrefix::isIp6));
    }

    /** The band base of a CareLane flow priority. */
    public static int bandBase(int flowPriority) {
        if (flowPriority >= ALTERNATE_STAGE_BASE_PRIORITY) {
            return ALTERNATE_STAGE_BASE_PRIORITY;
        }
        if (flowPriority >= STAGE_BASE_PRIORITY) {
            return STAGE_BASE_PRIORITY;
        }
        return flowPriority >= ALTERNATE_BASE_PRIORITY ? ALTERNATE_BASE_PRIORITY : BASE_PRIORITY;
    }

    /** True for a staging band (see {@link #STAGE_BASE_PRIORITY}). */
    public static boolean staging(int bandBase) {
        return bandBase >= STAGE_BASE_PRIORITY;
    }

    /** The staging band a device in {@code bandBase} stages its next boundary in. */
    public static int otherStagingBand(int bandBase) {
        return bandBase == STAGE_BASE_PRIORITY ? ALTERNATE_STAGE_BASE_PRIORITY : STAGE_BASE_PRIORITY;
    }

    /** True if the priority is a shadow's: one that expires at a boundary. */
    public static boolean shadow(int flowPriority) {
        int base = bandBase(flowPriority);
        return staging(base) && (flowPriority - base) % 2 == 1;
    }

    /**
     * The shadow of a rule of a staging band: the same match and actions right above it (+1),
     * expiring {@code seconds} after the switch takes it (OpenFlow hard_timeout; ONOS sets
     * SEND_FLOW_REM, so the switch reports the expiry).
     */
    public static FlowRule shadowOf(FlowRule rule, ApplicationId appId, int seconds) {
        return DefaultFlowRule.builder().forDevice(rule.deviceId()).forTable(rule.tableId())
                .withSelector(rule.selector()).withTreatment(rule.treatment()).withPriority(rule.priority() + 1)
                .fromApp(appId).withHardTimeout(seconds).build();
    }

    /** The other band. */
    public static int otherBand(int bandBase) {
        return bandBase == BASE_PRIORITY ? ALTERNATE_BASE_PRIORITY : BASE_PRIORITY;
    }

    /** The slice priority a CareLane flow priority stands for, in any band. */
    public static int slicePriority(int flowPriority) {
        int base = bandBase(flowPriority);
        return staging(base) ? (flowPriority - base) / 2 : flowPriority - base;
    }

    /** True if the priority lies in one of CareLane's bands. */
    public static boolean inBand(int flowPriority) {
        int base = bandBase(flowPriority);
        int offset = flowPriority - base;
        return offset >= 0 && offset <= (staging(base) ? 2 * BAND_WIDTH + 1 : BAND_WIDTH);
    }

    /**
     * Treatment of a slice in a profile: drop, or meter, DSCP, queue and output, to the egress
     * link it is steered to then (pushing the link's VLAN, if any) or the device's output.
     */
    public static TrafficTreatment treatment(SliceDefinition slice, DeviceUplink device, MeterId meter,
                                             Profile profile) {
        if (slice.drop()) {
            return DefaultTrafficTreatment.builder().drop().build();
        }
        if (meter == null) {
            throw new IllegalStateException("slice " + slice.name() + " has no meter on " + device.deviceId());
        }
        TrafficTreatment.Builder t = DefaultTrafficTreatment.builder().meter(meter);
        if (slice.dscp() != null) {
            t.setIpDscp(slice.dscp().byteValue());
        }
        if (slice.queueId() != null) {
            t.setQueue(slice.queueId());
        }
        Optional<EgressLink> link = device.egressOf(slice, profile);
        if (link.isEmpty()) {
            return t.setOutput(device.output()).build();
        }
        if (link.get().nextHopMac() != null) {
            t.setEthDst(link.get().nextHopMac());
        }
        if (link.get().vlan() != null) {
            t.pushVlan().setVlanId(VlanId.vlanId(link.get().vlan().shortValue()));
        }
        return t.setOutput(link.get().port()).build();
    }

    /**
     * Cartesian expansion of one rule's prefixes, protocols and IP versions; empty if it is
     * bound to another device. Pairs of an IPv4 and an IPv6 prefix, and ICMP with the other
     * version, match nothing and are left out.
     */
    private static List<TrafficSelector> selectors(SlicePolicy policy, DeviceUplink device, ClassifierRule rule,
                                                   boolean dualStack) {
        if (rule.ingress() != null && !rule.ingress().deviceId().equals(device.deviceId())
                || rule.dstNameList() != null) {
            return List.of();   // by name: only its learned addresses get rules (see #learned)
        }
        List<TrafficSelector> out = new ArrayList<>();
        expand(policy, rule, dualStack,
                (version, src, dst, proto) -> out.add(selector(rule, version, src, dst, proto)));
        return out;
    }

    /**
     * The rules for one address learned from a DNS answer: for each of the slice's rules by name
     * whose list {@code listed} accepts, one to the address (with the rule's sources, protocol
     * and ports) and, unless the rule is bound to a port or a DSCP, one for the replies from it
     * (sources and ports swapped), which, like a
     * slice's rules by source, are never steered. At the slice's priority in the band, with the
     * slice's treatment there. Permanent: CareLane removes them when the address's time is up
     * (ONOS 2.7.0 would delete a rule re-added with a hard_timeout once its first timeout has
     * run, FlowRuleManager.checkRuleLiveness, so a refresh could not extend it).
     *
     * @param listed whether a name list (by name) holds a name the address was learned for
     */
    public static List<FlowRule> learned(SlicePolicy policy, SliceDefinition slice, DeviceUplink device,
                                         MeterId meter, ApplicationId appId, Profile profile, int bandBase,
                                         org.onlab.packet.IpAddress address,
                                         java.util.function.Predicate<String> listed) {
        int priority = bandBase + (staging(bandBase) ? 2 : 1) * slice.priority();
        TrafficTreatment treatment = treatment(slice, device, meter, profile);
        TrafficTreatment returning = slice.egress() == null ? treatment
                : treatment(slice.withEgress(null), device, meter, profile);
        IpPrefix host = address.toIpPrefix();
        int version = address.isIp4() ? 4 : 6;
        if (version == 6 && !dualStack(policy)) {
            return List.of();   // IPv4 only: no IPv6 rule (nor neighbour discovery) for it to live with
        }
        Map<TrafficSelector, FlowRule> out = new LinkedHashMap<>();
        for (ClassifierRule rule : slice.rules()) {
            if (rule.dstNameList() == null || !listed.test(rule.dstNameList())
                    || rule.ingress() != null && !rule.ingress().deviceId().equals(device.deviceId())) {
                continue;
            }
            ClassifierRule toHost = rule.toLearned(host);
            ClassifierRule fromHost = new ClassifierRule(List.of(host), List.of(), null, null, rule.ipProto(),
                    rule.dstPort(), rule.srcPort(), null, null);
            for (IpPrefix client : prefixes(policy, rule.srcPrefixes(), rule.srcPrefixList())) {
                for (Integer proto : protocols(rule)) {
                    if (agree(client, host, proto, version)) {
                        add(out, selector(toHost, version, client, host, proto), treatment, priority, device,
                                appId);
                        if (rule.ingress() == null && rule.dscp() == null) {   // else replies are not its
                            add(out, selector(fromHost, version, host, client, proto), returning, priority, device,
                                    appId);
                        }
                    }
                }
            }
        }
        return new ArrayList<>(out.values());
    }

    private static void add(Map<TrafficSelector, FlowRule> out, TrafficSelector selector, TrafficTreatment treatment,
                            int priority, DeviceUplink device, ApplicationId appId) {
        out.computeIfAbsent(selector, sel -> DefaultFlowRule.builder().forDevice(device.deviceId()).forTable(0)
                .withSelector(sel).withTreatment(treatment).withPriority(priority).fromApp(appId).makePermanent()
                .build());
    }

    /** True if the rule can match a packet at all (its prefixes and protocol agree on an IP version). */
    public static boolean matchesSomething(SlicePolicy policy, ClassifierRule rule) {
        boolean[] any = new boolean[1];
        expand(policy, rule, dualStack(policy), (version, src, dst, proto) -> any[0] = true);
        return any[0];
    }

    /** One selector's worth of a rule. */
    private interface Combination {
        void accept(int ipVersion, IpPrefix src, IpPrefix dst, Integer proto);
    }

    private static void expand(SlicePolicy policy, ClassifierRule rule, boolean dualStack, Combination out) {
        List<IpPrefix> srcs = prefixes(policy, rule.srcPrefixes(), rule.srcPrefixList());
        List<IpPrefix> dsts = prefixes(policy, rule.dstPrefixes(), rule.dstPrefixList());
        List<Integer> protos = protocols(rule);
        List<Integer> versions = dualStack ? List.of(4, 6) : List.of(4);
        for (IpPrefix src : srcs) {
            for (IpPrefix dst : dsts) {
                for (Integer proto : protos) {
                    for (int version : versions) {
                        if (agree(src, dst, proto, version)) {
                            out.accept(version, src, dst, proto);
                        }
                    }
                }
            }
        }
    }

    /** The rule's protocol; TCP and UDP if it names ports but no protocol; else any (null). */
    private static List<Integer> protocols(ClassifierRule rule) {
        boolean ports = rule.srcPort() != null || rule.dstPort() != null;
        return rule.ipProto() != null ? List.of(rule.ipProto())
                : ports ? List.of(TCP, UDP) : Collections.singletonList(null);
    }

    /** True if the prefixes (null: any) and protocol can meet in one packet of this IP version. */
    private static boolean agree(IpPrefix src, IpPrefix dst, Integer proto, int version) {
        return fits(src, version) && fits(dst, version)
                && !(proto != null && proto == ICMP && version == 6)
                && !(proto != null && proto == ICMPV6 && version == 4);
    }

    private static boolean fits(IpPrefix prefix, int version) {
        return prefix == null || (version == 4 ? prefix.isIp4() : prefix.isIp6());
    }

    private static TrafficSelector selector(ClassifierRule rule, int version, IpPrefix src, IpPrefix dst,
                                            Integer proto) {
        TrafficSelector.Builder s = DefaultTrafficSelector.builder()
                .matchEthType(version == 4 ? Ethernet.TYPE_IPV4 : Ethernet.TYPE_IPV6);
        if (rule.ingress() != null) {
            s.matchInPort(rule.ingress().port());
        }
        if (src != null) {
            if (version == 4) {
                s.matchIPSrc(src);
            } else {
                s.matchIPv6Src(src);
            }
        }
        if (dst != null) {
            if (version == 4) {
                s.matchIPDst(dst);
            } else {
                s.matchIPv6Dst(dst);
            }
        }
        if (rule.dscp() != null) {
            s.matchIPDscp(rule.dscp().byteValue());
        }
        if (proto != null) {
            s.matchIPProtocol(proto.byteValue());
            if (proto == TCP) {
                if (rule.srcPort() != null) {
                    s.matchTcpSrc(TpPort.tpPort(rule.srcPort()));
                }
                if (rule.dstPort() != null) {
                    s.matchTcpDst(TpPort.tpPort(rule.dstPort()));
                }
            } else if (proto == UDP) {
                if (rule.srcPort() != null) {
                    s.matchUdpSrc(TpPort.tpPort(rule.srcPort()));
                }
                if (rule.dstPort() != null) {
                    s.matchUdpDst(TpPort.tpPort(rule.dstPort()));
                }
            }
        }
        return s.build();
    }

    private static List<IpPrefix> prefixes(SlicePolicy policy, List<IpPrefix> inline, String listName) {
        if (inline.isEmpty() && listName == null) {
            return Arrays.asList((IpPrefix) null);
        }
        List<IpPrefix> out = new ArrayList<>(inline);
        if (listName != null) {
            out.addAll(policy.prefixLists().getOrDefault(listName, List.of()));
        }
        return out;
    }
}
