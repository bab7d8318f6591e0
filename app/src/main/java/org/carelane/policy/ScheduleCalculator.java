package org.carelane.policy;

import org.carelane.api.DeviceUplink;
import org.carelane.api.PeakSchedule;
import org.carelane.api.Profile;
import org.carelane.api.ProfileOverride;
import org.carelane.api.RateScope;
import org.carelane.api.SlicePolicy;
import org.onosproject.net.DeviceId;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pure java.time evaluation of the peak schedule and overrides. DST is handled by
 * resolving local wall-clock times in the schedule's zone day by day.
 */
public final class ScheduleCalculator {
    /** How far ahead boundaries are searched: holidays can leave long stretches off-peak. */
    private static final int SEARCH_DAYS = 400;
    /** How many coming switch-overs GET /schedule and carelane-schedule list. */
    public static final int SWITCH_OVERS_LISTED = 5;

    private ScheduleCalculator() {
    }

    /** A change of the profile in force. */
    public static final class SwitchOver {
        private final Instant at;
        private final Profile profile;

        SwitchOver(Instant at, Profile profile) {
            this.at = at;
            this.profile = profile;
        }

        public Instant at() {
            return at;
        }

        /** The profile from {@link #at()} on. */
        public Profile profile() {
            return profile;
        }
    }

    /** Profile the schedule alone selects at {@code now}. */
    public static Profile scheduled(PeakSchedule schedule, Instant now) {
        LocalDate day = now.atZone(schedule.zone()).toLocalDate();
        if (!schedule.hasPeak(day)) {
            return Profile.OFF_PEAK;
        }
        for (PeakSchedule.Window w : schedule.windows()) {
            if (!now.isBefore(at(schedule, day, w.start())) && now.isBefore(at(schedule, day, w.end()))) {
                return Profile.PEAK;
            }
        }
        return Profile.OFF_PEAK;
    }

    /**
     * The override in force at a scope: the most specific one active there (for a site: its own,
     * its site class's, its board's; for a board or class: its own), else the national one.
     */
    public static Optional<ProfileOverride> overrideAt(SlicePolicy policy, RateScope scope,
                                                       Optional<ProfileOverride> national,
                                                       Map<RateScope, ProfileOverride> scoped, Instant now) {
        if (!scoped.isEmpty() && scope.kind() != RateScope.Kind.NATIONAL) {
            List<RateScope> chain = new ArrayList<>();
            chain.add(scope);
            if (scope.kind() == RateScope.Kind.SITE) {
                Optional<DeviceUplink> d = policy.device(DeviceId.deviceId(scope.name()));
                d.flatMap(DeviceUplink::siteClass).ifPresent(c -> chain.add(RateScope.siteClass(c)));
                d.flatMap(DeviceUplink::board).ifPresent(b -> chain.add(RateScope.board(b)));
            }
            for (RateScope s : chain) {
                ProfileOverride o = scoped.get(s);
                if (o != null && o.activeAt(now)) {
                    return Optional.of(o);
                }
            }
        }
        return national.filter(o -> o.activeAt(now));
    }

    /** Profile in force: an unexpired override wins over the schedule. */
    public static Profile effective(PeakSchedule schedule, Optional<ProfileOverride> override, Instant now) {
        return override.filter(o -> o.activeAt(now))
                .map(ProfileOverride::profile)
                .orElseGet(() -> scheduled(schedule, now));
    }

    /**
     * The first schedule boundary (a window's start or end) strictly after {@code now}; if
     * there is none within the search horizon, the horizon, when the schedule is checked again.
     */
    public static Instant nextBoundary(PeakSchedule schedule, Instant now) {
        LocalDate day = now.atZone(schedule.zone()).toLocalDate();
        for (int i = 0; i < SEARCH_DAYS; i++, day = day.plusDays(1)) {
            if (!schedule.hasPeak(day)) {
                continue;
            }
            for (PeakSchedule.Window w : schedule.windows()) {
                Instant start = at(schedule, day, w.start());
                if (start.isAfter(now)) {
                    return start;
                }
                Instant end = at(schedule, day, w.end());
                if (end.isAfter(now)) {
                    return end;
                }
            }
        }
        return now.plus(Duration.ofDays(SEARCH_DAYS));
    }

    /** The next instant at which the effective profile may change. */
    public static Instant nextChange(PeakSchedule schedule, Optional<ProfileOverride> override, Instant now) {
        Instant boundary = nextBoundary(schedule, now);
        return override.filter(o -> o.activeAt(now))
                .map(ProfileOverride::expiresAt)
                .filter(expiry -> expiry.isBefore(boundary))
                .orElse(boundary);
    }

    /**
     * The next {@code count} changes of the profile in force after {@code now}, the override's
     * expiry included; fewer if the schedule has no more within the search horizon.
     */
    public static List<SwitchOver> switchOvers(PeakSchedule schedule, Optional<ProfileOverride> override,
                                               Instant now, int count) {
        List<SwitchOver> out = new ArrayList<>();
        Instant horizon = now.plus(Duration.ofDays(SEARCH_DAYS));
        Profile current = effective(schedule, override, now);
        Instant t = now;
        while (out.size() < count) {
            Instant next = nextChange(schedule, override, t);
            if (!next.isBefore(horizon)) {
                break;
            }
            Profile after = effective(schedule, override, next);
            if (after != current) {
                out.add(new SwitchOver(next, after));
                current = after;
            }
            t = next;
        }
        return out;
    }

    private static Instant at(PeakSchedule schedule, LocalDate day, java.time.LocalTime time) {
        return ZonedDateTime.of(day, time, schedule.zone()).toInstant();
    }
}
