package org.carelane.cli;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.List;

/** The addresses a device learned from its site's DNS answers. */
@Service
@Command(scope = "onos", name = "carelane-names",
        description = "Addresses a device learned from DNS answers: address, slice, name, expiry; and the counters")
public class NamesCommand extends CareLaneCommand {
    @Argument(index = 0, name = "device", description = "Device id, e.g. of:0000000000000001", required = true)
    String device = null;

    @Override
    protected List<String> run(CliOperations ops) {
        return ops.learnedNames(device);
    }
}
