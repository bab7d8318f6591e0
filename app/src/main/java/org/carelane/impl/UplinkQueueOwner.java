package org.carelane.impl;

import org.carelane.api.CareLaneStore;
import org.carelane.api.DevicePolicy;
import org.carelane.api.DeviceUplink;
import org.carelane.api.Profile;
import org.carelane.api.SlicePolicy;
import org.carelane.policy.QueuePlan;
import org.onosproject.mastership.MastershipService;
import org.onosproject.net.DeviceId;
import org.onosproject.net.device.DeviceService;
import org.slf4j.Logger;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.slf4j.LoggerFactory.getLogger;

/**
 * Decides which node does a device's OVSDB work, and hands it to {@link UplinkQueues}.
 * ONOS's OVSDB client exists only on a node that holds a session with the switch's
 * ovsdb-server, and such a node masters the {@code ovsdb:} device: ONOS's DeviceManager gives
 * up the mastership of a device whose session it loses (deviceDisconnected). So the master of
 * a device's OVSDB device owns its queues. The OVSDB provider never acknowledges a role, so
 * DeviceManager.roleCheck relinquishes the role every 10-20 s and requests it again: with other
 * nodes holding sessions it moves to the next, and the queues with it; with one, the device is
 * masterless for a moment. While it has no master, ownership does not change: the owner goes
 * on, nobody else starts, and the next master hears MASTER_CHANGED.
 * Only a device whose OVSDB device ONOS does not know is
 * left to the device's own master, which reports why it cannot. What to apply comes from the
 * store, the same on every node:
 * the device's effective policy, and the profile its master put in force on it
 * ({@link CareLaneStore#queueProfile}). Runs on the CareLane thread.
 */
final class UplinkQueueOwner {
    private final Logger log = getLogger(getClass());
    private final CareLaneStore store;
    private final UplinkQueues queues;
    private final MastershipService mastership;
    private final DeviceService devices;
    /** Writes queue profiles off the CareLane thread, in order. */
    private final ExecutorService records = Executors.newSingleThreadExecutor(
            r -> new Thread(r, "carelane-queue-records"));

    UplinkQueueOwner(CareLaneStore store, UplinkQueues queues, MastershipService mastership,
                     DeviceService devices) {
        this.store = store;
        this.queues = queues;
        this.mastership = mastership;
        this.devices = devices;
    }

    /**
     * A device's master brought it to a profile: records it for the queues' owner, if the
     * device has an uplink port to hold queues. A node that lost the device meanwhile writes
     * nothing (its backlog must not undo the new master's record).
     */
    void inForce(DeviceId id, Profile profile) {
        if (records.isShutdown()) {
            return;
        }
        records.execute(() -> {
            try {
                if (!mastership.isLocalMaster(id)) {
                    return;
                }
                boolean queued = store.policy().flatMap(p -> p.device(id)).flatMap(DeviceUplink::uplinkPort)
                        .isPresent();
                store.setQueueProfile(id, queued ? Optional.of(profile) : Optional.empty());
            } catch (RuntimeException e) {
                log.warn("CareLane could not record the queue profile of {}: {}", id, e.toString());
            }
        });
    }

    /** The device's queues as the store asks, if this node owns them; forgets them if not. */
    void wanted(DeviceId id) {
        check(id, store.policy(), store.queueProfile(id));
    }

    /** @param profile the profile the device's master put in force on it, as the store holds it */
    private void check(DeviceId id, Optional<SlicePolicy> policy, Optional<Profile> profile) {
        Optional<DevicePolicy> device = policy.flatMap(p -> p.forDevice(id));
        Future<?> unused;
        if (device.isPresent()) {
            Owner owner = owner(queues.ovsdbDevice(device.get().device()), id);
            if (owner == Owner.NOBODY) {
                return;   // the owner's work goes on; the next master takes it up
            }
            if (owner == Owner.ANOTHER_NODE) {
                queues.release(id);
                return;
            }
            if (profile.isPresent()) {
                DevicePolicy d = device.get();
                unused = queues.apply(d.device(), QueuePlan.of(d.policy(), d.device(), profile.get()));
            }
            return;
        }
        // Left the policy: whoever owns the OVSDB device that holds its queues removes them.
        Owner owner = owner(queues.lastOvsdb(id).orElse(null), id);
        if (owner == Owner.NOBODY) {
            return;
        }
        if (owner == Owner.THIS_NODE) {
            unused = queues.remove(id);
        } else {
            queues.release(id);
        }
    }

    /** Every device again: the policy changed, or a driver gained behaviours. */
    void wantedAll() {
        wantedWhere(store.policy(), id -> true);
    }

    /** The devices whose queues are on one OVSDB device: it came, went, or changed master. */
    void wantedOn(DeviceId ovsdb) {
        Optional<SlicePolicy> policy = store.policy();
        wantedWhere(policy, id -> ovsdb.equals(ovsdbOf(policy, id)));
    }

    /** The devices that pass {@code which}, the policy and queue profiles read once for them all. */
    private void wantedWhere(Optional<SlicePolicy> policy, java.util.function.Predicate<DeviceId> which) {
        Map<DeviceId, Profile> profiles = store.queueProfiles();
        devicesToCheck(policy, profiles).stream().filter(which)
                .forEach(id -> check(id, policy, Optional.ofNullable(profiles.get(id))));
    }

    private DeviceId ovsdbOf(Optional<SlicePolicy> policy, DeviceId id) {
        return policy.flatMap(p -> p.device(id)).map(queues::ovsdbDevice)
                .orElseGet(() -> queues.lastOvsdb(id).orElse(null));
    }

    /** A node stopping: the queues stay for the next owner. */
    void stop() {
        records.shutdownNow();
        queues.stop();
    }

    /** Deactivation: removes the queues this node owns, waiting up to the timeout; then stops. */
    void removeOwnedAndStop(Duration timeout) {
        // What this node is working on is its own, even before it has a record.
        Optional<SlicePolicy> policy = store.policy();
        Set<DeviceId> owned = devicesToCheck(policy, store.queueProfiles()).stream()
                .filter(id -> queues.working().contains(id) || owns(ovsdbOf(policy, id), id))
                .collect(Collectors.toSet());
        records.shutdownNow();
        owned.forEach(id -> store.setQueueProfile(id, Optional.empty()));
        queues.removeAndStop(owned, timeout);
    }

    private enum Owner { THIS_NODE, ANOTHER_NODE, NOBODY }

    /**
     * Who does the OVSDB work of a device whose queues are on {@code ovsdb}: that device's
     * master, or nobody while ONOS knows it and no node masters it. The local role is read
     * again after a master is seen, so that a role re-asserted between the reads is not taken
     * for another node's.
     */
    private Owner owner(DeviceId ovsdb, DeviceId device) {
        if (ovsdb == null || devices.getDevice(ovsdb) == null) {
            return mastership.isLocalMaster(device) ? Owner.THIS_NODE : Owner.ANOTHER_NODE;
        }
        if (mastership.isLocalMaster(ovsdb)) {
            return Owner.THIS_NODE;
        }
        if (mastership.getMasterFor(ovsdb) == null) {
            return Owner.NOBODY;
        }
        return mastership.isLocalMaster(ovsdb) ? Owner.THIS_NODE : Owner.ANOTHER_NODE;
    }

    /** Whether this node does the OVSDB work of a device whose queues are on {@code ovsdb}. */
    private boolean owns(DeviceId ovsdb, DeviceId device) {
        return owner(ovsdb, device) == Owner.THIS_NODE;
    }

    private Set<DeviceId> devicesToCheck(Optional<SlicePolicy> policy, Map<DeviceId, Profile> profiles) {
        Set<DeviceId> ids = new LinkedHashSet<>();
        policy.ifPresent(p -> p.devices().forEach(d -> ids.add(d.deviceId())));
        ids.addAll(profiles.keySet());
        ids.addAll(store.devicesWithQueueStatus());
        ids.addAll(queues.working());
        return ids;
    }
}
