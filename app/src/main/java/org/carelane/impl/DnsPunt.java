package org.carelane.impl;

import org.onlab.packet.Ethernet;
import org.onlab.packet.IPv4;
import org.onlab.packet.IpAddress;
import org.onlab.packet.IpPrefix;
import org.onlab.packet.TpPort;
import org.onosproject.core.ApplicationId;
import org.onosproject.net.DeviceId;
import org.onosproject.net.flow.DefaultFlowRule;
import org.onosproject.net.flow.DefaultTrafficSelector;
import org.onosproject.net.flow.DefaultTrafficTreatment;
import org.onosproject.net.flow.FlowEntry;
import org.onosproject.net.flow.FlowId;
import org.onosproject.net.flow.FlowRule;
import org.onosproject.net.flow.FlowRuleOperations;
import org.onosproject.net.flow.FlowRuleService;
import org.onosproject.net.flow.TrafficSelector;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules that send the resolvers' answers to the controller, one set per device. Each has a
 * hard_timeout ({@link #SECONDS}), and is replaced every {@link #RENEWAL} at the other of two
 * priorities: ONOS 2.7.0 deletes a hard-timeout rule re-added under the same id once its first
 * timeout has run (FlowRuleManager.checkRuleLiveness keeps firstSeen until the switch reports
 * the rule removed). If nobody replaces them, the switch drops them and answers flow by the
 * normal rules: DNS keeps working without CareLane. Names thread only.
 *
 * <p>That firstSeen outlives a control cut: the switch's report of a rule that ran out meanwhile
 * never reaches ONOS. So a device taken over (again) starts from the punt rules ONOS's store
 * holds for it, at the other priority, and a current punt rule the switch reports deleted
 * (ONOS's check deleted it after all) is replaced at once, not at the next renewal.
 */
final class DnsPunt {
    /** Above every band CareLane's generations use. */
    static final int PRIORITY = 11_000;
    static final int SECONDS = 15;
    static final Duration RENEWAL = Duration.ofSeconds(5);

    private final ApplicationId appId;
    private final FlowRuleService flowRules;
    /** Each device's punt rules now, and since when. */
    private final Map<DeviceId, List<FlowRule>> current = new HashMap<>();
    private final Map<DeviceId, Instant> since = new HashMap<>();
    private final Map<DeviceId, List<IpAddress>> forResolvers = new HashMap<>();

    DnsPunt(ApplicationId appId, FlowRuleService flowRules) {
        this.appId = appId;
        this.flowRules = flowRules;
    }

    static boolean isPunt(FlowRule rule) {
        return rule.priority() == PRIORITY || rule.priority() == PRIORITY + 1;
    }

    /** Replaces the device's punt rules if due, or if the resolvers changed. */
    void renew(DeviceId id, List<IpAddress> resolvers, Instant now) {
        Instant at = since.get(id);
        if (at != null && Duration.between(at, now).compareTo(RENEWAL) < 0
                && resolvers.equals(forResolvers.get(id))) {
            return;
        }
        List<FlowRule> before = current.containsKey(id) ? current.get(id) : stored(id);
        int priority = before.stream().anyMatch(r -> r.priority() == PRIORITY) ? PRIORITY + 1 : PRIORITY;
        List<FlowRule> next = new ArrayList<>();
        resolvers.forEach(r -> next.add(rule(id, r, priority)));
        Set<FlowId> nextIds = new HashSet<>();
        next.forEach(r -> nextIds.add(r.id()));
        FlowRuleOperations.Builder ops = FlowRuleOperations.builder();
        next.forEach(ops::add);
        ops.newStage();   // the old ones go once the new ones are in
        before.stream().filter(r -> !nextIds.contains(r.id())).forEach(ops::remove);
        flowRules.apply(ops.build());
        current.put(id, next);
        since.put(id, now);
        forResolvers.put(id, List.copyOf(resolvers));
    }

    /**
     * The switch reports a rule of the device deleted: if it is a current punt rule, the device's
     * punt rules are replaced now. True if they were.
     */
    boolean deleted(DeviceId id, FlowId rule, Instant now) {
        List<FlowRule> rules = current.get(id);
        if (rules == null || rules.stream().noneMatch(r -> r.id().equals(rule))) {
            return false;
        }
        since.remove(id);
        renew(id, forResolvers.get(id), now);
        return true;
    }

    /**
     * The punt rules ONOS's store holds for a device whose rules this node does not keep (taken
     * over, or learning again), but those ONOS is removing already.
     */
    private List<FlowRule> stored(DeviceId id) {
        List<FlowRule> out = new ArrayList<>();
        for (FlowEntry e : flowRules.getFlowEntries(id)) {
            if (e.appId() == appId.id() && isPunt(e) && e.state() != FlowEntry.FlowEntryState.PENDING_REMOVE
                    && e.state() != FlowEntry.FlowEntryState.REMOVED) {
                out.add(e);
            }
        }
        return out;
    }

    /** The device's punt rules go (it no longer learns here). */
    void remove(DeviceId id) {
        List<FlowRule> before = current.remove(id);
        forget(id);
        if (before != null && !before.isEmpty()) {
            flowRules.removeFlowRules(before.toArray(FlowRule[]::new));
        }
    }

    /** Forgets the device without touching its rules (another node masters it now). */
    void forget(DeviceId id) {
        current.remove(id);
        since.remove(id);
        forResolvers.remove(id);
    }

    /** The punt rules this node keeps, all devices. */
    List<FlowRule> all() {
        List<FlowRule> out = new ArrayList<>();
        current.values().forEach(out::addAll);
        return out;
    }

    private FlowRule rule(DeviceId id, IpAddress resolver, int priority) {
        TrafficSelector.Builder sel = DefaultTrafficSelector.builder();
        if (resolver.isIp4()) {
            sel.matchEthType(Ethernet.TYPE_IPV4).matchIPSrc(IpPrefix.valueOf(resolver, 32));
        } else {
            sel.matchEthType(Ethernet.TYPE_IPV6).matchIPv6Src(IpPrefix.valueOf(resolver, 128));
        }
        sel.matchIPProtocol(IPv4.PROTOCOL_UDP).matchUdpSrc(TpPort.tpPort(AnswerPackets.DNS_PORT));
        return DefaultFlowRule.builder().forDevice(id).forTable(0).withSelector(sel.build())
                .withTreatment(DefaultTrafficTreatment.builder().punt().build()).withPriority(priority)
                .fromApp(appId).withHardTimeout(SECONDS).build();
    }
}
