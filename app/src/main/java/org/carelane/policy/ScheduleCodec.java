package org.carelane.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.PeakSchedule;
import org.carelane.api.PolicyException;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.carelane.policy.JsonFields.convert;
import static org.carelane.policy.JsonFields.list;
import static org.carelane.policy.JsonFields.object;
import static org.carelane.policy.JsonFields.onlyFields;
import static org.carelane.policy.JsonFields.optText;
import static org.carelane.policy.JsonFields.path;
import static org.carelane.policy.JsonFields.present;
import static org.carelane.policy.JsonFields.text;

/** The schedule object in JSON (netcfg {@code schedule}, REST {@code /schedule}). */
public final class ScheduleCodec {
    private ScheduleCodec() {
    }

    /** The fields of a schedule object. */
    public static final Set<String> FIELDS = Set.of("zone", "peakStart", "peakEnd", "windows", "days",
            "holidays");
    /** Most peak windows a day. */
    public static final int MAX_WINDOWS = 24;
    /** Most holidays in a schedule. */
    public static final int MAX_HOLIDAYS = 1000;

    /**
     * Parses a schedule object on its own (REST PUT /schedule): one window as peakStart and
     * peakEnd, or several as windows [{start, end}], which must not overlap; holidays are
     * dates (YYYY-MM-DD) that are off-peak all day.
     */
    public static PeakSchedule parse(JsonNode node, String at) {
        onlyFields(object(node, at), at, FIELDS);
        String zoneText = optText(node, "zone", path(at, "zone"));
        ZoneId zone = zoneText == null ? ZoneId.of("Europe/London")
                : convert(path(at, "zone"), zoneText, ZoneId::of);
        List<PeakSchedule.Window> windows;
        if (present(node, "windows")) {
            if (present(node, "peakStart") || present(node, "peakEnd")) {
                throw new PolicyException(path(at, "windows"), "give either windows or peakStart and peakEnd");
            }
            windows = list(node, "windows", path(at, "windows"), ScheduleCodec::parseWindow);
            if (windows.isEmpty() || windows.size() > MAX_WINDOWS) {
                throw new PolicyException(path(at, "windows"), "must hold 1 to " + MAX_WINDOWS + " windows");
            }
            rejectOverlaps(windows, path(at, "windows"));
        } else {
            windows = List.of(window(node, at, "peakStart", "peakEnd"));
        }
        Set<DayOfWeek> days = EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY);
        if (present(node, "days")) {
            days = EnumSet.noneOf(DayOfWeek.class);
            days.addAll(list(node, "days", path(at, "days"), item -> parseDay(item.node(), item.path())));
        }
        List<LocalDate> holidays = list(node, "holidays", path(at, "holidays"), ScheduleCodec::parseDate);
        if (holidays.size() > MAX_HOLIDAYS) {
            throw new PolicyException(path(at, "holidays"), "must hold at most " + MAX_HOLIDAYS + " dates");
        }
        return new PeakSchedule(zone, windows, days, new java.util.HashSet<>(holidays));
    }

    private static LocalDate parseDate(JsonFields.Item item) {
        try {
            return LocalDate.parse(item.node().isTextual() ? item.node().asText().trim() : "");
        } catch (java.time.DateTimeException e) {
            throw new PolicyException(item.path(), "must be a date as YYYY-MM-DD, got " + item.node());
        }
    }

    private static PeakSchedule.Window parseWindow(JsonFields.Item item) {
        onlyFields(object(item.node(), item.path()), item.path(), Set.of("start", "end"));
        return window(item.node(), item.path(), "start", "end");
    }

    private static PeakSchedule.Window window(JsonNode node, String at, String startField, String endField) {
        LocalTime start = convert(path(at, startField), text(node, startField, path(at, startField)),
                LocalTime::parse);
        LocalTime end = convert(path(at, endField), text(node, endField, path(at, endField)), LocalTime::parse);
        if (!end.isAfter(start)) {
            throw new PolicyException(path(at, endField), "must be after " + startField);
        }
        return new PeakSchedule.Window(start, end);
    }

    /** Windows may touch (one ends when the next starts) but not overlap. */
    private static void rejectOverlaps(List<PeakSchedule.Window> windows, String at) {
        for (int i = 0; i < windows.size(); i++) {
            for (int j = 0; j < i; j++) {
                PeakSchedule.Window a = windows.get(j);
                PeakSchedule.Window b = windows.get(i);
                if (b.start().isBefore(a.end()) && a.start().isBefore(b.end())) {
                    throw new PolicyException(at + "[" + i + "]",
                            "window " + b + " overlaps window " + a + " (" + at + "[" + j + "])");
                }
            }
        }
    }

    private static DayOfWeek parseDay(JsonNode node, String at) {
        String text = node.isTextual() ? node.asText().trim().toUpperCase(Locale.ROOT) : "";
        for (DayOfWeek day : DayOfWeek.values()) {
            if (!text.isEmpty() && day.name().startsWith(text) && text.length() >= 3) {
                return day;
            }
        }
        throw new PolicyException(at, "must be a day such as MON or MONDAY, got " + node);
    }

    public static ObjectNode encode(PeakSchedule schedule) {
        ObjectNode node = PolicyCodec.mapper().createObjectNode();
        node.put("zone", schedule.zone().getId());
        if (schedule.windows().size() == 1) {
            node.put("peakStart", schedule.windows().get(0).start().toString());
            node.put("peakEnd", schedule.windows().get(0).end().toString());
        } else {
            ArrayNode windows = node.putArray("windows");
            schedule.windows().forEach(w -> windows.addObject()
                    .put("start", w.start().toString()).put("end", w.end().toString()));
        }
        ArrayNode days = node.putArray("days");
        schedule.days().stream().sorted().forEach(d -> days.add(d.name().substring(0, 3)));
        ArrayNode holidays = node.putArray("holidays");
        schedule.holidays().forEach(d -> holidays.add(d.toString()));
        return node;
    }
}
