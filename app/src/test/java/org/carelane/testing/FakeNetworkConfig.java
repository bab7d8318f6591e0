package org.carelane.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.onosproject.core.ApplicationId;
import org.onosproject.net.DeviceId;
import org.onosproject.net.config.Config;
import org.onosproject.net.config.ConfigFactory;
import org.onosproject.net.config.NetworkConfigEvent;
import org.onosproject.net.config.NetworkConfigListener;
import org.onosproject.net.config.NetworkConfigRegistryAdapter;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Holds one app config block, and per-device blocks, and delivers netcfg events like ONOS
 * does; shared by the nodes of a {@code TestCluster}, every node's listeners hear every change.
 */
public class FakeNetworkConfig extends NetworkConfigRegistryAdapter {
    private final ObjectMapper mapper = new ObjectMapper();
    private final CopyOnWriteArrayList<NetworkConfigListener> listeners = new CopyOnWriteArrayList<>();
    /** Factories by config class, with how many nodes registered each: it stays until the last unregisters it. */
    private final Map<Class<?>, ConfigFactory> factories = new HashMap<>();
    private final Map<Class<?>, Integer> registrations = new HashMap<>();
    /** The app block's config class (the first app-subject factory registered). */
    private Class<?> appConfigClass;
    private ApplicationId subject;
    private JsonNode block;
    private final Map<DeviceId, JsonNode> devices = new TreeMap<>(java.util.Comparator.comparing(Object::toString));

    /** Sets the block before activation (no event). */
    public void preload(JsonNode carelaneBlock) {
        this.block = carelaneBlock;
    }

    /** Pushes a new block and fires CONFIG_UPDATED, as "onos-netcfg" would. */
    public void push(JsonNode carelaneBlock) {
        boolean added = block == null;
        this.block = carelaneBlock;
        fire(added ? NetworkConfigEvent.Type.CONFIG_ADDED : NetworkConfigEvent.Type.CONFIG_UPDATED, subject,
                appConfigClass);
    }

    /** Removes the block and fires CONFIG_REMOVED. */
    public void remove() {
        block = null;
        fire(NetworkConfigEvent.Type.CONFIG_REMOVED, subject, appConfigClass);
    }

    /** Pushes a device's block of the given class, validated as ONOS does, and fires the event. */
    public void pushDevice(DeviceId id, Class<?> configClass, JsonNode json) {
        validate(id, configClass, json);
        boolean added;
        synchronized (this) {
            added = devices.put(id, json) == null;
        }
        fire(added ? NetworkConfigEvent.Type.CONFIG_ADDED : NetworkConfigEvent.Type.CONFIG_UPDATED, id, configClass);
    }

    /** Removes a device's block and fires CONFIG_REMOVED. */
    public void removeDevice(DeviceId id, Class<?> configClass) {
        synchronized (this) {
            devices.remove(id);
        }
        fire(NetworkConfigEvent.Type.CONFIG_REMOVED, id, configClass);
    }

    private void fire(NetworkConfigEvent.Type type, Object eventSubject, Class<?> configClass) {
        @SuppressWarnings("unchecked")
        NetworkConfigEvent event = new NetworkConfigEvent(type, eventSubject,
                (Class<? extends Config>) configClass);
        listeners.stream().filter(l -> l.isRelevant(event)).forEach(l -> l.event(event));
    }

    @Override
    public synchronized void registerConfigFactory(ConfigFactory configFactory) {
        factories.put(configFactory.configClass(), configFactory);
        registrations.merge(configFactory.configClass(), 1, Integer::sum);
        if (appConfigClass == null && configFactory.subjectFactory().subjectClass() == ApplicationId.class) {
            appConfigClass = configFactory.configClass();
        }
    }

    @Override
    public synchronized void unregisterConfigFactory(ConfigFactory configFactory) {
        if (registrations.merge(configFactory.configClass(), -1, Integer::sum) == 0) {
            factories.remove(configFactory.configClass());
        }
    }

    @Override
    public void addListener(NetworkConfigListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(NetworkConfigListener listener) {
        listeners.remove(listener);
    }

    @Override
    @SuppressWarnings("unchecked")
    public synchronized <S, C extends Config<S>> Set<S> getSubjects(Class<S> subjectClass, Class<C> configClass) {
        return subjectClass == DeviceId.class && factories.containsKey(configClass)
                ? (Set<S>) Set.copyOf(devices.keySet()) : Set.of();
    }

    @Override
    @SuppressWarnings("unchecked")
    public synchronized <S, C extends Config<S>> C getConfig(S s, Class<C> configClass) {
        ConfigFactory factory = factories.get(configClass);
        JsonNode json;
        if (s instanceof DeviceId) {
            json = devices.get(s);
        } else {
            subject = (ApplicationId) s;
            json = block;
        }
        if (json == null || factory == null) {
            return null;
        }
        C cfg = (C) factory.createConfig();
        cfg.init(s, factory.configKey(), json, mapper, c -> { });
        return cfg;
    }

    /**
     * As ONOS's NetworkConfigManager.applyConfig: validates, stores and fires the event (the
     * block becomes what an app or "onos-netcfg" would read back).
     */
    @Override
    @SuppressWarnings("unchecked")
    public <S, C extends Config<S>> C applyConfig(S s, Class<C> configClass, JsonNode json) {
        C cfg = (C) validate(s, configClass, json);
        if (s instanceof DeviceId) {
            pushDevice((DeviceId) s, configClass, json);
        } else {
            subject = (ApplicationId) s;
            push(json);
        }
        return cfg;
    }

    private synchronized Config<?> validate(Object s, Class<?> configClass, JsonNode json) {
        ConfigFactory factory = factories.get(configClass);
        @SuppressWarnings("unchecked")
        Config<Object> cfg = (Config<Object>) factory.createConfig();
        cfg.init(s, factory.configKey(), json, mapper, c -> { });
        cfg.isValid();
        return cfg;
    }

    /** The stored block, as GET /onos/v1/network/configuration would show it. */
    public JsonNode block() {
        return block;
    }

    /** A device's stored block. */
    public synchronized JsonNode device(DeviceId id) {
        return devices.get(id);
    }

    public synchronized boolean hasFactory() {
        return appConfigClass != null && factories.containsKey(appConfigClass);
    }
}
