package org.carelane.impl;

import org.carelane.api.PolicyException;
import org.carelane.api.Profile;
import org.carelane.api.RateOverride;
import org.carelane.api.RateScope;
import org.carelane.api.Steering;
import org.carelane.testing.SampleConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.onosproject.net.DeviceId;
import org.onosproject.net.PortNumber;

import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rates changed at a board, a site class or one site reach exactly those devices (wales-netcfg.json). */
class ScopedRatesTest {
    private static final DeviceId GP_BCUHB = DeviceId.deviceId("of:00000000000000a1");
    private static final DeviceId HOSPITAL = DeviceId.deviceId("of:00000000000000a2");
    private static final DeviceId GP_CAV = DeviceId.deviceId("of:00000000000000b1");
    private static final DeviceId COMMUNITY_CAV = DeviceId.deviceId("of:00000000000000b2");
    private static final Instant WED_NOON = Instant.parse("2026-01-14T12:30:00Z");
    private CareLaneTestBed bed;

    @AfterEach
    void tearDown() {
        if (bed != null) {
            bed.close();
        }
    }

    private void start() {
        bed = new CareLaneTestBed(WED_NOON, SampleConfig.wales());
    }

    private long meterKbps(DeviceId id, String slice) {
        return bed.store.installedMeters(id).get(slice).rateKbps();
    }

    private Map<DeviceId, Integer> ops() {
        Map<DeviceId, Integer> out = new java.util.HashMap<>(bed.flows.opsByDevice);
        bed.meters.opsByDevice.forEach((id, n) -> out.merge(id, n, Integer::sum));
        return out;
    }

    @Test
    void eachDevicesMetersFollowItsOwnEffectivePolicy() {
        start();
        assertEquals(Profile.PEAK, bed.manager.activeProfile());
        assertEquals(1000, meterKbps(GP_BCUHB, "social"));         // 10% of 10 Mbit/s
        assertEquals(300_000, meterKbps(HOSPITAL, "social"));      // the site's 30% of 1 Gbit/s
        assertEquals(1500, meterKbps(GP_CAV, "social"));           // its board's 15%
        assertEquals(15_000, meterKbps(COMMUNITY_CAV, "social"));
        assertEquals(10_000, meterKbps(GP_BCUHB, "clinical"));
        assertEquals(1_000_000, meterKbps(HOSPITAL, "clinical"));
    }

    @Test
    void aOneSiteChangeTouchesOnlyThatSite() {
        start();
        Map<DeviceId, Integer> before = ops();
        long attempts = bed.manager.attemptsStarted();
        bed.manager.setScopedRates(RateScope.site(HOSPITAL), "social", Profile.PEAK,
                new RateOverride(null, 40.0, null, null), "alice", "rest");
        assertEquals(400_000, meterKbps(HOSPITAL, "social"));
        assertEquals(attempts + 1, bed.manager.attemptsStarted(), "the other sites need no attempt at all");
        Map<DeviceId, Integer> after = ops();
        for (DeviceId other : new DeviceId[] {GP_BCUHB, GP_CAV, COMMUNITY_CAV}) {
            assertEquals(before.get(other), after.get(other), "no flow or meter operation on " + other);
        }
        assertTrue(after.get(HOSPITAL) > before.get(HOSPITAL));
        assertTrue(bed.manager.audit(1).get(0).action().contains("site of:00000000000000a2"),
                bed.manager.audit(1).get(0).action());
    }

    @Test
    void aBoardChangeReachesExactlyThatBoardsDevices() {
        start();
        Map<DeviceId, Integer> before = ops();
        long attempts = bed.manager.attemptsStarted();
        bed.manager.setScopedRates(RateScope.board("cav"), "social", Profile.PEAK,
                new RateOverride(null, 20.0, null, null), "alice", "cli");
        assertEquals(attempts + 2, bed.manager.attemptsStarted(), "an attempt on each of cav's two sites only");
        assertEquals(2000, meterKbps(GP_CAV, "social"));
        assertEquals(20_000, meterKbps(COMMUNITY_CAV, "social"));
        Map<DeviceId, Integer> after = ops();
        assertEquals(before.get(GP_BCUHB), after.get(GP_BCUHB));
        assertEquals(before.get(HOSPITAL), after.get(HOSPITAL));
        // Back to the national 10%.
        bed.manager.setScopedRates(RateScope.board("cav"), "social", Profile.PEAK, null, "alice", "cli");
        assertEquals(1000, meterKbps(GP_CAV, "social"));
    }

    /**
     * Each meter submit is several round trips to ONOS's distributed store: at 300 sites a board
     * of 43 queued them one device after another (about 90 ms each), so the attempts of a
     * change start on several threads and their submits overlap.
     */
    @Test
    void theSitesOfABoardChangeSubmitTheirMetersAtTheSameTime() {
        start();
        bed.meters.submitMillis = 300;
        bed.meters.mostSubmitsAtOnce.set(0);
        bed.manager.setScopedRates(RateScope.board("cav"), "social", Profile.PEAK,
                new RateOverride(null, 20.0, null, null), "alice", "rest");
        assertEquals(2000, meterKbps(GP_CAV, "social"));
        assertEquals(20_000, meterKbps(COMMUNITY_CAV, "social"));
        assertTrue(bed.meters.mostSubmitsAtOnce.get() > 1, "submits one at a time: "
                + bed.meters.mostSubmitsAtOnce.get());
    }

    @Test
    void statusSumsUpByBoardAndMetricsCarryBoardAndClass() {
        start();
        var boards = StatusJson.of(bed.manager).get("boards");
        assertEquals(2, boards.get("cav").get("devices").asInt(), boards.toString());
        assertEquals(2, boards.get("cav").get("inSync").asInt(), boards.toString());
        assertEquals(2, boards.get("bcuhb").get("inSync").asInt(), boards.toString());
        String metrics = bed.manager.metrics();
        assertTrue(metrics.contains("carelane_slice_max_rate_bytes_per_second{device=\"of:00000000000000b1\","
                + "board=\"cav\",site_class=\"gp-practice\",slice=\"social\"} 187500"), metrics);
    }

    /** With a bound on attempts in flight, a national change reaches the devices a few at a time. */
    @Test
    void aBoundOnAttemptsInFlightHoldsTheRestBack() throws Exception {
        start();
        bed.manager.setProgramTimeout(java.time.Duration.ofSeconds(2));
        bed.manager.boundInFlight(1);
        bed.flows.stallBatches = true;   // the first attempt hangs (until its timeout): the others wait for it
        Map<DeviceId, Integer> before = ops();
        // Default is national on every device: each one's default meter changes.
        bed.manager.setRates("default", Profile.PEAK, org.carelane.api.SliceRates.of(null, 90.0, null, null),
                "alice", "rest");
        bed.manager.awaitIdle();
        Map<DeviceId, Integer> after = ops();
        long touched = after.keySet().stream().filter(id -> !after.get(id).equals(before.get(id))).count();
        assertEquals(1, touched, "one device at a time: " + before + " -> " + after);
        var states = org.carelane.impl.StatusJson.of(bed.manager).get("devices");
        int pending = 0;
        for (var d : states) {
            pending += "PENDING".equals(d.path("sync").path("state").asText()) ? 1 : 0;
        }
        assertEquals(4, pending, "the one under way and three queued show PENDING");
        var work = org.carelane.impl.StatusJson.of(bed.manager).get("work");
        assertEquals(3, work.get("queued").asInt(), work.toString());
        assertEquals(1, work.get("inFlight").asInt(), work.toString());
        String metrics = bed.manager.metrics();
        assertTrue(metrics.contains("carelane_work{state=\"queued\"} 3\n"), metrics);
        assertTrue(metrics.contains("carelane_work{state=\"in_flight\"} 1\n"), metrics);
        bed.flows.stallBatches = false;
        long version = bed.manager.policyVersion();
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && !allInSync(version)) {
            Thread.sleep(50);
        }
        assertTrue(allInSync(version), "the queue drains: " + org.carelane.impl.StatusJson.of(bed.manager));
        assertEquals(9000, meterKbps(GP_BCUHB, "default"));
        assertEquals(900_000, meterKbps(HOSPITAL, "default"));
        bed.manager.awaitIdle();
        assertEquals(0, org.carelane.impl.StatusJson.of(bed.manager).get("work").get("queued").asInt());
    }

    private boolean allInSync(long version) {
        for (var d : org.carelane.impl.StatusJson.of(bed.manager).get("devices")) {
            if (!"IN_SYNC".equals(d.path("sync").path("state").asText())
                    || d.path("sync").path("policyVersion").asLong() < version) {
                return false;
            }
        }
        return true;
    }

    @Test
    void aConflictingSiteOverrideIsRefusedNamingDeviceFieldAndScopeAndChangesNothing() {
        start();
        long version = bed.manager.policyVersion();
        Map<DeviceId, Integer> before = ops();
        PolicyException e = assertThrows(PolicyException.class, () -> bed.manager.setScopedRates(
                RateScope.site(GP_BCUHB), "social", Profile.PEAK, new RateOverride(20_000L, null, null, null),
                "alice", "rest"));
        assertEquals("devices[0].slices.social.rates.peak.maxKbps", e.field());
        assertTrue(e.reason().contains("of:00000000000000a1 (set by site of:00000000000000a1)"), e.reason());
        assertEquals(version, bed.manager.policyVersion());
        assertEquals(before, ops());
        assertEquals(1000, meterKbps(GP_BCUHB, "social"));
        assertEquals("board", assertThrows(PolicyException.class, () -> bed.manager.setScopedRates(
                RateScope.board("powys"), "social", Profile.PEAK, new RateOverride(1L, null, null, null),
                "alice", "rest")).field());
        assertEquals("device", assertThrows(PolicyException.class, () -> bed.manager.setScopedRates(
                RateScope.site(DeviceId.deviceId("of:00000000000000ff")), "social", Profile.PEAK,
                new RateOverride(1L, null, null, null), "alice", "rest")).field());
        assertEquals("devices[0].slices.blocked", assertThrows(PolicyException.class, () -> bed.manager
                .setScopedRates(RateScope.site(GP_BCUHB), "blocked", Profile.PEAK,
                        new RateOverride(1L, null, null, null), "alice", "rest")).field());
    }

    @Test
    void aBoardSteersSocialToItsSitesBreakoutsAndASiteSendsItBackToTheUplink() {
        bed = new CareLaneTestBed(WED_NOON, SampleConfig.walesWithCavBreakouts());
        Map<DeviceId, Integer> before = ops();
        bed.manager.setScopedEgress(RateScope.board("cav"), "social", java.util.Optional.of(new Steering("breakout",
                Steering.When.PEAK)), "alice", "rest");
        assertTrue(socialOutputs(GP_CAV).contains(PortNumber.portNumber(4)), socialOutputs(GP_CAV).toString());
        assertTrue(socialOutputs(COMMUNITY_CAV).contains(PortNumber.portNumber(4)));
        assertEquals(before.get(GP_BCUHB), ops().get(GP_BCUHB), "no operation on the other board");
        assertTrue(bed.manager.audit(1).get(0).action().contains("set-egress board 'cav' social"));

        bed.manager.setScopedEgress(RateScope.site(COMMUNITY_CAV), "social", java.util.Optional.empty(), "alice",
                "cli");
        assertTrue(socialOutputs(COMMUNITY_CAV).stream().noneMatch(PortNumber.portNumber(4)::equals),
                "the site's own choice: its uplink");
        assertTrue(socialOutputs(GP_CAV).contains(PortNumber.portNumber(4)));

        long version = bed.manager.policyVersion();
        PolicyException e = assertThrows(PolicyException.class, () -> bed.manager.setScopedEgress(
                RateScope.board("bcuhb"), "social", java.util.Optional.of(new Steering("internet",
                        Steering.When.ALWAYS)), "alice", "rest"));
        assertEquals("link", e.field());
        assertEquals(version, bed.manager.policyVersion(), "nothing changed");
        bed.manager.setScopedEgress(RateScope.board("cav"), "social", null, "alice", "rest");
        assertTrue(socialOutputs(GP_CAV).stream().noneMatch(PortNumber.portNumber(4)::equals), "inherited again");
    }

    /** The output ports of a device's social rules. */
    private java.util.Set<PortNumber> socialOutputs(DeviceId id) {
        long meter = bed.store.installedMeters(id).get("social").meterId();
        java.util.Set<PortNumber> out = new java.util.HashSet<>();
        bed.flows.devices(id).stream()
                .filter(f -> f.treatment().meters().stream().anyMatch(m -> m.meterId().id() == meter))
                .forEach(f -> f.treatment().allInstructions().stream()
                        .filter(i -> i instanceof org.onosproject.net.flow.instructions.Instructions.OutputInstruction)
                        .forEach(i -> out.add(((org.onosproject.net.flow.instructions.Instructions.OutputInstruction) i)
                                .port())));
        return out;
    }
}
