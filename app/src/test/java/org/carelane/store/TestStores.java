package org.carelane.store;

import org.onosproject.store.service.StorageService;
import org.onosproject.store.service.TestStorageService;

/** DistributedCareLaneStores backed by ONOS's in-memory storage doubles. */
public final class TestStores {
    private TestStores() {
    }

    /** A store of its own. */
    public static DistributedCareLaneStore newStore() {
        return newStore(new TestStorageService());
    }

    /** One node's store over {@code storage}, which other nodes' stores may share. */
    public static DistributedCareLaneStore newStore(StorageService storage) {
        DistributedCareLaneStore store = new DistributedCareLaneStore();
        store.storageService = storage;
        store.activate();
        return store;
    }
}
