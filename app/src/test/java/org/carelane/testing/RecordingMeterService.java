package org.carelane.testing;

import org.onosproject.net.DeviceId;
import org.onosproject.net.meter.DefaultMeter;
import org.onosproject.net.meter.Meter;
import org.onosproject.net.meter.MeterFailReason;
import org.onosproject.net.meter.MeterId;
import org.onosproject.net.meter.MeterRequest;
import org.onosproject.net.meter.MeterServiceAdapter;
import org.onosproject.net.meter.MeterState;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * MeterService that allocates the lowest free id per device, as ONOS does, confirms
 * requests through their context and fails on a withdraw of an unknown meter.
 */
public class RecordingMeterService extends MeterServiceAdapter {
    private final Map<DeviceId, TreeMap<Long, Meter>> meters = new ConcurrentHashMap<>();
    public int submits;
    public int withdraws;
    /** Fail the next this-many submits. */
    public int failSubmits;
    /** Fail submits once this many meters are live on a device (models a full meter table). */
    public int tableSize = Integer.MAX_VALUE;

    @Override
    public synchronized Meter submit(MeterRequest request) {
        TreeMap<Long, Meter> table = meters.computeIfAbsent(request.deviceId(), d -> new TreeMap<>());
        if (failSubmits > 0 || table.size() >= tableSize) {
            failSubmits = Math.max(0, failSubmits - 1);
            request.context().ifPresent(c -> c.onError(request, MeterFailReason.OUT_OF_METERS));
            return null;
        }
        submits++;
        long id = 1;
        while (table.containsKey(id)) {
            id++;
        }
        DefaultMeter meter = (DefaultMeter) DefaultMeter.builder()
                .forDevice(request.deviceId()).fromApp(request.appId()).withId(MeterId.meterId(id))
                .withUnit(request.unit()).withBands(request.bands()).burst().build();
        try {
            onInstall(meter);
        } catch (RuntimeException e) {
            request.context().ifPresent(c -> c.onError(request, MeterFailReason.UNKNOWN));
            return null;
        }
        meter.setState(MeterState.ADDED);
        table.put(id, meter);
        request.context().ifPresent(c -> c.onSuccess(request));
        return meter;
    }

    /** Hook run when a meter is allocated; throwing fails the request. */
    protected void onInstall(Meter meter) {
    }

    /** Hook run when a meter is withdrawn. */
    protected void onRemove(DeviceId deviceId, MeterId meterId) {
    }

    @Override
    public synchronized void withdraw(MeterRequest request, MeterId meterId) {
        TreeMap<Long, Meter> table = meters.get(request.deviceId());
        if (table == null || table.remove(meterId.id()) == null) {
            throw new AssertionError("withdraw of unknown meter " + meterId + " on " + request.deviceId());
        }
        onRemove(request.deviceId(), meterId);
        withdraws++;
    }

    @Override
    public synchronized Meter getMeter(DeviceId deviceId, MeterId meterId) {
        TreeMap<Long, Meter> table = meters.get(deviceId);
        return table == null ? null : table.get(meterId.id());
    }

    @Override
    public synchronized Collection<Meter> getMeters(DeviceId deviceId) {
        return new ArrayList<>(meters.getOrDefault(deviceId, new TreeMap<>()).values());
    }

    @Override
    public synchronized Collection<Meter> getAllMeters() {
        List<Meter> out = new ArrayList<>();
        meters.values().forEach(t -> out.addAll(t.values()));
        return out;
    }
}
