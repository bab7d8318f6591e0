package org.carelane.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.PolicyException;
import org.carelane.api.Profile;
import org.carelane.api.SliceRates;
import org.carelane.impl.CareLaneTestBed;
import org.carelane.testing.SampleConfig;
import org.onosproject.net.DeviceId;
import org.onosproject.net.meter.Meter;
import org.onosproject.net.meter.MeterId;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Drives N rate changes (default 10,000) through the real manager over the ONOS-faithful
 * doubles, two gateways, with a failure injected now and then (a meter the switch rejects,
 * a flow batch that fails, a full meter table), and prints the meters left per device.
 * Run: scripts/benchmark.sh meters [N]. It prints figures; exit status 1 if a meter leaked.
 */
public final class MeterLeakBenchmark {
    private static final DeviceId GW1 = DeviceId.deviceId("of:0000000000000001");
    private static final DeviceId GW2 = DeviceId.deviceId("of:0000000000000002");

    private MeterLeakBenchmark() {
    }

    public static void main(String[] args) {
        int changes = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        ObjectNode config = SampleConfig.hospital();
        ((ArrayNode) config.get("devices")).addObject().put("deviceId", GW2.toString()).put("uplinkKbps", 20000);
        int rejectedMeters = 0;
        int failedBatches = 0;
        int fullTables = 0;
        int refused = 0;
        long t0 = System.nanoTime();
        try (CareLaneTestBed bed = new CareLaneTestBed(Instant.parse("2026-01-14T09:00:00Z"), config)) {
            for (int i = 1; i <= changes; i++) {
                if (i % 97 == 0) {
                    bed.meters.failSubmits = 1;
                    rejectedMeters++;
                } else if (i % 131 == 0) {
                    bed.flows.failBatches = 1;
                    failedBatches++;
                } else if (i % 503 == 0) {
                    bed.meters.tableSize = 3;   // no room for a new meter: submit throws
                    fullTables++;
                }
                try {
                    bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(1000 + (i % 14) * 1000, 0),
                            "bench", "rest");
                } catch (PolicyException e) {
                    refused++;
                }
                bed.meters.tableSize = Integer.MAX_VALUE;
                if (i % 10 == 0) {
                    bed.meters.poll();   // ONOS's meter-stats poll: one per ten changes
                }
            }
            // A last change with no failure, as an operator's next change would be.
            bed.manager.setRates("social", Profile.OFF_PEAK, new SliceRates(15000, 0), "bench", "rest");
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("CareLane meter leak benchmark: %d rate changes on 2 devices in %.1f s (%.2f ms each)%n",
                    changes + 1, seconds, seconds * 1000 / (changes + 1));
            System.out.printf("injected: %d meters rejected by the switch, %d flow batches failed, "
                    + "%d full meter tables; %d changes refused by validation%n",
                    rejectedMeters, failedBatches, fullTables, refused);
            bed.meters.poll();   // re-sends what ONOS still holds (a rejected meter too) and purges the withdrawn
            System.out.printf("meters sent to the switch %d, withdrawn %d%n", bed.meters.submits, bed.meters.withdraws);
            boolean leaked = false;
            for (DeviceId device : List.of(GW1, GW2)) {
                Set<MeterId> used = new HashSet<>();
                bed.flows.devices(device).forEach(e -> e.treatment().meters().forEach(m -> used.add(m.meterId())));
                Set<MeterId> live = new HashSet<>();
                bed.meters.getMeters(device).stream().map(Meter::id).forEach(live::add);
                System.out.printf("%s: %d meters on the device, %d used by CareLane's %d rules%n", device,
                        live.size(), used.size(), bed.flows.devices(device).size());
                leaked |= live.size() != 3 || !live.equals(used);
            }
            System.out.println(leaked ? "LEAK: not exactly one meter per metered slice per device"
                    : "exactly one meter per metered slice (clinical, social, default) per device");
            if (leaked) {
                System.exit(1);
            }
        }
    }
}
