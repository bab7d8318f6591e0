package org.carelane.impl;

import org.carelane.api.AuditEntry;
import org.carelane.api.CareLaneStore;

import java.time.Instant;
import java.util.function.Supplier;

/** Writes the audit trail: who changed what, from where, before and after. */
final class PolicyAudit {
    private final CareLaneStore store;
    private final Supplier<Instant> clock;

    PolicyAudit(CareLaneStore store, Supplier<Instant> clock) {
        this.store = store;
        this.clock = clock;
    }

    void record(String user, String source, String action, String before, String after) {
        store.appendAudit(new AuditEntry(0, clock.get(), user, source, action, before, after));
    }

    /**
     * Audits a policy update if it changed anything, with the JSON the store wrote: the node
     * that made the change audits it, once per cluster, and nothing is encoded again.
     *
     * @return true if the update changed the policy
     */
    boolean ifChanged(CareLaneStore.PolicyUpdate update, String user, String source, String action) {
        if (update.changed()) {
            record(user, source, action, update.beforeJson(), update.afterJson());
        }
        return update.changed();
    }
}
