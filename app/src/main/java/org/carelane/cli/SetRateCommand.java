package org.carelane.cli;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.List;

/** Changes a slice's bandwidth in one profile. */
@Service
@Command(scope = "onos", name = "carelane-set-rate",
        description = "Sets a slice's max (meter) and min (reserved) kbit/s in a profile")
public class SetRateCommand extends CareLaneCommand {
    @Argument(index = 0, name = "slice", description = "Slice name", required = true)
    @Completion(SliceNameCompleter.class)
    String slice = null;

    @Argument(index = 1, name = "profile", description = "peak or offPeak", required = true)
    @Completion(ProfileCompleter.class)
    String profile = null;

    @Argument(index = 2, name = "max", description = "Meter rate: kbit/s, or a share of each uplink such as 10%; "
            + "at a scope, '-' keeps the scope before's, 'inherit' clears the scope's rates", required = true)
    String maxKbps = null;

    @Argument(index = 3, name = "min", description = "Reserved rate: kbit/s or a share (default: unchanged)",
            required = false)
    String minKbps = null;

    @Option(name = "--board", description = "Set it for one health board only")
    String board = null;

    @Option(name = "--site-class", description = "Set it for one site class only (gp-practice, ...)")
    String siteClass = null;

    @Option(name = "--device", description = "Set it for one site only (its device id)")
    String device = null;

    @Override
    protected List<String> run(CliOperations ops) {
        return ops.setRate(slice, profile, maxKbps, minKbps, CliOperations.scope(board, siteClass, device));
    }
}
