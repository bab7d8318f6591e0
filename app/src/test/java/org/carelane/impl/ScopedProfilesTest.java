package org.carelane.impl;

import com.fasterxml.jackson.databind.JsonNode;
import org.carelane.api.PeakSchedule;
import org.carelane.api.PolicyException;
import org.carelane.api.Profile;
import org.carelane.api.RateScope;
import org.carelane.testing.SampleConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.onosproject.net.DeviceId;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A board, site class or site with its own lunch window switches on its own boundaries, and its own
 * override forces its devices only (wales-netcfg.json).
 */
class ScopedProfilesTest {
    private static final DeviceId GP_BCUHB = DeviceId.deviceId("of:00000000000000a1");
    private static final DeviceId HOSPITAL = DeviceId.deviceId("of:00000000000000a2");
    private static final DeviceId GP_CAV = DeviceId.deviceId("of:00000000000000b1");
    private static final DeviceId COMMUNITY_CAV = DeviceId.deviceId("of:00000000000000b2");
    /** Wednesday 10:00 in London (GMT in January). */
    private static final Instant WED_TEN = Instant.parse("2026-01-14T10:00:00Z");
    private static final PeakSchedule TEN_TO_ELEVEN = new PeakSchedule(ZoneId.of("Europe/London"),
            LocalTime.of(10, 0), LocalTime.of(11, 0), EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY));
    private CareLaneTestBed bed;

    @AfterEach
    void tearDown() {
        if (bed != null) {
            bed.close();
        }
    }

    private void start(Instant at) {
        bed = new CareLaneTestBed(at, SampleConfig.wales());
    }

    private long socialKbps(DeviceId id) {
        return bed.store.installedMeters(id).get("social").rateKbps();
    }

    private String profileOf(DeviceId id) {
        for (JsonNode d : StatusJson.of(bed.manager).get("devices")) {
            if (d.path("deviceId").asText().equals(id.toString())) {
                return d.path("sync").path("profile").asText();
            }
        }
        throw new AssertionError("no status for " + id);
    }

    private Map<DeviceId, Integer> ops() {
        Map<DeviceId, Integer> out = new java.util.HashMap<>(bed.flows.opsByDevice);
        bed.meters.opsByDevice.forEach((id, n) -> out.merge(id, n, Integer::sum));
        return out;
    }

    @Test
    void aBoardsOwnLunchWindowSwitchesOnlyThatBoardsDevicesAtItsBoundary() {
        start(WED_TEN.minusMillis(400));
        assertEquals(7500, socialKbps(GP_CAV), "off-peak: 75% of 10 Mbit/s");
        assertEquals(30_000, bed.manager.nextCheckDelayMillis(), "nationally, nothing changes before 12:00");
        bed.manager.setScopedSchedule(RateScope.board("cav"), TEN_TO_ELEVEN, "alice", "rest");
        assertEquals("offPeak", profileOf(GP_CAV), "not yet");
        assertEquals(400, bed.manager.nextCheckDelayMillis(), "wakes at cav's boundary, 10:00:00.000");
        assertTrue(bed.manager.audit(1).get(0).action().contains("set-schedule board 'cav'"),
                bed.manager.audit(1).get(0).action());

        Map<DeviceId, Integer> before = ops();
        bed.clock.set(WED_TEN);
        bed.manager.evaluateNow();
        assertEquals("peak", profileOf(GP_CAV));
        assertEquals("peak", profileOf(COMMUNITY_CAV));
        assertEquals(1500, socialKbps(GP_CAV), "cav's peak cap, 15% of 10 Mbit/s");
        assertEquals(15_000, socialKbps(COMMUNITY_CAV));
        assertEquals("offPeak", profileOf(GP_BCUHB));
        assertEquals("offPeak", profileOf(HOSPITAL));
        Map<DeviceId, Integer> after = ops();
        assertEquals(before.get(GP_BCUHB), after.get(GP_BCUHB), "no operation on the other board");
        assertEquals(before.get(HOSPITAL), after.get(HOSPITAL));
        assertEquals("offPeak", bed.manager.activeProfile().jsonName(), "the national profile stays");
        String metrics = bed.manager.metrics();
        assertTrue(metrics.contains("carelane_device_profile{device=\"of:00000000000000b1\",board=\"cav\","
                + "site_class=\"gp-practice\",profile=\"peak\"} 1\n"), metrics);
        assertTrue(metrics.contains("carelane_device_profile{device=\"of:00000000000000a1\",board=\"bcuhb\","
                + "site_class=\"gp-practice\",profile=\"offPeak\"} 1\n"), metrics);
        assertTrue(metrics.contains("carelane_slice_max_rate_bytes_per_second{device=\"of:00000000000000b1\","
                + "board=\"cav\",site_class=\"gp-practice\",slice=\"social\"} 187500"), "cav's GP at its peak cap, "
                + "1500 kbit/s, while the national profile is off-peak: " + metrics);
        assertEquals(Reconciler.MAX_SLEEP.toMillis(), bed.manager.nextCheckDelayMillis(),
                "then capped sleeps towards 11:00");

        bed.clock.set(WED_TEN.plusSeconds(3600));
        bed.manager.evaluateNow();
        assertEquals("offPeak", profileOf(GP_CAV), "cav's window ends at 11:00");
        assertEquals(7500, socialKbps(GP_CAV));
    }

    @Test
    void aSiteScheduleOutranksItsBoardsAndInheritingGoesBackToTheBoards() {
        start(WED_TEN.plusSeconds(1800));
        bed.manager.setScopedSchedule(RateScope.board("cav"), TEN_TO_ELEVEN, "alice", "rest");
        assertEquals("peak", profileOf(GP_CAV));
        PeakSchedule earlyMorning = new PeakSchedule(ZoneId.of("Europe/London"), LocalTime.of(7, 0),
                LocalTime.of(8, 0), EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY));
        bed.manager.setScopedSchedule(RateScope.site(GP_CAV), earlyMorning, "alice", "cli");
        assertEquals("offPeak", profileOf(GP_CAV), "the site's own window is 07:00-08:00");
        assertEquals("peak", profileOf(COMMUNITY_CAV), "its board's other site keeps the board's");
        var effective = bed.manager.policy().orElseThrow().forDevice(GP_CAV).orElseThrow();
        assertEquals("site of:00000000000000b1", effective.scheduleSource().scope());
        assertEquals("devices[2].schedule", effective.scheduleSource().field());
        assertTrue(effective.policy().schedule().holidays().contains(java.time.LocalDate.parse("2026-12-25")),
                "a scope's schedule keeps the national holidays");

        bed.manager.setScopedSchedule(RateScope.site(GP_CAV), null, "alice", "cli");
        assertEquals("peak", profileOf(GP_CAV), "back to its board's window");
        assertEquals("board 'cav'", bed.manager.policy().orElseThrow().forDevice(GP_CAV).orElseThrow()
                .scheduleSource().scope());
    }

    @Test
    void anUnknownBoardIsRefusedNamingTheFieldAndNothingChanges() {
        start(WED_TEN);
        long version = bed.manager.policyVersion();
        PolicyException e = assertThrows(PolicyException.class, () -> bed.manager.setScopedSchedule(
                RateScope.board("nowhere"), TEN_TO_ELEVEN, "alice", "rest"));
        assertEquals("board", e.field());
        assertEquals(version, bed.manager.policyVersion());
        assertEquals("scope", assertThrows(PolicyException.class, () -> bed.manager.setScopedSchedule(
                RateScope.NATIONAL, TEN_TO_ELEVEN, "alice", "rest")).field());
    }

    @Test
    void aBoardsOverrideForcesOnlyItsSitesASiteOverrideOutranksItAndBothExpire() {
        start(WED_TEN.plusSeconds(1800));   // 10:30: off-peak everywhere
        Map<DeviceId, Integer> before = ops();
        bed.manager.setScopedOverride(RateScope.board("cav"), Profile.PEAK, WED_TEN.plusSeconds(3600), "alice",
                "staff event", "rest");
        assertEquals("peak", profileOf(GP_CAV));
        assertEquals("peak", profileOf(COMMUNITY_CAV));
        assertEquals(1500, socialKbps(GP_CAV));
        assertEquals("offPeak", profileOf(GP_BCUHB));
        assertEquals(before.get(GP_BCUHB), ops().get(GP_BCUHB), "no operation on the other board");
        assertEquals("set-override board 'cav'", bed.manager.audit(1).get(0).action());
        bed.clock.set(WED_TEN.plusSeconds(3600).minusMillis(400));
        assertEquals(400, bed.manager.nextCheckDelayMillis(), "wakes at the board override's expiry, 11:00");
        bed.clock.set(WED_TEN.plusSeconds(1800));

        bed.manager.setScopedOverride(RateScope.site(GP_CAV), Profile.OFF_PEAK, WED_TEN.plusSeconds(2400), "bob",
                null, "cli");
        assertEquals("offPeak", profileOf(GP_CAV), "the site's own override outranks its board's");
        assertEquals("peak", profileOf(COMMUNITY_CAV));
        bed.manager.setOverride(Profile.OFF_PEAK, WED_TEN.plusSeconds(7200), "carol", "incident", "rest");
        assertEquals("peak", profileOf(COMMUNITY_CAV), "a board's override outranks the national one");
        bed.manager.setOverride(Profile.PEAK, WED_TEN.plusSeconds(7200), "carol", "incident", "rest");
        assertEquals("peak", profileOf(HOSPITAL), "the national override holds where no scope has its own");
        assertEquals("offPeak", profileOf(GP_CAV), "and a site's own outranks it");
        bed.manager.clearOverride("carol", "rest");
        assertEquals("offPeak", profileOf(HOSPITAL));

        bed.clock.set(WED_TEN.plusSeconds(2400));
        bed.manager.evaluateNow();
        assertEquals("peak", profileOf(GP_CAV), "the site's override ended: its board's holds again");
        bed.clock.set(WED_TEN.plusSeconds(3600));
        bed.manager.evaluateNow();
        assertEquals("offPeak", profileOf(GP_CAV));
        assertEquals("offPeak", profileOf(COMMUNITY_CAV));
        assertEquals(7500, socialKbps(GP_CAV));
        assertTrue(bed.manager.scopedOverrides().isEmpty(), "expired overrides are cleared");
        assertTrue(bed.manager.audit(5).stream().anyMatch(a -> a.action().equals("override-expired board 'cav'")));
    }

    @Test
    void aScopedOverrideNamesWhatIsWrongAndChangesNothing() {
        start(WED_TEN);
        long version = bed.manager.policyVersion();
        int audits = bed.manager.audit(100).size();
        assertEquals("board", assertThrows(PolicyException.class, () -> bed.manager.setScopedOverride(
                RateScope.board("powys"), Profile.PEAK, WED_TEN.plusSeconds(60), "alice", null, "rest")).field());
        assertEquals("device", assertThrows(PolicyException.class, () -> bed.manager.setScopedOverride(
                RateScope.site(DeviceId.deviceId("of:00000000000000ff")), Profile.PEAK, WED_TEN.plusSeconds(60),
                "alice", null, "rest")).field());
        assertEquals("expiresAt", assertThrows(PolicyException.class, () -> bed.manager.setScopedOverride(
                RateScope.board("cav"), Profile.PEAK, WED_TEN, "alice", null, "rest")).field());
        assertTrue(bed.manager.scopedOverrides().isEmpty());
        assertEquals(false, bed.manager.clearScopedOverride(RateScope.board("cav"), "alice", "rest"));
        assertEquals("board", assertThrows(PolicyException.class, () -> bed.manager.clearScopedOverride(
                RateScope.board("powys"), "alice", "rest")).field());
        assertEquals(version, bed.manager.policyVersion());
        assertEquals(audits, bed.manager.audit(100).size(), "nothing audited");
    }
}
