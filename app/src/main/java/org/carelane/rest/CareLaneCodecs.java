package org.carelane.rest;

import org.carelane.api.AuditEntry;
import org.carelane.api.CareLaneStatus;
import org.carelane.api.DevicePolicy;
import org.carelane.api.SliceStats;
import org.onosproject.codec.CodecService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;

/** Registers CareLane's JSON codecs with ONOS's CodecService, as ONOS's own apps do. */
@Component(immediate = true)
public class CareLaneCodecs {
    @Reference(cardinality = ReferenceCardinality.MANDATORY)
    protected CodecService codecService;

    @Activate
    protected void activate() {
        codecService.registerCodec(CareLaneStatus.class, new StatusCodec());
        codecService.registerCodec(AuditEntry.class, new AuditEntryCodec());
        codecService.registerCodec(SliceStats.class, new SliceStatsCodec());
        codecService.registerCodec(DevicePolicy.class, new DevicePolicyCodec());
    }

    @Deactivate
    protected void deactivate() {
        codecService.unregisterCodec(CareLaneStatus.class);
        codecService.unregisterCodec(AuditEntry.class);
        codecService.unregisterCodec(SliceStats.class);
        codecService.unregisterCodec(DevicePolicy.class);
    }
}
