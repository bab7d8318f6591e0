package org.carelane.cli;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.List;

/** Shows or changes the peak schedule. */
@Service
@Command(scope = "onos", name = "carelane-schedule", description = "Shows or changes the CareLane peak window")
public class ScheduleCommand extends CareLaneCommand {
    @Option(name = "--start", description = "Peak start, HH:MM local time")
    String start = null;

    @Option(name = "--end", description = "Peak end, HH:MM local time")
    String end = null;

    @Option(name = "--zone", description = "Time zone, e.g. Europe/London")
    String zone = null;

    @Option(name = "--days", description = "Comma-separated days, e.g. MON,TUE,WED,THU,FRI")
    String days = null;

    @Override
    protected List<String> run(CliOperations ops) {
        return ops.schedule(zone, start, end, days);
    }
}
