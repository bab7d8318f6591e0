package org.carelane.impl;

import org.carelane.api.Profile;
import org.carelane.api.SliceRates;
import org.carelane.testing.Probe;
import org.carelane.testing.SampleConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.onosproject.net.DeviceId;
import org.onosproject.net.flow.TrafficTreatment;
import org.onosproject.net.flow.instructions.Instruction;
import org.onosproject.net.flow.instructions.L3ModificationInstruction.ModDscpInstruction;
import org.onosproject.net.meter.MeterFailReason;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 18's proofs. scripts/prove-doubles.sh runs this class on f6b45d2's CareLane with
 * today's ONOS-faithful doubles, where every test must FAIL; today's code passes the
 * counterpart named on each test. Written against f6b45d2's test bed and manager.
 */
class ProofOnOldCodeTest {
    private static final DeviceId GW = DeviceId.deviceId("of:0000000000000001");
    private static final Instant WED_MORNING = Instant.parse("2026-01-14T09:00:00Z");
    private static final Map<String, Probe> PROBES = new LinkedHashMap<>();

    static {
        PROBES.put("blocked", new Probe("10.1.2.21", "10.200.0.66", 1));
        PROBES.put("clinical", new Probe("10.1.1.11", "10.100.0.10", 17));
        PROBES.put("social", new Probe("10.1.2.21", "10.200.0.10", 6));
        PROBES.put("default", new Probe("10.1.2.21", "10.150.0.10", 6));
    }

    private CareLaneTestBed bed;
    private final List<String> violations = new ArrayList<>();

    @AfterEach
    void tearDown() {
        if (bed != null) {
            bed.close();
        }
    }

    private static String sliceOf(TrafficTreatment t) {
        if (t == null) {
            return "no rule";
        }
        for (Instruction i : t.immediate()) {
            if (i instanceof ModDscpInstruction) {
                switch (((ModDscpInstruction) i).dscp()) {
                    case 46:
                        return "clinical";
                    case 8:
                        return "social";
                    case 0:
                        return "default";
                    default:
                        return "dscp " + ((ModDscpInstruction) i).dscp();
                }
            }
        }
        return t.allInstructions().stream().anyMatch(i -> i.type() == Instruction.Type.OUTPUT) ? "unmarked"
                : "blocked";
    }

    private void checkSwitch() {
        PROBES.forEach((slice, packet) -> {
            String got = sliceOf(bed.flows.switchTreatment(GW, packet));
            if (!slice.equals(got)) {
                violations.add(packet + " (" + slice + ") took " + got);
            }
        });
    }

    private static void waitFor(BooleanSupplier done, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /**
     * ONOS drops OVS's METER_MOD_FAILED error for a rule whose meter is not on the switch yet,
     * and the batch succeeds at the barrier; f6b45d2 sent the rules after a fixed 150 ms grace,
     * then removed the old ones. Counterpart: SwitchConsistencyTest.noRuleGoesOutBeforeItsMeterIsOnTheSwitch.
     */
    @Test
    void aMeterThatReachesTheSwitch300MsLateLeavesNoPacketWithoutItsSlice() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        bed.manager.meterGrace = CareLaneManager.METER_GRACE;   // f6b45d2's own grace, not the test bed's zero
        bed.manager.setProgramTimeout(CareLaneManager.PROGRAM_TIMEOUT);
        bed.manager.awaitIdle();
        bed.flows.onStage(this::checkSwitch);
        bed.meters.holdOffSwitch = true;
        Thread onosSendsTheMeter = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            bed.meters.deliver();
        });
        onosSendsTheMeter.start();
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(9000, 0), "alice", "rest");
        onosSendsTheMeter.join();
        bed.manager.awaitIdle();
        checkSwitch();
        assertEquals(List.of(), violations, "every packet kept its slice");
    }

    /**
     * ONOS re-sends a meter at a stats poll, and a switch that holds its id at another rate
     * answers EXISTING_METER long after the change; f6b45d2 ignored an error that came after its
     * grace, so the rules kept a band the policy does not want. Counterpart:
     * FailureHandlingTest.aLateExistingMeterAtAnotherRateOnTheSwitchBringsANewGeneration.
     */
    @Test
    void aLateExistingMeterAtAnotherRateIsNotLeftOnTheSwitch() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        bed.manager.awaitIdle();
        long social = bed.store.installedMeters(GW).get("social").meterId();
        bed.meters.setSwitchRate(GW, social, 999);
        bed.meters.resend(GW, social);
        waitFor(() -> bed.store.installedMeters(GW).get("social").meterId() != social, Duration.ofSeconds(3));
        bed.manager.awaitIdle();
        long now = bed.store.installedMeters(GW).get("social").meterId();
        assertEquals(15000L, bed.meters.switchMeters(GW).get(now), "social's meter on the switch at its rate");
    }

    /**
     * ONOS keeps a meter the switch refused and re-sends it at every poll; f6b45d2 ignored a
     * refusal that came after its 150 ms grace, so the refused meter stayed in ONOS (and social's
     * new rules, sent at 150 ms, pointed at a meter the switch does not hold). Counterpart:
     * FailureHandlingTest.aMeterTheSwitchRefusesLateIsNotLeftForOnosToResend.
     */
    @Test
    void aMeterTheSwitchRefusesLateIsNotLeftForOnosToResend() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        bed.manager.meterGrace = CareLaneManager.METER_GRACE;
        bed.manager.setProgramTimeout(CareLaneManager.PROGRAM_TIMEOUT);
        bed.manager.awaitIdle();
        bed.meters.failSubmits = 1000;
        bed.meters.failReason = MeterFailReason.OUT_OF_METERS;
        // 300 ms after the submit, whenever that comes: past the 150 ms grace.
        Thread onosSendsTheMeter = bed.meters.deliverLate(GW, 9000, 300);
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(9000, 0), "alice", "rest");
        onosSendsTheMeter.join();
        bed.manager.awaitIdle();
        bed.meters.poll();   // ONOS re-sends every refused meter it still holds
        assertEquals(0, bed.meters.failedMeters(), "a refused meter left in ONOS: " + bed.meters.getMeters(GW));
    }

    /**
     * ONOS frees a withdrawn meter's id only when a stats poll purges it (MeterManager
     * .pushMeterMetrics); until then a switch with no spare id has none for a second change.
     * f6b45d2 did not try again when the poll freed one. Counterpart:
     * FailureHandlingTest.aSecondChangeBeforeOnosPurgesTheFirstsOldMeterLandsWhenThePollFreesItsId.
     */
    @Test
    void aSecondChangeBeforeOnosPurgesTheFirstsOldMeterLandsWhenThePollFreesItsId() throws Exception {
        bed = new CareLaneTestBed(WED_MORNING, SampleConfig.hospital());
        bed.manager.awaitIdle();
        bed.meters.tableSize = 4;   // the switch's max_meter: one id to spare
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(9000, 0), "alice", "rest");
        bed.manager.awaitIdle();
        waitFor(() -> bed.meters.switchMeters(GW).containsValue(9000L), Duration.ofSeconds(2));
        assertEquals(List.of(9000L, 20000L, 20000L), bed.meters.switchMeters(GW).values().stream().sorted()
                .collect(java.util.stream.Collectors.toList()), "the first change landed (as it does on f6b45d2)");
        bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(7000, 0), "alice", "rest");
        bed.manager.awaitIdle();
        bed.meters.poll();   // purges the first change's old meter: its id is free again
        waitFor(() -> bed.meters.switchMeters(GW).containsValue(7000L), Duration.ofSeconds(1));
        assertEquals(List.of(7000L, 20000L, 20000L), bed.meters.switchMeters(GW).values().stream().sorted()
                .collect(java.util.stream.Collectors.toList()), "social's meter at its new rate");
    }
}
