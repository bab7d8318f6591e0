package org.carelane.cli;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.List;

/** Shows, sets or clears the manual profile override, national or at one board, site class or site. */
@Service
@Command(scope = "onos", name = "carelane-override",
        description = "Forces a profile for some minutes, or clears the override")
public class OverrideCommand extends CareLaneCommand {
    @Argument(index = 0, name = "profile", description = "peak or offPeak", required = false)
    @Completion(ProfileCompleter.class)
    String profile = null;

    @Argument(index = 1, name = "minutes", description = "How long, 1..10080 minutes", required = false)
    String minutes = null;

    @Option(name = "--reason", description = "Why, for the audit trail")
    String reason = null;

    @Option(name = "--clear", description = "Remove the override; the schedule applies again")
    boolean clear = false;

    @Option(name = "--board", description = "Only for one health board")
    String board = null;

    @Option(name = "--site-class", description = "Only for one site class")
    String siteClass = null;

    @Option(name = "--device", description = "Only for one site (its device id)")
    String device = null;

    @Override
    protected List<String> run(CliOperations ops) {
        return ops.override(profile, minutes, reason, clear, CliOperations.scope(board, siteClass, device));
    }
}
