package org.carelane.testing;

import org.onosproject.core.ApplicationId;
import org.onosproject.net.DeviceId;
import org.onosproject.net.flow.DefaultFlowEntry;
import org.onosproject.net.flow.FlowEntry;
import org.onosproject.net.flow.FlowId;
import org.onosproject.net.flow.FlowRule;
import org.onosproject.net.flow.FlowRuleOperation;
import org.onosproject.net.flow.FlowRuleOperations;
import org.onosproject.net.flow.FlowRuleServiceAdapter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** FlowRuleService that keeps rules in memory as ADDED entries and counts operations. */
public class RecordingFlowRuleService extends FlowRuleServiceAdapter {
    private final Map<FlowId, FlowEntry> entries = new LinkedHashMap<>();
    public int adds;
    public int modifies;
    public int removes;
    /** Fail the next this-many batches (no change is made). */
    public int failBatches;

    @Override
    public synchronized void apply(FlowRuleOperations ops) {
        if (failBatches > 0) {
            failBatches--;
            ops.callback().onError(ops);
            return;
        }
        for (Set<FlowRuleOperation> stage : ops.stages()) {
            for (FlowRuleOperation op : stage) {
                FlowRule rule = op.rule();
                try {
                    onOperation(op);
                } catch (RuntimeException e) {
                    ops.callback().onError(ops);
                    return;
                }
                switch (op.type()) {
                    case ADD:
                        adds++;
                        entries.put(rule.id(), new DefaultFlowEntry(rule, FlowEntry.FlowEntryState.ADDED));
                        break;
                    case MODIFY:
                        if (!entries.containsKey(rule.id())) {
                            throw new AssertionError("modify of a rule never added: " + rule);
                        }
                        modifies++;
                        entries.put(rule.id(), new DefaultFlowEntry(rule, FlowEntry.FlowEntryState.ADDED));
                        break;
                    default:
                        removes++;
                        entries.remove(rule.id());
                }
            }
        }
        ops.callback().onSuccess(ops);
    }

    /** Hook run before each operation is recorded; throwing fails the batch. */
    protected void onOperation(FlowRuleOperation op) {
    }

    @Override
    public synchronized void applyFlowRules(FlowRule... rules) {
        for (FlowRule r : rules) {
            adds++;
            entries.put(r.id(), new DefaultFlowEntry(r, FlowEntry.FlowEntryState.ADDED));
        }
    }

    @Override
    public synchronized void removeFlowRules(FlowRule... rules) {
        for (FlowRule r : rules) {
            removes++;
            entries.remove(r.id());
        }
    }

    @Override
    public synchronized void removeFlowRulesById(ApplicationId appId) {
        List<FlowEntry> mine = new ArrayList<>();
        entries.values().stream().filter(e -> e.appId() == appId.id()).forEach(mine::add);
        for (FlowEntry e : mine) {
            onOperation(new FlowRuleOperation(e, FlowRuleOperation.Type.REMOVE));
            entries.remove(e.id());
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

    /** Replaces an entry by one with counters, as a stats poll would. */
    public synchronized void setCounters(FlowId id, long packets, long bytes) {
        FlowEntry e = entries.get(id);
        if (e == null) {
            return;
        }
        entries.put(id, new DefaultFlowEntry(e, FlowEntry.FlowEntryState.ADDED, 1, packets, bytes));
    }
}
