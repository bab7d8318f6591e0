package org.carelane.impl;

import org.onosproject.net.flow.FlowId;
import org.onosproject.net.flow.FlowRule;
import org.onosproject.net.flow.FlowRuleOperations;
import org.onosproject.net.flow.FlowRuleOperationsContext;
import org.onosproject.net.flow.FlowRuleService;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * One device's learned-rule changes on their way to ONOS, in order: one batch in flight at a
 * time, the changes queued meanwhile going in the next. ONOS 2.7.0 runs separate batches on
 * separate threads (FlowRuleManager's operationsService and deviceInstallers), so a REMOVE
 * sent apart could overtake the ADD of the same rule, which ECFlowRuleStore then keeps for
 * good. A later change to a rule replaces an earlier one not yet sent. Each answer waiting for
 * its addresses' rules goes on when the batch that carries them is in (see {@link #whenIn}).
 * Names thread only; ONOS's callbacks come back through {@code thread}.
 */
final class LearnedRuleQueue {
    /** Changes sent together, and the answers that wait for them. */
    private static final class Batch {
        final Map<FlowId, FlowRule> adds = new LinkedHashMap<>();
        final Map<FlowId, FlowRule> removes = new LinkedHashMap<>();
        final List<Runnable> sends = new ArrayList<>();
        final Set<InetAddress> addresses = new HashSet<>();

        boolean noChanges() {
            return adds.isEmpty() && removes.isEmpty();
        }
    }

    private final FlowRuleService flowRules;
    private final Executor thread;
    private final Runnable onBatch;
    private final java.util.function.IntConsumer onFailure;
    private Batch pending = new Batch();
    private Batch inFlight;
    private boolean flushQueued;

    /**
     * @param thread    the names thread
     * @param onBatch   told of each batch sent
     * @param onFailure told of each batch ONOS failed, with its number of changes
     */
    LearnedRuleQueue(FlowRuleService flowRules, Executor thread, Runnable onBatch,
                     java.util.function.IntConsumer onFailure) {
        this.flowRules = flowRules;
        this.thread = thread;
        this.onBatch = onBatch;
        this.onFailure = onFailure;
    }

    void add(FlowRule rule, InetAddress address) {
        pending.removes.remove(rule.id());
        pending.adds.put(rule.id(), rule);
        pending.addresses.add(address);
        flushSoon();
    }

    void remove(FlowRule rule) {
        pending.adds.remove(rule.id());
        pending.removes.put(rule.id(), rule);
        flushSoon();
    }

    /**
     * Sends {@code send} once the rules of these addresses already on their way are in: at once
     * if none are; otherwise with the batch that carries them.
     */
    void whenIn(Set<InetAddress> addresses, Runnable send) {
        if (addresses.stream().anyMatch(pending.addresses::contains)) {
            pending.sends.add(send);
            flushSoon();
        } else if (inFlight != null && addresses.stream().anyMatch(inFlight.addresses::contains)) {
            inFlight.sends.add(send);
        } else {
            send.run();
        }
    }

    boolean idle() {
        return inFlight == null && pending.noChanges() && pending.sends.isEmpty();
    }

    /** Forgets the changes not yet sent, sending on their answers. */
    void drop() {
        List<Runnable> sends = new ArrayList<>(pending.sends);
        pending = new Batch();
        sends.forEach(Runnable::run);
    }

    /** After the answers already waiting on the names thread: one batch for them all. */
    private void flushSoon() {
        if (!flushQueued) {
            flushQueued = true;
            thread.execute(this::flush);
        }
    }

    private void flush() {
        flushQueued = false;
        if (inFlight != null) {
            return;   // sent when it is in
        }
        Batch batch = pending;
        pending = new Batch();
        if (batch.noChanges()) {
            batch.sends.forEach(Runnable::run);
            return;
        }
        inFlight = batch;
        onBatch.run();
        FlowRuleOperations.Builder ops = FlowRuleOperations.builder();
        batch.adds.values().forEach(ops::add);
        ops.newStage();   // a move: the new rules in before the old ones go
        batch.removes.values().forEach(ops::remove);
        flowRules.apply(ops.build(new FlowRuleOperationsContext() {
            @Override
            public void onSuccess(FlowRuleOperations o) {
                thread.execute(() -> done(batch));
            }

            @Override
            public void onError(FlowRuleOperations o) {
                thread.execute(() -> {
                    onFailure.accept(batch.adds.size() + batch.removes.size());
                    done(batch);
                });
            }
        }));
    }

    private void done(Batch batch) {
        if (inFlight == batch) {
            inFlight = null;
        }
        batch.sends.forEach(Runnable::run);
        if (!pending.noChanges() || !pending.sends.isEmpty()) {
            flush();
        }
    }
}
