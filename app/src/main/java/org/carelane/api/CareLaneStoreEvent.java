package org.carelane.api;

import org.onosproject.event.AbstractEvent;

/** A change to the cluster-wide CareLane state, seen by every node. */
public final class CareLaneStoreEvent extends AbstractEvent<CareLaneStoreEvent.Type, String> {

    /** What changed. */
    public enum Type {
        /** The slice policy was set, changed or removed. */
        POLICY_CHANGED,
        /** A profile override was set, cleared or expired. */
        OVERRIDE_CHANGED,
        /** A device's queue profile was set or removed; the subject is the device id. */
        QUEUES_WANTED
    }

    /**
     * @param type    what changed
     * @param subject the store key that changed
     */
    public CareLaneStoreEvent(Type type, String subject) {
        super(type, subject);
    }
}
