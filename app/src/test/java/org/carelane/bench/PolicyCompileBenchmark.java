package org.carelane.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.DeviceUplink;
import org.carelane.api.SlicePolicy;
import org.carelane.policy.FlowCompiler;
import org.carelane.policy.PolicyCodec;
import org.onosproject.TestApplicationId;
import org.onosproject.net.flow.FlowRule;
import org.onosproject.net.meter.MeterId;

import java.util.Map;

/**
 * Prints how long compiling the policy takes for 1,000 devices x 200 classifier rules.
 * Run: scripts/benchmark.sh. It prints figures and asserts nothing about time.
 */
public final class PolicyCompileBenchmark {
    private PolicyCompileBenchmark() {
    }

    /** A policy with {@code devices} gateways and {@code rules} rules spread over four slices. */
    static ObjectNode policy(int devices, int rules) {
        ObjectNode root = PolicyCodec.mapper().createObjectNode();
        ArrayNode devs = root.putArray("devices");
        for (int d = 1; d <= devices; d++) {
            devs.addObject().put("deviceId", String.format("of:%016x", d)).put("uplinkKbps", 1_000_000);
        }
        String[] names = {"blocked", "clinical", "social", "default"};
        int[] prio = {900, 800, 200, 100};
        ArrayNode slices = root.putArray("slices");
        for (int s = 0; s < names.length; s++) {
            ObjectNode slice = slices.addObject().put("name", names[s]).put("priority", prio[s]);
            if (s == 0) {
                slice.put("action", "drop");
            } else {
                slice.put("dscp", s == 1 ? "EF" : s == 2 ? "CS1" : "BE").put("queue", s - 1);
                ObjectNode rates = slice.putObject("rates");
                rates.putObject("peak").put("maxKbps", 100_000).put("minKbps", 1000);
                rates.putObject("offPeak").put("maxKbps", 100_000).put("minKbps", 1000);
            }
            ArrayNode r = slice.putArray("rules");
            for (int i = s; i < rules; i += names.length) {
                r.addObject().put("ipProto", "tcp").put("dstPort", 1 + i)
                        .putArray("dstPrefixes").add(String.format("10.%d.%d.0/24", i / 250, i % 250));
            }
        }
        return root;
    }

    public static void main(String[] args) {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rules = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        ObjectNode json = policy(devices, rules);
        TestApplicationId app = new TestApplicationId("org.carelane.app");
        Map<String, MeterId> meters = Map.of("clinical", MeterId.meterId(1), "social", MeterId.meterId(2),
                "default", MeterId.meterId(3));
        System.out.printf("CareLane policy compile: %d devices x %d rules, %d rounds (first is warm-up)%n",
                devices, rules, rounds);
        for (int round = 0; round < rounds; round++) {
            long t0 = System.nanoTime();
            SlicePolicy policy = PolicyCodec.parse(json);
            long t1 = System.nanoTime();
            long flows = 0;
            for (DeviceUplink d : policy.devices()) {
                for (FlowRule r : FlowCompiler.compile(policy, d, meters, app, org.carelane.api.Profile.PEAK)) {
                    flows += r.priority() > 0 ? 1 : 0;
                }
            }
            long t2 = System.nanoTime();
            System.out.printf("round %d: parse+validate %.1f ms, compile %.1f ms, %d flow rules, %.2f us/rule%n",
                    round, (t1 - t0) / 1e6, (t2 - t1) / 1e6, flows, (t2 - t1) / 1e3 / flows);
        }
    }
}
