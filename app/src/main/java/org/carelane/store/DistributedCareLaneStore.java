package org.carelane.store;

import org.carelane.api.AuditEntry;
import org.carelane.api.CareLaneStore;
import org.carelane.api.CareLaneStoreDelegate;
import org.carelane.api.CareLaneStoreEvent;
import org.carelane.api.DeviceStatus;
import org.carelane.api.InstalledMeter;
import org.carelane.api.PolicyException;
import org.carelane.api.Profile;
import org.carelane.api.ProfileOverride;
import org.carelane.api.RateScope;
import org.carelane.api.ShadowGeneration;
import org.carelane.api.SlicePolicy;
import org.carelane.policy.PolicyCodec;
import org.onosproject.net.DeviceId;
import org.onosproject.store.AbstractStore;
import org.onosproject.store.serializers.KryoNamespaces;
import org.onosproject.store.service.AtomicCounter;
import org.onosproject.store.service.ConsistentMap;
import org.onosproject.store.service.MapEvent;
import org.onosproject.store.service.MapEventListener;
import org.onosproject.store.service.Serializer;
import org.onosproject.store.service.StorageService;
import org.onosproject.store.service.Versioned;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * CareLane state in ONOS ConsistentMaps, shared by the cluster. A listener on the state map
 * tells this node's delegate of every policy and override change, made on any node.
 */
@Component(immediate = true, service = CareLaneStore.class)
public class DistributedCareLaneStore extends AbstractStore<CareLaneStoreEvent, CareLaneStoreDelegate>
        implements CareLaneStore {
    /** Audit entries kept; older ones are trimmed. */
    public static final int AUDIT_CAPACITY = 2000;
    private static final String POLICY = "policy";
    private static final String OVERRIDE = "override";
    /** The overrides of boards, site classes and sites, in one document. */
    private static final String SCOPED_OVERRIDES = "scoped-overrides";
    private static final String PROFILE = "profile";
    private static final String WRITE_BACK = "netcfg-write-back";

    @Reference(cardinality = ReferenceCardinality.MANDATORY)
    protected StorageService storageService;

    private ConsistentMap<String, String> state;
    private ConsistentMap<String, String> meters;
    private ConsistentMap<String, String> stagedMeters;
    private ConsistentMap<String, String> shadows;
    private ConsistentMap<String, Integer> bands;
    private ConsistentMap<Long, String> auditLog;
    private ConsistentMap<String, String> queueProfiles;
    private ConsistentMap<String, String> queueStatus;
    private AtomicCounter auditSeq;
    private final MapEventListener<String, String> stateListener = this::stateChanged;
    private final MapEventListener<String, String> queuesListener = event -> notifyDelegate(
            new CareLaneStoreEvent(CareLaneStoreEvent.Type.QUEUES_WANTED, event.key()));

    @Activate
    protected void activate() {
        Serializer serializer = Serializer.using(KryoNamespaces.BASIC);
        state = storageService.<String, String>consistentMapBuilder()
                .withName("carelane-state").withSerializer(serializer).build();
        meters = storageService.<String, String>consistentMapBuilder()
                .withName("carelane-meters").withSerializer(serializer).build();
        stagedMeters = storageService.<String, String>consistentMapBuilder()
                .withName("carelane-staged-meters").withSerializer(serializer).build();
        shadows = storageService.<String, String>consistentMapBuilder()
                .withName("carelane-shadows").withSerializer(serializer).build();
        bands = storageService.<String, Integer>consistentMapBuilder()
                .withName("carelane-bands").withSerializer(serializer).build();
        auditLog = storageService.<Long, String>consistentMapBuilder()
                .withName("carelane-audit").withSerializer(serializer).build();
        queueProfiles = storageService.<String, String>consistentMapBuilder()
                .withName("carelane-queue-profiles").withSerializer(serializer).build();
        queueStatus = storageService.<String, String>consistentMapBuilder()
                .withName("carelane-queue-status").withSerializer(serializer).build();
        auditSeq = storageService.atomicCounterBuilder().withName("carelane-audit-seq").build()
                .asAtomicCounter();
        state.addListener(stateListener);
        queueProfiles.addListener(queuesListener);
    }

    @Deactivate
    protected void deactivate() {
        queueProfiles.removeListener(queuesListener);
        state.removeListener(stateListener);
    }

    /** Runs on ONOS's store event thread: the delegate must only hand the event on. */
    private void stateChanged(MapEvent<String, String> event) {
        if (POLICY.equals(event.key())) {
            notifyDelegate(new CareLaneStoreEvent(CareLaneStoreEvent.Type.POLICY_CHANGED, POLICY));
        } else if (OVERRIDE.equals(event.key()) || SCOPED_OVERRIDES.equals(event.key())) {
            notifyDelegate(new CareLaneStoreEvent(CareLaneStoreEvent.Type.OVERRIDE_CHANGED, OVERRIDE));
        }
    }

    /** Reads are frequent, changes rare: PolicyCodec recognises the JSON it last encoded or parsed. */
    @Override
    public Optional<SlicePolicy> policy() {
        return value(state.get(POLICY)).map(PolicyCodec::parse);
    }

    @Override
    public Optional<String> policyJson() {
        return value(state.get(POLICY));
    }

    @Override
    public long policyVersion() {
        Versioned<String> current = state.get(POLICY);
        return current == null ? 0 : current.version();
    }

    @Override
    public void setPolicy(SlicePolicy policy) {
        state.put(POLICY, PolicyCodec.encodeJson(policy));
    }

    @Override
    public PolicyUpdate updatePolicy(UnaryOperator<SlicePolicy> change) {
        return compareAndSetPolicy(before -> {
            if (before == null) {
                throw new PolicyException("policy", "no CareLane policy configured; push the netcfg first");
            }
            return change.apply(before);
        });
    }

    @Override
    public PolicyUpdate replacePolicy(SlicePolicy next) {
        return compareAndSetPolicy(before -> next);
    }

    /**
     * Writes {@code change.apply(current)} (current is null when there is no policy) only if
     * no other node wrote in between, retrying otherwise; equal policies are not rewritten.
     */
    private PolicyUpdate compareAndSetPolicy(UnaryOperator<SlicePolicy> change) {
        while (true) {
            Versioned<String> current = state.get(POLICY);
            SlicePolicy before = current == null ? null : PolicyCodec.parse(current.value());
            SlicePolicy after = change.apply(before);
            String beforeJson = current == null ? null : current.value();
            if (after.equals(before)) {
                return new PolicyUpdate(before, after, beforeJson, beforeJson);
            }
            String json = PolicyCodec.encodeJson(after);
            boolean written = current == null ? state.putIfAbsent(POLICY, json) == null
                    : state.replace(POLICY, current.version(), json);
            if (written) {
                return new PolicyUpdate(before, after, beforeJson, json);
            }
        }
    }

    @Override
    public Optional<SlicePolicy> clearPolicy() {
        return value(state.remove(POLICY)).map(PolicyCodec::parse);
    }

    @Override
    public boolean recordProfile(Profile profile) {
        while (true) {
            Versioned<String> current = state.get(PROFILE);
            if (current == null) {
                if (state.putIfAbsent(PROFILE, profile.jsonName()) == null) {
                    return true;
                }
            } else if (current.value().equals(profile.jsonName())) {
                return false;
            } else if (state.replace(PROFILE, current.version(), profile.jsonName())) {
                return true;
            }
        }
    }

    @Override
    public Optional<Profile> recordedProfile() {
        return value(state.get(PROFILE)).map(Profile::parse);
    }

    @Override
    public boolean clearOverride(ProfileOverride expected) {
        return state.remove(OVERRIDE, StoreCodec.override(expected));
    }

    @Override
    public Map<RateScope, ProfileOverride> scopedOverrides() {
        return value(state.get(SCOPED_OVERRIDES)).map(StoreCodec::scopedOverrides).orElse(Map.of());
    }

    @Override
    public boolean setScopedOverride(RateScope scope, ProfileOverride override, ProfileOverride expected) {
        while (true) {
            Versioned<String> current = state.get(SCOPED_OVERRIDES);
            Map<RateScope, ProfileOverride> all = new LinkedHashMap<>(current == null ? Map.of()
                    : StoreCodec.scopedOverrides(current.value()));
            if (expected != null && !expected.equals(all.get(scope))) {
                return false;
            }
            ProfileOverride before = override == null ? all.remove(scope) : all.put(scope, override);
            if (java.util.Objects.equals(before, override)) {
                return false;
            }
            String json = StoreCodec.scopedOverrides(all);
            boolean written = current == null ? state.putIfAbsent(SCOPED_OVERRIDES, json) == null
                    : state.replace(SCOPED_OVERRIDES, current.version(), json);
            if (written) {
                return true;
            }
        }
    }

    @Override
    public Optional<ProfileOverride> override() {
        return value(state.get(OVERRIDE)).map(StoreCodec::override);
    }

    @Override
    public void setOverride(ProfileOverride override) {
        state.put(OVERRIDE, StoreCodec.override(override));
    }

    @Override
    public void clearOverride() {
        state.remove(OVERRIDE);
    }

    @Override
    public Map<String, InstalledMeter> installedMeters(DeviceId device) {
        return readMeters(meters, device);
    }

    @Override
    public Map<String, InstalledMeter> stagedMeters(DeviceId device) {
        return readMeters(stagedMeters, device);
    }

    @Override
    public void setStagedMeters(DeviceId device, Map<String, InstalledMeter> staged) {
        writeMeters(stagedMeters, device, staged);
    }

    private static Map<String, InstalledMeter> readMeters(ConsistentMap<String, String> map, DeviceId device) {
        return value(map.get(device.toString())).map(StoreCodec::meters).orElse(Map.of());
    }

    /** An empty map removes the device's entry. */
    private static void writeMeters(ConsistentMap<String, String> map, DeviceId device,
                                    Map<String, InstalledMeter> meters) {
        if (meters.isEmpty()) {
            map.remove(device.toString());
        } else {
            map.put(device.toString(), StoreCodec.meters(meters));
        }
    }

    @Override
    public Optional<ShadowGeneration> shadow(DeviceId device) {
        return value(shadows.get(device.toString())).map(ShadowGeneration::decode);
    }

    @Override
    public void setShadow(DeviceId device, ShadowGeneration shadow) {
        if (shadow == null) {
            shadows.remove(device.toString());
        } else {
            shadows.put(device.toString(), shadow.encode());
        }
    }

    @Override
    public List<DeviceId> devicesWithMeters() {
        return meters.keySet().stream().map(DeviceId::deviceId).sorted(Comparator.comparing(DeviceId::toString))
                .collect(Collectors.toList());
    }

    @Override
    public void setInstalledMeters(DeviceId device, Map<String, InstalledMeter> installed) {
        writeMeters(meters, device, installed);
    }

    @Override
    public void markWriteBack(java.time.Instant until) {
        state.put(WRITE_BACK, until.toString());
    }

    @Override
    public void clearWriteBack() {
        state.remove(WRITE_BACK);
    }

    @Override
    public Optional<java.time.Instant> writeBackUntil() {
        return value(state.get(WRITE_BACK)).map(java.time.Instant::parse);
    }

    @Override
    public java.util.OptionalInt ruleBand(DeviceId device) {
        Versioned<Integer> band = bands.get(device.toString());
        return band == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(band.value());
    }

    @Override
    public void setRuleBand(DeviceId device, java.util.OptionalInt band) {
        if (band.isPresent()) {
            bands.put(device.toString(), band.getAsInt());
        } else {
            bands.remove(device.toString());
        }
    }

    @Override
    public Optional<Profile> queueProfile(DeviceId device) {
        return value(queueProfiles.get(device.toString())).map(Profile::parse);
    }

    @Override
    public Map<DeviceId, Profile> queueProfiles() {
        Map<DeviceId, Profile> out = new LinkedHashMap<>();
        queueProfiles.entrySet().forEach(e -> out.put(DeviceId.deviceId(e.getKey()),
                Profile.parse(e.getValue().value())));
        return out;
    }

    @Override
    public void setQueueProfile(DeviceId device, Optional<Profile> profile) {
        String key = device.toString();
        if (profile.isEmpty()) {
            if (queueProfiles.containsKey(key)) {
                queueProfiles.remove(key);
            }
        } else if (!value(queueProfiles.get(key)).equals(Optional.of(profile.get().jsonName()))) {
            queueProfiles.put(key, profile.get().jsonName());
        }
    }

    @Override
    public Optional<DeviceStatus.Queues> queueStatus(DeviceId device) {
        return value(queueStatus.get(device.toString())).map(StoreCodec::queues);
    }

    @Override
    public Set<DeviceId> devicesWithQueueStatus() {
        return queueStatus.keySet().stream().map(DeviceId::deviceId).collect(Collectors.toSet());
    }

    @Override
    public void setQueueStatus(DeviceId device, Optional<DeviceStatus.Queues> status) {
        if (status.isEmpty()) {
            queueStatus.remove(device.toString());
        } else {
            queueStatus.put(device.toString(), StoreCodec.queues(status.get()));
        }
    }

    @Override
    public AuditEntry appendAudit(AuditEntry entry) {
        long seq = auditSeq.incrementAndGet();
        AuditEntry stored = new AuditEntry(seq, entry.time(), entry.user(), entry.source(), entry.action(),
                entry.before(), entry.after());
        auditLog.put(seq, StoreCodec.audit(stored));
        auditLog.remove(seq - AUDIT_CAPACITY);
        return stored;
    }

    @Override
    public List<AuditEntry> audit(int max) {
        List<AuditEntry> out = new ArrayList<>();
        auditLog.values().forEach(v -> out.add(StoreCodec.audit(v.value())));
        out.sort(Comparator.comparingLong(AuditEntry::seq));
        return out.subList(Math.max(0, out.size() - max), out.size());
    }

    private static Optional<String> value(Versioned<String> versioned) {
        return Optional.ofNullable(versioned).map(Versioned::value);
    }
}
