package org.carelane.rest;

import com.fasterxml.jackson.databind.JsonNode;
import org.carelane.impl.CareLaneTestBed;
import org.carelane.testing.SampleConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.ws.rs.core.Response;
import java.time.Instant;

import static org.carelane.rest.CareLaneWebResourceTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scoped rate changes and the effective-policy view over REST (topologies/wales-netcfg.json). */
class ScopedRestTest {
    private static final Instant WED_NOON = Instant.parse("2026-01-14T12:30:00Z");
    private CareLaneTestBed bed;
    private RestHarness rest;

    @BeforeEach
    void setUp() throws Exception {
        bed = new CareLaneTestBed(WED_NOON, SampleConfig.wales());
        rest = RestHarness.start(bed.manager, "alice");
    }

    @AfterEach
    void tearDown() throws Exception {
        rest.tearDown();
        bed.close();
    }

    private JsonNode socialPeak(String device) {
        JsonNode view = json(rest.get("devices/" + device + "/policy"));
        for (JsonNode s : view.get("slices")) {
            if (s.get("name").asText().equals("social")) {
                return s.get("rates").get("peak");
            }
        }
        throw new AssertionError(view.toString());
    }

    @Test
    void theDeviceViewShowsEachRateAndWhereItComesFrom() {
        JsonNode peak = socialPeak("of:00000000000000a2");
        assertEquals(300_000, peak.get("maxKbps").asLong());
        assertEquals("site of:00000000000000a2", peak.get("maxFrom").get("scope").asText());
        assertEquals("devices[1].slices.social.rates.peak.maxPercent", peak.get("maxFrom").get("field").asText());
        assertEquals(404, rest.get("devices/of:00000000000000ff/policy").getStatus());
        assertEquals(400, rest.get("devices/nonsense/policy").getStatus());
    }

    @Test
    void aBoardChangeAndItsUndo() {
        Response r = rest.put("boards/bcuhb/slices/social/bandwidth", "{\"profile\":\"peak\",\"maxPercent\":5}");
        assertEquals(200, r.getStatus(), r.readEntity(String.class));
        assertEquals(500, socialPeak("of:00000000000000a1").get("maxKbps").asLong());
        assertEquals("board 'bcuhb'", socialPeak("of:00000000000000a1").get("maxFrom").get("scope").asText());
        assertEquals(300_000, socialPeak("of:00000000000000a2").get("maxKbps").asLong(), "the site's own wins");
        assertEquals(1500, socialPeak("of:00000000000000b1").get("maxKbps").asLong(), "another board");
        assertEquals(200, rest.delete("boards/bcuhb/slices/social/bandwidth?profile=peak").getStatus());
        assertEquals(1000, socialPeak("of:00000000000000a1").get("maxKbps").asLong());
    }

    @Test
    void aNationalShareOverRest() {
        Response r = rest.put("slices/social/bandwidth", "{\"profile\":\"peak\",\"maxPercent\":12}");
        assertEquals(200, r.getStatus(), r.readEntity(String.class));
        assertEquals(1200, socialPeak("of:00000000000000a1").get("maxKbps").asLong());
        assertEquals(1500, socialPeak("of:00000000000000b1").get("maxKbps").asLong(), "its board's own share");
    }

    @Test
    void badScopedChangesNameTheField() {
        Response r = rest.put("devices/of:00000000000000b1/slices/social/bandwidth",
                "{\"profile\":\"peak\",\"maxKbps\":50000}");
        assertEquals(400, r.getStatus());
        JsonNode body = json(r);
        assertEquals("devices[2].slices.social.rates.peak.maxKbps", body.get("field").asText());
        assertTrue(body.get("error").asText().contains("of:00000000000000b1"), body.toString());
        assertEquals("board", json(rest.put("boards/powys/slices/social/bandwidth",
                "{\"profile\":\"peak\",\"maxKbps\":5}")).get("field").asText());
        assertEquals("maxPercent", json(rest.put("site-classes/gp-practice/slices/social/bandwidth",
                "{\"profile\":\"peak\",\"maxPercent\":150}")).get("field").asText());
        assertEquals("maxPercent", json(rest.put("site-classes/gp-practice/slices/social/bandwidth",
                "{\"profile\":\"peak\",\"maxPercent\":5,\"maxKbps\":5}")).get("field").asText());
        assertEquals(1500, socialPeak("of:00000000000000b1").get("maxKbps").asLong(), "nothing changed");
    }

    @Test
    void aBoardsOwnScheduleOverRestAndItsUndo() {
        // 12:30 on a Wednesday: national peak. Cardiff and Vale takes its lunch at 13:00-14:00.
        Response r = rest.put("boards/cav/schedule", "{\"peakStart\":\"13:00\",\"peakEnd\":\"14:00\"}");
        assertEquals(200, r.getStatus(), r.readEntity(String.class));
        JsonNode view = json(rest.get("devices/of:00000000000000b1/policy")).get("schedule");
        assertEquals("13:00", view.get("peakStart").asText(), view.toString());
        assertEquals("board 'cav'", view.get("from").get("scope").asText());
        assertEquals("boards.cav.schedule", view.get("from").get("field").asText());
        assertEquals("national", json(rest.get("devices/of:00000000000000a1/policy")).get("schedule").get("from")
                .get("scope").asText());
        JsonNode scopes = json(rest.get("schedule")).get("scopes");
        assertEquals(1, scopes.size(), scopes.toString());
        assertEquals("board 'cav'", scopes.get(0).get("scope").asText());
        assertEquals("offPeak", scopes.get(0).get("activeProfile").asText());
        assertEquals("2026-01-14T13:00:00Z", scopes.get(0).get("nextChange").asText());
        assertEquals("peak", json(rest.get("schedule")).get("activeProfile").asText(), "nationally still peak");

        JsonNode bad = json(rest.put("boards/cav/schedule", "{\"peakStart\":\"13:00\",\"peakEnd\":\"26:00\"}"));
        assertEquals("peakEnd", bad.get("field").asText(), bad.toString());
        assertEquals("board", json(rest.put("boards/powys/schedule",
                "{\"peakStart\":\"13:00\",\"peakEnd\":\"14:00\"}")).get("field").asText());
        assertEquals("13:00", json(rest.get("devices/of:00000000000000b1/policy")).get("schedule")
                .get("peakStart").asText(), "nothing changed");

        assertEquals(200, rest.delete("boards/cav/schedule").getStatus());
        assertEquals("national", json(rest.get("devices/of:00000000000000b1/policy")).get("schedule").get("from")
                .get("scope").asText());
        assertEquals(0, json(rest.get("schedule")).get("scopes").size());
    }

    @Test
    void aSitesOverrideOverRestAndItsRemoval() {
        // 12:30 on a Wednesday: national peak. The hospital goes off-peak for an hour.
        Response r = rest.post("devices/of:00000000000000a2/override",
                "{\"profile\":\"offPeak\",\"durationMinutes\":60,\"reason\":\"staff event\"}");
        assertEquals(201, r.getStatus(), r.readEntity(String.class));
        JsonNode scopes = json(rest.get("schedule")).get("scopes");
        assertEquals("site of:00000000000000a2", scopes.get(0).get("scope").asText(), scopes.toString());
        assertEquals("offPeak", scopes.get(0).get("override").get("profile").asText());
        assertEquals("staff event", scopes.get(0).get("override").get("reason").asText());
        assertEquals("peak", json(rest.get("schedule")).get("activeProfile").asText(), "nationally still peak");
        assertEquals("board", json(rest.post("boards/powys/override",
                "{\"profile\":\"peak\",\"durationMinutes\":5}")).get("field").asText());
        assertEquals("profile", json(rest.post("boards/cav/override",
                "{\"profile\":\"lunch\",\"durationMinutes\":5}")).get("field").asText());
        assertTrue(json(rest.delete("devices/of:00000000000000a2/override")).get("removed").asBoolean());
        assertEquals(0, json(rest.get("schedule")).get("scopes").size());
    }

    @Test
    void aBoardsEgressOverRestAndTheDeviceViewSaysWhereItComesFrom() throws Exception {
        rest.tearDown();
        bed.close();
        bed = new CareLaneTestBed(WED_NOON, SampleConfig.walesWithCavBreakouts());
        rest = RestHarness.start(bed.manager, "alice");
        Response r = rest.put("boards/cav/slices/social/egress", "{\"link\":\"breakout\",\"when\":\"peak\"}");
        assertEquals(200, r.getStatus(), r.readEntity(String.class));
        JsonNode egress = slice("of:00000000000000b1", "social").get("egress");
        assertEquals("breakout", egress.get("link").asText(), egress.toString());
        assertEquals("board 'cav'", egress.get("from").get("scope").asText());
        r = rest.put("devices/of:00000000000000b2/slices/social/egress", "{\"link\":\"uplink\"}");
        assertEquals(200, r.getStatus(), r.readEntity(String.class));
        egress = slice("of:00000000000000b2", "social").get("egress");
        assertEquals("uplink", egress.get("link").asText());
        assertEquals("devices[3].slices.social.egress", egress.get("from").get("field").asText());
        assertEquals("link", json(rest.put("boards/cav/slices/social/egress", "{\"link\":\"nowhere\"}"))
                .get("field").asText());
        assertEquals("breakout", slice("of:00000000000000b1", "social").get("egress").get("link").asText(),
                "nothing changed");
        assertEquals(200, rest.delete("boards/cav/slices/social/egress").getStatus());
        egress = slice("of:00000000000000b1", "social").get("egress");
        assertEquals("uplink", egress.get("link").asText());
        assertEquals("national", egress.get("from").get("scope").asText());
    }

    private JsonNode slice(String device, String name) {
        for (JsonNode s : json(rest.get("devices/" + device + "/policy")).get("slices")) {
            if (s.get("name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError(name);
    }
}
