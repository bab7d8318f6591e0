package org.carelane.policy;

import org.carelane.api.ClassifierRule;
import org.carelane.api.DeviceUplink;
import org.carelane.api.SliceDefinition;
import org.carelane.api.SlicePolicy;
import org.onlab.packet.Ethernet;
import org.onlab.packet.IpPrefix;
import org.onlab.packet.TpPort;
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

/**
 * Translates slices into OpenFlow 1.3 flow rules for one device, in table 0.
 * Priorities sit at a band base + slice priority, above org.onosproject.fwd (priority 10),
 * so classified IPv4 never reaches fwd's rules. There are two bands: a change installs the
 * new rules in the band not in use and then removes the old ones, so that no rule is ever
 * modified (ONOS sends MODIFY as a non-strict OpenFlow modify).
 */
public final class FlowCompiler {
    /** The first band, used by a device's first programming. */
    public static final int BASE_PRIORITY = 1000;
    /** The second band; slice priorities (0..1000) keep the bands apart. */
    public static final int ALTERNATE_BASE_PRIORITY = 3000;
    private static final int BAND_WIDTH = 1000;
    private static final int TCP = 6;
    private static final int UDP = 17;

    private FlowCompiler() {
    }

    /**
     * Flow rules of one device.
     *
     * @param meters meter of each non-drop slice on this device, by slice name
     */
    public static List<FlowRule> compile(SlicePolicy policy, DeviceUplink device,
                                         Map<String, MeterId> meters, ApplicationId appId) {
        return compile(policy, device, meters, appId, BASE_PRIORITY);
    }

    /**
     * Flow rules of one device in the band starting at {@code bandBase}.
     *
     * @param meters meter of each non-drop slice on this device, by slice name
     */
    public static List<FlowRule> compile(SlicePolicy policy, DeviceUplink device,
                                         Map<String, MeterId> meters, ApplicationId appId, int bandBase) {
        // Distinct selectors per priority: duplicates would be one OpenFlow entry anyway.
        Map<Integer, Map<TrafficSelector, FlowRule>> byPriority = new LinkedHashMap<>();
        for (SliceDefinition slice : policy.slices()) {
            int priority = bandBase + slice.priority();
            TrafficTreatment treatment = treatment(slice, device, meters.get(slice.name()));
            Map<TrafficSelector, FlowRule> rules = byPriority.computeIfAbsent(priority, p -> new LinkedHashMap<>());
            for (ClassifierRule rule : slice.rules()) {
                for (TrafficSelector selector : selectors(policy, device, rule)) {
                    rules.computeIfAbsent(selector, sel -> DefaultFlowRule.builder()
                            .forDevice(device.deviceId())
                            .forTable(0)
                            .withSelector(sel)
                            .withTreatment(treatment)
                            .withPriority(priority)
                            .fromApp(appId)
                            .makePermanent()
                            .build());
                }
            }
        }
        List<FlowRule> out = new ArrayList<>();
        byPriority.values().forEach(m -> out.addAll(m.values()));
        return out;
    }

    /** The band base of a CareLane flow priority. */
    public static int bandBase(int flowPriority) {
        return flowPriority >= ALTERNATE_BASE_PRIORITY ? ALTERNATE_BASE_PRIORITY : BASE_PRIORITY;
    }

    /** The other band. */
    public static int otherBand(int bandBase) {
        return bandBase == BASE_PRIORITY ? ALTERNATE_BASE_PRIORITY : BASE_PRIORITY;
    }

    /** The slice priority a CareLane flow priority stands for, in either band. */
    public static int slicePriority(int flowPriority) {
        return flowPriority - bandBase(flowPriority);
    }

    /** True if the priority lies in one of CareLane's bands. */
    public static boolean inBand(int flowPriority) {
        int offset = flowPriority - bandBase(flowPriority);
        return offset >= 0 && offset <= BAND_WIDTH;
    }

    /** Treatment of a slice: drop, or meter, DSCP, queue and output. */
    public static TrafficTreatment treatment(SliceDefinition slice, DeviceUplink device, MeterId meter) {
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
        return t.setOutput(device.output()).build();
    }

    /** Cartesian expansion of one rule's prefixes and protocols; empty if it is bound to another device. */
    static List<TrafficSelector> selectors(SlicePolicy policy, DeviceUplink device, ClassifierRule rule) {
        if (rule.ingress() != null && !rule.ingress().deviceId().equals(device.deviceId())) {
            return List.of();
        }
        List<IpPrefix> srcs = prefixes(policy, rule.srcPrefixes(), rule.srcPrefixList());
        List<IpPrefix> dsts = prefixes(policy, rule.dstPrefixes(), rule.dstPrefixList());
        boolean ports = rule.srcPort() != null || rule.dstPort() != null;
        List<Integer> protos = rule.ipProto() != null ? List.of(rule.ipProto())
                : ports ? List.of(TCP, UDP) : Collections.singletonList(null);
        List<TrafficSelector> out = new ArrayList<>(srcs.size() * dsts.size() * protos.size());
        for (IpPrefix src : srcs) {
            for (IpPrefix dst : dsts) {
                for (Integer proto : protos) {
                    out.add(selector(rule, src, dst, proto));
                }
            }
        }
        return out;
    }

    private static TrafficSelector selector(ClassifierRule rule, IpPrefix src, IpPrefix dst, Integer proto) {
        TrafficSelector.Builder s = DefaultTrafficSelector.builder().matchEthType(Ethernet.TYPE_IPV4);
        if (rule.ingress() != null) {
            s.matchInPort(rule.ingress().port());
        }
        if (src != null) {
            s.matchIPSrc(src);
        }
        if (dst != null) {
            s.matchIPDst(dst);
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
