package org.carelane.store;

import org.onosproject.store.primitives.AsyncAtomicCounterAdapter;
import org.onosproject.store.service.AsyncAtomicCounter;
import org.onosproject.store.service.AsyncConsistentMap;
import org.onosproject.store.service.AtomicCounterBuilder;
import org.onosproject.store.service.ConsistentMap;
import org.onosproject.store.service.ConsistentMapBuilder;
import org.onosproject.store.service.TestConsistentMap;
import org.onosproject.store.service.TestStorageService;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The storage of a cluster: every node's store that asks for a primitive by name gets the
 * same one, as the Atomix-backed StorageService gives every ONOS node. Map listeners of all
 * nodes hear every write (synchronously, on the writer's thread).
 */
public final class SharedStorageService extends TestStorageService {
    private final Map<String, ConsistentMap<?, ?>> maps = new ConcurrentHashMap<>();
    private final Map<String, AsyncAtomicCounter> counters = new ConcurrentHashMap<>();

    @Override
    public <K, V> ConsistentMapBuilder<K, V> consistentMapBuilder() {
        return new ConsistentMapBuilder<>() {
            @Override
            @SuppressWarnings("unchecked")
            public ConsistentMap<K, V> build() {
                return (ConsistentMap<K, V>) maps.computeIfAbsent(name(), n -> {
                    TestConsistentMap.Builder<K, V> builder = TestConsistentMap.builder();
                    builder.withName(n);
                    builder.withSerializer(serializer());
                    return builder.build();
                });
            }

            @Override
            public AsyncConsistentMap<K, V> buildAsyncMap() {
                throw new UnsupportedOperationException("buildAsyncMap");
            }
        };
    }

    @Override
    public AtomicCounterBuilder atomicCounterBuilder() {
        return new AtomicCounterBuilder() {
            @Override
            public AsyncAtomicCounter build() {
                return counters.computeIfAbsent(name(), n -> AsyncAtomicCounterAdapter.builder().build());
            }
        };
    }
}
