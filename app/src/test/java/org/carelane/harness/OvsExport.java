package org.carelane.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.DeviceUplink;
import org.carelane.api.Profile;
import org.carelane.api.SliceDefinition;
import org.carelane.api.SlicePolicy;
import org.carelane.api.SliceRates;
import org.carelane.impl.CareLaneTestBed;
import org.carelane.policy.FlowCompiler;
import org.carelane.policy.PolicyCodec;
import org.onosproject.net.flow.FlowEntry;
import org.onosproject.net.meter.Meter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Runs the real CareLaneManager on a netcfg file at a chosen instant and writes, per
 * device, the meters and flow rules it produced as ovs-ofctl lines, plus the queue plan
 * (slice, DSCP, min/max) that the tc htb emulation of set_queue needs.
 *
 * <p>Usage: OvsExport NETCFG.json AT(ISO instant) OUT.json
 */
public final class OvsExport {
    private OvsExport() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: export-rules.sh NETCFG.json AT(ISO-8601 instant) OUT.json");
            System.exit(2);
        }
        ObjectNode block;
        Instant at;
        try {
            block = checkedBlock(Path.of(args[0]));
            at = instant(args[1]);
        } catch (IllegalArgumentException e) {
            System.err.println("export-rules: " + e.getMessage());
            System.exit(2);
            return;
        }
        try (CareLaneTestBed bed = new CareLaneTestBed(at, block, port -> true)) {
            ObjectNode out = export(bed);
            Files.writeString(Path.of(args[2]), out.toPrettyString());
            System.out.printf("exported profile %s at %s: %d devices%n", out.get("profile").asText(), at,
                    out.get("devices").size());
        }
    }

    /**
     * The CareLane block of a netcfg file, validated as ONOS would.
     *
     * @throws IllegalArgumentException saying what is wrong and where: the file, a JSON syntax
     *         error's line and column, a missing block, or the invalid field's path
     */
    static ObjectNode checkedBlock(Path netcfg) {
        String text;
        try {
            text = Files.readString(netcfg);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(netcfg + ": cannot read it (" + e + ")");
        }
        JsonNode root;
        try {
            root = PolicyCodec.mapper().readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var where = e.getLocation();
            throw new IllegalArgumentException(String.format("%s: JSON syntax error at line %d, column %d: %s",
                    netcfg, where == null ? 0 : where.getLineNr(), where == null ? 0 : where.getColumnNr(),
                    e.getOriginalMessage()));
        }
        JsonNode block = root == null ? null : root.path("apps").path("org.carelane.app").path("carelane");
        if (block == null || !block.isObject()) {
            throw new IllegalArgumentException(netcfg + ": no apps.\"org.carelane.app\".carelane object");
        }
        try {
            PolicyCodec.parse(block);
        } catch (org.carelane.api.PolicyException e) {
            throw new IllegalArgumentException(netcfg + ": " + e.getMessage());
        }
        return (ObjectNode) block;
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not an ISO-8601 instant, e.g. 2026-01-14T12:30:00Z");
        }
    }

    static ObjectNode export(CareLaneTestBed bed) {
        SlicePolicy policy = bed.manager.policy().orElseThrow(() -> new IllegalStateException("no policy"));
        Profile profile = bed.manager.activeProfile();
        ObjectNode root = PolicyCodec.mapper().createObjectNode();
        root.put("profile", profile.jsonName());
        root.put("time", bed.clock.instant().toString());
        ArrayNode queues = root.putArray("queues");
        // The first device's own rates (shares and scopes resolved against its uplink).
        SlicePolicy rated = policy.devices().isEmpty() ? policy
                : policy.forDevice(policy.devices().get(0).deviceId()).orElseThrow().policy();
        for (SliceDefinition s : rated.slices()) {
            ObjectNode q = queues.addObject().put("slice", s.name()).put("drop", s.drop())
                    .put("priority", FlowCompiler.BASE_PRIORITY + s.priority());
            if (s.dscp() != null) {
                q.put("dscp", s.dscp());
            }
            if (s.queueId() != null) {
                q.put("queue", s.queueId());
            }
            SliceRates r = s.rates(profile);
            if (r != null) {
                q.put("minKbps", r.minKbps()).put("maxKbps", r.maxKbps());
            }
        }
        ArrayNode devices = root.putArray("devices");
        for (DeviceUplink d : policy.devices()) {
            ObjectNode dev = devices.addObject().put("deviceId", d.deviceId().toString())
                    .put("dpid", d.deviceId().uri().getSchemeSpecificPart())
                    .put("uplinkKbps", d.uplinkKbps());
            ArrayNode meters = dev.putArray("meters");
            for (Meter m : bed.meters.liveMeters(d.deviceId())) {
                meters.add(OvsOfctl.meter(m));
            }
            ArrayNode flows = dev.putArray("flows");
            for (FlowEntry e : bed.flows.devices(d.deviceId())) {
                flows.add(OvsOfctl.flow(e));
            }
        }
        return root;
    }
}
