package org.carelane.cli;

import org.carelane.api.AuditEntry;
import org.carelane.api.PolicyException;
import org.carelane.api.Profile;
import org.carelane.api.RateScope;
import org.carelane.impl.CareLaneTestBed;
import org.carelane.testing.SampleConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliOperationsTest {
    private CareLaneTestBed bed;
    private CliOperations cli;

    @BeforeEach
    void setUp() {
        bed = new CareLaneTestBed(Instant.parse("2026-01-14T09:00:00Z"), SampleConfig.hospital());
        cli = new CliOperations(bed.manager, "bob");
    }

    @AfterEach
    void tearDown() {
        bed.close();
    }

    @Test
    void slicesTableShowsBothProfiles() {
        List<String> out = cli.slices(null);
        assertEquals("active profile: offPeak", out.get(0));
        assertTrue(out.stream().anyMatch(l -> l.matches("social\\s+200 forward\\s+8\\s+2\\s+4000/4000\\s+15000/4000")),
                String.join("\n", out));
        assertEquals(3, cli.slices("clinical").size());
        assertEquals("slice", assertThrows(PolicyException.class, () -> cli.slices("gaming")).field());
    }

    @Test
    void setRateChangesTheMeterAndAuditsTheCliUser() {
        List<String> out = cli.setRate("social", "offPeak", "9000", null);
        assertEquals("social offPeak: maxKbps=9000 minKbps=4000 (active profile offPeak)", out.get(0));
        assertTrue(bed.meters.getAllMeters().stream()
                .anyMatch(m -> m.bands().iterator().next().rate() == 9000));
        AuditEntry last = bed.manager.audit(1).get(0);
        assertEquals("bob", last.user());
        assertEquals("cli", last.source());
    }

    @Test
    void setRateRejectsBadInputNamingTheField() {
        var before = bed.manager.policy().orElseThrow();
        assertEquals("maxKbps", assertThrows(PolicyException.class,
                () -> cli.setRate("social", "peak", "lots", null)).field());
        assertEquals("profile", assertThrows(PolicyException.class,
                () -> cli.setRate("social", "evening", "100", null)).field());
        assertEquals("slice", assertThrows(PolicyException.class,
                () -> cli.setRate("gaming", "peak", "100", null)).field());
        assertEquals("minKbps", assertThrows(PolicyException.class,
                () -> cli.setRate("social", "peak", "100", "200")).field());
        assertEquals(before, bed.manager.policy().orElseThrow());
    }

    @Test
    void scheduleShowsAndChanges() {
        assertEquals("peak 12:00-14:00 [MON,TUE,WED,THU,FRI] Europe/London",
                cli.schedule(null, null, null, null, null, null).get(0));
        List<String> out = cli.schedule(null, "08:00", "10:00", "MON,WED", null, null);
        assertEquals("peak 08:00-10:00 [MON,WED] Europe/London", out.get(0));
        assertEquals("active profile: peak", out.get(2));
        assertEquals("schedule.peakEnd", assertThrows(PolicyException.class,
                () -> cli.schedule(null, "11:00", "09:00", null, null, null)).field());
    }

    @Test
    void scheduleTakesWindowsAndHolidaysAndListsTheNextFiveSwitchOvers() {
        // The bed's clock: Wednesday 2026-01-14 09:00 GMT.
        List<String> out = cli.schedule(null, null, null, null, "07:30-08:30,12:00-14:00", "2026-01-15");
        assertEquals(List.of(
                "peak 07:30-08:30,12:00-14:00 [MON,TUE,WED,THU,FRI] Europe/London",
                "holidays (off-peak all day): 2026-01-15",
                "active profile: offPeak",
                "next switch-overs:",
                "  Wed 2026-01-14 12:00 GMT -> peak",
                "  Wed 2026-01-14 14:00 GMT -> offPeak",
                "  Fri 2026-01-16 07:30 GMT -> peak",
                "  Fri 2026-01-16 08:30 GMT -> offPeak",
                "  Fri 2026-01-16 12:00 GMT -> peak"), out);
        PolicyException overlap = assertThrows(PolicyException.class,
                () -> cli.schedule(null, null, null, null, "12:00-14:00,13:00-15:00", null));
        assertEquals("schedule.windows[1]", overlap.field());
        assertEquals("schedule.holidays[0]", assertThrows(PolicyException.class,
                () -> cli.schedule(null, null, null, null, null, "25/12/2026")).field());
        assertEquals("holidays (off-peak all day): none", cli.schedule(null, null, null, null, null, "none").get(1));
        assertEquals("peak 07:30-08:30,12:00-14:00 [MON,TUE,WED,THU,FRI] Europe/London",
                cli.schedule(null, null, null, null, null, null).get(0), "a rejected change kept the schedule");
    }

    @Test
    void egressShowsAndRefusesALinkNoDeviceHas() {
        assertEquals(List.of("social: WAN uplink in every profile",
                "  of:0000000000000001 now (offPeak): uplink NORMAL"), cli.egress("social", null, null, false));
        PolicyException e = assertThrows(PolicyException.class, () -> cli.egress("social", "breakout", null, false));
        assertEquals("link", e.field());
        assertTrue(e.getMessage().contains("no device has a link 'breakout'"), e.getMessage());
        assertEquals("link", assertThrows(PolicyException.class, () -> cli.egress("social", null, "peak", false))
                .field());
    }

    @Test
    void overrideSetShowAndClear() {
        List<String> out = cli.override("peak", "45", "MRI backlog", false);
        assertEquals("override peak until 2026-01-14T09:45:00Z by bob (MRI backlog)", out.get(0));
        assertEquals(Profile.PEAK, bed.manager.activeProfile());
        assertEquals("override removed", cli.override(null, null, null, true).get(0));
        assertEquals("no override was active", cli.override(null, null, null, true).get(0));
        assertEquals("minutes", assertThrows(PolicyException.class,
                () -> cli.override("peak", "0", null, false)).field());
        assertEquals("minutes", assertThrows(PolicyException.class,
                () -> cli.override("peak", null, null, false)).field());
    }

    @Test
    void statsListsEverySlice() {
        List<String> out = cli.stats();
        assertEquals(5, out.size());
        assertTrue(out.get(2).startsWith("clinical"));
    }

    @Test
    void aBoardGetsItsOwnScheduleFromTheCliAndInheritsAgain() {
        bed.close();
        bed = new CareLaneTestBed(Instant.parse("2026-01-14T09:00:00Z"), SampleConfig.wales());
        cli = new CliOperations(bed.manager, "bob");
        RateScope cav = CliOperations.scope("cav", null, null);
        List<String> out = cli.schedule(new CliOperations.ScheduleChange(null, "08:30", "10:00", null, null,
                "2026-03-02"), cav, false);
        assertEquals("board 'cav': its own schedule (national holidays kept)", out.get(0));
        assertEquals("peak 08:30-10:00 [MON,TUE,WED,THU,FRI] Europe/London", out.get(1));
        assertEquals("active profile: peak", out.get(3), String.join("\n", out));
        assertTrue(out.get(2).contains("2026-03-02") && out.get(2).contains("2026-12-25"),
                "its own holiday and the national ones: " + out.get(2));
        assertEquals(java.util.Set.of(java.time.LocalDate.parse("2026-03-02")), bed.manager.policy().orElseThrow()
                .boards().get("cav").schedule().orElseThrow().holidays(), "it stores only its own");
        List<String> site = cli.schedule(new CliOperations.ScheduleChange(null, null, null, null, null, null),
                CliOperations.scope(null, null, "of:00000000000000b1"), false);
        assertEquals("site of:00000000000000b1: its site class's or board's schedule", site.get(0));
        assertEquals("peak 08:30-10:00 [MON,TUE,WED,THU,FRI] Europe/London", site.get(1), "its board's");
        assertEquals("set-schedule board 'cav'", bed.manager.audit(1).get(0).action());
        assertEquals("peak 12:00-14:00 [MON,TUE,WED,THU,FRI] Europe/London",
                cli.schedule(null, null, null, null, null, null).get(0), "the national schedule is unchanged");

        var before = bed.manager.policy().orElseThrow();
        assertEquals("scope", assertThrows(PolicyException.class,
                () -> CliOperations.scope("cav", "gp-practice", null)).field());
        assertEquals("board", assertThrows(PolicyException.class, () -> cli.schedule(
                new CliOperations.ScheduleChange(null, "08:30", "10:00", null, null, null),
                CliOperations.scope("powys", null, null), false)).field());
        assertEquals("inherit", assertThrows(PolicyException.class, () -> cli.schedule(
                new CliOperations.ScheduleChange(null, "08:30", null, null, null, null), cav, true)).field());
        assertEquals(before, bed.manager.policy().orElseThrow());

        out = cli.schedule(new CliOperations.ScheduleChange(null, null, null, null, null, null), cav, true);
        assertEquals("board 'cav': the national schedule", out.get(0));
        assertEquals("active profile: offPeak", out.get(3));
    }

    @Test
    void aBoardOverrideFromTheCli() {
        bed.close();
        bed = new CareLaneTestBed(Instant.parse("2026-01-14T09:00:00Z"), SampleConfig.wales());
        cli = new CliOperations(bed.manager, "bob");
        RateScope cav = CliOperations.scope("cav", null, null);
        List<String> out = cli.override("peak", "30", "staff event", false, cav);
        assertEquals("board 'cav': override peak until 2026-01-14T09:30:00Z by bob (staff event)", out.get(0));
        assertEquals("no override; schedule in force", cli.override(null, null, null, false).get(0),
                "the national override is another");
        assertEquals("minutes", assertThrows(PolicyException.class,
                () -> cli.override("peak", null, null, false, cav)).field());
        assertEquals(List.of("board 'cav': override removed"), cli.override(null, null, null, true, cav));
        assertEquals(List.of("board 'cav': no override"), cli.override(null, null, null, false, cav));
    }
}
