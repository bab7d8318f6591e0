package org.carelane.impl;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.AuditEntry;
import org.carelane.api.PolicyException;
import org.carelane.api.Profile;
import org.carelane.api.SliceRates;
import org.carelane.api.SliceStats;
import org.carelane.policy.FlowCompiler;
import org.carelane.testing.Await;
import org.carelane.testing.SampleConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.onosproject.net.DeviceId;
import org.onosproject.net.flow.FlowEntry;
import org.onosproject.net.meter.Band;
import org.onosproject.net.meter.Meter;
import org.onosproject.net.meter.MeterId;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CareLaneManagerTest {
    private static final DeviceId GW = DeviceId.deviceId("of:0000000000000001");
    private static final Instant WED_MORNING = Instant.parse("2026-01-14T09:00:00Z");
    private static final Instant WED_NOON = Instant.parse("2026-01-14T12:00:00Z");
    private CareLaneTestBed bed;

    @AfterEach
    void tearDown() {
        if (bed != null) {
            bed.close();
        }
    }

    private CareLaneTestBed start(Instant at) {
        bed = new CareLaneTestBed(at, SampleConfig.hospital());
        return bed;
    }

    /** Meter rate of each slice on the gateway, as found in MeterService through the flow rules. */
    private Map<String, Long> meterRatesBySlice() {
        Map<Integer, String> byPriority = bed.manager.policy().orElseThrow().slices().stream()
                .collect(Collectors.toMap(s -> s.priority(), s -> s.name()));
        Map<String, Long> out = new java.util.TreeMap<>();
        for (FlowEntry e : bed.flows.devices(GW)) {
            e.treatment().meters().forEach(mi -> {
                Meter m = bed.meters.getMeter(GW, mi.meterId());
                assertTrue(m != null, "flow references missing meter " + mi.meterId());
                out.put(byPriority.get(FlowCompiler.slicePriority(e.priority())), m.bands().iterator().next().rate());
            });
        }
        return out;
    }

    private void assertExactlyOneMeterPerSlice() {
        List<Meter> live = List.copyOf(bed.meters.liveMeters(GW));
        assertEquals(3, live.size(), "clinical, social and default each have one meter: " + live);
        Set<MeterId> referenced = new HashSet<>();
        bed.flows.devices(GW).forEach(e -> e.treatment().meters().forEach(m -> referenced.add(m.meterId())));
        assertEquals(live.stream().map(Meter::id).collect(Collectors.toSet()), referenced);
    }

    @Test
    void activationProgramsOffPeakSlices() {
        start(WED_MORNING);
        assertEquals(Profile.OFF_PEAK, bed.manager.activeProfile());
        assertEquals(6, bed.flows.devices(GW).size());
        assertEquals(Map.of("clinical", 20000L, "default", 20000L, "social", 15000L), meterRatesBySlice());
        assertExactlyOneMeterPerSlice();
        Band band = bed.meters.liveMeters(GW).iterator().next().bands().iterator().next();
        assertEquals(Band.Type.DROP, band.type());
        assertTrue(band.burst() >= 120, "TCP-friendly burst");
    }

    @Test
    void timerIsSetExactlyToTheNextBoundary() {
        start(WED_NOON.minusMillis(400));
        assertEquals(400, bed.manager.nextCheckDelayMillis(), "wakes at 12:00:00.000 London");
        bed.clock.set(WED_NOON.minusSeconds(3600));
        assertEquals(Reconciler.MAX_SLEEP.toMillis(), bed.manager.nextCheckDelayMillis(),
                "long sleeps are capped so that clock steps are caught");
        bed.clock.set(WED_NOON);
        bed.manager.evaluateNow();
        assertEquals(4000L, meterRatesBySlice().get("social"), "evaluation at the boundary switches to peak");
        bed.clock.set(Instant.parse("2026-01-14T13:59:59.250Z"));
        assertEquals(750, bed.manager.nextCheckDelayMillis(), "and wakes again at 14:00:00.000");
    }

    @Test
    void timerNeverFiresEarlyNorMissesABoundaryCrossedWhileDeciding() {
        start(WED_NOON.minusSeconds(60));
        // Seen on a loaded machine: decided off-peak at 11:59:59.999490746, scheduled at
        // 12:00:00.000043; the next boundary from the scheduling instant was 14:00 (30 s sleep).
        Instant decidedAt = Instant.parse("2026-01-14T11:59:59.999490746Z");
        bed.clock.set(Instant.parse("2026-01-14T12:00:00.000043048Z"));
        assertEquals(1, bed.manager.nextCheckDelayMillis(decidedAt), "re-evaluate at once");
        bed.clock.set(decidedAt);
        assertEquals(1, bed.manager.nextCheckDelayMillis(decidedAt), "0.5 us rounds up, not down to 0");
        bed.clock.set(WED_NOON.minusNanos(400_000_500L));
        assertEquals(401, bed.manager.nextCheckDelayMillis(), "rounded up so the timer fires after 12:00");
    }

    @Test
    void realTimerSwitchesProfileAtTheBoundary() throws Exception {
        start(WED_NOON.minusMillis(400));
        assertEquals(15000L, meterRatesBySlice().get("social"));
        bed.clock.startTicking();
        // Wiring check with a generous deadline; the lag is printed, not asserted (2-core CI).
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && !peakInSync()) {
            Thread.sleep(5);
        }
        Duration lag = Duration.between(WED_NOON, bed.clock.instant());
        System.out.println("CareLane profile switch lag after the boundary: " + lag.toMillis() + " ms");
        assertEquals("peak", StatusJson.of(bed.manager).get("appliedProfile").asText());
        assertEquals(4000L, meterRatesBySlice().get("social"), "peak social cap applied");
        assertExactlyOneMeterPerSlice();
        assertTrue(bed.manager.audit(10).stream().anyMatch(a -> a.action().equals("profile-change")
                && "peak".equals(a.after())));
    }

    private static void awaitTrue(java.util.function.BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    private boolean peakInSync() {
        var sync = StatusJson.of(bed.manager).get("devices").get(0).path("sync");
        return "peak".equals(sync.path("profile").asText()) && "IN_SYNC".equals(sync.path("state").asText());
    }

    /**
     * Within the lead before a boundary, the device stages the next profile's changed meter
     * (social's peak cap) and the boundary's rules; the boundary's attempt then submits no meter
     * of its own, and the off-peak meter it replaced goes.
     */
    @Test
    void theNextProfilesMetersAreStagedBeforeTheBoundaryAndTakenAtIt() throws Exception {
        start(WED_NOON.minus(Reconciler.STAGE_LEAD).minusSeconds(5));
        assertEquals(5_000, bed.manager.nextCheckDelayMillis(), "wakes at the lead before 12:00");
        int submits = bed.meters.submits;
        bed.clock.set(WED_NOON.minus(Reconciler.STAGE_LEAD));
        bed.manager.evaluateNow();
        awaitTrue(() -> bed.store.shadow(GW).isPresent() && bed.manager.inFlightNow() == 0, "the staging");
        assertEquals(submits + 1, bed.meters.submits, "social's peak meter, staged");
        assertEquals(4000L, bed.store.installedMeters(GW).get("social").rateKbps());
        assertEquals(4000L, bed.meters.switchMeters(GW).get(bed.store.installedMeters(GW).get("social").meterId()),
                "on the switch");
        assertEquals(4, bed.meters.liveMeters(GW).size(), "the off-peak one stays while its shadow does");
        org.carelane.api.DeviceStatus.Staged staged = bed.manager.status().devices().get(0).staged().orElseThrow();
        assertEquals(org.carelane.api.Profile.OFF_PEAK, staged.shadow().orElseThrow().profile(),
                "/status shows the staging: the shadows keep off-peak");
        assertTrue(!staged.shadow().get().until().isBefore(WED_NOON), "the switch switches itself at the boundary");
        bed.flows.expireHardTimeouts(GW, true);
        bed.clock.set(WED_NOON);
        bed.manager.evaluateNow();
        awaitTrue(this::peakInSync, "peak in sync");
        bed.manager.awaitIdle();
        assertEquals(4000L, meterRatesBySlice().get("social"));
        assertEquals(submits + 1, bed.meters.submits, "the boundary submitted no meter of its own");
        assertTrue(bed.store.stagedMeters(GW).isEmpty());
        assertTrue(bed.manager.status().devices().get(0).staged().isEmpty(), "nothing staged once switched");
        assertExactlyOneMeterPerSlice();
    }

    @Test
    void lunchtimeEndsAtTwoOClock() {
        start(WED_NOON.plusSeconds(60));
        assertEquals(4000L, meterRatesBySlice().get("social"));
        bed.clock.set(Instant.parse("2026-01-14T14:00:00Z"));
        bed.manager.evaluateNow();
        assertEquals(15000L, meterRatesBySlice().get("social"));
        assertEquals(Profile.OFF_PEAK, bed.manager.activeProfile());
    }

    @Test
    void rateChangeSwapsMeterWithoutLeakOrTrafficGap() {
        start(WED_MORNING);
        int removesBefore = bed.flows.removes;
        for (int i = 1; i <= 50; i++) {
            bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(5000L + i * 100L, 0), "alice", "rest");
            bed.meters.poll();   // ONOS polls every 10 s: it purges the old meter and frees its id
            assertEquals(5000L + i * 100L, meterRatesBySlice().get("social"));
            assertExactlyOneMeterPerSlice();
            assertEquals(6, bed.flows.devices(GW).size(), "one generation of rules after each change");
        }
        assertEquals(0, bed.flows.modifies, "never MODIFY: ONOS sends it non-strict");
        assertEquals(50 * 6, bed.flows.removes - removesBefore, "each change replaces the generation");
        assertEquals(3, bed.meters.getMeters(GW).size(), "no meter leaked");
        assertTrue(bed.meters.getMeters(GW).stream().allMatch(m -> m.id().id() <= 4), "meter ids recycled");
    }

    @Test
    void concurrentChangesToDifferentSlicesAreBothKept() throws Exception {
        start(WED_MORNING);
        Thread a = new Thread(() -> {
            for (int i = 1; i <= 20; i++) {
                bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(5000 + i, 0), "a", "rest");
            }
        });
        Thread b = new Thread(() -> {
            for (int i = 1; i <= 20; i++) {
                bed.manager.setRates("default", Profile.OFF_PEAK, new SliceRates(10000 + i, 2000), "b", "cli");
            }
        });
        a.start();
        b.start();
        a.join();
        b.join();
        assertEquals(Map.of("clinical", 20000L, "default", 10020L, "social", 5020L), meterRatesBySlice());
        assertExactlyOneMeterPerSlice();
        assertEquals(41, bed.manager.audit(1000).size(), "netcfg load plus 40 changes");
    }

    @Test
    void rateChangeForInactiveProfileDoesNotTouchTheSwitch() {
        start(WED_MORNING);
        int submits = bed.meters.submits;
        bed.manager.setRates("social", Profile.PEAK, new SliceRates(3000, 0), "alice", "rest");
        assertEquals(submits, bed.meters.submits);
        assertEquals(3000, bed.manager.policy().orElseThrow().slice("social").orElseThrow()
                .rates(Profile.PEAK).maxKbps());
    }

    @Test
    void badRateChangesAreRejectedAndChangeNothing() {
        start(WED_MORNING);
        var policy = bed.manager.policy().orElseThrow();
        int audit = bed.manager.audit(1000).size();
        int ops = bed.meters.submits + bed.flows.adds + bed.flows.modifies;
        assertEquals("slice", assertThrows(PolicyException.class, () -> bed.manager.setRates("gaming",
                Profile.PEAK, new SliceRates(10, 0), "u", "rest")).field());
        assertEquals("maxKbps", assertThrows(PolicyException.class, () -> bed.manager.setRates("social",
                Profile.PEAK, new SliceRates(0, 0), "u", "rest")).field());
        assertEquals("minKbps", assertThrows(PolicyException.class, () -> bed.manager.setRates("social",
                Profile.PEAK, new SliceRates(1000, -1), "u", "rest")).field());
        assertEquals("minKbps", assertThrows(PolicyException.class, () -> bed.manager.setRates("social",
                Profile.PEAK, new SliceRates(1000, 2000), "u", "rest")).field());
        PolicyException over = assertThrows(PolicyException.class, () -> bed.manager.setRates("social",
                Profile.PEAK, new SliceRates(10000, 8000), "u", "rest"));
        assertEquals("minKbps", over.field());
        assertTrue(over.getMessage().contains("uplink capacity"), over.getMessage());
        assertEquals("maxKbps", assertThrows(PolicyException.class, () -> bed.manager.setRates("social",
                Profile.PEAK, new SliceRates(30000, 0), "u", "rest")).field());
        assertEquals("slice", assertThrows(PolicyException.class, () -> bed.manager.setRates("blocked",
                Profile.PEAK, new SliceRates(1000, 0), "u", "rest")).field());
        assertEquals(policy, bed.manager.policy().orElseThrow());
        assertEquals(audit, bed.manager.audit(1000).size());
        assertEquals(ops, bed.meters.submits + bed.flows.adds + bed.flows.modifies);
    }

    @Test
    void invalidNetcfgKeepsPreviousPolicyInForce() {
        start(WED_MORNING);
        var policy = bed.manager.policy().orElseThrow();
        List<FlowEntry> flows = bed.flows.devices(GW);
        ObjectNode bad = SampleConfig.hospital();
        ((ObjectNode) bad.get("slices").get(1).get("rates").get("offPeak")).put("minKbps", 19500);
        bed.netcfg.push(bad);
        bed.manager.evaluateNow();
        assertEquals(policy, bed.manager.policy().orElseThrow());
        assertEquals(flows, bed.flows.devices(GW));
        AuditEntry last = bed.manager.audit(1).get(0);
        assertEquals("rejected-config", last.action());
        assertTrue(last.after().startsWith("slices[2].rates.offPeak.minKbps"), last.after());
    }

    @Test
    void anUplinkPortTheSwitchLacksOrThatIsSlowerThanTheUplinkIsRefusedNamingIt() {
        start(WED_MORNING);
        var policy = bed.manager.policy().orElseThrow();
        ObjectNode missing = SampleConfig.hospital();
        ((ObjectNode) missing.get("devices").get(0)).put("uplinkPort", 99);   // the test bed has ports 1 to 8
        bed.netcfg.push(missing);
        bed.manager.evaluateNow();
        assertEquals(policy, bed.manager.policy().orElseThrow());
        assertTrue(bed.manager.audit(1).get(0).after().startsWith("devices[0].uplinkPort: no port 99"),
                bed.manager.audit(1).get(0).after());
        ObjectNode slow = SampleConfig.hospital();   // the test bed's ports report 1000 Mbit/s
        ((ObjectNode) slow.get("devices").get(0)).put("uplinkPort", 1).put("uplinkKbps", 2_000_000);
        bed.netcfg.push(slow);
        bed.manager.evaluateNow();
        assertEquals(policy, bed.manager.policy().orElseThrow());
        assertTrue(bed.manager.audit(1).get(0).after().contains("runs at 1000 Mbit/s, less than uplinkKbps 2000000"),
                bed.manager.audit(1).get(0).after());
    }

    @Test
    void withoutAnOvsdbDeviceTheQueuesAreReportedUnsupportedAndMetersAndMarksCarryOn() throws Exception {
        start(WED_MORNING);
        ObjectNode owned = SampleConfig.hospital();
        ((ObjectNode) owned.get("devices").get(0)).put("uplinkPort", 1).put("ovsdb", "ovsdb:192.0.2.1");
        bed.netcfg.push(owned);
        bed.manager.evaluateNow();
        for (int i = 0; i < 50 && StatusJson.of(bed.manager).get("devices").get(0).path("queues").isMissingNode();
             i++) {
            Thread.sleep(100);   // the queues have their own thread
        }
        var device = StatusJson.of(bed.manager).get("devices").get(0);
        assertEquals("UNSUPPORTED", device.path("queues").path("state").asText(), device.toString());
        assertTrue(device.path("queues").path("reason").asText().startsWith("no OVSDB device ovsdb:192.0.2.1"),
                device.toString());
        assertEquals("IN_SYNC", device.path("sync").path("state").asText());
        assertEquals(3, bed.meters.liveMeters(GW).size(), "meters stay");
    }

    @Test
    void netcfgUpdateReprogramsAndIsAudited() {
        start(WED_MORNING);
        ObjectNode next = SampleConfig.hospital();
        ((ObjectNode) next.get("slices").get(2).get("rates").get("offPeak")).put("maxKbps", 12000);
        bed.netcfg.push(next);
        bed.manager.evaluateNow();
        assertEquals(12000L, meterRatesBySlice().get("social"));
        assertExactlyOneMeterPerSlice();
        assertEquals("netcfg", bed.manager.audit(1).get(0).source());
    }

    @Test
    void meterFailureMidwayRollsBackWithoutLeak() throws Exception {
        start(WED_MORNING);
        Map<String, Long> rates = meterRatesBySlice();
        ObjectNode next = SampleConfig.hospital();
        ((ObjectNode) next.get("slices").get(1).get("rates").get("offPeak")).put("maxKbps", 19000);
        ((ObjectNode) next.get("slices").get(2).get("rates").get("offPeak")).put("maxKbps", 12000);
        bed.meters.tableSize = 4;   // room for one new meter, not two
        bed.netcfg.push(next);
        bed.manager.evaluateNow();
        assertEquals(rates, meterRatesBySlice(), "switch keeps the old meters");
        assertExactlyOneMeterPerSlice();
        bed.meters.tableSize = Integer.MAX_VALUE;
        // ONOS purges the failed attempt's own meter: that gives no room back, so no retry.
        bed.meters.poll();
        Thread.sleep(DeviceSyncTracker.FIRST_RETRY.toMillis() + 300);
        assertEquals(1, StatusJson.of(bed.manager).get("devices").get(0).path("sync").path("failures").asInt(),
                "a full meter table is not retried on a timer, nor on the attempt's own meters leaving");
        bed.fireDeviceAvailable(GW);   // a reconnect: the switch may have room now
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline && !"IN_SYNC".equals(
                StatusJson.of(bed.manager).get("devices").get(0).path("sync").path("state").asText())) {
            Thread.sleep(20);
        }
        assertEquals(12000L, meterRatesBySlice().get("social"), "the retry converges once there is room");
        assertExactlyOneMeterPerSlice();
    }

    @Test
    void overrideAppliesAndExpires() {
        start(WED_MORNING);
        bed.manager.setOverride(Profile.PEAK, WED_MORNING.plus(Duration.ofMinutes(10)), "ops", "drill", "rest");
        assertEquals(Profile.PEAK, bed.manager.activeProfile());
        assertEquals(4000L, meterRatesBySlice().get("social"));
        assertThrows(PolicyException.class, () -> bed.manager.setOverride(Profile.PEAK,
                WED_MORNING.minusSeconds(1), "ops", null, "rest"));
        bed.clock.advance(Duration.ofMinutes(10));
        bed.manager.evaluateNow();
        assertEquals(Profile.OFF_PEAK, bed.manager.activeProfile());
        assertEquals(15000L, meterRatesBySlice().get("social"));
        assertTrue(bed.manager.override().isEmpty());
        assertTrue(bed.manager.audit(5).stream().anyMatch(a -> a.action().equals("override-expired")));
    }

    @Test
    void clearOverrideReturnsToSchedule() {
        start(WED_NOON.plusSeconds(5));
        bed.manager.setOverride(Profile.OFF_PEAK, WED_NOON.plusSeconds(3600), "ops", null, "cli");
        assertEquals(15000L, meterRatesBySlice().get("social"));
        assertTrue(bed.manager.clearOverride("ops", "cli"));
        assertFalse(bed.manager.clearOverride("ops", "cli"));
        assertEquals(4000L, meterRatesBySlice().get("social"));
    }

    @Test
    void deviceDroppedFromPolicyIsCleaned() {
        ObjectNode two = SampleConfig.hospital();
        ((com.fasterxml.jackson.databind.node.ArrayNode) two.get("devices")).addObject()
                .put("deviceId", "of:0000000000000002").put("uplinkKbps", 20000);
        bed = new CareLaneTestBed(WED_MORNING, two);
        DeviceId other = DeviceId.deviceId("of:0000000000000002");
        assertEquals(3, bed.meters.liveMeters(other).size());
        bed.netcfg.push(SampleConfig.hospital());
        bed.manager.evaluateNow();
        assertEquals(0, bed.meters.liveMeters(other).size());
        assertEquals(0, bed.flows.devices(other).size());
        assertEquals(6, bed.flows.devices(GW).size());
    }

    @Test
    void removingTheNetcfgBlockRemovesEverything() {
        start(WED_MORNING);
        bed.netcfg.remove();
        bed.manager.evaluateNow();
        assertTrue(bed.manager.policy().isEmpty());
        assertEquals(0, bed.flows.getFlowRuleCount());
        bed.meters.poll();   // ONOS purges withdrawn meters at its next stats poll
        assertEquals(0, bed.meters.getAllMeters().size());
        assertEquals("remove-policy", bed.manager.audit(1).get(0).action());
    }

    @Test
    void offlineDeviceIsProgrammedWhenItConnects() {
        bed = new CareLaneTestBed(WED_MORNING, null);
        bed.offline.add(GW);
        bed.netcfg.push(SampleConfig.hospital());
        bed.manager.evaluateNow();
        assertEquals(0, bed.flows.getFlowRuleCount(), "nothing is sent to an unavailable device");
        bed.offline.clear();
        bed.fireDeviceAvailable(GW);
        bed.manager.evaluateNow();
        assertEquals(6, bed.flows.devices(GW).size());
        assertExactlyOneMeterPerSlice();
    }

    @Test
    void deactivationRemovesEverything() {
        start(WED_NOON.plusSeconds(5));
        assertFalse(bed.flows.devices(GW).isEmpty());
        bed.close();
        assertEquals(0, bed.flows.getFlowRuleCount());
        bed.meters.poll();   // ONOS purges withdrawn meters at its next stats poll
        assertEquals(0, bed.meters.getAllMeters().size());
        assertEquals(bed.meters.submits, bed.meters.withdraws);
    }

    /**
     * Deactivated while an attempt is in flight and a newer change waits for it: the attempt ends
     * while the app cleans up, and nothing starts after that, so the switch is left empty.
     */
    @Test
    void deactivationDuringAnAttemptWithAChangeWaitingLeavesNothingBehind() throws Exception {
        start(WED_MORNING);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean gate = new java.util.concurrent.atomic.AtomicBoolean(true);
        bed.flows.onEachOperation(() -> {
            if (gate.get() && Thread.currentThread().getName().startsWith("carelane")) {
                try {
                    release.await(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(5000, 0), "alice", "rest");
        Await.until(() -> !bed.manager.settled(), Duration.ofSeconds(5));
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(5100, 0), "alice", "rest");
        Thread opener = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            gate.set(false);
            release.countDown();
        });
        opener.start();
        bed.close();
        opener.join();
        Thread.sleep(500);   // anything started after the clean-up would be on the switch by now
        assertEquals(List.of(), bed.flows.switchRules(GW), "no rule left");
        bed.meters.poll();
        assertEquals(0, bed.meters.getAllMeters().size(), "no meter left");
    }

    @Test
    void statsSumFlowCountersPerSlice() {
        start(WED_MORNING);
        FlowEntry social = bed.flows.devices(GW).stream()
                .filter(e -> FlowCompiler.slicePriority(e.priority()) == 200).findFirst().orElseThrow();
        bed.flows.setCounters(social.id(), 10, 15000);
        SliceStats s = bed.manager.stats().stream().filter(x -> x.slice().equals("social")).findFirst()
                .orElseThrow();
        assertEquals(15000, s.bytes());
        assertEquals(10, s.packets());
        assertEquals(2, s.flowRules());
        assertEquals(1, s.meters());
    }

    @Test
    void restAndCliChangesAreWrittenBackToNetcfgAndSurviveReactivation() {
        start(WED_MORNING);
        bed.manager.setRates("social", Profile.PEAK, new SliceRates(3000, 3000), "alice", "rest");
        assertEquals(3000, bed.netcfg.block().path("slices").get(2).path("rates").path("peak").path("maxKbps")
                .asLong(), "netcfg holds the change");
        assertEquals(1, bed.manager.audit(50).stream().filter(a -> a.source().equals("rest")).count());
        assertEquals(0, bed.manager.audit(50).stream().filter(a -> a.action().startsWith("replace-policy (CONFIG"))
                .count(), "reading its own write back changes nothing and is not audited again");
        bed.close();   // deactivate, then a new activation reloads netcfg over the store
        CareLaneTestBed again = new CareLaneTestBed(WED_MORNING, bed.netcfg.block(), new org.carelane.testing
                .RecordingFlowRuleService(), new org.carelane.testing.RecordingMeterService(), bed.store, d -> true);
        try {
            assertEquals(3000, again.manager.policy().orElseThrow().slice("social").orElseThrow()
                    .rates(Profile.PEAK).maxKbps());
        } finally {
            again.close();
        }
    }

    @Test
    void statsKeepCountingAcrossRuleGenerations() {
        start(WED_MORNING);
        FlowEntry social = bed.flows.devices(GW).stream()
                .filter(e -> FlowCompiler.slicePriority(e.priority()) == 200).findFirst().orElseThrow();
        bed.flows.setCounters(social.id(), 10, 15000);
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(9000, 0), "alice", "rest");
        FlowEntry replacement = bed.flows.devices(GW).stream()
                .filter(e -> FlowCompiler.slicePriority(e.priority()) == 200).findFirst().orElseThrow();
        assertFalse(replacement.id().equals(social.id()), "a new generation of rules");
        bed.flows.setCounters(replacement.id(), 4, 6000);
        SliceStats s = bed.manager.stats().stream().filter(x -> x.slice().equals("social")).findFirst()
                .orElseThrow();
        assertEquals(21000, s.bytes(), "the replaced rule's counts are kept");
        assertEquals(14, s.packets());
        assertEquals(2, s.flowRules());
    }

    @Test
    void statusShowsInstalledMetersAndFlows() {
        start(WED_MORNING);
        ObjectNode status = StatusJson.of(bed.manager);
        assertEquals("offPeak", status.get("activeProfile").asText());
        assertEquals("2026-01-14T12:00:00Z", status.get("nextChange").asText());
        var dev = status.get("devices").get(0);
        assertEquals(GW.toString(), dev.get("deviceId").asText());
        assertEquals(6, dev.get("flowRules").asInt());
        assertEquals(15000, dev.get("meters").get("social").get("rateKbps").asLong());
        assertEquals("ADDED", dev.get("meters").get("social").get("state").asText());
        assertNull(status.get("override"));
    }
}
