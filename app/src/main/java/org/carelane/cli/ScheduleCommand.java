package org.carelane.cli;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.List;

/** Shows or changes the peak schedule, national or of one board, site class or site. */
@Service
@Command(scope = "onos", name = "carelane-schedule",
        description = "Shows or changes the CareLane peak windows and holidays; lists the next switch-overs")
public class ScheduleCommand extends CareLaneCommand {
    @Option(name = "--start", description = "Peak start, HH:MM local time")
    String start = null;

    @Option(name = "--end", description = "Peak end, HH:MM local time")
    String end = null;

    @Option(name = "--zone", description = "Time zone, e.g. Europe/London")
    String zone = null;

    @Option(name = "--days", description = "Comma-separated days, e.g. MON,TUE,WED,THU,FRI")
    String days = null;

    @Option(name = "--windows", description = "Peak windows, e.g. 07:30-09:00,12:00-14:00 (instead of --start/--end)")
    String windows = null;

    @Option(name = "--holidays", description = "Off-peak dates, e.g. 2026-12-25,2026-12-28, or none")
    String holidays = null;

    @Option(name = "--board", description = "Show or change one health board's own schedule")
    String board = null;

    @Option(name = "--site-class", description = "Show or change one site class's own schedule")
    String siteClass = null;

    @Option(name = "--device", description = "Show or change one site's own schedule (its device id)")
    String device = null;

    @Option(name = "--inherit", description = "With a scope: drop its own schedule, use the scope before's")
    boolean inherit = false;

    @Override
    protected List<String> run(CliOperations ops) {
        return ops.schedule(new CliOperations.ScheduleChange(zone, start, end, days, windows, holidays),
                CliOperations.scope(board, siteClass, device), inherit);
    }
}
