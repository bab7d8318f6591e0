package org.carelane.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shipped sample netcfg (topologies/carelane-netcfg.json). */
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

    /** A fresh mutable copy of the hospital sample block. */
    public static ObjectNode hospital() {
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
}
