package org.carelane.store;

import org.onosproject.store.service.TestStorageService;

/** A DistributedCareLaneStore backed by ONOS's in-memory TestStorageService. */
public final class TestStores {
    private TestStores() {
    }

    public static DistributedCareLaneStore newStore() {
        DistributedCareLaneStore store = new DistributedCareLaneStore();
        store.storageService = new TestStorageService();
        store.activate();
        return store;
    }
}
