package org.carelane.cli;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.List;

/** Per-slice counters. */
@Service
@Command(scope = "onos", name = "carelane-stats", description = "Per-slice bytes, packets, rules and meters")
public class StatsCommand extends CareLaneCommand {
    @Override
    protected List<String> run(CliOperations ops) {
        return ops.stats();
    }
}
