package org.carelane.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.CareLaneStatus;
import org.carelane.api.DeviceStatus;
import org.carelane.api.Profile;
import org.onosproject.codec.CodecContext;
import org.onosproject.codec.JsonCodec;

/** JSON of {@link CareLaneStatus}, as GET /onos/carelane/status returns it (see README). */
public final class StatusCodec extends JsonCodec<CareLaneStatus> {

    @Override
    public ObjectNode encode(CareLaneStatus status, CodecContext context) {
        return toJson(status, context.mapper());
    }

    /** The JSON of a status, with a mapper of one's own (tests, the CLI). */
    public static ObjectNode toJson(CareLaneStatus s, ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        root.put("activeProfile", s.activeProfile().jsonName());
        root.put("appliedProfile", s.appliedProfile().map(Profile::jsonName).orElse(null));
        root.put("time", s.time().toString());
        root.put("policyVersion", s.policyVersion());
        s.override().ifPresent(o -> root.putObject("override").put("profile", o.profile().jsonName())
                .put("expiresAt", o.expiresAt().toString()).put("user", o.user()));
        s.nextChange().ifPresent(at -> root.put("nextChange", at.toString()));
        root.putObject("work").put("queued", s.queued()).put("inFlight", s.inFlight());
        ArrayNode devices = root.putArray("devices");
        s.devices().forEach(d -> device(d, devices.addObject()));
        if (!s.boards().isEmpty()) {
            ObjectNode boards = root.putObject("boards");
            s.boards().forEach(b -> {
                ObjectNode node = boards.putObject(b.board()).put("devices", b.devices()).put("inSync", b.inSync())
                        .put("pending", b.pending()).put("failed", b.failed()).put("elsewhere", b.elsewhere());
                b.worstReason().ifPresent(r -> node.put("worstReason", r));
            });
        }
        return root;
    }

    private static void device(DeviceStatus d, ObjectNode node) {
        node.put("deviceId", d.deviceId().toString());
        node.put("available", d.available());
        node.put("master", d.master());
        d.sync().ifPresent(sync -> sync(sync, node.putObject("sync")));
        d.queues().ifPresent(q -> queues(q, node.putObject("queues")));
        if (d.flowRules().isPresent()) {
            node.put("flowRules", d.flowRules().get());
            node.put("flowRulesAdded", d.flowRulesAdded());
        } else {
            node.putNull("flowRules");
            d.flowRulesError().ifPresent(e -> node.put("flowRulesError", e));
        }
        ObjectNode meters = node.putObject("meters");
        d.meters().forEach((slice, m) -> meters.putObject(slice).put("meterId", m.installed().meterId())
                .put("rateKbps", m.installed().rateKbps()).put("burstKbits", m.installed().burstKbits())
                .put("state", m.state()));
        d.staged().ifPresent(staged -> {
            ObjectNode out = node.putObject("staged");
            staged.shadow().ifPresent(sh -> out.put("from", sh.profile().jsonName())
                    .put("switchesItselfBy", sh.until().toString()));
            ObjectNode next = out.putObject("meters");
            staged.meters().forEach((slice, m) -> next.putObject(slice).put("meterId", m.meterId())
                    .put("rateKbps", m.rateKbps()).put("burstKbits", m.burstKbits()));
        });
    }

    private static void sync(DeviceStatus.Sync s, ObjectNode node) {
        node.put("state", s.state());
        s.profile().ifPresent(p -> node.put("profile", p.jsonName()));
        node.put("policyVersion", s.policyVersion());
        node.put("since", s.since().toString());
        if (s.failures() > 0) {
            node.put("failures", s.failures());
        }
        s.reason().ifPresent(r -> node.put("reason", r));
        s.nextRetry().ifPresent(at -> node.put("nextRetry", at.toString()));
        s.retry().ifPresent(r -> node.put("retry", r));
        s.lastFailure().ifPresent(f -> node.putObject("lastFailure")
                .put("at", s.lastFailureAt().map(Object::toString).orElse(null)).put("reason", f));
    }

    private static void queues(DeviceStatus.Queues q, ObjectNode node) {
        node.put("state", q.state());
        q.reason().ifPresent(r -> node.put("reason", r));
        q.ovsdbDevice().ifPresent(id -> node.put("ovsdbDevice", id.toString()));
        q.port().ifPresent(p -> node.put("port", p));
        q.qos().ifPresent(name -> node.put("qos", name));
        if ("APPLIED".equals(q.state())) {
            ArrayNode queues = node.putArray("queues");
            q.queues().forEach(e -> queues.addObject().put("queue", e.queue()).put("slice", e.slice())
                    .put("minKbps", e.minKbps()).put("maxKbps", e.maxKbps()).put("burstKbits", e.burstKbits()));
        }
    }
}
