package org.carelane.policy;

import org.carelane.api.PeakSchedule;
import org.carelane.api.Profile;
import org.carelane.api.ProfileOverride;
import org.carelane.api.RateScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ScheduleCalculatorTest {
    private static final PeakSchedule LUNCH = PeakSchedule.nhsLunchtime();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        // Winter (GMT = UTC): Wednesday 2026-01-14
        "2026-01-14T11:59:59Z, OFF_PEAK",
        "2026-01-14T12:00:00Z, PEAK",
        "2026-01-14T13:59:59Z, PEAK",
        "2026-01-14T14:00:00Z, OFF_PEAK",
        // Summer (BST = UTC+1): Wednesday 2026-07-15, peak is 11:00-13:00 UTC
        "2026-07-15T10:59:59Z, OFF_PEAK",
        "2026-07-15T11:00:00Z, PEAK",
        "2026-07-15T12:59:59Z, PEAK",
        "2026-07-15T13:00:00Z, OFF_PEAK",
        // Weekend lunchtime is off-peak
        "2026-07-18T11:30:00Z, OFF_PEAK",
        "2026-01-18T12:30:00Z, OFF_PEAK",
        // Spring DST week: clocks go forward Sunday 2026-03-29
        "2026-03-27T12:00:00Z, PEAK",
        "2026-03-27T11:30:00Z, OFF_PEAK",
        "2026-03-30T11:00:00Z, PEAK",
        "2026-03-30T13:00:00Z, OFF_PEAK",
        "2026-03-30T12:59:59Z, PEAK",
        // Autumn DST week: clocks go back Sunday 2026-10-25
        "2026-10-23T11:00:00Z, PEAK",
        "2026-10-23T13:00:00Z, OFF_PEAK",
        "2026-10-26T11:30:00Z, OFF_PEAK",
        "2026-10-26T12:00:00Z, PEAK",
        "2026-10-26T13:30:00Z, PEAK",
        "2026-10-26T14:00:00Z, OFF_PEAK",
    })
    void lunchtimeFollowsLondonWallClock(String instant, Profile expected) {
        assertEquals(expected, ScheduleCalculator.scheduled(LUNCH, Instant.parse(instant)));
    }

    @ParameterizedTest(name = "after {0} next boundary is {1}")
    @CsvSource({
        "2026-01-14T09:00:00Z, 2026-01-14T12:00:00Z",
        "2026-01-14T12:00:00Z, 2026-01-14T14:00:00Z",
        "2026-01-14T14:00:00Z, 2026-01-15T12:00:00Z",
        // Friday afternoon -> Monday noon
        "2026-01-16T15:00:00Z, 2026-01-19T12:00:00Z",
        // Across the spring change: Friday in GMT, Monday in BST
        "2026-03-27T14:00:00Z, 2026-03-30T11:00:00Z",
        // Across the autumn change: Friday in BST, Monday in GMT
        "2026-10-23T13:00:00Z, 2026-10-26T12:00:00Z",
    })
    void nextBoundaryIsExact(String now, String expected) {
        assertEquals(Instant.parse(expected), ScheduleCalculator.nextBoundary(LUNCH, Instant.parse(now)));
    }

    @Test
    void overrideWinsUntilItExpires() {
        Instant noon = Instant.parse("2026-01-14T12:30:00Z");
        Optional<ProfileOverride> o = Optional.of(new ProfileOverride(Profile.OFF_PEAK,
                noon.plusSeconds(600), "ops", "incident"));
        assertEquals(Profile.OFF_PEAK, ScheduleCalculator.effective(LUNCH, o, noon));
        assertEquals(Profile.OFF_PEAK, ScheduleCalculator.effective(LUNCH, o, noon.plusSeconds(599)));
        assertEquals(Profile.PEAK, ScheduleCalculator.effective(LUNCH, o, noon.plusSeconds(600)));
        assertEquals(noon.plusSeconds(600), ScheduleCalculator.nextChange(LUNCH, o, noon));
    }

    @Test
    void overrideBeyondBoundaryDoesNotHideTheBoundary() {
        Instant morning = Instant.parse("2026-01-14T10:00:00Z");
        Optional<ProfileOverride> o = Optional.of(new ProfileOverride(Profile.PEAK,
                Instant.parse("2026-01-14T18:00:00Z"), "ops", null));
        assertEquals(Instant.parse("2026-01-14T12:00:00Z"), ScheduleCalculator.nextChange(LUNCH, o, morning));
    }

    private static PeakSchedule schedule(String json) {
        return ScheduleCodec.parse(PolicyCodec.readTree(json), "schedule");
    }

    @Test
    void christmasDay2026IsOffPeakWithHolidaysAndPeakWithout() {
        Instant christmasLunch = Instant.parse("2026-12-25T12:30:00Z");   // a Friday, GMT
        assertEquals(Profile.PEAK, ScheduleCalculator.scheduled(LUNCH, christmasLunch));
        PeakSchedule withHolidays = schedule("{\"peakStart\":\"12:00\",\"peakEnd\":\"14:00\","
                + "\"holidays\":[\"2026-12-25\",\"2026-12-28\"]}");
        assertEquals(Profile.OFF_PEAK, ScheduleCalculator.scheduled(withHolidays, christmasLunch));
        assertEquals(Profile.PEAK, ScheduleCalculator.scheduled(withHolidays, Instant.parse("2026-12-24T12:30:00Z")));
        // Christmas Eve's window ends; then Friday and Monday are holidays: Tuesday noon.
        assertEquals(Instant.parse("2026-12-29T12:00:00Z"),
                ScheduleCalculator.nextBoundary(withHolidays, Instant.parse("2026-12-24T14:00:00Z")));
    }

    @Test
    void severalWindowsADayFollowTheWallClockAcrossDst() {
        PeakSchedule two = schedule("{\"windows\":[{\"start\":\"12:00\",\"end\":\"14:00\"},"
                + "{\"start\":\"07:30\",\"end\":\"09:00\"}]}");
        assertEquals(Profile.PEAK, ScheduleCalculator.scheduled(two, Instant.parse("2026-01-14T07:30:00Z")));
        assertEquals(Profile.OFF_PEAK, ScheduleCalculator.scheduled(two, Instant.parse("2026-01-14T09:00:00Z")));
        assertEquals(Profile.PEAK, ScheduleCalculator.scheduled(two, Instant.parse("2026-07-15T06:30:00Z")));
        assertEquals(Profile.OFF_PEAK, ScheduleCalculator.scheduled(two, Instant.parse("2026-07-15T08:00:00Z")));
        // Friday 2026-03-27 (GMT) to Monday 2026-03-30 (BST).
        assertEquals(List.of("2026-03-27T07:30:00Z peak", "2026-03-27T09:00:00Z offPeak",
                        "2026-03-27T12:00:00Z peak", "2026-03-27T14:00:00Z offPeak", "2026-03-30T06:30:00Z peak"),
                describe(ScheduleCalculator.switchOvers(two, Optional.empty(), Instant.parse("2026-03-27T06:00:00Z"),
                        5)));
    }

    @Test
    void touchingWindowsMakeOneSwitchOverEachWay() {
        PeakSchedule touching = schedule("{\"windows\":[{\"start\":\"12:00\",\"end\":\"13:00\"},"
                + "{\"start\":\"13:00\",\"end\":\"14:00\"}]}");
        assertEquals(List.of("2026-01-14T12:00:00Z peak", "2026-01-14T14:00:00Z offPeak"),
                describe(ScheduleCalculator.switchOvers(touching, Optional.empty(),
                        Instant.parse("2026-01-14T09:00:00Z"), 2)));
    }

    @Test
    void theNextSwitchOversStartWithTheOverridesExpiry() {
        // A peak override at 09:00 until 10:00; the schedule is off-peak then.
        ProfileOverride drill = new ProfileOverride(Profile.PEAK, Instant.parse("2026-01-14T10:00:00Z"), "bob", "d");
        assertEquals(List.of("2026-01-14T10:00:00Z offPeak", "2026-01-14T12:00:00Z peak",
                        "2026-01-14T14:00:00Z offPeak", "2026-01-15T12:00:00Z peak", "2026-01-15T14:00:00Z offPeak"),
                describe(ScheduleCalculator.switchOvers(LUNCH, Optional.of(drill),
                        Instant.parse("2026-01-14T09:00:00Z"), 5)));
        // An off-peak override over the lunch window hides its start.
        ProfileOverride quiet = new ProfileOverride(Profile.OFF_PEAK, Instant.parse("2026-01-14T13:00:00Z"), "b", "x");
        assertEquals(List.of("2026-01-14T13:00:00Z peak", "2026-01-14T14:00:00Z offPeak"),
                describe(ScheduleCalculator.switchOvers(LUNCH, Optional.of(quiet),
                        Instant.parse("2026-01-14T09:00:00Z"), 2)));
    }

    @Test
    void aScheduleWithNoPeakDayHasNoSwitchOver() {
        PeakSchedule never = schedule("{\"peakStart\":\"12:00\",\"peakEnd\":\"14:00\",\"days\":[]}");
        assertEquals(List.of(), ScheduleCalculator.switchOvers(never, Optional.empty(),
                Instant.parse("2026-01-14T09:00:00Z"), 5));
    }

    private static List<String> describe(List<ScheduleCalculator.SwitchOver> switchOvers) {
        List<String> out = new java.util.ArrayList<>();
        switchOvers.forEach(o -> out.add(o.at() + " " + o.profile().jsonName()));
        return out;
    }

    @Test
    void theOverrideInForceAtAScopeIsItsOwnThenItsClassAndBoardForASiteThenTheNationalOne() {
        org.carelane.api.SlicePolicy wales = PolicyCodec.parse(org.carelane.testing.SampleConfig.wales());
        Instant now = Instant.parse("2026-01-14T10:00:00Z");
        Instant later = now.plusSeconds(3600);
        ProfileOverride national = new ProfileOverride(Profile.PEAK, later, "n", null);
        ProfileOverride board = new ProfileOverride(Profile.OFF_PEAK, later, "b", null);
        ProfileOverride expired = new ProfileOverride(Profile.PEAK, now, "s", null);
        RateScope cav = RateScope.board("cav");
        RateScope gpCav = RateScope.site(org.onosproject.net.DeviceId.deviceId("of:00000000000000b1"));
        RateScope gpBcuhb = RateScope.site(org.onosproject.net.DeviceId.deviceId("of:00000000000000a1"));
        java.util.Map<RateScope, ProfileOverride> scoped = java.util.Map.of(cav, board, gpCav, expired);
        assertEquals(Optional.of(board), ScheduleCalculator.overrideAt(wales, gpCav, Optional.of(national), scoped,
                now), "the site's own has expired: its board's");
        assertEquals(Optional.of(board), ScheduleCalculator.overrideAt(wales, cav, Optional.of(national), scoped,
                now));
        assertEquals(Optional.of(national), ScheduleCalculator.overrideAt(wales, gpBcuhb, Optional.of(national),
                scoped, now), "another board's site: the national one");
        assertEquals(Optional.empty(), ScheduleCalculator.overrideAt(wales, gpBcuhb, Optional.of(national),
                scoped, later), "none once all have expired");
    }
}
