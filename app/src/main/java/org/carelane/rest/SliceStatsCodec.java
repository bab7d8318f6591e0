package org.carelane.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.SliceStats;
import org.onosproject.codec.CodecContext;
import org.onosproject.codec.JsonCodec;

/** JSON of one slice's {@link SliceStats}, as GET /onos/carelane/stats lists them. */
public final class SliceStatsCodec extends JsonCodec<SliceStats> {
    @Override
    public ObjectNode encode(SliceStats s, CodecContext context) {
        return context.mapper().createObjectNode().put("slice", s.slice()).put("bytes", s.bytes())
                .put("packets", s.packets()).put("flowRules", s.flowRules()).put("meters", s.meters());
    }
}
