package org.carelane.impl;

import org.carelane.api.CareLaneStore;
import org.carelane.api.DeviceUplink;
import org.carelane.api.PolicyException;
import org.carelane.api.SlicePolicy;
import org.carelane.config.CareLaneConfig;
import org.carelane.config.CareLaneSiteConfig;
import org.carelane.policy.PolicyCodec;
import org.carelane.policy.PolicyValidator;
import org.onosproject.core.ApplicationId;
import org.onosproject.net.DeviceId;
import org.onosproject.net.config.ConfigFactory;
import org.onosproject.net.config.NetworkConfigEvent;
import org.onosproject.net.config.NetworkConfigListener;
import org.onosproject.net.config.NetworkConfigRegistry;
import org.onosproject.net.config.basics.SubjectFactories;
import org.slf4j.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
    private final ConfigFactory<DeviceId, CareLaneSiteConfig> siteFactory =
            new ConfigFactory<>(SubjectFactories.DEVICE_SUBJECT_FACTORY, CareLaneSiteConfig.class,
                    CareLaneSiteConfig.KEY) {
                @Override
                public CareLaneSiteConfig createConfig() {
                    return new CareLaneSiteConfig();
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
        registry.registerConfigFactory(siteFactory);
        registry.addListener(listener);
    }

    void stop() {
        registry.removeListener(listener);
        registry.unregisterConfigFactory(siteFactory);
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
            SlicePolicy next = withSites(cfg.policy());
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
     * The national block with the sites configured in their own subjects, checked together
     * (boards, classes and each site's rates against its uplink). A site that does not parse
     * or fit is refused on its own (audited, naming devices."of:...".carelane.field): its
     * previous version stays in force, or it stays out if it had none; the rest loads.
     *
     * @throws PolicyException when the national block itself does not fit (its field named)
     */
    private SlicePolicy withSites(SlicePolicy national) {
        Optional<SlicePolicy> current = store.policy();
        List<DeviceUplink> sites = new ArrayList<>();
        for (DeviceId id : registry.getSubjects(DeviceId.class, CareLaneSiteConfig.class)) {
            CareLaneSiteConfig site = registry.getConfig(id, CareLaneSiteConfig.class);
            if (site == null) {
                continue;
            }
            try {
                sites.add(site.site());
            } catch (PolicyException e) {
                refuseSite(new PolicyException(sitePath(id) + "." + e.field(), e.reason()));
                previous(current, id).ifPresent(sites::add);
            }
        }
        if (sites.isEmpty()) {
            return national;
        }
        sites.sort(java.util.Comparator.comparing(d -> d.deviceId().toString()));
        java.util.Set<DeviceId> reverted = new java.util.HashSet<>();
        while (true) {
            SlicePolicy all = national.withSites(sites);
            try {
                PolicyValidator.validate(all);
                return all;
            } catch (PolicyException e) {
                Optional<DeviceUplink> bad = sites.stream()
                        .filter(d -> e.field().startsWith(sitePath(d.deviceId()))).findFirst();
                if (bad.isEmpty()) {
                    throw e;   // the national block's own fields
                }
                DeviceId id = bad.get().deviceId();
                refuseSite(e);
                int at = sites.indexOf(bad.get());
                Optional<DeviceUplink> before = reverted.add(id) ? previous(current, id) : Optional.empty();
                if (before.isPresent() && !before.get().equals(bad.get())) {
                    sites.set(at, before.get());
                } else {
                    sites.remove(at);
                }
            }
        }
    }

    private static String sitePath(DeviceId id) {
        return "devices.\"" + id + "\".carelane";
    }

    /** The site as the policy in force has it, if it came from its own subject. */
    private static Optional<DeviceUplink> previous(Optional<SlicePolicy> current, DeviceId id) {
        return current.flatMap(p -> p.device(id)).filter(DeviceUplink::ownSubject);
    }

    private void refuseSite(PolicyException e) {
        log.warn("CareLane netcfg site rejected, its previous version stays in force: {}", e.getMessage());
        audit.record("netcfg", "netcfg", "rejected-config", null, e.getMessage());
    }

    /**
     * Writes the store's policy to netcfg, as the JSON the store holds: the latest, so that
     * concurrent changes from several nodes converge on it. Sites configured in their own
     * subjects are written there, only those that changed, and never one deleted meanwhile.
     */
    void writeBack() {
        try {
            Optional<SlicePolicy> policy = store.policy();
            if (policy.isEmpty() || policy.get().devices().stream().noneMatch(DeviceUplink::ownSubject)) {
                store.policyJson().ifPresent(json ->
                        registry.applyConfig(appId, CareLaneConfig.class, PolicyCodec.readTree(json)));
                return;
            }
            registry.applyConfig(appId, CareLaneConfig.class, PolicyCodec.encode(policy.get().nationalBlock()));
            for (DeviceUplink d : policy.get().devices()) {
                if (!d.ownSubject()) {
                    continue;
                }
                CareLaneSiteConfig now = registry.getConfig(d.deviceId(), CareLaneSiteConfig.class);
                if (now != null && !sameSite(now, d)) {   // a subject deleted meanwhile is not brought back
                    registry.applyConfig(d.deviceId(), CareLaneSiteConfig.class, PolicyCodec.encodeSite(d));
                }
            }
        } catch (RuntimeException e) {
            log.error("CareLane could not write the change back to netcfg; a reload of netcfg would undo it", e);
        }
    }

    private static boolean sameSite(CareLaneSiteConfig config, DeviceUplink d) {
        try {
            return config.site().equals(d);
        } catch (PolicyException e) {
            return false;
        }
    }

    /** The netcfg block was removed: no policy, so the devices are cleaned (the store's event). */
    private void removed() {
        store.clearPolicy().ifPresent(before ->
                audit.record("netcfg", "netcfg", "remove-policy", PolicyCodec.encodeJson(before), null));
    }

    private final class InternalConfigListener implements NetworkConfigListener {
        @Override
        public boolean isRelevant(NetworkConfigEvent event) {
            return event.configClass().equals(CareLaneConfig.class)
                    || event.configClass().equals(CareLaneSiteConfig.class);
        }

        @Override
        public void event(NetworkConfigEvent event) {
            if (event.configClass().equals(CareLaneSiteConfig.class)) {
                // A site added, changed or removed: the policy is the national block with its sites.
                String what = "site " + event.subject() + " " + event.type().name();
                onCareLaneThread.accept(() -> load(what));
                return;
            }
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
