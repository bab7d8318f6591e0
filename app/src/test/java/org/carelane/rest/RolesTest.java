package org.carelane.rest;

import com.fasterxml.jackson.databind.JsonNode;
import org.carelane.impl.CareLaneTestBed;
import org.carelane.testing.SampleConfig;
import org.carelane.testing.UserSecurityContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.ws.rs.core.Response;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ONOS roles through ONOS's AuthorizationFilter: a viewer reads, an admin changes. */
class RolesTest {
    private CareLaneTestBed bed;
    private RestHarness viewer;

    @BeforeEach
    void setUp() throws Exception {
        bed = new CareLaneTestBed(CareLaneWebResourceTest.WED_MORNING, SampleConfig.hospital());
        viewer = RestHarness.start(bed.manager, new UserSecurityContext("guest", Set.of("viewer")));
    }

    @AfterEach
    void tearDown() throws Exception {
        viewer.tearDown();
        bed.close();
    }

    private static void assertForbiddenJson(Response r) {
        assertEquals(403, r.getStatus());
        JsonNode body = CareLaneWebResourceTest.json(r);
        assertTrue(body.get("message").asText().contains("insufficient privilege"), body.toString());
    }

    @Test
    void aViewerReadsEverything() {
        for (String path : new String[] {"slices", "slices/social", "schedule", "status", "stats", "audit"}) {
            assertEquals(200, viewer.get(path).getStatus(), path);
        }
    }

    @Test
    void aViewerChangesNothing() {
        String before = bed.manager.policy().orElseThrow().toString();
        assertForbiddenJson(viewer.put("slices/social/bandwidth", "{\"profile\":\"peak\",\"maxKbps\":1000}"));
        assertForbiddenJson(viewer.put("schedule", "{\"zone\":\"Europe/London\",\"peakStart\":\"11:00\","
                + "\"peakEnd\":\"14:00\",\"days\":[\"MON\"]}"));
        assertForbiddenJson(viewer.post("override", "{\"profile\":\"peak\",\"durationMinutes\":5}"));
        assertForbiddenJson(viewer.delete("override"));
        assertForbiddenJson(viewer.put("boards/cav/schedule", "{\"peakStart\":\"11:00\",\"peakEnd\":\"14:00\"}"));
        assertForbiddenJson(viewer.delete("devices/of:00000000000000a1/schedule"));
        assertEquals(before, bed.manager.policy().orElseThrow().toString());
        assertTrue(bed.manager.override().isEmpty());
    }

    @Test
    void aUserWithoutAnOnosRoleReadsNothing() throws Exception {
        RestHarness nobody = RestHarness.start(bed.manager, new UserSecurityContext("mallory", Set.of()));
        try {
            assertForbiddenJson(nobody.get("slices"));
        } finally {
            nobody.tearDown();
        }
    }
}
