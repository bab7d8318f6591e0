package org.carelane.cli;

import org.carelane.api.CareLaneService;
import org.carelane.api.PeakSchedule;
import org.carelane.api.PolicyException;
import org.carelane.api.Profile;
import org.carelane.api.ProfileOverride;
import org.carelane.api.RateOverride;
import org.carelane.api.RateScope;
import org.carelane.api.SliceDefinition;
import org.carelane.api.SlicePolicy;
import org.carelane.api.SliceRates;
import org.carelane.api.SliceStats;
import org.carelane.policy.ScheduleCalculator;
import org.carelane.policy.ScheduleCodec;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the carelane-* Karaf commands do, free of Karaf so that it can be tested.
 * Every method returns the lines to print; bad input throws PolicyException naming the field.
 */
public final class CliOperations {
    public static final String SOURCE = "cli";
    private static final long MAX_OVERRIDE_MINUTES = 7 * 24 * 60;
    private final CareLaneService service;
    private final String user;

    public CliOperations(CareLaneService service, String user) {
        this.service = service;
        this.user = user;
    }

    public List<String> slices(String only) {
        SlicePolicy policy = requirePolicy();
        Profile active = service.activeProfile();
        List<String> out = new ArrayList<>();
        out.add("active profile: " + active.jsonName());
        out.add(String.format("%-10s %5s %-7s %5s %5s %18s %18s", "slice", "prio", "action", "dscp", "queue",
                "peak max/min kbps", "offPeak max/min"));
        for (SliceDefinition s : policy.slices()) {
            if (only != null && !only.equals(s.name())) {
                continue;
            }
            out.add(String.format("%-10s %5d %-7s %5s %5s %18s %18s", s.name(), s.priority(),
                    s.drop() ? "drop" : "forward", s.dscp() == null ? "-" : s.dscp(),
                    s.queueId() == null ? "-" : s.queueId(), rates(s, Profile.PEAK), rates(s, Profile.OFF_PEAK)));
        }
        if (only != null) {
            policy.requireSlice(only);
        }
        return out;
    }

    /** Shows a slice's egress, or changes it first: to {@code link} (when given), or back to the uplink. */
    public List<String> egress(String slice, String link, String when, boolean clear) {
        return egress(slice, link, when, clear, RateScope.NATIONAL);
    }

    /**
     * Shows or changes a slice's egress, nationally or at a scope; at a scope, link "uplink" is the
     * WAN uplink there and {@code clear} leaves it to the scope before.
     */
    public List<String> egress(String slice, String link, String when, boolean clear, RateScope scope) {
        requirePolicy().requireSlice(slice);
        if (scope.kind() != RateScope.Kind.NATIONAL) {
            java.util.Optional<org.carelane.api.Steering> egress = null;
            if (!clear && link != null) {
                egress = org.carelane.policy.PolicyCodec.parseScopedSteering(steering(link, when));
            } else if (!clear) {
                throw new PolicyException("link", "give a link, 'uplink', or --clear");
            }
            service.setScopedEgress(scope, slice, egress, user, SOURCE);
            return List.of(slice + " at " + scope + ": " + (egress == null ? "as the scope before"
                    : egress.map(e -> "link " + e.link() + " (" + e.when().jsonName() + ")").orElse("WAN uplink")));
        }
        if (clear) {
            service.setEgress(slice, null, user, SOURCE);
        } else if (link != null) {
            service.setEgress(slice, org.carelane.policy.PolicyCodec.parseSteering(steering(link, when), ""), user,
                    SOURCE);
        } else if (when != null) {
            throw new PolicyException("link", "is required with --when");
        }
        SlicePolicy policy = requirePolicy();
        var egress = policy.requireSlice(slice).egress();
        List<String> out = new java.util.ArrayList<>();
        out.add(egress == null ? slice + ": WAN uplink in every profile"
                : slice + ": link " + egress.link() + " (" + egress.when().jsonName() + "), else the WAN uplink");
        Profile active = service.activeProfile();
        policy.devices().forEach(d -> out.add("  " + d.deviceId() + " now (" + active.jsonName() + "): "
                + d.egressOf(policy.requireSlice(slice), active).map(CliOperations::describe)
                        .orElse("uplink " + d.output())));
        return out;
    }

    /** {link, when} as REST takes it; {@code when} may be null. */
    private static com.fasterxml.jackson.databind.node.ObjectNode steering(String link, String when) {
        var node = org.carelane.policy.PolicyCodec.mapper().createObjectNode().put("link", link);
        if (when != null) {
            node.put("when", when);
        }
        return node;
    }

    private static String describe(org.carelane.api.EgressLink l) {
        return "link " + l.name() + " port " + l.port() + (l.vlan() == null ? "" : " vlan " + l.vlan())
                + (l.nextHopMac() == null ? "" : " next hop " + l.nextHopMac());
    }

    /**
     * Sets a slice's rates in a profile at a board, site class or site ({@code scope}; null:
     * nationally). Values are kbit/s, or a share of each device's uplink such as "10%"; at a
     * scope, "-" leaves a value to the scope before, and max "inherit" clears the scope's rates.
     */
    public List<String> setRate(String slice, String profileText, String maxText, String minText, RateScope scope) {
        if (scope == null || scope.kind() == RateScope.Kind.NATIONAL) {
            if (!isShare(maxText) && !isShare(minText)) {
                return setRate(slice, profileText, maxText, minText);
            }
            Profile profile = profile(profileText);
            Rate max = Rate.parse("maxKbps", maxText, true);
            Rate min = minText == null ? null : Rate.parse("minKbps", minText, false);
            // A reservation not given is kept, as the service reads it inside its atomic update.
            service.setRates(slice, profile, new RateOverride(max.kbps, max.percent, min == null ? null : min.kbps,
                    min == null ? null : min.percent), user, SOURCE);
            return List.of(slice + " " + profile.jsonName() + " (national): "
                    + requirePolicy().requireSlice(slice).rates(profile).describe());
        }
        Profile profile = profile(profileText);
        RateOverride value = null;
        if (!"inherit".equals(maxText)) {
            Rate max = "-".equals(maxText) ? null : Rate.parse("maxKbps", maxText, true);
            Rate min = minText == null || "-".equals(minText) ? null : Rate.parse("minKbps", minText, false);
            if (max == null && min == null) {
                throw new PolicyException("maxKbps", "give a rate, or 'inherit' to clear the scope's rates");
            }
            value = new RateOverride(max == null ? null : max.kbps, max == null ? null : max.percent,
                    min == null ? null : min.kbps, min == null ? null : min.percent);
        }
        service.setScopedRates(scope, slice, profile, value, user, SOURCE);
        return List.of(slice + " " + profile.jsonName() + " at " + scope + ": "
                + (value == null ? "inherited again" : value.toString()));
    }

    private static boolean isShare(String text) {
        return text != null && text.trim().endsWith("%");
    }

    /** A rate as typed: kbit/s ("4000") or a share of each uplink ("10%"). */
    private static final class Rate {
        final Long kbps;
        final Double percent;

        private Rate(Long kbps, Double percent) {
            this.kbps = kbps;
            this.percent = percent;
        }

        static Rate parse(String field, String text, boolean positive) {
            if (isShare(text)) {
                String number = text.trim().substring(0, text.trim().length() - 1);
                try {
                    double percent = Double.parseDouble(number);
                    if (percent > 0 && percent <= 100) {
                        return new Rate(null, percent);
                    }
                } catch (NumberFormatException e) {
                    // the error below
                }
                throw new PolicyException(field, "a share must be above 0% and at most 100%, got '" + text + "'");
            }
            long kbps = number(field, text);
            if (kbps < (positive ? 1 : 0)) {
                throw new PolicyException(field, "must be " + (positive ? "positive" : "0 or more") + ", got "
                        + kbps);
            }
            return new Rate(kbps, null);
        }
    }

    public List<String> setRate(String slice, String profileText, String maxText, String minText) {
        Profile profile = profile(profileText);
        long max = number("maxKbps", maxText);
        requirePolicy().requireSlice(slice);   // before parsing the reservation
        OptionalLong min = minText == null ? OptionalLong.empty() : OptionalLong.of(number("minKbps", minText));
        service.setRates(slice, profile, max, min, user, SOURCE);
        SliceRates now = requirePolicy().slice(slice).orElseThrow().rates(profile);
        return List.of(String.format("%s %s: %s (active profile %s)", slice, profile.jsonName(),
                now.isShare() ? now.describe() : "maxKbps=" + now.maxKbps() + " minKbps=" + now.minKbps(),
                service.activeProfile().jsonName()));
    }

    private static final java.time.format.DateTimeFormatter LOCAL_TIME =
            java.time.format.DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm zzz", java.util.Locale.UK);

    /** The parts of a schedule a command changes; null parts are kept. */
    public static final class ScheduleChange {
        final String zone;
        final String start;
        final String end;
        final String days;
        final String windows;
        final String holidays;

        /** {@code windows}: a comma list of HH:MM-HH:MM; {@code holidays}: of YYYY-MM-DD, or "none". */
        public ScheduleChange(String zone, String start, String end, String days, String windows, String holidays) {
            this.zone = zone;
            this.start = start;
            this.end = end;
            this.days = days;
            this.windows = windows;
            this.holidays = holidays;
        }

        boolean any() {
            return start != null || end != null || zone != null || days != null || windows != null
                    || holidays != null;
        }

        /** {@code base} with these parts changed, checked as PUT /schedule checks it. */
        PeakSchedule applyTo(PeakSchedule base) {
            var node = ScheduleCodec.encode(base);
            if (zone != null) {
                node.put("zone", zone);
            }
            if (start != null || end != null) {
                node.remove("windows");
                putIfGiven(node, "peakStart", start);
                putIfGiven(node, "peakEnd", end);
            }
            if (windows != null) {
                node.remove("peakStart");
                node.remove("peakEnd");
                var arr = node.putArray("windows");
                for (String w : windows.split(",")) {
                    String[] ends = w.trim().split("-", 2);
                    arr.addObject().put("start", ends[0].trim()).put("end", ends.length > 1 ? ends[1].trim() : "");
                }
            }
            if (days != null) {
                var arr = node.putArray("days");
                for (String d : days.split(",")) {
                    arr.add(d.trim());
                }
            }
            if (holidays != null) {
                var arr = node.putArray("holidays");
                if (!holidays.trim().equalsIgnoreCase("none")) {
                    for (String d : holidays.split(",")) {
                        arr.add(d.trim());
                    }
                }
            }
            return ScheduleCodec.parse(node, "schedule");
        }
    }

    /** The scope of --board, --site-class or --device (at most one), national without any. */
    public static RateScope scope(String board, String siteClass, String device) {
        int scopes = (board == null ? 0 : 1) + (siteClass == null ? 0 : 1) + (device == null ? 0 : 1);
        if (scopes > 1) {
            throw new PolicyException("scope", "give at most one of --board, --site-class and --device");
        }
        return board != null ? RateScope.board(board) : siteClass != null ? RateScope.siteClass(siteClass)
                : device != null ? RateScope.site(RateScope.deviceId(device)) : RateScope.NATIONAL;
    }

    /** The national schedule: shows it, or changes the parts given first. */
    public List<String> schedule(String zone, String start, String end, String days, String windows,
                                 String holidays) {
        return schedule(new ScheduleChange(zone, start, end, days, windows, holidays), RateScope.NATIONAL, false);
    }

    /**
     * Shows the schedule in force at a scope, or changes the parts given first (at a board,
     * site class or site, starting from the schedule in force there); {@code inherit} drops a
     * scope's own schedule.
     */
    public List<String> schedule(ScheduleChange change, RateScope scope, boolean inherit) {
        boolean national = scope.kind() == RateScope.Kind.NATIONAL;
        if (inherit && (national || change.any())) {
            throw new PolicyException("inherit", national ? "give --board, --site-class or --device with --inherit"
                    : "--inherit takes no schedule parts");
        }
        SlicePolicy policy = requirePolicy();
        Optional<PeakSchedule> own = policy.ownSchedule(scope);
        if (inherit) {
            service.setScopedSchedule(scope, null, user, SOURCE);
        } else if (change.any()) {
            PeakSchedule next = change.applyTo(own.orElse(policy.scheduleAt(scope)));
            if (national) {
                service.setSchedule(next, user, SOURCE);
            } else {
                service.setScopedSchedule(scope, next, user, SOURCE);
            }
        }
        policy = requirePolicy();
        own = policy.ownSchedule(scope);
        PeakSchedule s = policy.scheduleAt(scope);
        List<String> out = new java.util.ArrayList<>();
        if (!national) {
            out.add(scope + ": " + (own.isPresent() ? "its own schedule (national holidays kept)"
                    : scope.kind() == RateScope.Kind.SITE && !s.equals(policy.schedule())
                    ? "its site class's or board's schedule" : "the national schedule"));
        }
        out.add(String.format("peak %s %s %s", s.windows().stream().map(Object::toString)
                        .collect(java.util.stream.Collectors.joining(",")),
                ScheduleCodec.encode(s).get("days").toString().replace("\"", ""), s.zone()));
        out.add("holidays (off-peak all day): " + (s.holidays().isEmpty() ? "none" : s.holidays().stream()
                .map(Object::toString).collect(java.util.stream.Collectors.joining(", "))));
        Optional<ProfileOverride> override = ScheduleCalculator.overrideAt(policy, scope, service.override(),
                service.scopedOverrides(), service.now());
        out.add("active profile: " + (national ? service.activeProfile()
                : ScheduleCalculator.effective(s, override, service.now())).jsonName());
        out.add("next switch-overs:");
        var next = ScheduleCalculator.switchOvers(s, national ? service.override() : override, service.now(),
                ScheduleCalculator.SWITCH_OVERS_LISTED);
        next.forEach(o -> out.add("  " + LOCAL_TIME.format(o.at().atZone(s.zone())) + " -> "
                + o.profile().jsonName()));
        if (next.isEmpty()) {
            out.add("  none within a year");
        }
        return out;
    }

    private static void putIfGiven(com.fasterxml.jackson.databind.node.ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    public List<String> override(String profileText, String minutesText, String reason, boolean clear) {
        return override(profileText, minutesText, reason, clear, RateScope.NATIONAL);
    }

    /** Shows, sets or clears the override at a scope (national, a board, a site class or a site). */
    public List<String> override(String profileText, String minutesText, String reason, boolean clear,
                                 RateScope scope) {
        if (scope.kind() != RateScope.Kind.NATIONAL) {
            return scopedOverride(profileText, minutesText, reason, clear, scope);
        }
        if (clear) {
            return List.of(service.clearOverride(user, SOURCE) ? "override removed" : "no override was active");
        }
        if (profileText != null) {
            Profile profile = profile(profileText);
            Instant expiry = expiry(minutesText);
            requirePolicy();
            service.setOverride(profile, expiry, user, reason, SOURCE);
        }
        Optional<ProfileOverride> o = service.override();
        return List.of(o.map(x -> String.format("override %s until %s by %s%s", x.profile().jsonName(),
                x.expiresAt(), x.user(), x.reason() == null ? "" : " (" + x.reason() + ")"))
                .orElse("no override; schedule in force"), "active profile: " + service.activeProfile().jsonName());
    }

    private List<String> scopedOverride(String profileText, String minutesText, String reason, boolean clear,
                                        RateScope scope) {
        if (clear) {
            return List.of(service.clearScopedOverride(scope, user, SOURCE) ? scope + ": override removed"
                    : scope + ": no override was active");
        }
        if (profileText != null) {
            service.setScopedOverride(scope, profile(profileText), expiry(minutesText), user, reason, SOURCE);
        }
        ProfileOverride o = service.scopedOverrides().get(scope);
        return List.of(o != null && o.activeAt(service.now())
                ? String.format("%s: override %s until %s by %s%s", scope, o.profile().jsonName(), o.expiresAt(),
                        o.user(), o.reason() == null ? "" : " (" + o.reason() + ")")
                : scope + ": no override");
    }

    /** now + minutes, 1..MAX_OVERRIDE_MINUTES. */
    private Instant expiry(String minutesText) {
        if (minutesText == null) {
            throw new PolicyException("minutes", "is required with a profile");
        }
        long minutes = number("minutes", minutesText);
        if (minutes < 1 || minutes > MAX_OVERRIDE_MINUTES) {
            throw new PolicyException("minutes", "must be 1.." + MAX_OVERRIDE_MINUTES);
        }
        return service.now().plus(Duration.ofMinutes(minutes));
    }

    /** A device's learned addresses (on its master), then this node's name counters. */
    public List<String> learnedNames(String device) {
        if (device == null || device.isBlank()) {
            throw new PolicyException("device", "is required, e.g. of:0000000000000001");
        }
        org.onosproject.net.DeviceId id = org.carelane.api.RateScope.deviceId(device);
        List<String> out = new ArrayList<>();
        var learned = service.learnedNames(id);
        if (learned.isEmpty()) {
            out.add("this node does not master " + id + ": its master learns its names");
        } else {
            out.add(String.format("%-40s %-14s %-32s %s", "address", "slice", "name", "expires"));
            learned.get().forEach(n -> out.add(String.format("%-40s %-14s %-32s %s", n.address(), n.slice(), n.name(),
                    n.expires())));
        }
        out.add("names on this node: " + service.nameCounters().entrySet().stream()
                .map(e -> e.getKey() + "=" + (e.getValue() instanceof long[]
                        ? java.util.Arrays.toString((long[]) e.getValue()) : e.getValue()))
                .collect(java.util.stream.Collectors.joining(" ")));
        return out;
    }

    public List<String> stats() {
        List<String> out = new ArrayList<>();
        out.add(String.format("%-10s %14s %12s %6s %6s", "slice", "bytes", "packets", "flows", "meters"));
        for (SliceStats s : service.stats()) {
            out.add(String.format("%-10s %14d %12d %6d %6d", s.slice(), s.bytes(), s.packets(), s.flowRules(),
                    s.meters()));
        }
        return out;
    }

    private static String rates(SliceDefinition s, Profile p) {
        SliceRates r = s.rates(p);
        if (r == null) {
            return "-";
        }
        return r.isShare() ? r.describe() : r.maxKbps() + "/" + r.minKbps();
    }

    private SlicePolicy requirePolicy() {
        return service.policy().orElseThrow(() -> new PolicyException("policy", "no CareLane policy configured"));
    }

    private static Profile profile(String text) {
        try {
            return Profile.parse(text);
        } catch (IllegalArgumentException e) {
            throw new PolicyException("profile", e.getMessage());
        }
    }

    private static long number(String field, String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw new PolicyException(field, "must be a whole number, got '" + text + "'");
        }
    }
}
