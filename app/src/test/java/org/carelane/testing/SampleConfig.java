package org.carelane.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shipped sample netcfgs (topologies/), and the hospital the unit tests are written against. */
public final class SampleConfig {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SampleConfig() {
    }

    /** The "carelane" block of a netcfg file. */
    public static ObjectNode block(Path netcfg) {
        try {
            JsonNode root = MAPPER.readTree(Files.readString(netcfg));
            return (ObjectNode) root.path("apps").path("org.carelane.app").path("carelane");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A fresh mutable copy of the hospital by prefix only (blocked, clinical, social, default):
     * a fixture frozen from the sample before it named sites, so the tests of programming do not
     * change with the shipped sample's lists.
     */
    public static ObjectNode hospital() {
        try (java.io.InputStream in = SampleConfig.class.getResourceAsStream("hospital-by-prefix.json")) {
            return (ObjectNode) MAPPER.readTree(in).path("apps").path("org.carelane.app").path("carelane");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh mutable copy of the shipped hospital sample block (topologies/carelane-netcfg.json). */
    public static ObjectNode shipped() {
        return topology("carelane-netcfg.json");
    }

    /** A fresh mutable copy of the all-Wales sample block (topologies/wales-netcfg.json). */
    public static ObjectNode wales() {
        return topology("wales-netcfg.json");
    }

    /** The block of a netcfg file in topologies/, from the app module or the repository root. */
    private static ObjectNode topology(String name) {
        Path file = Path.of("..", "topologies", name);
        return block(Files.exists(file) ? file : Path.of("topologies", name));
    }

    /** The hospital with a breakout on port 3 of the gateway (30 Mbit/s, VLAN 100); social goes there at peak. */
    public static ObjectNode withBreakout() {
        ObjectNode doc = hospital().deepCopy();
        ((ObjectNode) doc.get("devices").get(0)).putObject("links").putObject("breakout")
                .put("port", 3).put("kbps", 30000).put("vlan", 100);
        ((ObjectNode) doc.get("slices").get(2)).putObject("egress").put("link", "breakout").put("when", "peak");
        return doc;
    }

    /** The all-Wales sample with a 30 Mbit/s breakout on port 4 of both Cardiff and Vale sites (none steered). */
    public static ObjectNode walesWithCavBreakouts() {
        ObjectNode json = wales();
        for (int i : new int[] {2, 3}) {
            ((ObjectNode) json.get("devices").get(i)).putObject("links").putObject("breakout").put("port", 4)
                    .put("kbps", 30000);
        }
        return json;
    }

    /**
     * The hospital with classification by name: work-internet (300, AF21) by name, social also by
     * name, a blocked name; the resolver 10.1.0.53; TTLs 5-600 s, at most 4 learned addresses.
     */
    public static ObjectNode withNames() {
        ObjectNode config = hospital();
        ObjectNode lists = config.putObject("nameLists");
        lists.putArray("work-sites").add("nhs.wales").add("*.nhs.wales");
        lists.putArray("social-media").add("facebook.com").add("*.fbcdn.net");
        lists.putArray("blocked-names").add("badsite.example");
        ObjectNode dns = config.putObject("dns");
        dns.putArray("resolvers").add("10.1.0.53");
        dns.put("minTtlSeconds", 5).put("maxTtlSeconds", 600).put("maxLearned", 4).put("holdMs", 200);
        ArrayNode slices = (ArrayNode) config.get("slices");
        for (int i = 0; i < slices.size(); i++) {
            ObjectNode slice = (ObjectNode) slices.get(i);
            String list = slice.get("name").asText().equals("social") ? "social-media"
                    : slice.get("name").asText().equals("blocked") ? "blocked-names" : null;
            if (list != null) {
                ((ArrayNode) slice.get("rules")).addObject().put("dstNameList", list);
            }
        }
        ObjectNode work = slices.addObject().put("name", "work-internet").put("priority", 300).put("dscp", "AF21")
                .put("queue", 1);
        work.putArray("rules").addObject().put("dstNameList", "work-sites");
        ObjectNode rates = work.putObject("rates");
        rates.putObject("peak").put("maxKbps", 6000);
        rates.putObject("offPeak").put("maxKbps", 15000);
        return config;
    }
}
