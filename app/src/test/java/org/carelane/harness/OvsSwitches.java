package org.carelane.harness;

import org.onosproject.net.DeviceId;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs ovs-ofctl -O OpenFlow13 against the bridge that stands for an ONOS device. */
final class OvsSwitches {
    private final Map<DeviceId, String> bridges;

    OvsSwitches(Map<DeviceId, String> bridges) {
        this.bridges = Map.copyOf(bridges);
    }

    /** Runs "ovs-ofctl -O OpenFlow13 COMMAND BRIDGE ARGS..." and logs it; throws with stderr on failure. */
    void ofctl(DeviceId device, String command, String... args) {
        run(device, command, args);
        System.out.println("ovs: " + command + " " + bridges.get(device) + " " + String.join(" ", args));
    }

    /** Runs a read-only ovs-ofctl command and returns its output. */
    String query(DeviceId device, String command) {
        return run(device, command);
    }

    Map<DeviceId, String> bridges() {
        return bridges;
    }

    private String run(DeviceId device, String command, String... args) {
        String bridge = bridges.get(device);
        if (bridge == null) {
            throw new IllegalStateException("no bridge for " + device);
        }
        List<String> cmd = new ArrayList<>(List.of("ovs-ofctl", "-O", "OpenFlow13"));
        if (command.endsWith("--strict")) {
            cmd.add("--strict");
            command = command.substring(0, command.length() - " --strict".length());
        }
        cmd.add(command);
        cmd.add(bridge);
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + ": " + out.trim());
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
