package org.carelane.impl;

import org.onosproject.net.DeviceId;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What CareLane needs of a switch's OVSDB to own its uplink's queues. Queues and QoS rows
 * are named (their external id); ONOS's OVSDB client inserts a new row on every add and
 * never updates one, and its reads lag its writes until OVSDB's monitor update arrives.
 */
interface QueueConfigurator {
    /** Why this OVSDB device cannot configure queues, or empty if it can. */
    Optional<String> unsupported(DeviceId ovsdb);

    /** Names of the queue rows on the device. */
    Set<String> queueNames(DeviceId ovsdb);

    /** Names of the QoS rows on the device. */
    Set<String> qosNames(DeviceId ovsdb);

    void addQueue(DeviceId ovsdb, String name, long minBps, long maxBps, long burstBits);

    /** An HTB QoS of the given rate with the named queues under their OpenFlow queue ids. */
    void addQos(DeviceId ovsdb, String name, long maxBps, Map<Long, String> queuesById);

    /** Points the port at the named QoS (one OVSDB update of the port row). */
    void applyQos(DeviceId ovsdb, String portName, String qosName);

    /** Detaches whatever QoS the port has. */
    void detachQos(DeviceId ovsdb, String portName);

    void deleteQos(DeviceId ovsdb, String name);

    void deleteQueue(DeviceId ovsdb, String name);
}
