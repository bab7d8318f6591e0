package org.carelane.cli;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.List;

/** Shows or changes where a slice leaves the devices. */
@Service
@Command(scope = "onos", name = "carelane-egress",
        description = "Shows a slice's egress, steers it to a device link (always, peak or offPeak), or clears it")
public class EgressCommand extends CareLaneCommand {
    @Argument(index = 0, name = "slice", description = "Slice name", required = true)
    @Completion(SliceNameCompleter.class)
    String slice = null;

    @Argument(index = 1, name = "link", description = "Link name (netcfg devices[].links)", required = false)
    String link = null;

    @Option(name = "--when", description = "always (default), peak or offPeak")
    String when = null;

    @Option(name = "--clear", description = "Back to the WAN uplink in every profile")
    boolean clear = false;

    @Override
    protected List<String> run(CliOperations ops) {
        return ops.egress(slice, link, when, clear);
    }
}
