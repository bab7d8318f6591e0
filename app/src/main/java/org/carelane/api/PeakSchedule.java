package org.carelane.api;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Weekly peak window in a local time zone, e.g. 12:00-14:00 Mon-Fri Europe/London.
 */
public final class PeakSchedule {
    private final ZoneId zone;
    private final LocalTime start;
    private final LocalTime end;
    private final Set<DayOfWeek> days;

    public PeakSchedule(ZoneId zone, LocalTime start, LocalTime end, Set<DayOfWeek> days) {
        this.days = days.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(days));

        this.zone = zone;
        this.start = start;
        this.end = end;
    }

    public ZoneId zone() {
        return zone;
    }

    public LocalTime start() {
        return start;
    }

    public LocalTime end() {
        return end;
    }

    public Set<DayOfWeek> days() {
        return days;
    }

    /** NHS Wales lunchtime: 12:00-14:00, Monday to Friday, Europe/London. */
    public static PeakSchedule nhsLunchtime() {
        return new PeakSchedule(ZoneId.of("Europe/London"), LocalTime.NOON, LocalTime.of(14, 0),
                EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY));
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PeakSchedule)) {
            return false;
        }
        PeakSchedule other = (PeakSchedule) o;
        return Objects.equals(zone, other.zone)
                && Objects.equals(start, other.start)
                && Objects.equals(end, other.end)
                && Objects.equals(days, other.days);
    }

    @Override
    public int hashCode() {
        return Objects.hash(zone, start, end, days);
    }

    @Override
    public String toString() {
        return "PeakSchedule[zone=" + zone + ", start=" + start + ", end=" + end + ", days=" + days + "]";
    }
}
