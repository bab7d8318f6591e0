package org.carelane.api;

import org.onosproject.store.StoreDelegate;

/** Receives the store's events on each node. */
public interface CareLaneStoreDelegate extends StoreDelegate<CareLaneStoreEvent> {
}
