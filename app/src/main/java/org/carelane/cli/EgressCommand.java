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

    @Option(name = "--clear", description = "Back to the WAN uplink in every profile (at a scope: as the scope "
            + "before)")
    boolean clear = false;

    @Option(name = "--board", description = "Only for one health board ('uplink' as the link: the WAN uplink there)")
    String board = null;

    @Option(name = "--site-class", description = "Only for one site class")
    String siteClass = null;

    @Option(name = "--device", description = "Only for one site (its device id)")
    String device = null;

    @Override
    protected List<String> run(CliOperations ops) {
        return ops.egress(slice, link, when, clear, CliOperations.scope(board, siteClass, device));
    }
}
