package org.carelane.impl;

import org.carelane.api.CareLaneStore;
import org.carelane.api.PolicyException;
import org.carelane.api.SlicePolicy;
import org.carelane.config.CareLaneConfig;
import org.carelane.policy.PolicyCodec;
import org.onosproject.core.ApplicationId;
import org.onosproject.net.config.ConfigFactory;
import org.onosproject.net.config.NetworkConfigEvent;
import org.onosproject.net.config.NetworkConfigListener;
import org.onosproject.net.config.NetworkConfigRegistry;
import org.onosproject.net.config.basics.SubjectFactories;
import org.slf4j.Logger;

import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static org.slf4j.LoggerFactory.getLogger;

/**
 * Netcfg, the one source of truth for the policy: the {@code carelane} block is loaded into the
 * store when it is pushed or changed, the policy is cleared when it is removed, and REST and CLI
 * changes are written back to it, so that reactivation and ONOS restarts, which reload netcfg,
 * keep them. It only writes the store: the store's events reach the {@link Reconciler} on every node.
 */
final class NetcfgIntake {
    private final Logger log = getLogger(getClass());
    private final ApplicationId appId;
    private final NetworkConfigRegistry registry;
    private final CareLaneStore store;
    private final DevicePorts ports;
    private final PolicyAudit audit;
    private final Supplier<Instant> clock;
    private final Consumer<Runnable> onCareLaneThread;
    private final ConfigFactory<ApplicationId, CareLaneConfig> factory =
            new ConfigFactory<>(SubjectFactories.APP_SUBJECT_FACTORY, CareLaneConfig.class, CareLaneConfig.KEY) {
                @Override
                public CareLaneConfig createConfig() {
                    return new CareLaneConfig();
                }
            };
    private final NetworkConfigListener listener = new InternalConfigListener();

    /** @param onCareLaneThread runs a task on the CareLane thread, never on ONOS's event thread */
    NetcfgIntake(ApplicationId appId, NetworkConfigRegistry registry, CareLaneStore store, DevicePorts ports,
                 PolicyAudit audit, Supplier<Instant> clock, Consumer<Runnable> onCareLaneThread) {
        this.appId = appId;
        this.registry = registry;
        this.store = store;
        this.ports = ports;
        this.audit = audit;
        this.clock = clock;
        this.onCareLaneThread = onCareLaneThread;
    }

    /** Registers the {@code carelane} block and starts listening for its changes. */
    void start() {
        registry.registerConfigFactory(factory);
        registry.addListener(listener);
    }

    void stop() {
        registry.removeListener(listener);
        registry.unregisterConfigFactory(factory);
    }

    /**
     * Stores the netcfg block as the policy, unless it is invalid (audited, the policy in force
     * stays) or is the policy before a write-back in progress. Runs on the CareLane thread.
     */
    void load(String source) {
        CareLaneConfig cfg = registry.getConfig(appId, CareLaneConfig.class);
        if (cfg == null) {
            return;
        }
        try {
            SlicePolicy next = cfg.policy();
            ports.check(next);
            if (store.writeBackUntil().filter(until -> until.isAfter(clock.get())).isPresent()
                    && !store.policy().map(next::equals).orElse(false)) {
                // A node has stored a REST or CLI change and is writing it to netcfg: what netcfg
                // holds now is the policy before it. The write-back's own event follows.
                log.debug("CareLane ignores a netcfg {} read during another change's write-back", source);
                return;
            }
            audit.ifChanged(store.replacePolicy(next), "netcfg", "netcfg", "replace-policy (" + source + ")");
        } catch (PolicyException e) {
            log.warn("CareLane netcfg rejected, previous policy stays in force: {}", e.getMessage());
            audit.record("netcfg", "netcfg", "rejected-config", null, e.getMessage());
        }
    }

    /**
     * Writes the store's policy to netcfg, as the JSON the store holds: the latest, so that
     * concurrent changes from several nodes converge on it.
     */
    void writeBack() {
        store.policyJson().ifPresent(json -> {
            try {
                registry.applyConfig(appId, CareLaneConfig.class, PolicyCodec.readTree(json));
            } catch (RuntimeException e) {
                log.error("CareLane could not write the change back to netcfg; a reload of netcfg would undo it", e);
            }
        });
    }

    /** The netcfg block was removed: no policy, so the devices are cleaned (the store's event). */
    private void removed() {
        store.clearPolicy().ifPresent(before ->
                audit.record("netcfg", "netcfg", "remove-policy", PolicyCodec.encodeJson(before), null));
    }

    private final class InternalConfigListener implements NetworkConfigListener {
        @Override
        public boolean isRelevant(NetworkConfigEvent event) {
            return event.configClass().equals(CareLaneConfig.class);
        }

        @Override
        public void event(NetworkConfigEvent event) {
            switch (event.type()) {
                case CONFIG_ADDED:
                case CONFIG_UPDATED:
                    onCareLaneThread.accept(() -> load(event.type().name()));
                    break;
                case CONFIG_REMOVED:
                    onCareLaneThread.accept(NetcfgIntake.this::removed);
                    break;
                default:
                    break;
            }
        }
    }
}
