package org.carelane.impl;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.CareLaneService;
import org.carelane.policy.PolicyCodec;
import org.carelane.rest.StatusCodec;

/** A node's status as GET /onos/carelane/status shows it. */
final class StatusJson {
    private StatusJson() {
    }

    static ObjectNode of(CareLaneService service) {
        return StatusCodec.toJson(service.status(), PolicyCodec.mapper());
    }
}
