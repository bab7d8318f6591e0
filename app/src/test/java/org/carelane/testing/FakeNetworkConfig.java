package org.carelane.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.onosproject.core.ApplicationId;
import org.onosproject.net.config.Config;
import org.onosproject.net.config.ConfigFactory;
import org.onosproject.net.config.NetworkConfigEvent;
import org.onosproject.net.config.NetworkConfigListener;
import org.onosproject.net.config.NetworkConfigRegistryAdapter;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Holds one app config block and delivers netcfg events like ONOS does; shared by the nodes
 * of a {@code TestCluster}, every node's listeners hear every change.
 */
public class FakeNetworkConfig extends NetworkConfigRegistryAdapter {
    private final ObjectMapper mapper = new ObjectMapper();
    private final CopyOnWriteArrayList<NetworkConfigListener> listeners = new CopyOnWriteArrayList<>();
    private ConfigFactory factory;
    /** Nodes that registered the factory: it stays until the last one unregisters it. */
    private int registrations;
    private ApplicationId subject;
    private JsonNode block;

    /** Sets the block before activation (no event). */
    public void preload(JsonNode carelaneBlock) {
        this.block = carelaneBlock;
    }

    /** Pushes a new block and fires CONFIG_UPDATED, as "onos-netcfg" would. */
    public void push(JsonNode carelaneBlock) {
        boolean added = block == null;
        this.block = carelaneBlock;
        NetworkConfigEvent event = new NetworkConfigEvent(
                added ? NetworkConfigEvent.Type.CONFIG_ADDED : NetworkConfigEvent.Type.CONFIG_UPDATED,
                subject, factory.configClass());
        listeners.stream().filter(l -> l.isRelevant(event)).forEach(l -> l.event(event));
    }

    /** Removes the block and fires CONFIG_REMOVED. */
    public void remove() {
        block = null;
        NetworkConfigEvent event = new NetworkConfigEvent(NetworkConfigEvent.Type.CONFIG_REMOVED, subject,
                factory.configClass());
        listeners.stream().filter(l -> l.isRelevant(event)).forEach(l -> l.event(event));
    }

    @Override
    public synchronized void registerConfigFactory(ConfigFactory configFactory) {
        this.factory = configFactory;
        registrations++;
    }

    @Override
    public synchronized void unregisterConfigFactory(ConfigFactory configFactory) {
        if (--registrations == 0) {
            this.factory = null;
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
    public <S, C extends Config<S>> C getConfig(S s, Class<C> configClass) {
        subject = (ApplicationId) s;
        if (block == null || factory == null) {
            return null;
        }
        C cfg = (C) factory.createConfig();
        cfg.init(s, factory.configKey(), block, mapper, c -> { });
        return cfg;
    }

    /**
     * As ONOS's NetworkConfigManager.applyConfig: validates, stores and fires the event (the
     * block becomes what an app or "onos-netcfg" would read back).
     */
    @Override
    @SuppressWarnings("unchecked")
    public <S, C extends Config<S>> C applyConfig(S s, Class<C> configClass, JsonNode json) {
        subject = (ApplicationId) s;
        C cfg = (C) factory.createConfig();
        cfg.init(s, factory.configKey(), json, mapper, c -> { });
        cfg.isValid();
        push(json);
        return cfg;
    }

    /** The stored block, as GET /onos/v1/network/configuration would show it. */
    public JsonNode block() {
        return block;
    }

    public boolean hasFactory() {
        return factory != null;
    }
}
