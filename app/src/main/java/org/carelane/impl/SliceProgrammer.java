package org.carelane.impl;

import org.carelane.api.CareLaneStore;
import org.carelane.api.DeviceUplink;
import org.carelane.api.InstalledMeter;
import org.carelane.api.Profile;
import org.carelane.api.SliceDefinition;
import org.carelane.api.SlicePolicy;
import org.carelane.policy.FlowCompiler;
import org.carelane.policy.RateMath;
import org.onosproject.core.ApplicationId;
import org.onosproject.net.DeviceId;
import org.onosproject.net.flow.FlowEntry;
import org.onosproject.net.flow.FlowRule;
import org.onosproject.net.flow.FlowRuleOperations;
import org.onosproject.net.flow.FlowRuleOperationsContext;
import org.onosproject.net.flow.FlowRuleService;
import org.onosproject.net.flow.FlowId;
import org.onosproject.net.flow.TrafficTreatment;
import org.onosproject.net.meter.Band;
import org.onosproject.net.meter.DefaultBand;
import org.onosproject.net.meter.DefaultMeterRequest;
import org.onosproject.net.meter.Meter;
import org.onosproject.net.meter.MeterContext;
import org.onosproject.net.meter.MeterFailReason;
import org.onosproject.net.meter.MeterId;
import org.onosproject.net.meter.MeterRequest;
import org.onosproject.net.meter.MeterService;
import org.slf4j.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.slf4j.LoggerFactory.getLogger;

/**
 * Programs one device make-before-break: new meters first, then flow rules that
 * point at them (modified in place, so traffic keeps flowing), then the old meters
 * are withdrawn. MeterService has no modify, so a rate change is a meter swap;
 * unchanged meters are reused, so each slice keeps exactly one meter per device.
 */
public final class SliceProgrammer {
    private final Logger log = getLogger(getClass());
    private final ApplicationId appId;
    private final FlowRuleService flowRules;
    private final MeterService meters;
    private final CareLaneStore store;

    public SliceProgrammer(ApplicationId appId, FlowRuleService flowRules, MeterService meters,
                           CareLaneStore store) {
        this.appId = appId;
        this.flowRules = flowRules;
        this.meters = meters;
        this.store = store;
    }

    /** Brings a device to the policy in the given profile. */
    public CompletableFuture<Void> program(SlicePolicy policy, Profile profile, DeviceUplink device) {
        DeviceId id = device.deviceId();
        Map<String, InstalledMeter> current = store.installedMeters(id);
        Map<String, InstalledMeter> next = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> submitted = new ArrayList<>();
        for (SliceDefinition slice : policy.slices()) {
            if (slice.drop()) {
                continue;
            }
            long rate = slice.rates(profile).maxKbps();
            long burst = RateMath.burstKbits(rate, policy.burstMs());
            InstalledMeter existing = current.get(slice.name());
            if (existing != null && existing.rateKbps() == rate && existing.burstKbits() == burst) {
                next.put(slice.name(), existing);
            } else {
                submitted.add(submitMeter(id, rate, burst).thenAccept(m -> next.put(slice.name(), m)));
            }
        }
        return CompletableFuture.allOf(submitted.toArray(CompletableFuture[]::new))
                .thenCompose(v -> applyFlows(id, FlowCompiler.compile(policy, device, meterIds(next), appId)))
                .handle((v, error) -> {
                    if (error != null) {
                        // Keep the old policy: withdraw only what this attempt created.
                        next.forEach((slice, m) -> {
                            if (!m.equals(current.get(slice))) {
                                withdraw(id, m);
                            }
                        });
                        log.error("CareLane could not program {}; previous policy kept", id, error);
                        throw new IllegalStateException("programming " + id + " failed", error);
                    }
                    store.setInstalledMeters(id, new LinkedHashMap<>(next));
                    current.forEach((slice, old) -> {
                        if (!old.equals(next.get(slice))) {
                            withdraw(id, old);
                        }
                    });
                    return null;
                });
    }

    /** Removes every rule and meter CareLane installed on a device. */
    public CompletableFuture<Void> clear(DeviceId id) {
        List<FlowRule> mine = new ArrayList<>();
        for (FlowEntry e : flowRules.getFlowEntries(id)) {
            if (e.appId() == appId.id()) {
                mine.add(e);
            }
        }
        FlowRuleOperations.Builder ops = FlowRuleOperations.builder();
        mine.forEach(ops::remove);
        CompletableFuture<Void> done = execute(ops);
        return done.whenComplete((v, e) -> {
            store.installedMeters(id).values().forEach(m -> withdraw(id, m));
            store.setInstalledMeters(id, Map.of());
        });
    }

    private CompletableFuture<InstalledMeter> submitMeter(DeviceId id, long rateKbps, long burstKbits) {
        CompletableFuture<InstalledMeter> done = new CompletableFuture<>();
        // The context may fire inside submit(), before submit() has returned the meter id.
        AtomicReference<Meter> meter = new AtomicReference<>();
        AtomicBoolean succeeded = new AtomicBoolean();
        Runnable completeIfReady = () -> {
            if (succeeded.get() && meter.get() != null) {
                done.complete(new InstalledMeter(meter.get().id().id(), rateKbps, burstKbits));
            }
        };
        Band band = DefaultBand.builder().ofType(Band.Type.DROP).withRate(rateKbps).burstSize(burstKbits).build();
        MeterRequest request = DefaultMeterRequest.builder()
                .forDevice(id).fromApp(appId).withUnit(Meter.Unit.KB_PER_SEC).burst()
                .withBands(List.of(band))
                .withContext(new MeterContext() {
                    @Override
                    public void onSuccess(MeterRequest op) {
                        succeeded.set(true);
                        completeIfReady.run();
                    }

                    @Override
                    public void onError(MeterRequest op, MeterFailReason reason) {
                        done.completeExceptionally(new IllegalStateException("meter on " + id + ": " + reason));
                    }
                }).add();
        meter.set(meters.submit(request));
        completeIfReady.run();
        return done;
    }

    private void withdraw(DeviceId id, InstalledMeter m) {
        MeterRequest request = DefaultMeterRequest.builder().forDevice(id).fromApp(appId)
                .withUnit(Meter.Unit.KB_PER_SEC).burst()
                .withBands(List.of(DefaultBand.builder().ofType(Band.Type.DROP).withRate(m.rateKbps())
                        .burstSize(m.burstKbits()).build()))
                .remove();
        meters.withdraw(request, MeterId.meterId(m.meterId()));
    }

    private CompletableFuture<Void> applyFlows(DeviceId id, List<FlowRule> desired) {
        Map<FlowId, FlowEntry> existing = new HashMap<>();
        for (FlowEntry e : flowRules.getFlowEntries(id)) {
            if (e.appId() == appId.id()) {
                existing.put(e.id(), e);
            }
        }
        FlowRuleOperations.Builder ops = FlowRuleOperations.builder();
        Map<FlowId, FlowRule> wanted = new LinkedHashMap<>();
        desired.forEach(r -> wanted.put(r.id(), r));
        wanted.forEach((fid, rule) -> {
            FlowEntry old = existing.get(fid);
            if (old == null) {
                ops.add(rule);
            } else if (!sameTreatment(old.treatment(), rule.treatment())) {
                ops.modify(rule);
            }
        });
        ops.newStage();
        existing.forEach((fid, e) -> {
            if (!wanted.containsKey(fid)) {
                ops.remove(e);
            }
        });
        return execute(ops);
    }

    private CompletableFuture<Void> execute(FlowRuleOperations.Builder ops) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        flowRules.apply(ops.build(new FlowRuleOperationsContext() {
            @Override
            public void onSuccess(FlowRuleOperations o) {
                done.complete(null);
            }

            @Override
            public void onError(FlowRuleOperations o) {
                done.completeExceptionally(new IllegalStateException("flow rule operations failed"));
            }
        }));
        return done;
    }

    /** DefaultTrafficTreatment.equals ignores meters in ONOS 2.7, so compare them too. */
    static boolean sameTreatment(TrafficTreatment a, TrafficTreatment b) {
        return a.equals(b) && a.meters().equals(b.meters());
    }

    private static Map<String, MeterId> meterIds(Map<String, InstalledMeter> installed) {
        Map<String, MeterId> out = new HashMap<>();
        installed.forEach((slice, m) -> out.put(slice, MeterId.meterId(m.meterId())));
        return out;
    }
}
