package org.carelane.store;

import org.carelane.api.AuditEntry;
import org.carelane.api.CareLaneStore;
import org.carelane.api.InstalledMeter;
import org.carelane.api.PolicyException;
import org.carelane.api.Profile;
import org.carelane.api.ProfileOverride;
import org.carelane.api.RateScope;
import org.carelane.api.SlicePolicy;
import org.carelane.api.SliceRates;
import org.carelane.policy.PolicyCodec;
import org.carelane.testing.SampleConfig;
import org.junit.jupiter.api.Test;
import org.onosproject.net.DeviceId;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistributedCareLaneStoreTest {
    private final DistributedCareLaneStore store = TestStores.newStore();
    private final SlicePolicy sample = PolicyCodec.parse(SampleConfig.hospital());

    private static SlicePolicy withSocialMax(SlicePolicy p, long max) {
        return p.withSlice(p.slice("social").orElseThrow().withRates(Profile.OFF_PEAK, new SliceRates(max, 0)));
    }

    @Test
    void updateRetriesWhenAnotherNodeWroteInBetween() {
        store.setPolicy(sample);
        AtomicInteger calls = new AtomicInteger();
        CareLaneStore.PolicyUpdate u = store.updatePolicy(p -> {
            if (calls.getAndIncrement() == 0) {
                // another node changes the default slice between our read and our write
                store.setPolicy(p.withSlice(p.slice("default").orElseThrow()
                        .withRates(Profile.OFF_PEAK, new SliceRates(18000, 2000))));
            }
            return withSocialMax(p, 9000);
        });
        assertEquals(2, calls.get(), "the stale write was refused and retried");
        SlicePolicy now = store.policy().orElseThrow();
        assertEquals(9000, now.slice("social").orElseThrow().rates(Profile.OFF_PEAK).maxKbps());
        assertEquals(18000, now.slice("default").orElseThrow().rates(Profile.OFF_PEAK).maxKbps(),
                "the other node's change survives");
        assertTrue(u.changed());
    }

    @Test
    void failedUpdateChangesNothing() {
        store.setPolicy(sample);
        assertThrows(PolicyException.class, () -> store.updatePolicy(p -> {
            throw new PolicyException("maxKbps", "nope");
        }));
        assertEquals(sample, store.policy().orElseThrow());
        store.clearPolicy();
        assertEquals("policy", assertThrows(PolicyException.class, () -> store.updatePolicy(p -> p)).field());
    }

    @Test
    void valuesRoundTrip() {
        ProfileOverride o = new ProfileOverride(Profile.PEAK, Instant.parse("2026-01-14T13:00:00Z"), "ops", null);
        store.setOverride(o);
        assertEquals(o, store.override().orElseThrow());
        DeviceId d = DeviceId.deviceId("of:0000000000000001");
        Map<String, InstalledMeter> m = Map.of("social", new InstalledMeter(2, 4000, 400));
        store.setInstalledMeters(d, m);
        assertEquals(m, store.installedMeters(d));
        assertEquals(List.of(d), store.devicesWithMeters());
        store.setInstalledMeters(d, Map.of());
        assertTrue(store.devicesWithMeters().isEmpty());
        store.clearOverride();
        assertFalse(store.override().isPresent());
    }

    @Test
    void auditIsSequencedAndTrimmed() {
        for (int i = 0; i < DistributedCareLaneStore.AUDIT_CAPACITY + 5; i++) {
            store.appendAudit(new AuditEntry(0, Instant.EPOCH, "u", "rest", "a" + i, null, "x"));
        }
        List<AuditEntry> all = store.audit(Integer.MAX_VALUE);
        assertEquals(DistributedCareLaneStore.AUDIT_CAPACITY, all.size());
        assertEquals(6, all.get(0).seq());
        assertEquals("a" + (DistributedCareLaneStore.AUDIT_CAPACITY + 4), all.get(all.size() - 1).action());
        assertEquals(3, store.audit(3).size());
    }

    @Test
    void scopedOverridesAreOneDocumentEachChangeAnOverrideEventAndExpectedGuardsTheRemoval() {
        List<String> events = new java.util.ArrayList<>();
        store.setDelegate(e -> events.add(e.type() + " " + e.subject()));
        RateScope cav = RateScope.board("cav");
        RateScope site = RateScope.site(DeviceId.deviceId("of:00000000000000b1"));
        ProfileOverride peak = new ProfileOverride(Profile.PEAK, Instant.parse("2026-01-14T11:00:00Z"), "alice",
                "staff event");
        ProfileOverride off = new ProfileOverride(Profile.OFF_PEAK, Instant.parse("2026-01-14T10:40:00Z"), "bob",
                null);
        assertTrue(store.setScopedOverride(cav, peak, null));
        assertFalse(store.setScopedOverride(cav, peak, null), "the same again changes nothing");
        assertTrue(store.setScopedOverride(site, off, null));
        assertEquals(Map.of(cav, peak, site, off), store.scopedOverrides());
        assertFalse(store.setScopedOverride(cav, null, off), "not removed: it is no longer what was expected");
        assertTrue(store.setScopedOverride(cav, null, peak));
        assertEquals(Map.of(site, off), store.scopedOverrides());
        assertEquals(List.of("OVERRIDE_CHANGED override", "OVERRIDE_CHANGED override",
                "OVERRIDE_CHANGED override"), events);
        assertEquals(RateScope.siteClass("gp-practice"), RateScope.ofKey(RateScope.siteClass("gp-practice").key()));
    }

    @Test
    void aQueueProfileIsWrittenOnlyWhenItChangesAndEveryChangeIsAnEvent() {
        List<String> events = new java.util.ArrayList<>();
        store.setDelegate(e -> events.add(e.type() + " " + e.subject()));
        DeviceId gw = DeviceId.deviceId("of:0000000000000001");
        store.setQueueProfile(gw, java.util.Optional.of(Profile.PEAK));
        store.setQueueProfile(gw, java.util.Optional.of(Profile.PEAK));
        store.setQueueProfile(gw, java.util.Optional.of(Profile.OFF_PEAK));
        store.setQueueProfile(gw, java.util.Optional.empty());
        store.setQueueProfile(gw, java.util.Optional.empty());
        assertEquals(List.of("QUEUES_WANTED of:0000000000000001", "QUEUES_WANTED of:0000000000000001",
                "QUEUES_WANTED of:0000000000000001"), events);
        assertEquals(Map.of(), store.queueProfiles());
    }

    @Test
    void aQueueStatusSurvivesTheStoreAsItWasRecorded() {
        DeviceId gw = DeviceId.deviceId("of:0000000000000001");
        var applied = new org.carelane.api.DeviceStatus.Queues("APPLIED", null, DeviceId.deviceId("ovsdb:10.0.0.1"),
                "gw-eth1", "carelane-1-x", List.of(new org.carelane.api.DeviceStatus.Queue(2, "social", 4000, 6000,
                1800)));
        var failed = new org.carelane.api.DeviceStatus.Queues("FAILED", "OVSDB did not answer", null, null, null,
                List.of());
        store.setQueueStatus(gw, java.util.Optional.of(applied));
        assertEquals(java.util.Optional.of(applied), store.queueStatus(gw));
        store.setQueueStatus(gw, java.util.Optional.of(failed));
        assertEquals(java.util.Optional.of(failed), store.queueStatus(gw));
        assertEquals(java.util.Set.of(gw), store.devicesWithQueueStatus());
        store.setQueueStatus(gw, java.util.Optional.empty());
        assertEquals(java.util.Set.of(), store.devicesWithQueueStatus());
    }
}
