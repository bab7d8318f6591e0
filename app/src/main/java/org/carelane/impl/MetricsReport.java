package org.carelane.impl;

import org.carelane.api.CareLaneStore;
import org.carelane.api.DeviceUplink;
import org.carelane.api.Profile;
import org.carelane.api.SliceDefinition;
import org.carelane.api.SlicePolicy;
import org.carelane.api.SliceRates;
import org.carelane.metrics.PrometheusText;
import org.carelane.metrics.PrometheusText.Type;
import org.onosproject.mastership.MastershipService;
import org.onosproject.net.DeviceId;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /metrics}: CareLane's counters and state in Prometheus's text format. Rates are in
 * bytes per second, like the byte counters, so that PromQL can compare them directly, e.g.
 * {@code rate(carelane_slice_bytes_total[1m]) / carelane_slice_max_rate_bytes_per_second}.
 * Each node reports the devices whose flows it can read; only a device's master has its sync
 * state and meter drops, so scrape every node.
 */
final class MetricsReport {
    static final String BYTES = "carelane_slice_bytes_total";
    static final String PACKETS = "carelane_slice_packets_total";
    static final String DROPPED_PACKETS = "carelane_slice_meter_dropped_packets_total";
    static final String DROPPED_BYTES = "carelane_slice_meter_dropped_bytes_total";
    static final String FORWARDED_PACKETS = "carelane_slice_meter_forwarded_packets_total";
    static final String FORWARDED_BYTES = "carelane_slice_meter_forwarded_bytes_total";
    static final String MAX_RATE = "carelane_slice_max_rate_bytes_per_second";
    static final String MIN_RATE = "carelane_slice_min_rate_bytes_per_second";
    static final String ACTIVE_PROFILE = "carelane_active_profile";
    static final String OVERRIDE_ACTIVE = "carelane_override_active";
    static final String LAST_SWITCH_OVER = "carelane_last_switchover_timestamp_seconds";
    static final String SYNC_STATE = "carelane_device_sync_state";
    static final String MASTER = "carelane_device_master";
    static final String POLICY_VERSION = "carelane_policy_version";
    static final String WORK = "carelane_work";
    static final String DEVICE_PROFILE = "carelane_device_profile";

    private final CareLaneStore store;
    private final CareLaneReports reports;
    private final MeterDrops drops;
    private final DeviceSyncTracker sync;
    private final MastershipService mastership;
    private final WorkCounts work;
    /** Classification by name on this node ({@link NameLearning#counters}). */
    private volatile java.util.function.Supplier<Map<String, Object>> names = Map::of;

    MetricsReport(CareLaneStore store, CareLaneReports reports, MeterDrops drops, DeviceSyncTracker sync,
                  MastershipService mastership, WorkCounts work) {
        this.work = work;
        this.store = store;
        this.reports = reports;
        this.drops = drops;
        this.sync = sync;
        this.mastership = mastership;
    }

    /**
     * @param active         the profile in force
     * @param overrideActive whether an override decides it
     * @param lastSwitchOver when this node last applied a different profile (or started)
     * @param profileOf      a device's own profile (its schedule's or an override's), if decided
     */
    String write(Profile active, boolean overrideActive, Optional<Instant> lastSwitchOver,
                 java.util.function.Function<DeviceId, Optional<Profile>> profileOf) {
        PrometheusText out = new PrometheusText();
        for (Profile p : Profile.values()) {
            out.family(ACTIVE_PROFILE, Type.GAUGE, "1 for the profile in force (schedule or override), else 0.")
                    .sample(p == active ? 1 : 0, "profile", p.jsonName());
        }
        out.family(OVERRIDE_ACTIVE, Type.GAUGE, "1 while a manual override decides the profile.")
                .sample(overrideActive ? 1 : 0);
        lastSwitchOver.ifPresent(t -> out.family(LAST_SWITCH_OVER, Type.GAUGE,
                "Unix time at which this node last applied a new profile (or started).")
                .sample(t.toEpochMilli() / 1000.0));
        out.family(POLICY_VERSION, Type.GAUGE, "Version of the stored policy; every change adds one.")
                .sample(store.policyVersion());
        writeNames(out, names.get());
        out.family(WORK, Type.GAUGE, "This node's programming work: devices queued for room, attempts in flight.")
                .sample(work.queued(), "state", "queued").sample(work.inFlight(), "state", "in_flight");
        Optional<SlicePolicy> policy = store.policy();
        if (policy.isEmpty()) {
            return out.toString();
        }
        for (DeviceId id : reports.policyDevices()) {
            out.family(MASTER, Type.GAUGE, "1 if this node is the device's master (it programs the device).")
                    .sample(mastership.isLocalMaster(id) ? 1 : 0, labels(policy.get(), id));
            sync.get(id).ifPresent(e -> {
                for (DeviceSyncTracker.State state : DeviceSyncTracker.State.values()) {
                    out.family(SYNC_STATE, Type.GAUGE, "1 for the device's sync state on its master, else 0.")
                            .sample(e.state == state ? 1 : 0, labels(policy.get(), id, "state", state.name()));
                }
                for (Profile p : Profile.values()) {
                    out.family(DEVICE_PROFILE, Type.GAUGE, "1 for the profile the device's master brings it to "
                            + "(its own schedule's, or an override), else 0.")
                            .sample(e.profile == p ? 1 : 0, labels(policy.get(), id, "profile", p.jsonName()));
                }
            });
        }
        for (Map.Entry<DeviceId, Map<String, long[]>> d : reports.countersByDevice(policy.get()).entrySet()) {
            DeviceId id = d.getKey();
            d.getValue().forEach((slice, c) -> {
                out.family(BYTES, Type.COUNTER, "Bytes matched by the slice's rules (before its meter), as ONOS "
                        + "last polled them (every 5 s).").sample(c[0], labels(policy.get(), id, "slice", slice));
                out.family(PACKETS, Type.COUNTER, "Packets matched by the slice's rules (before its meter).")
                        .sample(c[1], labels(policy.get(), id, "slice", slice));
            });
        }
        for (DeviceUplink uplink : policy.get().devices()) {
            DeviceId id = uplink.deviceId();
            // Drops come from the master's meter-stats replies; they stay after a disconnect.
            boolean countsDrops = mastership.isLocalMaster(id) || drops.seen(id);
            Profile deviceProfile = profileOf.apply(id).orElse(active);
            for (SliceDefinition s : policy.get().forDevice(id).orElseThrow().policy().slices()) {
                if (s.drop()) {
                    continue;
                }
                if (countsDrops) {
                    MeterDrops.Counts counts = drops.counts(id, s.name());
                    long[] dropped = counts.dropped();
                    out.family(DROPPED_PACKETS, Type.COUNTER, "Packets the slice's meter dropped, from the "
                            + "switch's meter-stats replies to ONOS's poll (every 10 s).")
                            .sample(dropped[0], labels(policy.get(), id, "slice", s.name()));
                    out.family(DROPPED_BYTES, Type.COUNTER, "Bytes the slice's meter dropped.")
                            .sample(dropped[1], labels(policy.get(), id, "slice", s.name()));
                    long[] forwarded = counts.forwarded();
                    out.family(FORWARDED_PACKETS, Type.COUNTER, "Packets the slice's meter let through: its input "
                            + "less its drops, from the same meter-stats replies.")
                            .sample(forwarded[0], labels(policy.get(), id, "slice", s.name()));
                    out.family(FORWARDED_BYTES, Type.COUNTER, "Bytes the slice's meter let through, from the same "
                            + "replies as its drops.")
                            .sample(forwarded[1], labels(policy.get(), id, "slice", s.name()));
                }
                SliceRates rates = s.rates(deviceProfile);
                out.family(MAX_RATE, Type.GAUGE, "The slice's cap (meter rate) in the device's profile.")
                        .sample(rates.maxKbps() * 125.0, labels(policy.get(), id, "slice", s.name()));
                out.family(MIN_RATE, Type.GAUGE, "The slice's reservation in the device's profile.")
                        .sample(rates.minKbps() * 125.0, labels(policy.get(), id, "slice", s.name()));
            }
        }
        return out.toString();
    }

    /**
     * A device's labels: device, and its health board and site class when it names them (so
     * dashboards filter by board), then {@code more}.
     */
    private static String[] labels(SlicePolicy policy, DeviceId id, String... more) {
        java.util.List<String> out = new java.util.ArrayList<>(java.util.List.of("device", id.toString()));
        policy.device(id).ifPresent(d -> {
            d.board().ifPresent(b -> out.addAll(java.util.List.of("board", b)));
            d.siteClass().ifPresent(c -> out.addAll(java.util.List.of("site_class", c)));
        });
        out.addAll(java.util.List.of(more));
        return out.toArray(String[]::new);
    }

    /** Where the name counters come from. */
    void names(java.util.function.Supplier<Map<String, Object>> counters) {
        this.names = counters;
    }

    private static void writeNames(PrometheusText out, Map<String, Object> c) {
        if (c.isEmpty()) {
            return;
        }
        counter(out, c, "answers", "DNS answers from the site's resolvers this node read.");
        counter(out, c, "held", "Answers held until their learned addresses' rules were on the switch.");
        counter(out, c, "late", "Held answers sent on before their rules were confirmed (the hold bound).");
        counter(out, c, "blocked", "Answers for a blocked name, sent on as NXDOMAIN.");
        counter(out, c, "unread", "Answers sent on unread because too many waited.");
        counter(out, c, "evicted", "Learned addresses evicted by the caps.");
        out.family("carelane_names_learned", Type.GAUGE, "Addresses learned from DNS answers on this node's devices.")
                .sample(((Number) c.getOrDefault("learned", 0)).doubleValue());
        long[] buckets = (long[]) c.get("holdHistogramMs");
        if (buckets == null) {
            return;
        }
        PrometheusText.Family hold = out.family("carelane_names_hold_seconds", Type.HISTOGRAM,
                "How long held answers waited at the controller for their rules.");
        long cumulative = 0;
        for (int i = 0; i < buckets.length; i++) {
            cumulative += buckets[i];
            String le = i < NameLearning.HOLD_BUCKETS_MS.length
                    ? PrometheusTextFormat.seconds(NameLearning.HOLD_BUCKETS_MS[i]) : "+Inf";
            hold.sampleOf("_bucket", cumulative, "le", le);
        }
        hold.sampleOf("_sum", ((Number) c.getOrDefault("holdSeconds", 0.0)).doubleValue());
        hold.sampleOf("_count", cumulative);
    }

    private static void counter(PrometheusText out, Map<String, Object> c, String key, String help) {
        out.family("carelane_names_" + key + "_total", Type.COUNTER, help)
                .sample(((Number) c.getOrDefault(key, 0)).doubleValue());
    }

    /** Bucket bounds in seconds, as Prometheus writes them. */
    private static final class PrometheusTextFormat {
        static String seconds(long millis) {
            return java.math.BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString();
        }
    }
}
