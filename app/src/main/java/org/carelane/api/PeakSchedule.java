package org.carelane.api;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.Set;

/**
 * Weekly peak window in a local time zone, e.g. 12:00-14:00 Mon-Fri Europe/London.
 */
public record PeakSchedule(ZoneId zone, LocalTime start, LocalTime end, Set<DayOfWeek> days) {

    public PeakSchedule {
        days = days.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(days));
    }

    /** NHS Wales lunchtime: 12:00-14:00, Monday to Friday, Europe/London. */
    public static PeakSchedule nhsLunchtime() {
        return new PeakSchedule(ZoneId.of("Europe/London"), LocalTime.NOON, LocalTime.of(14, 0),
                EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY));
    }
}
