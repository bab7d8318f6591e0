package org.carelane.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.AuditEntry;
import org.carelane.api.DeviceStatus;
import org.carelane.api.InstalledMeter;
import org.carelane.api.Profile;
import org.carelane.api.ProfileOverride;
import org.carelane.api.RateScope;
import org.onosproject.net.DeviceId;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON forms of stored values: plain strings replicate without Kryo registrations. */
final class StoreCodec {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StoreCodec() {
    }

    static String override(ProfileOverride o) {
        return MAPPER.createObjectNode().put("profile", o.profile().jsonName())
                .put("expiresAt", o.expiresAt().toString()).put("user", o.user())
                .put("reason", o.reason()).toString();
    }

    static ProfileOverride override(String json) {
        JsonNode n = read(json);
        return new ProfileOverride(Profile.parse(n.get("profile").asText()),
                Instant.parse(n.get("expiresAt").asText()), n.path("user").asText(null),
                n.path("reason").asText(null));
    }

    static String scopedOverrides(Map<RateScope, ProfileOverride> overrides) {
        ObjectNode root = MAPPER.createObjectNode();
        overrides.forEach((scope, o) -> root.set(scope.key(), read(override(o))));
        return root.toString();
    }

    static Map<RateScope, ProfileOverride> scopedOverrides(String json) {
        Map<RateScope, ProfileOverride> out = new LinkedHashMap<>();
        read(json).fields().forEachRemaining(e -> out.put(RateScope.ofKey(e.getKey()),
                override(e.getValue().toString())));
        return out;
    }

    static String meters(Map<String, InstalledMeter> meters) {
        ObjectNode root = MAPPER.createObjectNode();
        meters.forEach((slice, m) -> root.putObject(slice).put("meterId", m.meterId())
                .put("rateKbps", m.rateKbps()).put("burstKbits", m.burstKbits()));
        return root.toString();
    }

    static Map<String, InstalledMeter> meters(String json) {
        Map<String, InstalledMeter> out = new LinkedHashMap<>();
        read(json).fields().forEachRemaining(e -> out.put(e.getKey(), new InstalledMeter(
                e.getValue().get("meterId").asLong(), e.getValue().get("rateKbps").asLong(),
                e.getValue().get("burstKbits").asLong())));
        return out;
    }

    static String audit(AuditEntry a) {
        return MAPPER.createObjectNode().put("seq", a.seq()).put("time", a.time().toString())
                .put("user", a.user()).put("source", a.source()).put("action", a.action())
                .put("before", a.before()).put("after", a.after()).toString();
    }

    static AuditEntry audit(String json) {
        JsonNode n = read(json);
        return new AuditEntry(n.get("seq").asLong(), Instant.parse(n.get("time").asText()),
                n.path("user").asText(null), n.path("source").asText(null), n.path("action").asText(null),
                n.path("before").isNull() ? null : n.path("before").asText(null),
                n.path("after").isNull() ? null : n.path("after").asText(null));
    }

    static String queues(DeviceStatus.Queues q) {
        ObjectNode root = MAPPER.createObjectNode().put("state", q.state());
        q.reason().ifPresent(r -> root.put("reason", r));
        q.ovsdbDevice().ifPresent(d -> root.put("ovsdb", d.toString()));
        q.port().ifPresent(p -> root.put("port", p));
        q.qos().ifPresent(n -> root.put("qos", n));
        ArrayNode queues = root.putArray("queues");
        q.queues().forEach(e -> queues.addObject().put("queue", e.queue()).put("slice", e.slice())
                .put("minKbps", e.minKbps()).put("maxKbps", e.maxKbps()).put("burstKbits", e.burstKbits()));
        return root.toString();
    }

    static DeviceStatus.Queues queues(String json) {
        JsonNode n = read(json);
        List<DeviceStatus.Queue> queues = new ArrayList<>();
        n.path("queues").forEach(e -> queues.add(new DeviceStatus.Queue(e.get("queue").asLong(),
                e.get("slice").asText(), e.get("minKbps").asLong(), e.get("maxKbps").asLong(),
                e.get("burstKbits").asLong())));
        return new DeviceStatus.Queues(n.get("state").asText(), n.path("reason").asText(null),
                n.hasNonNull("ovsdb") ? DeviceId.deviceId(n.get("ovsdb").asText()) : null,
                n.path("port").asText(null), n.path("qos").asText(null), queues);
    }

    private static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("corrupt CareLane store value: " + json, e);
        }
    }
}
