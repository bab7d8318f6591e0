package org.carelane.impl;

import org.onosproject.mastership.MastershipService;
import org.onosproject.mastership.MastershipInfo;
import org.onosproject.net.DeviceId;

import java.util.Objects;

/**
 * The mastership term an attempt on a device started under. ONOS forwards a non-master's flow
 * and meter operations to the master, so an attempt that outlives its node's mastership would
 * program the switch alongside the new master's: each attempt checks its fence before every
 * change it makes, and stops once the term has moved on.
 */
final class MastershipFence {
    private final MastershipService mastership;
    private final DeviceId device;
    private final MastershipInfo term;

    private MastershipFence(MastershipService mastership, DeviceId device, MastershipInfo term) {
        this.mastership = mastership;
        this.device = device;
        this.term = term;
    }

    /** The term in force now. */
    static MastershipFence now(MastershipService mastership, DeviceId device) {
        return new MastershipFence(mastership, device, mastership.getMastershipFor(device));
    }

    /** True while this node is still master in the same term. */
    boolean holds() {
        return mastership.isLocalMaster(device) && sameTerm(term, mastership.getMastershipFor(device));
    }

    /** The number of the term this attempt started in (-1 if ONOS gave none). */
    long term() {
        return term == null ? -1 : term.term();
    }

    /** Same leadership term and master; the roles of the backups may change within a term. */
    private static boolean sameTerm(MastershipInfo a, MastershipInfo b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.term() == b.term() && Objects.equals(a.master(), b.master());
    }

    /** @throws StaleAttemptException once the term has moved on */
    void check() {
        if (!holds()) {
            throw new StaleAttemptException(device);
        }
    }
}
