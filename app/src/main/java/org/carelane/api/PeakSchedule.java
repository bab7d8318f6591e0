package org.carelane.api;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Weekly peak windows in a local time zone, e.g. 12:00-14:00 Mon-Fri Europe/London, with
 * holidays that are off-peak all day. Windows do not overlap (checked when parsed).
 */
public final class PeakSchedule {
    private final ZoneId zone;
    private final List<Window> windows;
    private final Set<DayOfWeek> days;
    private final SortedSet<LocalDate> holidays;

    /** One peak window of a day: from {@code start} (inclusive) to {@code end} (exclusive). */
    public static final class Window {
        private final LocalTime start;
        private final LocalTime end;

        public Window(LocalTime start, LocalTime end) {
            this.start = Objects.requireNonNull(start);
            this.end = Objects.requireNonNull(end);
        }

        public LocalTime start() {
            return start;
        }

        public LocalTime end() {
            return end;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Window && start.equals(((Window) o).start) && end.equals(((Window) o).end);
        }

        @Override
        public int hashCode() {
            return Objects.hash(start, end);
        }

        @Override
        public String toString() {
            return start + "-" + end;
        }
    }

    public PeakSchedule(ZoneId zone, List<Window> windows, Set<DayOfWeek> days, Set<LocalDate> holidays) {
        List<Window> sorted = new ArrayList<>(windows);
        sorted.sort(Comparator.comparing(Window::start));
        this.zone = zone;
        this.windows = List.copyOf(sorted);
        this.days = days.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(days));
        this.holidays = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(holidays));
    }

    /** One window a day and no holidays. */
    public PeakSchedule(ZoneId zone, LocalTime start, LocalTime end, Set<DayOfWeek> days) {
        this(zone, List.of(new Window(start, end)), days, Set.of());
    }

    public ZoneId zone() {
        return zone;
    }

    /** The windows, earliest first. */
    public List<Window> windows() {
        return windows;
    }

    public Set<DayOfWeek> days() {
        return days;
    }

    public SortedSet<LocalDate> holidays() {
        return holidays;
    }

    /** True if the windows apply on this local date: one of the days, and not a holiday. */
    public boolean hasPeak(LocalDate date) {
        return days.contains(date.getDayOfWeek()) && !holidays.contains(date);
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
                && Objects.equals(windows, other.windows)
                && Objects.equals(days, other.days)
                && Objects.equals(holidays, other.holidays);
    }

    @Override
    public int hashCode() {
        return Objects.hash(zone, windows, days, holidays);
    }

    @Override
    public String toString() {
        return "PeakSchedule[zone=" + zone + ", windows=" + windows + ", days=" + days + ", holidays=" + holidays
                + "]";
    }
}
