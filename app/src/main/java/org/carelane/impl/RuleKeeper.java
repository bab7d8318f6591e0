package org.carelane.impl;

import org.onosproject.mastership.MastershipService;
import org.onosproject.net.DeviceId;
import org.onosproject.net.flow.FlowRule;
import org.onosproject.net.flow.FlowRuleOperations;
import org.onosproject.net.flow.FlowRuleOperationsContext;
import org.onosproject.net.flow.FlowRuleService;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Knows the rules CareLane wants on each device and puts back one that the switch lost
 * without CareLane asking.
 * <p>
 * ONOS 2.7.0 cannot back CareLane's DSCP rules up to other nodes (see
 * {@link CareLaneReports#carelaneFlows}). A new master's flow store takes no writes until it
 * has synced with the previous master or its backups (DeviceFlowTable.runInTerm: 0.3 s when
 * the old master is gone, seconds when it is still shutting down), while its flow-stats poll
 * already runs on what the store holds and deletes every rule it does not know from the switch
 * (FlowRuleManager.pushFlowMetricsInternal, extraneousFlow), including those CareLane has just
 * re-added. The switch reports each deletion (FLOW_REMOVED, reason DELETE), and this puts the
 * rule back at once instead of at the next poll, 5 s later.
 */
final class RuleKeeper {
    /** A rule put back this recently is not put back again (at most one per poll is expected). */
    static final long RESTORE_INTERVAL_MILLIS = 1_000;

    private final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(getClass());
    private final FlowRuleService flowRules;
    private final MastershipService mastership;
    private final java.util.function.LongSupplier millis;
    /** Per device: the rules CareLane wants there, by cookie (FlowId value). */
    private final Map<DeviceId, Map<Long, FlowRule>> wanted = new ConcurrentHashMap<>();
    /** When each rule was last put back (CareLane thread only). */
    private final Map<Long, Long> restoredAt = new HashMap<>();
    /** Rules put back so far, for /status and the tests. */
    private final java.util.concurrent.atomic.AtomicLong restored = new java.util.concurrent.atomic.AtomicLong();

    /** Writes a rule to the switch past ONOS's flow store; false if it cannot. */
    private final java.util.function.BiPredicate<DeviceId, FlowRule> direct;

    RuleKeeper(FlowRuleService flowRules, MastershipService mastership, java.util.function.LongSupplier millis) {
        this(flowRules, mastership, millis, (id, rule) -> false);
    }

    /**
     * @param direct writes a rule to the switch at once, past ONOS's flow store (see
     *               {@link OpenFlowRuleWriter}); false if it cannot
     */
    RuleKeeper(FlowRuleService flowRules, MastershipService mastership, java.util.function.LongSupplier millis,
               java.util.function.BiPredicate<DeviceId, FlowRule> direct) {
        this.flowRules = flowRules;
        this.mastership = mastership;
        this.millis = millis;
        this.direct = direct;
    }

    /** The device's rules are to be exactly these. */
    void want(DeviceId id, Collection<? extends FlowRule> rules) {
        wanted.put(id, byCookie(rules));
    }

    /**
     * These rules are wanted as well as those already wanted (a new generation while the old one
     * still works); returns what was wanted before, for {@link #wantAgain}.
     */
    Map<Long, FlowRule> wantAlso(DeviceId id, Collection<? extends FlowRule> rules) {
        Map<Long, FlowRule> before = wanted.getOrDefault(id, Map.of());
        Map<Long, FlowRule> both = new HashMap<>(before);
        both.putAll(byCookie(rules));
        wanted.put(id, Map.copyOf(both));
        return before;
    }

    /** Wants again what {@link #wantAlso} returned: the new generation did not make it. */
    void wantAgain(DeviceId id, Map<Long, FlowRule> before) {
        wanted.put(id, before);
    }

    /**
     * CareLane wants nothing on the device any more, or the device changed master: another
     * master may have changed the rules, so a new term wants the recorded generation
     * ({@link SliceProgrammer#wantRecorded}) until its first attempt decides.
     */
    void forget(DeviceId id) {
        wanted.remove(id);
    }

    long restoredRules() {
        return restored.get();
    }

    /**
     * The switch deleted a rule (on the CareLane thread). If CareLane wants it there, this node
     * is the device's master, and ONOS's flow store does not know the rule, it goes back in
     * place: an ADD with the same match and priority, so the rule is the same one ONOS's store
     * will know once synced. A rule the store knows ONOS puts back itself
     * (FlowRuleManager.flowRemoved re-applies a stored ADDED or PENDING_ADD rule).
     */
    void removedFromSwitch(DeviceId id, long cookie) {
        FlowRule rule = wanted.getOrDefault(id, Map.of()).get(cookie);
        if (rule == null || !mastership.isLocalMaster(id) || storeKnows(id, rule)) {
            return;
        }
        long now = millis.getAsLong();
        Long last = restoredAt.get(cookie);
        if (last != null && now - last < RESTORE_INTERVAL_MILLIS) {
            return;
        }
        restoredAt.put(cookie, now);
        restoredAt.values().removeIf(at -> now - at > 60 * RESTORE_INTERVAL_MILLIS);
        restored.incrementAndGet();
        // At once on the switch, through this node's channel: the store may not take the write for
        // seconds (it syncs with the old master first, a frozen one too). Through the store as
        // well, so that it knows the rule once synced.
        boolean written = direct.test(id, rule);
        log.info("CareLane puts back rule {} (priority {}) on {}{}: the switch lost it without CareLane asking, as"
                + " when a new master's flow store has not yet synced", rule.id(), rule.priority(), id,
                written ? " (written to the switch at once)" : "");
        flowRules.apply(FlowRuleOperations.builder().add(rule).build(new FlowRuleOperationsContext() {
            @Override
            public void onError(FlowRuleOperations ops) {
                log.warn("CareLane could not put back rule {} on {}", rule.id(), id);
            }
        }));
    }

    private boolean storeKnows(DeviceId id, FlowRule rule) {
        for (org.onosproject.net.flow.FlowEntry e : flowRules.getFlowEntries(id)) {
            if (e.id().equals(rule.id())) {
                return true;
            }
        }
        return false;
    }

    private static Map<Long, FlowRule> byCookie(Collection<? extends FlowRule> rules) {
        Map<Long, FlowRule> out = new HashMap<>();
        rules.forEach(r -> out.put(r.id().value(), r));
        return Map.copyOf(out);
    }

    /** For tests: the cookies wanted on a device. */
    List<Long> wantedCookies(DeviceId id) {
        return List.copyOf(wanted.getOrDefault(id, Map.of()).keySet());
    }
}
