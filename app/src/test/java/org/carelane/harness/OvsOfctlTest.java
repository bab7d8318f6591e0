package org.carelane.harness;

import com.fasterxml.jackson.databind.JsonNode;
import org.carelane.impl.CareLaneTestBed;
import org.carelane.testing.SampleConfig;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OvsOfctlTest {

    @Test
    void peakExportCarriesMetersMarksQueuesAndDrop() {
        try (CareLaneTestBed bed = new CareLaneTestBed(Instant.parse("2026-01-14T12:30:00Z"),
                SampleConfig.hospital())) {
            JsonNode out = OvsExport.export(bed);
            assertEquals("peak", out.get("profile").asText());
            JsonNode dev = out.get("devices").get(0);
            assertEquals("0000000000000001", dev.get("dpid").asText());
            List<String> meters = new ArrayList<>();
            dev.get("meters").forEach(m -> meters.add(m.asText()));
            assertTrue(meters.stream().anyMatch(
                    m -> m.matches("meter=\\d+,kbps,burst,stats,bands=type=drop,rate=4000,burst_size=1200")),
                    meters.toString());
            List<String> flows = new ArrayList<>();
            dev.get("flows").forEach(f -> flows.add(f.asText()));
            assertTrue(flows.stream().anyMatch(f -> f.matches(
                    "cookie=0x[0-9a-f]+,table=0,priority=1800,dl_type=0x800,nw_dst=10.100.0.0/24,"
                            + "actions=meter:\\d+,set_field:46->ip_dscp,set_queue:0,NORMAL")), flows.toString());
            assertTrue(flows.stream().anyMatch(f -> f.matches(
                    "cookie=0x[0-9a-f]+,table=0,priority=1900,dl_type=0x800,nw_dst=10.200.0.66/32,actions=drop")),
                    flows.toString());
            // Meter ids follow the order ONOS allocates them in: a device's meters are submitted together.
            assertTrue(flows.stream().anyMatch(f ->
                    f.matches(".*actions=meter:\\d+,set_field:8->ip_dscp,set_queue:2,NORMAL")), flows.toString());
            JsonNode social = out.get("queues").get(2);
            assertEquals("social", social.get("slice").asText());
            assertEquals(4000, social.get("maxKbps").asLong());
        }
    }

    @Test
    void aSteeredSliceExportsItsNextHopVlanAndPortAsOvsPrintsThem() {
        com.fasterxml.jackson.databind.node.ObjectNode block = SampleConfig.withBreakout();
        ((com.fasterxml.jackson.databind.node.ObjectNode) block.get("devices").get(0).get("links").get("breakout"))
                .put("port", 9).put("nextHopMac", "02:0B:00:00:00:01");
        // Offline, the export takes every port the netcfg names to exist (the test bed has 1 to 8).
        try (CareLaneTestBed bed = new CareLaneTestBed(Instant.parse("2026-01-14T12:30:00Z"), block, p -> true)) {
            List<String> flows = new ArrayList<>();
            OvsExport.export(bed).get("devices").get(0).get("flows").forEach(f -> flows.add(f.asText()));
            assertTrue(flows.stream().anyMatch(f -> f.matches(".*nw_dst=10.200.0.0/16,actions=meter:\\d+,"
                    + "set_field:8->ip_dscp,set_queue:2,set_field:02:0b:00:00:00:01->eth_dst,push_vlan:0x8100,"
                    + "set_field:4196->vlan_vid,output:9")), flows.toString());
            assertTrue(flows.stream().anyMatch(f -> f.matches(".*nw_src=10.200.0.0/16,actions=meter:\\d+,"
                    + "set_field:8->ip_dscp,set_queue:2,NORMAL")), "replies are not steered: " + flows);
        }
    }
}
