package org.carelane.impl;

import com.fasterxml.jackson.databind.JsonNode;
import org.carelane.api.Profile;
import org.carelane.api.SliceRates;
import org.carelane.testing.Probe;
import org.carelane.testing.SampleConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.onosproject.net.DeviceId;
import org.onosproject.core.ApplicationId;
import org.onosproject.core.DefaultApplicationId;
import org.onosproject.net.meter.Band;
import org.onosproject.net.meter.DefaultBand;
import org.onosproject.net.meter.DefaultMeterRequest;
import org.onosproject.net.meter.Meter;
import org.onosproject.net.meter.MeterFailReason;
import org.onosproject.net.meter.MeterRequest;
import org.onosproject.net.meter.MeterState;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ONOS failure modes: each leaves the previous rules in place, shows the device's state and
 * reason in /status, retries with backoff until the device matches, and leaks no meter.
 */
class FailureHandlingTest {
    private static final DeviceId GW = DeviceId.deviceId("of:0000000000000001");
    private static final ApplicationId OTHER_APP = new DefaultApplicationId(99, "org.example.other");
    private static final Instant WED_MORNING = Instant.parse("2026-01-14T09:00:00Z");
    private CareLaneTestBed bed;

    @AfterEach
    void tearDown() {
        if (bed != null) {
            bed.close();
        }
    }

    private JsonNode sync() {
        return StatusJson.of(bed.manager).get("devices").get(0).path("sync");
    }

    private List<Long> meterRates() {
        return bed.meters.liveMeters(GW).stream().map(m -> m.bands().iterator().next().rate()).sorted()
                .collect(Collectors.toList());
    }

    /**
     * The gateway's switch restarted empty while ONOS still lists its rules and meters, then
     * reconnects: returns once the fresh generation is on it and the device is in sync.
     */
    private void reconnectEmptied(Duration within) throws Exception {
        Probe clinical = new Probe("10.1.1.11", "10.100.0.10", 17);
        bed.flows.switchLost(GW);
        bed.meters.switchLost(GW);
        assertEquals(null, bed.flows.switchTreatment(GW, clinical));
        bed.fireDeviceAvailable(GW);
        waitFor(() -> bed.flows.switchTreatment(GW, clinical) != null
                && "IN_SYNC".equals(sync().path("state").asText()), within, "fresh generation");
    }

    private static void waitFor(BooleanSupplier condition, Duration limit, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    @Test
    void aFullMeterTableKeepsTheOldRulesAndWaitsForAMeterToLeaveNotForATimer() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        bed.meters.tableSize = 4;   // the switch's max_meter: another app takes the last id
        MeterRequest.Builder theirs = DefaultMeterRequest.builder().forDevice(GW).fromApp(OTHER_APP)
                .withUnit(Meter.Unit.KB_PER_SEC)
                .withBands(List.of(DefaultBand.builder().ofType(Band.Type.DROP).withRate(1000).build()));
        Meter other = bed.meters.submit(theirs.add());
        long t0 = System.nanoTime();
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(9000, 0), "alice", "rest");
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(2).toNanos(), "the change is answered promptly");
        assertEquals(9000, bed.manager.policy().orElseThrow().slice("social").orElseThrow()
                .rates(Profile.OFF_PEAK).maxKbps(), "the accepted change is stored");
        waitFor(() -> "FAILED".equals(sync().path("state").asText()), Duration.ofSeconds(2), "FAILED");
        assertTrue(sync().path("reason").asText().contains("every meter id of the switch is taken"),
                sync().toString());
        assertTrue(sync().path("retry").asText().contains("when a meter leaves the device"), sync().toString());
        assertEquals(Instant.parse(sync().path("since").asText()).plus(DeviceSyncTracker.MAX_RETRY),
                Instant.parse(sync().path("nextRetry").asText()), "only the slow backstop: " + sync());
        Thread.sleep(DeviceSyncTracker.FIRST_RETRY.toMillis() + 300);
        assertEquals(1, sync().path("failures").asInt(), "not retried on the backoff timer: " + sync());
        assertEquals(List.of(1000L, 15000L, 20000L, 20000L), meterRates(), "the old meters stay");
        assertEquals(6, bed.flows.devices(GW).size(), "the old rules stay");

        // The other app's meter leaves (ONOS purges it at its next poll): room, and a retry at once.
        bed.meters.withdraw(theirs.remove(), other.id());
        bed.meters.poll();
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "retry");
        assertEquals(List.of(9000L, 20000L, 20000L), meterRates());
        bed.meters.poll();
        assertEquals(3, bed.meters.getMeters(GW).size(), "no meter leaked: " + bed.meters.getMeters(GW));
    }

    @Test
    void aMeterTheSwitchCannotTakeIsNotRetriedUntilThePolicyChanges() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        bed.meters.failSubmits = 1000;
        bed.meters.failReason = MeterFailReason.BAD_RATE;
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(9000, 0), "alice", "rest");
        waitFor(() -> "FAILED".equals(sync().path("state").asText()), Duration.ofSeconds(2), "FAILED");
        assertTrue(sync().path("reason").asText().contains("BAD_RATE"), sync().toString());
        assertTrue(sync().path("retry").asText().contains("not retried until the policy changes"), sync().toString());
        int refused = 1000 - bed.meters.failSubmits;
        bed.meters.poll();   // the attempt's own meter, withdrawn, is purged: no retry on that
        Thread.sleep(DeviceSyncTracker.FIRST_RETRY.toMillis() * 2 + 300);
        assertEquals(1, sync().path("failures").asInt(), "no retry: " + sync());
        assertEquals(refused, 1000 - bed.meters.failSubmits, "no new meter sent");
        assertEquals(List.of(15000L, 20000L, 20000L), meterRates(), "the old meters stay");
        assertEquals(6, bed.flows.devices(GW).size(), "the old rules stay");

        bed.meters.failSubmits = 0;   // the operator's next change: a rate the switch takes
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(8000, 0), "alice", "rest");
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "the next change");
        assertEquals(List.of(8000L, 20000L, 20000L), meterRates());
    }

    @Test
    void meterFeaturesOnosLostAreGivenBackFromTheMastersConnection() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        bed.meters.loseFeatures(GW);   // the switch's connection to a standby closed
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(9000, 0), "alice", "rest");
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText())
                && sync().path("policyVersion").asLong() == bed.manager.policyVersion(), Duration.ofSeconds(2),
                "the change, at once");
        assertEquals(0, sync().path("failures").asInt(), "no failure: " + sync());
        assertEquals(1, bed.meters.featuresStored);
        assertEquals(List.of(9000L, 20000L, 20000L), meterRates());
    }

    /** A fresh generation's meters, submitted together, each find the features lost: one repair serves them all. */
    @Test
    void meterFeaturesAreGivenBackOnceForAllTheMetersOfAnAttempt() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        bed.meters.loseFeatures(GW);
        bed.meters.submitMillis = 200;   // the three submits overlap, and each finds no id
        reconnectEmptied(Duration.ofSeconds(5));
        assertEquals(1, bed.meters.featuresStored, "given back once");
        assertEquals(List.of(15000L, 20000L, 20000L), meterRates());
    }

    @Test
    void aSwitchWithoutMetersIsNotRetried() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        bed.meters.loseFeatures(GW);
        bed.openFlow.maxMeter = 0;
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(9000, 0), "alice", "rest");
        waitFor(() -> "FAILED".equals(sync().path("state").asText()), Duration.ofSeconds(2), "FAILED");
        assertTrue(sync().path("reason").asText().contains("the switch offers no meters"), sync().toString());
        assertTrue(!sync().has("nextRetry"), sync().toString());
        assertEquals(0, bed.meters.featuresStored, "nothing stored for a switch without meters");
    }

    @Test
    void aMeterRejectedByTheSwitchIsRetriedWithBackoff() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        bed.meters.failSubmits = 2;
        bed.meters.failReason = MeterFailReason.TIMEOUT;   // a passing cause
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(8000, 0), "alice", "rest");
        waitFor(() -> "FAILED".equals(sync().path("state").asText()), Duration.ofSeconds(2), "a failure");
        long failedAt = System.nanoTime();
        assertTrue(sync().path("reason").asText().contains("TIMEOUT"), sync().toString());
        assertEquals(List.of(15000L, 20000L, 20000L), meterRates(), "the old meters stay");
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(8), "a retry succeeds");
        assertTrue(System.nanoTime() - failedAt >= DeviceSyncTracker.FIRST_RETRY.minusMillis(100).toNanos(),
                "the retry waited for its backoff");
        assertEquals(List.of(8000L, 20000L, 20000L), meterRates());
        bed.meters.poll();   // ONOS re-sends a failed meter it still holds, and purges withdrawn ones
        assertEquals(3, bed.meters.getMeters(GW).size(), "no rejected meter left in ONOS: " + bed.meters.getMeters(GW));
        assertEquals(0, bed.meters.failedMeters());
    }

    /**
     * Issue 18: ONOS frees a withdrawn meter's id only when a stats poll purges it
     * (MeterManager.pushMeterMetrics). A second change on a switch with one id to spare finds
     * none until then, and lands at that poll, not at a backoff timer.
     */
    @Test
    void aSecondChangeBeforeOnosPurgesTheFirstsOldMeterLandsWhenThePollFreesItsId() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        bed.meters.tableSize = 4;   // the switch's max_meter: one id to spare
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(9000, 0), "alice", "rest");
        waitFor(() -> List.of(9000L, 20000L, 20000L).equals(meterRates()), Duration.ofSeconds(2), "the first change");
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(7000, 0), "alice", "rest");
        waitFor(() -> "FAILED".equals(sync().path("state").asText()), Duration.ofSeconds(2), "no id for the second");
        assertTrue(sync().path("reason").asText().contains("every meter id of the switch is taken"), sync().toString());
        assertEquals(List.of(9000L, 20000L, 20000L), meterRates(), "the first change's meters stay");
        bed.meters.poll();   // purges the first change's old meter: its id is free again
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "a retry at the poll");
        assertEquals(List.of(7000L, 20000L, 20000L), bed.meters.switchMeters(GW).values().stream().sorted()
                .collect(Collectors.toList()), "social's meter at its new rate");
    }

    /**
     * Issue 18: ONOS keeps a meter the switch refused and re-sends it at every poll
     * (DistributedMeterStore.failedMeter, MeterManager.pushMeterMetrics). Here the refusal comes
     * 300 ms after the submit, from a switch whose meter table stays full: the change fails with
     * the old meters in place, and no refused meter is left for ONOS to re-send.
     */
    @Test
    void aMeterTheSwitchRefusesLateIsNotLeftForOnosToResend() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        bed.meters.failSubmits = 1000;
        bed.meters.failReason = MeterFailReason.OUT_OF_METERS;
        // 300 ms after the submit, whenever that comes: past the 150 ms grace.
        Thread onosSendsTheMeter = bed.meters.deliverLate(GW, 9000, 300);
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(9000, 0), "alice", "rest");
        onosSendsTheMeter.join();
        waitFor(() -> "FAILED".equals(sync().path("state").asText()), Duration.ofSeconds(2), "a failure");
        assertTrue(sync().path("reason").asText().contains("OUT_OF_METERS"), sync().toString());
        bed.meters.poll();   // ONOS re-sends every refused meter it still holds
        assertEquals(0, bed.meters.failedMeters(), "a refused meter left in ONOS: " + bed.meters.getMeters(GW));
        assertEquals(List.of(15000L, 20000L, 20000L), meterRates(), "the old meters stay");
        assertEquals(List.of(15000L, 20000L, 20000L), bed.meters.switchMeters(GW).values().stream().sorted()
                .collect(Collectors.toList()), "and the switch holds them alone");
    }

    /**
     * ONOS dropped the social meter from its store while the switch kept it (racing stats
     * replies), and hands its id to the next meter: the switch answers EXISTING_METER. Checked
     * against the switch's own meters: at another rate the change fails at once, saying so.
     */
    @Test
    void anExistingMeterAtAnotherRateOnTheSwitchFailsTheChangeSayingSo() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        long social = bed.meters.liveMeters(GW).stream().filter(m -> m.bands().iterator().next().rate() == 15000L)
                .findFirst().orElseThrow().id().id();
        bed.meters.loseMeter(GW, social, false);   // the switch still holds it, at 15000
        bed.manager.setRates("default", Profile.OFF_PEAK, new SliceRates(9000, 0), "alice", "rest");
        waitFor(() -> "FAILED".equals(sync().path("state").asText()), Duration.ofSeconds(2), "a failure");
        assertTrue(sync().path("reason").asText().contains("EXISTING_METER, the switch holds meter " + social
                + " at 15000 kbps, not 9000"), sync().toString());
    }

    /**
     * The same, with the switch holding the id at the new meter's rate: EXISTING_METER is not a
     * failure, the change lands.
     */
    @Test
    void anExistingMeterAtTheSameRateOnTheSwitchIsTakenAsAdded() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        long social = bed.meters.liveMeters(GW).stream().filter(m -> m.bands().iterator().next().rate() == 15000L)
                .findFirst().orElseThrow().id().id();
        bed.meters.loseMeter(GW, social, false);
        long version = bed.manager.policyVersion();
        bed.manager.setRates("default", Profile.OFF_PEAK, new SliceRates(15000, 0), "alice", "rest");
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText())
                && sync().path("policyVersion").asLong() > version, Duration.ofSeconds(2), "the change in sync");
        assertEquals(0, sync().path("failures").asInt(), "EXISTING_METER did not fail it: " + sync());
    }

    /**
     * An EXISTING_METER long after the change (ONOS re-sends a meter at a poll) is checked
     * against the switch too: the switch holds that id at another rate, so the rules use a band
     * the policy does not want, and a new generation with new meters follows.
     */
    @Test
    void aLateExistingMeterAtAnotherRateOnTheSwitchBringsANewGeneration() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        long social = bed.store.installedMeters(GW).get("social").meterId();
        bed.meters.resend(GW, social);   // at the right rate: nothing to do
        bed.manager.awaitIdle();
        assertEquals(social, bed.store.installedMeters(GW).get("social").meterId());
        bed.meters.setSwitchRate(GW, social, 999);
        bed.meters.resend(GW, social);
        waitFor(() -> bed.store.installedMeters(GW).get("social").meterId() != social
                && "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(3), "a new generation");
        long now = bed.store.installedMeters(GW).get("social").meterId();
        assertEquals(15000L, bed.meters.switchMeters(GW).get(now), "the new social meter is on the switch");
    }

    @Test
    void aChangeDoesNotWaitForOnosMeterStatsPoll() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        bed.meters.confirmOnPoll = true;   // ONOS: PENDING_ADD until the next poll, up to 10 s
        long t0 = System.nanoTime();
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(7000, 0), "alice", "rest");
        long took = System.nanoTime() - t0;
        assertTrue(took < CareLaneManager.PROMPT.toNanos(), "answered before the prompt ran out: " + took);
        assertEquals("IN_SYNC", sync().path("state").asText(), "the rules point at the new meter at once");
        assertEquals(List.of(7000L, 20000L, 20000L), meterRates());
        assertTrue(bed.meters.liveMeters(GW).stream().anyMatch(m -> m.state() == MeterState.PENDING_ADD));
        bed.meters.poll();
        assertTrue(bed.meters.liveMeters(GW).stream().allMatch(m -> m.state() == MeterState.ADDED));
    }

    /**
     * A submit still waiting for ONOS when its attempt times out (a Raft leader just changed, a
     * busy submit queue): the meter it creates afterwards is withdrawn with the rest, not left
     * for a later attempt to find.
     */
    @Test
    void aMeterSubmittedAfterItsAttemptTimedOutIsWithdrawnToo() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        bed.manager.setProgramTimeout(Duration.ofMillis(200));
        bed.meters.submitMillis = 500;
        long t0 = System.nanoTime();
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(6000, 0), "alice", "rest");
        waitFor(() -> "FAILED".equals(sync().path("state").asText()), Duration.ofSeconds(3), "timeout");
        Thread.sleep(Math.max(0, 700 - (System.nanoTime() - t0) / 1_000_000));   // the submit has ended
        assertEquals(List.of(15000L, 20000L, 20000L), meterRates(), "the late meter was withdrawn");
        bed.meters.submitMillis = 0;
        bed.manager.setProgramTimeout(Duration.ofSeconds(5));
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(5), "retry");
        assertEquals(List.of(6000L, 20000L, 20000L), meterRates());
    }

    @Test
    void anAttemptThatNeverCompletesTimesOutWithdrawsItsMeterAndRetries() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        bed.manager.setProgramTimeout(Duration.ofMillis(300));
        bed.flows.stallBatches = true;   // the switch never answers the barrier
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(6000, 0), "alice", "rest");
        waitFor(() -> "FAILED".equals(sync().path("state").asText()), Duration.ofSeconds(3), "timeout");
        assertTrue(sync().path("reason").asText().startsWith("timed out"), sync().toString());
        assertEquals(List.of(15000L, 20000L, 20000L), meterRates(), "the new meter was withdrawn");
        bed.flows.stallBatches = false;
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(5), "retry");
        assertEquals(List.of(6000L, 20000L, 20000L), meterRates());
        assertEquals(6, bed.flows.devices(GW).size());
    }

    @Test
    void aSwitchThatReconnectsWithItsTablesKeptKeepsItsGeneration() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        List<Long> before = bed.meters.liveMeters(GW).stream().map(m -> m.id().id()).collect(Collectors.toList());
        List<String> rules = bed.flows.switchRules(GW);
        int adds = bed.flows.adds;
        bed.fireDeviceAvailable(GW);   // the connection came back; the switch kept its tables
        bed.manager.awaitIdle();
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "in sync");
        assertEquals(before, bed.meters.liveMeters(GW).stream().map(m -> m.id().id()).collect(Collectors.toList()),
                "the same meters");
        assertEquals(rules, bed.flows.switchRules(GW), "the same rules");
        assertEquals(adds + rules.size(), bed.flows.adds, "its rules re-added in place, once");
    }

    /**
     * As on the cluster: ONOS put back the meters an emptied switch lost before CareLane read
     * them, and its flow store still listed the lost rules, so the switch seemed to have kept its
     * tables, and its rules came back only at ONOS's next flow poll (5.9 s). The generation's
     * rules are re-added in place on every reconnect.
     */
    @Test
    void aSwitchThatReconnectsWithItsMetersButNotItsRulesGetsThemBackAtOnce() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        Probe clinical = new Probe("10.1.1.11", "10.100.0.10", 17);
        List<Long> before = bed.meters.liveMeters(GW).stream().map(m -> m.id().id()).collect(Collectors.toList());
        List<String> rules = bed.flows.switchRules(GW);
        bed.flows.switchLost(GW);   // the rules went; ONOS's flow store still lists them
        assertEquals(null, bed.flows.switchTreatment(GW, clinical));
        bed.fireDeviceAvailable(GW);
        bed.manager.awaitIdle();
        waitFor(() -> bed.flows.switchTreatment(GW, clinical) != null, Duration.ofSeconds(2), "rules back");
        assertEquals(rules, bed.flows.switchRules(GW), "the same generation, back in place");
        assertEquals(before, bed.meters.liveMeters(GW).stream().map(m -> m.id().id()).collect(Collectors.toList()),
                "the same meters");
    }

    @Test
    void aSwitchThatReconnectsWithEmptyTablesGetsAFreshGenerationMetersFirst() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        List<Long> before = bed.meters.liveMeters(GW).stream().map(m -> m.id().id()).collect(Collectors.toList());
        reconnectEmptied(Duration.ofSeconds(2));
        List<Long> after = bed.meters.liveMeters(GW).stream().map(m -> m.id().id()).collect(Collectors.toList());
        assertEquals(3, after.size(), "new meters, old ones withdrawn: " + after);
        assertTrue(after.stream().noneMatch(before::contains), "all new meters: " + before + " -> " + after);
        assertEquals(6, bed.flows.devices(GW).size());
    }

    /**
     * On the cluster, just after a Raft leader was killed, an emptied switch's fresh generation
     * took 1.3 s to its rules: each meter submit is several Raft round trips, and the reconnect's
     * submits ran one after another on the programming thread, with the other cut gateways'.
     */
    @Test
    void anEmptiedReconnectSubmitsItsMetersTogetherAndNotOnTheProgrammingThread() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        bed.meters.submitMillis = 300;
        bed.meters.mostSubmitsAtOnce.set(0);
        bed.meters.submitThreads.clear();
        reconnectEmptied(Duration.ofSeconds(5));   // ONOS still lists the meters: CareLane reads the switch first
        assertEquals(3, bed.meters.mostSubmitsAtOnce.get(), "the three meters together");
        assertTrue(bed.meters.submitThreads.stream().noneMatch(t -> t.startsWith("carelane-programming")),
                "submitted on " + bed.meters.submitThreads);
    }

    /**
     * CI of 5f0cf08: an emptied switch was whole again only 12.2 s after it reconnected. The
     * fresh generation withdrew the old meters the switch had lost; a meter-stats reply ONOS
     * handled after the withdraw, from its read of the store before it, re-ADDed one of them,
     * and the switch held it until ONOS's next polls deleted it (a meter ONOS no longer holds).
     */
    @Test
    void aWithdrawnMeterOnosPutsBackAfterAReconnectLeavesTheSwitch() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        List<Long> before = bed.meters.liveMeters(GW).stream().map(m -> m.id().id()).collect(Collectors.toList());
        bed.flows.switchLost(GW);   // restarted: ONOS still believes its rules and meters are there
        bed.meters.switchLost(GW);
        Runnable lateReply = bed.meters.replyReadNow(GW);   // lacks every meter ONOS holds ADDED
        bed.fireDeviceAvailable(GW);
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText())
                && bed.meters.liveMeters(GW).stream().noneMatch(m -> before.contains(m.id().id())),
                Duration.ofSeconds(2), "a fresh generation, the old meters withdrawn");
        lateReply.run();
        assertTrue(bed.meters.switchMeters(GW).keySet().containsAll(before), "ONOS put the old meters back");
        waitFor(() -> bed.meters.switchMeters(GW).keySet().equals(liveIds()), Duration.ofSeconds(3),
                "the switch to hold only the meters ONOS holds: " + bed.meters.switchMeters(GW));
        assertTrue(bed.openFlow.meterDeletes.get() >= before.size(), "deleted by CareLane, not by ONOS's polls");
        bed.meters.poll();
        bed.meters.poll();
        assertEquals(liveIds(), bed.meters.switchMeters(GW).keySet(), "and no more after ONOS's polls");
        assertEquals(3, liveIds().size());
    }

    private java.util.Set<Long> liveIds() {
        return bed.meters.liveMeters(GW).stream().map(m -> m.id().id()).collect(Collectors.toSet());
    }

    @Test
    void aRuleMissingAfterTheStatsPollFailsTheDeviceAndAFreshGenerationFollows() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        org.onosproject.net.flow.FlowEntry lost = bed.flows.devices(GW).get(0);
        bed.flows.rejectAfterBarrier(lost.id());
        bed.manager.verifyNow(GW);
        assertTrue(sync().path("reason").asText().contains("1 rule(s) not on the switch"), sync().toString());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(5), "fresh retry");
        assertTrue(bed.flows.devices(GW).stream().allMatch(e -> e.state()
                == org.onosproject.net.flow.FlowEntry.FlowEntryState.ADDED), "every rule on the switch again");
        assertEquals(6, bed.flows.devices(GW).size());
        assertEquals(3, bed.meters.liveMeters(GW).size());
    }

    @Test
    void aStrayCareLaneMeterIsWithdrawnAfterTheStatsPoll() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        // A meter of CareLane's that no rule uses, e.g. one ONOS replayed after a restart.
        bed.meters.submit(org.onosproject.net.meter.DefaultMeterRequest.builder().forDevice(GW)
                .fromApp(bed.manager.appId()).withUnit(org.onosproject.net.meter.Meter.Unit.KB_PER_SEC).burst()
                .withBands(List.of(org.onosproject.net.meter.DefaultBand.builder()
                        .ofType(org.onosproject.net.meter.Band.Type.DROP).withRate(4000).burstSize(400).build()))
                .add());
        assertEquals(4, bed.meters.liveMeters(GW).size());
        bed.manager.verifyNow(GW);
        assertEquals(List.of(15000L, 20000L, 20000L), meterRates(), "only the slices' meters remain");
        assertEquals("IN_SYNC", sync().path("state").asText());
    }

    /**
     * Each read of a device's meters copies ONOS's whole meter store (about 900 meters at 300
     * sites), and after a boundary every device is verified: a change waits for none of it.
     * Measured at 300 bridges: a board change behind the boundary's verifications took 4.3-7.2 s.
     */
    @Test
    void aChangeWaitsNeitherForAVerificationNorForAReadOfOnosWholeMeterStore() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        long version = sync().path("policyVersion").asLong();
        bed.meters.wholeStoreReadMillis = 3000;
        int reads = bed.meters.wholeStoreReads.get();
        bed.manager.verifyNow(GW);
        waitFor(() -> bed.meters.wholeStoreReads.get() > reads, Duration.ofSeconds(2), "the verification's read");
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(9000, 0), "alice", "rest");
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText())
                && sync().path("policyVersion").asLong() > version, Duration.ofSeconds(2), "the change in sync");
        assertEquals(List.of(9000L, 20000L, 20000L), meterRates());
        assertEquals(reads + 1, bed.meters.wholeStoreReads.get(), "only the verification read the whole store");
    }

    /**
     * An attempt's end looks through ONOS's whole meter store for strays only in a new term or
     * after a failure: a stray left by a failed attempt of this term goes when the retry lands,
     * not at a verification that a device changed every few seconds may never reach.
     */
    @Test
    void aStrayMeterGoesWhenTheRetryAfterAFailureLands() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(12000, 0), "alice", "rest");
        waitFor(() -> meterRates().contains(12000L), Duration.ofSeconds(2), "a change in the same term");
        // A meter of CareLane's that no rule uses, e.g. one a failed attempt could not withdraw.
        bed.meters.submit(DefaultMeterRequest.builder().forDevice(GW).fromApp(bed.manager.appId())
                .withUnit(Meter.Unit.KB_PER_SEC).burst()
                .withBands(List.of(DefaultBand.builder().ofType(Band.Type.DROP).withRate(4000).burstSize(400).build()))
                .add());
        bed.meters.failSubmits = 1;
        bed.meters.failReason = MeterFailReason.TIMEOUT;
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(8000, 0), "alice", "rest");
        waitFor(() -> "FAILED".equals(sync().path("state").asText()), Duration.ofSeconds(2), "a failure");
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(8), "a retry succeeds");
        assertEquals(List.of(8000L, 20000L, 20000L), meterRates(), "the stray went with the retry");
    }

    private List<org.onosproject.net.flow.FlowEntry> rulesUsing(long meterId) {
        return bed.flows.devices(GW).stream().filter(e -> e.treatment().meters().stream()
                .anyMatch(m -> m.meterId().id() == meterId)).collect(Collectors.toList());
    }

    /** Every meter a CareLane rule points at is held by ONOS with the rate of the rule's slice. */
    private void assertRulesUseLiveMeters() {
        bed.store.installedMeters(GW).forEach((slice, installed) -> {
            org.onosproject.net.meter.Meter held = bed.meters.getMeter(GW,
                    org.onosproject.net.meter.MeterId.meterId(installed.meterId()));
            assertTrue(held != null, slice + "'s meter " + installed.meterId() + " is gone");
            assertEquals(installed.rateKbps(), held.bands().iterator().next().rate(), slice + "'s meter rate");
            assertTrue(!rulesUsing(installed.meterId()).isEmpty(), slice + "'s meter is used");
        });
        bed.flows.devices(GW).forEach(e -> e.treatment().meters().forEach(m -> assertTrue(
                bed.meters.getMeter(GW, m.meterId()) != null, "a rule points at a missing meter: " + e)));
    }

    @Test
    void aMeterOnosDropsIsReplacedAndTheIdItFreedIsNotWithdrawnFromItsNewOwner() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        long social = bed.store.installedMeters(GW).get("social").meterId();
        List<org.onosproject.net.flow.FlowEntry> socialRules = rulesUsing(social);
        bed.meters.loseMeter(GW, social);
        // At ONOS's next meter poll the switch loses the meter, and OVS the rules that use it.
        bed.meters.poll();
        socialRules.forEach(e -> bed.flows.rejectAfterBarrier(e.id()));
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()) && bed.flows.devices(GW).stream()
                .allMatch(e -> e.state() == org.onosproject.net.flow.FlowEntry.FlowEntryState.ADDED),
                Duration.ofSeconds(5), "a fresh generation");
        assertEquals(3, bed.meters.liveMeters(GW).size(), "one meter per metered slice");
        assertTrue(bed.meters.liveMeters(GW).stream().anyMatch(m -> m.id().id() == social),
                "ONOS handed the freed id to a new meter (what makes the old id dangerous to withdraw)");
        assertRulesUseLiveMeters();
        assertEquals(List.of(15000L, 20000L, 20000L), meterRates());
        assertEquals(6, bed.flows.devices(GW).size());
    }

    @Test
    void verificationFindsAMeterOnosDroppedWithoutAnEvent() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        long social = bed.store.installedMeters(GW).get("social").meterId();
        bed.meters.loseMeter(GW, social, false);   // e.g. posted while another node was master
        assertEquals("IN_SYNC", sync().path("state").asText(), "nothing noticed it yet");
        bed.manager.verifyNow(GW);
        assertTrue(sync().path("reason").asText().contains("social (meter " + social + ")"), sync().toString());
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(5), "fresh retry");
        assertRulesUseLiveMeters();
        assertEquals(3, bed.meters.liveMeters(GW).size());
    }

    @Test
    void aDisconnectedDeviceIsShownWaitingAndProgrammedWhenItConnects() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        bed.offline.add(GW);
        bed.fireDeviceAvailable(GW);   // the availability change (now unavailable)
        waitFor(() -> "device not available".equals(sync().path("reason").asText()), Duration.ofSeconds(2),
                "waiting");
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(5000, 0), "alice", "rest");
        assertEquals(List.of(15000L, 20000L, 20000L), meterRates(), "nothing is sent to an offline device");
        bed.offline.remove(GW);
        bed.fireDeviceAvailable(GW);
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "in sync");
        assertEquals(List.of(5000L, 20000L, 20000L), meterRates());
    }

    /**
     * A Raft leader election stalls store reads for seconds. CareLane's device listener reads
     * nothing on ONOS's dispatcher, so the watchdog keeps it, and a later reconnect is still
     * handled. Fails on f6b45d2: every device event (port statistics too) read the policy there.
     */
    @Test
    void aStalledStoreOnOnosEventThreadDoesNotCostTheDeviceListener() throws Exception {
        org.carelane.store.SharedStorageService storage = new org.carelane.store.SharedStorageService();
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital(), new org.carelane.testing
                .RecordingFlowRuleService(), new org.carelane.testing.RecordingMeterService(),
                org.carelane.store.TestStores.newStore(storage), d -> true);
        waitFor(() -> "IN_SYNC".equals(sync().path("state").asText()), Duration.ofSeconds(2), "first sync");
        storage.readDelayMillis = 5_500;   // a leader election: each read waits
        bed.fireDeviceEvent(org.onosproject.net.device.DeviceEvent.Type.PORT_STATS_UPDATED, GW);
        storage.readDelayMillis = 0;
        assertEquals(List.of(), bed.ejected, "ONOS's watchdog ejected CareLane's device listener");
        Probe clinical = new Probe("10.1.1.11", "10.100.0.10", 17);
        bed.flows.switchLost(GW);   // the switch restarted
        bed.meters.switchLost(GW);
        bed.fireDeviceAvailable(GW);
        waitFor(() -> bed.flows.switchTreatment(GW, clinical) != null, Duration.ofSeconds(3), "the reconnect handled");
    }
}
