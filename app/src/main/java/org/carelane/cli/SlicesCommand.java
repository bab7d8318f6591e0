package org.carelane.cli;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.List;

/** Lists CareLane slices with their rates. */
@Service
@Command(scope = "onos", name = "carelane-slices", description = "Lists CareLane slices and their rates")
public class SlicesCommand extends CareLaneCommand {
    @Argument(index = 0, name = "slice", description = "Only this slice", required = false)
    @Completion(SliceNameCompleter.class)
    String slice = null;

    @Override
    protected List<String> run(CliOperations ops) {
        return ops.slices(slice);
    }
}
