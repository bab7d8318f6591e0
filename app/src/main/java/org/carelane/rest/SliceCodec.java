package org.carelane.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.SliceDefinition;
import org.carelane.policy.PolicyCodec;
import org.onosproject.codec.CodecContext;
import org.onosproject.codec.JsonCodec;

/** JSON of a slice as GET /onos/carelane/slices lists it: its netcfg form (the resource adds the active rates). */
public final class SliceCodec extends JsonCodec<SliceDefinition> {
    @Override
    public ObjectNode encode(SliceDefinition slice, CodecContext context) {
        return PolicyCodec.encodeSlice(slice);
    }
}
