package org.carelane.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.AuditEntry;
import org.carelane.api.Profile;
import org.carelane.api.RateOverride;
import org.carelane.api.RateScope;
import org.carelane.config.CareLaneSiteConfig;
import org.carelane.testing.SampleConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.onosproject.net.DeviceId;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A site in its own netcfg subject, devices."of:...".carelane, next to the national block. */
class SiteNetcfgTest {
    private static final DeviceId COMMUNITY_CAV = DeviceId.deviceId("of:00000000000000b2");
    private static final Instant WED_NOON = Instant.parse("2026-01-14T12:30:00Z");
    private CareLaneTestBed bed;
    private ObjectNode site;

    @AfterEach
    void tearDown() {
        if (bed != null) {
            bed.close();
        }
    }

    /** The Wales sample with its community hospital moved from devices[] to its own subject. */
    private void start() {
        ObjectNode national = SampleConfig.wales();
        ArrayNode devices = (ArrayNode) national.get("devices");
        site = (ObjectNode) devices.remove(3);
        site.remove("deviceId");
        bed = new CareLaneTestBed(WED_NOON, national);
        assertTrue(bed.manager.policy().orElseThrow().device(COMMUNITY_CAV).isEmpty());
        bed.netcfg.pushDevice(COMMUNITY_CAV, CareLaneSiteConfig.class, site);
        settle();
    }

    /** The netcfg event's load, then the store event's reconcile, each on the CareLane thread. */
    private void settle() {
        bed.manager.awaitIdle();
        bed.manager.awaitIdle();
    }

    private long socialKbps() {
        return bed.store.installedMeters(COMMUNITY_CAV).get("social").rateKbps();
    }

    @Test
    void aSitePushedOnItsOwnJoinsThePolicyAndIsProgrammed() {
        start();
        assertTrue(bed.manager.policy().orElseThrow().device(COMMUNITY_CAV).orElseThrow().ownSubject());
        assertEquals(15_000, socialKbps(), "cav's 15% of 100 Mbit/s");
        assertEquals(3, bed.store.installedMeters(COMMUNITY_CAV).size());
    }

    @Test
    void aChangeToTheSiteIsWrittenBackToItsSubjectNotTheNationalBlock() {
        start();
        JsonNode nationalBefore = bed.netcfg.block().deepCopy();
        bed.manager.setScopedRates(RateScope.site(COMMUNITY_CAV), "social", Profile.PEAK,
                new RateOverride(null, 25.0, null, null), "alice", "rest");
        settle();
        assertEquals(25_000, socialKbps());
        JsonNode written = bed.netcfg.device(COMMUNITY_CAV);
        assertEquals(25.0, written.path("slices").path("social").path("rates").path("peak").path("maxPercent")
                .asDouble(), written.toString());
        assertFalse(written.has("deviceId"));
        JsonNode national = bed.netcfg.block();
        national.get("devices").forEach(d -> assertFalse(d.get("deviceId").asText().equals(COMMUNITY_CAV.toString()),
                national.toString()));
        assertEquals(nationalBefore.get("devices").toString(), national.get("devices").toString());
    }

    @Test
    void aSiteThatDoesNotFitIsRefusedNamingItsSubjectAndNothingChanges() {
        start();
        long version = bed.manager.policyVersion();
        ObjectNode bad = site.deepCopy();
        bad.putObject("slices").putObject("social").putObject("rates").putObject("peak").put("maxKbps", 200_000);
        bed.netcfg.pushDevice(COMMUNITY_CAV, CareLaneSiteConfig.class, bad);
        settle();
        assertEquals(version, bed.manager.policyVersion());
        assertEquals(15_000, socialKbps());
        AuditEntry last = bed.manager.audit(1).get(0);
        assertEquals("rejected-config", last.action());
        assertTrue(last.after().startsWith("devices.\"of:00000000000000b2\".carelane.slices.social.rates.peak.maxKbps"),
                last.after());
        // The refused site does not hold back a national change: it loads, the site keeps its previous version.
        ObjectNode national = bed.netcfg.block().deepCopy();
        ((ObjectNode) national.get("slices").get(2).get("rates").get("offPeak")).put("maxPercent", 70);
        bed.netcfg.push(national);
        settle();
        assertTrue(bed.manager.policyVersion() > version, "the national change loaded");
        assertEquals(15_000, socialKbps(), "the site's previous version stays in force");
        // A field the site cannot have is refused by ONOS itself, naming it.
        ObjectNode typo = site.deepCopy().put("uplinkKpbs", 5);
        assertTrue(assertThrows(RuntimeException.class, () -> bed.netcfg.pushDevice(COMMUNITY_CAV,
                CareLaneSiteConfig.class, typo)).getMessage().contains("uplinkKpbs"));
    }

    @Test
    void removingTheSitesSubjectCleansItsDevice() {
        start();
        bed.netcfg.removeDevice(COMMUNITY_CAV, CareLaneSiteConfig.class);
        settle();
        assertTrue(bed.manager.policy().orElseThrow().device(COMMUNITY_CAV).isEmpty());
        assertTrue(bed.store.installedMeters(COMMUNITY_CAV).isEmpty());
        assertTrue(bed.flows.devices(COMMUNITY_CAV).isEmpty());
    }
}
