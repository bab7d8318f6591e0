package org.carelane.harness;

import org.carelane.impl.CareLaneTestBed;
import org.carelane.rest.CareLaneWebResource;
import org.carelane.testing.RecordingFlowRuleService;
import org.carelane.testing.RecordingMeterService;
import org.carelane.testing.SampleConfig;
import org.carelane.testing.UserSecurityContext;
import org.glassfish.jersey.jdkhttp.JdkHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.onosproject.net.DeviceId;
import org.onosproject.net.flow.FlowId;
import org.onosproject.net.flow.FlowRuleOperation;
import org.onosproject.net.meter.Meter;
import org.onosproject.net.meter.MeterId;

import javax.ws.rs.container.ContainerRequestFilter;
import javax.ws.rs.core.Response;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stands in for ONOS plus its OpenFlow provider: the real CareLaneManager runs with flow
 * rule and meter services that apply every operation to OVS with ovs-ofctl, in the order the
 * app issues them, and the real REST resource is served on loopback with basic auth (onos/rocks).
 * Closing stdin deactivates the app, which must leave nothing on the switch.
 *
 * <p>Usage: OvsLiveHarness NETCFG.json START(ISO instant) PORT DPID=BRIDGE[,DPID=BRIDGE...]
 */
public final class OvsLiveHarness {
    private OvsLiveHarness() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: OvsLiveHarness NETCFG.json START PORT DPID=BRIDGE[,...]");
            System.exit(2);
        }
        Map<DeviceId, String> bridges = new HashMap<>();
        for (String pair : args[3].split(",")) {
            String[] kv = pair.split("=", 2);
            bridges.put(DeviceId.deviceId("of:" + kv[0]), kv[1]);
        }
        OvsSwitches ovs = new OvsSwitches(bridges);
        CareLaneTestBed bed = new CareLaneTestBed(Instant.parse(args[1]), SampleConfig.block(Path.of(args[0])),
                new OvsFlowRules(ovs), new OvsMeters(ovs));
        bed.clock.startTicking();
        ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();
        poller.scheduleWithFixedDelay(() -> pollCounters(ovs, (OvsFlowRules) bed.flows, (OvsMeters) bed.meters),
                1, 1, TimeUnit.SECONDS);
        var server = JdkHttpServerFactory.createHttpServer(
                URI.create("http://127.0.0.1:" + Integer.parseInt(args[2]) + "/onos/carelane/"),
                new ResourceConfig().register(new CareLaneWebResource(bed.manager)).register(basicAuth()));
        System.out.println("READY profile=" + bed.manager.activeProfile().jsonName());
        System.out.flush();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                // run until stdin closes
            }
        }
        poller.shutdownNow();
        server.stop(0);
        bed.close();
        System.out.println("STOPPED");
        System.out.flush();
        System.exit(0);   // Jersey leaves non-daemon threads behind
    }

    private static final Pattern FLOW_STATS =
            Pattern.compile("cookie=0x([0-9a-f]+),.*?n_packets=(\\d+), n_bytes=(\\d+)");
    private static final Pattern METER_STATS = Pattern.compile("meter:(\\d+) .*?packet_in_count:(\\d+) "
            + "byte_in_count:(\\d+).*?\\n\\s*0: packet_count:(\\d+) byte_count:(\\d+)");

    /** What the OpenFlow provider's stats polling does: switch counters into the ONOS services. */
    static void pollCounters(OvsSwitches ovs, OvsFlowRules flows, OvsMeters meters) {
        try {
            for (DeviceId device : ovs.bridges().keySet()) {
                Matcher f = FLOW_STATS.matcher(ovs.query(device, "dump-flows"));
                while (f.find()) {
                    flows.setCounters(FlowId.valueOf(Long.parseUnsignedLong(f.group(1), 16)),
                            Long.parseLong(f.group(2)), Long.parseLong(f.group(3)));
                }
                Matcher m = METER_STATS.matcher(ovs.query(device, "meter-stats"));
                while (m.find()) {
                    meters.setCounters(device, Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                            Long.parseLong(m.group(3)), Long.parseLong(m.group(4)), Long.parseLong(m.group(5)));
                }
            }
        } catch (IllegalStateException e) {
            System.out.println("stats poll failed: " + e.getMessage());
        }
    }

    /** ONOS-style basic auth with the default onos/rocks account. */
    private static ContainerRequestFilter basicAuth() {
        return ctx -> {
            String header = ctx.getHeaderString("Authorization");
            String user = null;
            if (header != null && header.startsWith("Basic ")) {
                String[] up = new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8)
                        .split(":", 2);
                if (up.length == 2 && up[0].equals("onos") && up[1].equals("rocks")) {
                    user = up[0];
                }
            }
            if (user == null) {
                ctx.abortWith(Response.status(Response.Status.UNAUTHORIZED)
                        .header("WWW-Authenticate", "Basic realm=\"karaf\"").build());
                return;
            }
            ctx.setSecurityContext(new UserSecurityContext(user));
        };
    }

    /** Applies flow operations with add-flow, mod-flows --strict and del-flows --strict. */
    static final class OvsFlowRules extends RecordingFlowRuleService {
        private final OvsSwitches ovs;

        OvsFlowRules(OvsSwitches ovs) {
            this.ovs = ovs;
        }

        @Override
        protected void onOperation(FlowRuleOperation op) {
            var r = op.rule();
            switch (op.type()) {
                case ADD:
                    ovs.ofctl(r.deviceId(), "add-flow", OvsOfctl.flow(r));
                    break;
                case MODIFY:
                    ovs.ofctl(r.deviceId(), "mod-flows --strict", OvsOfctl.match(r) + ",actions="
                            + OvsOfctl.flow(r).replaceFirst(".*,actions=", ""));
                    break;
                default:
                    ovs.ofctl(r.deviceId(), "del-flows --strict", OvsOfctl.match(r));
            }
        }
    }

    /** Applies meters with add-meter and del-meters. */
    static final class OvsMeters extends RecordingMeterService {
        private final OvsSwitches ovs;

        OvsMeters(OvsSwitches ovs) {
            this.ovs = ovs;
        }

        @Override
        protected void onInstall(Meter meter) {
            ovs.ofctl(meter.deviceId(), "add-meter", OvsOfctl.meter(meter));
        }

        @Override
        protected void onRemove(DeviceId deviceId, MeterId meterId) {
            ovs.ofctl(deviceId, "del-meters", "meter=" + meterId.id());
        }
    }
}
