package org.carelane.policy;

import org.carelane.api.PeakSchedule;
import org.carelane.api.Profile;
import org.carelane.api.ProfileOverride;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * Pure java.time evaluation of the peak schedule and overrides. DST is handled by
 * resolving local wall-clock times in the schedule's zone day by day.
 */
public final class ScheduleCalculator {
    private static final int SEARCH_DAYS = 8;

    private ScheduleCalculator() {
    }

    /** Profile the schedule alone selects at {@code now}. */
    public static Profile scheduled(PeakSchedule schedule, Instant now) {
        ZonedDateTime local = now.atZone(schedule.zone());
        if (!schedule.days().contains(local.getDayOfWeek())) {
            return Profile.OFF_PEAK;
        }
        Instant start = windowStart(schedule, local.toLocalDate());
        Instant end = windowEnd(schedule, local.toLocalDate());
        return !now.isBefore(start) && now.isBefore(end) ? Profile.PEAK : Profile.OFF_PEAK;
    }

    /** Profile in force: an unexpired override wins over the schedule. */
    public static Profile effective(PeakSchedule schedule, Optional<ProfileOverride> override, Instant now) {
        return override.filter(o -> o.activeAt(now))
                .map(ProfileOverride::profile)
                .orElseGet(() -> scheduled(schedule, now));
    }

    /** The first schedule boundary (window start or end) strictly after {@code now}. */
    public static Instant nextBoundary(PeakSchedule schedule, Instant now) {
        LocalDate day = now.atZone(schedule.zone()).toLocalDate();
        for (int i = 0; i < SEARCH_DAYS; i++, day = day.plusDays(1)) {
            if (!schedule.days().contains(day.getDayOfWeek())) {
                continue;
            }
            Instant start = windowStart(schedule, day);
            if (start.isAfter(now)) {
                return start;
            }
            Instant end = windowEnd(schedule, day);
            if (end.isAfter(now)) {
                return end;
            }
        }
        return now.plusSeconds(SEARCH_DAYS * 86_400L);
    }

    /** The next instant at which the effective profile may change. */
    public static Instant nextChange(PeakSchedule schedule, Optional<ProfileOverride> override, Instant now) {
        Instant boundary = nextBoundary(schedule, now);
        return override.filter(o -> o.activeAt(now))
                .map(ProfileOverride::expiresAt)
                .filter(expiry -> expiry.isBefore(boundary))
                .orElse(boundary);
    }

    private static Instant windowStart(PeakSchedule schedule, LocalDate day) {
        return ZonedDateTime.of(day, schedule.start(), schedule.zone()).toInstant();
    }

    private static Instant windowEnd(PeakSchedule schedule, LocalDate day) {
        return ZonedDateTime.of(day, schedule.end(), schedule.zone()).toInstant();
    }
}
