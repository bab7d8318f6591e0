package org.carelane.testing;

import org.onosproject.core.ApplicationId;
import org.onosproject.net.DeviceId;
import org.onosproject.net.flow.DefaultFlowEntry;
import org.onosproject.net.flow.DefaultFlowRule;
import org.onosproject.net.flow.FlowEntry;
import org.onosproject.net.flow.FlowId;
import org.onosproject.net.flow.FlowRule;
import org.onosproject.net.flow.FlowRuleOperation;
import org.onosproject.net.flow.FlowRuleOperations;
import org.onosproject.net.flow.FlowRuleServiceAdapter;
import org.onosproject.net.flow.TrafficTreatment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * FlowRuleService that keeps ONOS's view of the rules (entries, ADDED at once) and, apart
 * from it, what the switch holds. The switch side follows ONOS 2.7.0 with OVS:
 * ADD replaces only the rule with the same match and priority, REMOVE is strict
 * (FlowModBuilderVer13.buildFlowDel builds OFFlowDeleteStrict), and MODIFY is not strict
 * (buildFlowMod builds a plain OFFlowModify): OVS gives the new actions to every rule whose
 * match is equal or narrower, at any priority, while ONOS's store keeps the old ones.
 * Stages run in order, as FlowRuleManager does once the switch answered the barrier, and a
 * failed stage does not stop the later ones (see {@link #apply}).
 */
public class RecordingFlowRuleService extends FlowRuleServiceAdapter {
    private final Map<FlowId, FlowEntry> entries = new LinkedHashMap<>();
    private final Map<FlowId, FlowRule> switchRules = new LinkedHashMap<>();
    private final List<Runnable> stageListeners = new ArrayList<>();
    /** Told of every rule the switch deletes (OVS sends FLOW_REMOVED for each: ONOS sets SEND_FLOW_REM). */
    private final List<java.util.function.BiConsumer<DeviceId, FlowRule>> switchRemovals =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    /**
     * Store writes held back per device while a new master's flow store syncs with the
     * previous master or its backups (ONOS 2.7.0 DeviceFlowTable.runInTerm queues them until
     * the term is active). Adds still reach the switch at once; a removal waits for the term
     * (ECFlowRuleStore.updateStoreInternal needs the stored entry) and is sent then, if the
     * store holds the rule: the term here activates within ECFlowRuleStore's 5 s.
     */
    private final Map<DeviceId, List<Runnable>> syncing = new LinkedHashMap<>();
    /** Entries a new master's store gets only after its term is active (see {@link #syncLate}). */
    private final Map<DeviceId, List<FlowEntry>> landingLate = new LinkedHashMap<>();
    public int adds;
    public int modifies;
    public int removes;
    /** Operations (adds, modifies, removes) sent per device. */
    public final Map<DeviceId, Integer> opsByDevice = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * The switch rejects every add of the next this-many batches that add rules (FLOW_MOD_FAILED,
     * e.g. a full table). As in ONOS, the stage fails, onError runs, and the later stages still run.
     */
    public int failBatches;
    /** Rules the switch's table holds per device (OVS flow_limit with overflow_policy=refuse). */
    public int tableLimit = Integer.MAX_VALUE;
    /** Never answer batches (an attempt that hangs). */
    public boolean stallBatches;
    /**
     * A removed rule leaves the switch at once but stays in ONOS's store as PENDING_REMOVE until
     * the next flow-stats poll ({@link #pollFlows}), as in ONOS 2.7.0 (FlowRuleManager
     * removeFlowRules, purged by pushFlowMetrics); getFlowEntries still returns it.
     */
    public boolean removedStayPending;
    /** onError calls made so far. */
    public int errors;
    /**
     * After a failed stage, the batch's later stages run this much later on another thread,
     * as ONOS runs them after calling onError (FlowOperationsProcessor.fail queues run() on its
     * executor); 0 runs them at once.
     */
    public long laterStagesAfterFailureMillis;
    /**
     * Batches a node sent for a device it did not master at that moment. ONOS forwards them to
     * the master (FlowRuleManager), so two nodes would be programming one switch.
     */
    public int nonMasterBatches;
    /**
     * Whether a meter exists on the switch. A rule that uses a missing meter does not reach the
     * switch, and ONOS keeps it PENDING_ADD; the batch still succeeds at the barrier, since
     * OpenFlowRuleProvider.handleErrorMsg (ONOS 2.7.0, 564-596) drops METER_MOD_FAILED errors.
     */
    public java.util.function.BiPredicate<DeviceId, org.onosproject.net.meter.MeterId> meterLookup;

    /**
     * Runs the stages as FlowRuleManager.FlowOperationsProcessor does (ONOS 2.7.0, 785-830): a
     * stage with a failed operation calls the context's onError, and the remaining stages run
     * anyway; onSuccess only if no stage failed. Operations of a failed stage that the switch
     * accepted stay applied.
     */
    @Override
    public synchronized void apply(FlowRuleOperations ops) {
        if (stallBatches) {
            return;
        }
        boolean rejectAdds = false;
        if (failBatches > 0 && ops.stages().stream().flatMap(Set::stream)
                .anyMatch(op -> op.type() == FlowRuleOperation.Type.ADD)) {
            failBatches--;
            rejectAdds = true;
        }
        boolean failed = false;
        List<Set<FlowRuleOperation>> stages = new ArrayList<>(ops.stages());
        for (int i = 0; i < stages.size(); i++) {
            Set<FlowRuleOperation> stage = stages.get(i);
            if (failed && laterStagesAfterFailureMillis > 0) {
                List<Set<FlowRuleOperation>> later = stages.subList(i, stages.size());
                FlowRuleOperations.Builder rest = FlowRuleOperations.builder();
                later.forEach(st -> {
                    st.forEach(op -> {
                        if (op.type() == FlowRuleOperation.Type.ADD) {
                            rest.add(op.rule());
                        } else if (op.type() == FlowRuleOperation.Type.REMOVE) {
                            rest.remove(op.rule());
                        } else {
                            rest.modify(op.rule());
                        }
                    });
                    rest.newStage();
                });
                FlowRuleOperations restOps = rest.build();
                long delay = laterStagesAfterFailureMillis;
                CompletableFuture.delayedExecutor(delay, java.util.concurrent.TimeUnit.MILLISECONDS)
                        .execute(() -> apply(restOps));
                return;
            }
            boolean stageFailed = false;
            for (FlowRuleOperation op : worstOrder(stage)) {
                operationListeners.forEach(Runnable::run);
                FlowRule rule = op.rule();
                opsByDevice.merge(rule.deviceId(), 1, Integer::sum);
                if (op.type() == FlowRuleOperation.Type.ADD && (rejectAdds || tableFull(rule))) {
                    // ONOS stored the rule before sending it, and a failed batch leaves it there,
                    // PENDING_ADD (ECFlowRuleStore.storeBatchInternal; nothing removes failed items).
                    if (!entries.containsKey(rule.id())) {
                        toStore(rule.deviceId(), () -> entries.put(rule.id(),
                                new DefaultFlowEntry(rule, FlowEntry.FlowEntryState.PENDING_ADD)));
                    }
                    stageFailed = true;
                    continue;
                }
                try {
                    onOperation(op);
                } catch (RuntimeException e) {
                    stageFailed = true;
                    continue;
                }
                switch (op.type()) {
                    case ADD:
                        adds++;
                        if (usesMissingMeter(rule)) {
                            toStore(rule.deviceId(), () -> entries.put(rule.id(),
                                    new DefaultFlowEntry(rule, FlowEntry.FlowEntryState.PENDING_ADD)));
                            switchRules.remove(rule.id());
                        } else {
                            toStore(rule.deviceId(), () -> entries.put(rule.id(),
                                    new DefaultFlowEntry(rule, FlowEntry.FlowEntryState.ADDED)));
                            switchRules.put(rule.id(), rule);
                        }
                        break;
                    case MODIFY:
                        if (!entries.containsKey(rule.id())) {
                            throw new AssertionError("modify of a rule never added: " + rule);
                        }
                        modifies++;
                        entries.put(rule.id(), new DefaultFlowEntry(rule, FlowEntry.FlowEntryState.ADDED));
                        modifyNonStrict(rule);
                        break;
                    default:
                        removes++;
                        // Only a rule the master's store holds is deleted from the switch:
                        // ECFlowRuleStore.updateStoreInternal drops the others from the batch.
                        toStore(rule.deviceId(), () -> {
                            if (!entries.containsKey(rule.id())) {
                                return;
                            }
                            if (removedStayPending) {
                                entries.put(rule.id(), new DefaultFlowEntry(entries.get(rule.id()),
                                        FlowEntry.FlowEntryState.PENDING_REMOVE, 0, 0, 0));
                            } else {
                                entries.remove(rule.id());
                            }
                            deleteFromSwitch(rule.id());
                        });
                }
            }
            operationListeners.forEach(Runnable::run);
            if (stageFailed) {
                failed = true;
                errors++;
                ops.callback().onError(ops);
            }
            stageListeners.forEach(Runnable::run);
        }
        if (!failed) {
            ops.callback().onSuccess(ops);
        }
    }

    private boolean tableFull(FlowRule rule) {
        if (switchRules.containsKey(rule.id())) {
            return false;   // an ADD with the same match and priority replaces the rule in place
        }
        return switchRules.values().stream().filter(r -> r.deviceId().equals(rule.deviceId())).count() >= tableLimit;
    }

    private boolean usesMissingMeter(FlowRule rule) {
        return meterLookup != null && rule.treatment().meters().stream()
                .anyMatch(m -> !meterLookup.test(rule.deviceId(), m.meterId()));
    }

    /**
     * ONOS's flow-stats poll of a device (FlowRuleManager.pushFlowMetrics): a PENDING_ADD rule
     * that the switch does not hold is sent again, and reaches the switch if its meter is there
     * now; a rule the switch holds becomes ADDED; a PENDING_REMOVE rule the switch no longer
     * holds is purged.
     */
    public synchronized void pollFlows(DeviceId deviceId) {
        expireByLiveness(deviceId);
        entries.values().removeIf(e -> e.deviceId().equals(deviceId)
                && e.state() == FlowEntry.FlowEntryState.PENDING_REMOVE && !switchRules.containsKey(e.id()));
        for (Map.Entry<FlowId, FlowEntry> e : entries.entrySet()) {
            FlowEntry entry = e.getValue();
            if (!entry.deviceId().equals(deviceId) || switchRules.containsKey(e.getKey())) {
                continue;
            }
            if (!usesMissingMeter(entry) && !tableFull(entry)) {
                switchRules.put(e.getKey(), entry);
                e.setValue(new DefaultFlowEntry(entry, FlowEntry.FlowEntryState.ADDED, 1, 0, 0));
            }
        }
    }

    /** ONOS's clock at its flow-stats polls (System.currentTimeMillis in FlowRuleManager). */
    public volatile java.util.function.LongSupplier pollClock = System::currentTimeMillis;
    /**
     * When ONOS's poll first saw each rule with a hard_timeout, per node (FlowRuleManager's
     * firstSeen is a field of each node's FlowRuleManager): the device's master polls it and
     * hears the switch's reports.
     */
    private final Map<String, Map<FlowId, Long>> firstSeenByNode = new HashMap<>();
    /** The node mastering a device now ("" on a single node); a cluster sets it. */
    public volatile java.util.function.Function<DeviceId, String> masterNode = d -> "";

    private Map<FlowId, Long> firstSeen(DeviceId deviceId) {
        return firstSeenByNode.computeIfAbsent(masterNode.apply(deviceId), n -> new HashMap<>());
    }

    /**
     * FlowRuleManager.checkRuleLiveness (ONOS 2.7.0 546-585): a stored rule with a hard_timeout
     * that the poll first saw more than that timeout ago is deleted from the switch, even if it
     * was added again since (an ADD of the same rule keeps its id, and firstSeen is only
     * forgotten when the switch reports the rule removed).
     */
    private void expireByLiveness(DeviceId deviceId) {
        long now = pollClock.getAsLong();
        List<FlowId> dead = new ArrayList<>();
        for (FlowEntry e : entries.values()) {
            if (!e.deviceId().equals(deviceId) || e.hardTimeout() == 0 || !switchRules.containsKey(e.id())
                    || e.state() == FlowEntry.FlowEntryState.PENDING_REMOVE) {
                continue;
            }
            Long first = firstSeen(deviceId).putIfAbsent(e.id(), now);
            if (first != null && now - first > e.hardTimeout() * 1000L) {
                dead.add(e.id());
            }
        }
        for (FlowId id : dead) {
            entries.remove(id);
            deleteFromSwitch(id);
        }
    }

    /**
     * The switch's clock passed the hard_timeout of a device's rules that have one: it deletes
     * them and reports each (FLOW_REMOVED, reason HARD_TIMEOUT), and ONOS's master drops them
     * from its store (FlowRuleManager.flowRemoved marks them REMOVED, ONOS 2.7.0 451-464). With
     * {@code heard} false no master hears it (killed at the boundary): the store keeps them
     * ADDED, and the next {@link #pollFlows} sends them again, with their full timeout
     * (flowMissing), and ONOS's firstSeen of each stays (see {@link #expireByLiveness}).
     *
     * @return how many rules expired
     */
    public synchronized int expireHardTimeouts(DeviceId deviceId, boolean heard) {
        List<FlowId> expired = new ArrayList<>();
        switchRules.values().stream().filter(r -> r.deviceId().equals(deviceId) && r.hardTimeout() > 0)
                .forEach(r -> expired.add(r.id()));
        for (FlowId id : expired) {
            switchRules.remove(id);
            if (heard) {
                firstSeen(deviceId).remove(id);   // FlowRuleManager.flowRemoved; unheard, ONOS keeps it
                entries.remove(id);
            }
        }
        return expired.size();
    }

    private void modifyNonStrict(FlowRule mod) {
        for (Map.Entry<FlowId, FlowRule> e : switchRules.entrySet()) {
            FlowRule r = e.getValue();
            if (r.deviceId().equals(mod.deviceId()) && r.tableId() == mod.tableId()
                    && Probe.narrowerOrEqual(r.selector(), mod.selector())) {
                e.setValue(DefaultFlowRule.builder().forDevice(r.deviceId()).forTable(r.tableId())
                        .withSelector(r.selector()).withTreatment(mod.treatment()).withPriority(r.priority())
                        .withCookie(r.id().value()).makePermanent().build());
            }
        }
    }

    /**
     * ONOS's flow store forgot a device's rules while the switch keeps them: a new master in an
     * ONOS 2.7.0 cluster, whose backups of rules with a DSCP rewrite failed to serialize.
     */
    public synchronized void storeLost(DeviceId deviceId) {
        entries.values().removeIf(e -> e.deviceId().equals(deviceId) && rewritesDscp(e));
    }

    private static boolean rewritesDscp(FlowRule rule) {
        return rule.treatment().allInstructions().stream().anyMatch(
                i -> i instanceof org.onosproject.net.flow.instructions.L3ModificationInstruction.ModDscpInstruction);
    }

    /**
     * ONOS's flow-stats poll on the master: rules on the switch that its store does not know are
     * deleted (FlowRuleManager.pushFlowMetricsInternal, extraneousFlow), and the switch reports
     * each deletion. It reads the store as it is, synced or not (DeviceFlowTable.getFlowEntries).
     */
    public synchronized void removeExtraneous(DeviceId deviceId) {
        List<FlowId> extraneous = new ArrayList<>();
        switchRules.values().stream().filter(r -> r.deviceId().equals(deviceId) && !entries.containsKey(r.id()))
                .forEach(r -> extraneous.add(r.id()));
        extraneous.forEach(this::deleteFromSwitch);
    }

    /**
     * A new master's term starts: until {@link #activateTerm}, its store takes no writes (they
     * wait, in order) while operations still go to the switch.
     */
    public synchronized void startTerm(DeviceId deviceId) {
        syncing.putIfAbsent(deviceId, new ArrayList<>());
    }

    /** The new master's store has synced: the writes held back apply, in order. */
    public synchronized void activateTerm(DeviceId deviceId) {
        List<Runnable> held = syncing.remove(deviceId);
        if (held != null) {
            held.forEach(Runnable::run);
        }
    }

    /**
     * The new master's store lacks these rules of a device until {@link #landLate}: ONOS 2.7.0
     * activates the term when one bucket fails to sync from the previous master
     * (DeviceFlowTable.syncFlowsOnMaster falls back to the backups, then activateMaster), and
     * the buckets still in flight land later, replacing the local ones (syncBucketOn). Seen on
     * the 3-node cluster: the drop rule's bucket landed after CareLane had read the store.
     */
    public synchronized void syncLate(DeviceId deviceId, java.util.function.Predicate<FlowEntry> which) {
        List<FlowEntry> late = landingLate.computeIfAbsent(deviceId, d -> new ArrayList<>());
        entries.values().removeIf(e -> {
            if (e.deviceId().equals(deviceId) && which.test(e)) {
                late.add(e);
                return true;
            }
            return false;
        });
    }

    /** The buckets of {@link #syncLate} land in the new master's store, as they were. */
    public synchronized void landLate(DeviceId deviceId) {
        List<FlowEntry> late = landingLate.remove(deviceId);
        if (late != null) {
            late.forEach(e -> entries.put(e.id(), e));
        }
    }

    /** Tells {@code listener} (device, rule) of every rule the switch deletes. */
    public void onSwitchRemoval(java.util.function.BiConsumer<DeviceId, FlowRule> listener) {
        switchRemovals.add(listener);
    }

    private void toStore(DeviceId deviceId, Runnable write) {
        List<Runnable> held = syncing.get(deviceId);
        if (held != null) {
            held.add(write);
        } else {
            write.run();
        }
    }

    /**
     * The switch deletes a rule and reports it (FLOW_REMOVED). ONOS puts back a rule its store
     * holds as ADDED or PENDING_ADD (FlowRuleManager.flowRemoved, ONOS 2.7.0 441-473).
     */
    private void deleteFromSwitch(FlowId id) {
        FlowRule gone = switchRules.remove(id);
        if (gone == null) {
            return;
        }
        firstSeen(gone.deviceId()).remove(id);   // the switch reports it to the master (flowRemoved)
        switchRemovals.forEach(l -> l.accept(gone.deviceId(), gone));
        FlowEntry stored = entries.get(id);
        if (stored != null && (stored.state() == FlowEntry.FlowEntryState.ADDED
                || stored.state() == FlowEntry.FlowEntryState.PENDING_ADD) && !usesMissingMeter(stored)) {
            switchRules.put(id, stored);
        }
    }

    /** What the switch holds for a device: (rule id, priority, treatment) of each rule. */
    public synchronized List<String> switchRules(DeviceId deviceId) {
        List<String> out = new ArrayList<>();
        switchRules.values().stream().filter(r -> r.deviceId().equals(deviceId))
                .forEach(r -> out.add(r.id() + "@" + r.priority() + " " + r.treatment()));
        out.sort(null);
        return out;
    }

    /**
     * As {@link #forNode(java.util.function.Predicate, java.util.function.Predicate)} where every
     * master reaches its switch. scripts/prove-doubles.sh needs it: f6b45d2's TestCluster calls it.
     */
    public org.onosproject.net.flow.FlowRuleService forNode(java.util.function.Predicate<DeviceId> localMaster) {
        return forNode(localMaster, device -> true);
    }

    /**
     * The service as one node of an ONOS 2.7.0 cluster sees it: reading a device it does not
     * master asks the master, and that fails for rules that rewrite DSCP, whose instruction
     * (L3ModificationInstruction.ModDscpInstruction) KryoNamespaces.API does not register.
     * A batch for a device whose master cannot reach its switch, or that has no master,
     * fails whole: onError, nothing sent (ECFlowRuleStore.storeBatch, OpenFlowRuleProvider.executeBatch).
     */
    public org.onosproject.net.flow.FlowRuleService forNode(java.util.function.Predicate<DeviceId> localMaster,
                                                            java.util.function.Predicate<DeviceId> masterReaches) {
        RecordingFlowRuleService shared = this;
        return new FlowRuleServiceAdapter() {
            @Override
            public void apply(FlowRuleOperations ops) {
                if (ops.stages().stream().flatMap(Set::stream)
                        .anyMatch(op -> !masterReaches.test(op.rule().deviceId()))) {
                    synchronized (shared) {
                        shared.errors++;
                    }
                    ops.callback().onError(ops);
                    return;
                }
                if (ops.stages().stream().flatMap(Set::stream)
                        .anyMatch(op -> !localMaster.test(op.rule().deviceId()))) {
                    synchronized (shared) {
                        shared.nonMasterBatches++;
                    }
                }
                shared.apply(ops);
            }

            @Override
            public void removeFlowRules(FlowRule... rules) {
                shared.removeFlowRules(rules);
            }

            @Override
            public int getFlowRuleCount() {
                return shared.getFlowRuleCount();
            }

            @Override
            public Iterable<FlowEntry> getFlowEntries(DeviceId deviceId) {
                List<FlowEntry> found = shared.devices(deviceId);
                if (!localMaster.test(deviceId) && found.stream().anyMatch(RecordingFlowRuleService::rewritesDscp)) {
                    throw new org.onosproject.net.flow.FlowRuleStoreException(
                            "io.atomix.cluster.messaging.MessagingException$RemoteHandlerFailure: "
                                    + "Remote handler failed to handle message");
                }
                return found;
            }

            @Override
            public Iterable<FlowEntry> getFlowEntriesById(ApplicationId appId) {
                List<FlowEntry> out = new ArrayList<>();
                for (DeviceId d : shared.deviceIds()) {
                    getFlowEntries(d).forEach(e -> {
                        if (e.appId() == appId.id()) {
                            out.add(e);
                        }
                    });
                }
                return out;
            }
        };
    }

    private synchronized Set<DeviceId> deviceIds() {
        Set<DeviceId> out = new java.util.LinkedHashSet<>();
        entries.values().forEach(e -> out.add(e.deviceId()));
        return out;
    }

    /** The switch restarted with empty tables; ONOS's view is unchanged. */
    public synchronized void switchLost(DeviceId deviceId) {
        switchRules.values().removeIf(r -> r.deviceId().equals(deviceId));
    }

    /**
     * ONOS 2.7.0 sends a stage's flow mods in no fixed order: ECFlowRuleStore.updateStoreInternal
     * collects the batch into a set (539), and OpenFlowRuleProvider.executeBatch into a HashSet
     * (409); the switch applies them one at a time. The double takes the order that hurts a
     * packet most: adds lowest priority first, removes highest priority first.
     */
    private static List<FlowRuleOperation> worstOrder(Set<FlowRuleOperation> stage) {
        List<FlowRuleOperation> ordered = new ArrayList<>(stage);
        ordered.sort(Comparator.comparingInt(op -> op.type() == FlowRuleOperation.Type.ADD
                ? op.rule().priority() : -op.rule().priority()));
        return ordered;
    }

    private final List<Runnable> operationListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Runs {@code listener} between the operations of every stage, as the switch applies them one at a time. */
    public synchronized void onEachOperation(Runnable listener) {
        operationListeners.add(listener);
    }

    /** Runs {@code listener} after every stage has reached the switch. */
    public synchronized void onStage(Runnable listener) {
        stageListeners.add(listener);
    }

    /** The treatment the switch gives a packet: its highest-priority matching rule's, or null. */
    public synchronized TrafficTreatment switchTreatment(DeviceId deviceId, Probe packet) {
        return switchRules.values().stream()
                .filter(r -> r.deviceId().equals(deviceId) && packet.matches(r.selector()))
                .max(Comparator.comparingInt(FlowRule::priority))
                .map(FlowRule::treatment).orElse(null);
    }

    /** Hook run before each operation is recorded; throwing fails the operation's stage. */
    protected void onOperation(FlowRuleOperation op) {
    }

    @Override
    public synchronized void applyFlowRules(FlowRule... rules) {
        for (FlowRule r : rules) {
            adds++;
            entries.put(r.id(), new DefaultFlowEntry(r, FlowEntry.FlowEntryState.ADDED));
            switchRules.put(r.id(), r);
        }
    }

    @Override
    public synchronized void removeFlowRules(FlowRule... rules) {
        for (FlowRule r : rules) {
            removes++;
            entries.remove(r.id());
            if (switchRules.remove(r.id()) != null) {
                firstSeen(r.deviceId()).remove(r.id());   // the switch reports it to the master
            }
        }
    }

    @Override
    public synchronized void removeFlowRulesById(ApplicationId appId) {
        List<FlowEntry> mine = new ArrayList<>();
        entries.values().stream().filter(e -> e.appId() == appId.id()).forEach(mine::add);
        for (FlowEntry e : mine) {
            onOperation(new FlowRuleOperation(e, FlowRuleOperation.Type.REMOVE));
            entries.remove(e.id());
            switchRules.remove(e.id());
        }
    }

    @Override
    public synchronized Iterable<FlowEntry> getFlowEntriesById(ApplicationId appId) {
        List<FlowEntry> out = new ArrayList<>();
        entries.values().stream().filter(e -> e.appId() == appId.id()).forEach(out::add);
        return out;
    }

    @Override
    public synchronized Iterable<FlowEntry> getFlowEntries(DeviceId deviceId) {
        return devices(deviceId);
    }

    /** Entries of one device. */
    public synchronized List<FlowEntry> devices(DeviceId deviceId) {
        List<FlowEntry> out = new ArrayList<>();
        entries.values().stream().filter(e -> e.deviceId().equals(deviceId)).forEach(out::add);
        return out;
    }

    @Override
    public synchronized int getFlowRuleCount() {
        return entries.size();
    }

    /**
     * A rule the switch rejected after the batch completed (ONOS 2.7.0 does not fail the batch
     * for a meter error): it stays PENDING_ADD in ONOS's store and is not on the switch.
     */
    public synchronized void rejectAfterBarrier(FlowId id) {
        FlowEntry e = entries.get(id);
        entries.put(id, new DefaultFlowEntry(e, FlowEntry.FlowEntryState.PENDING_ADD, 0, 0, 0));
        switchRules.remove(id);
    }

    /** Replaces an entry by one with counters, as a stats poll would. */
    public synchronized void setCounters(FlowId id, long packets, long bytes) {
        FlowEntry e = entries.get(id);
        if (e == null) {
            return;
        }
        entries.put(id, new DefaultFlowEntry(e, FlowEntry.FlowEntryState.ADDED, 1, packets, bytes));
    }
}
