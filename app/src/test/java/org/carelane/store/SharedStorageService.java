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
    /**
     * How long each map read takes: a Raft read waits through a leader election (ONOS's
     * ConsistentMap, up to its 15 s timeout). 0 for none.
     */
    public volatile long readDelayMillis;

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
                    return slowReads(builder.build());
                });
            }

            @Override
            public AsyncConsistentMap<K, V> buildAsyncMap() {
                throw new UnsupportedOperationException("buildAsyncMap");
            }
        };
    }

    @SuppressWarnings("unchecked")
    private <K, V> ConsistentMap<K, V> slowReads(ConsistentMap<K, V> map) {
        return (ConsistentMap<K, V>) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{ConsistentMap.class}, (proxy, method, args) -> {
                    long delay = readDelayMillis;
                    if (delay > 0 && method.getName().equals("get")) {
                        Thread.sleep(delay);
                    }
                    try {
                        return method.invoke(map, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
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
