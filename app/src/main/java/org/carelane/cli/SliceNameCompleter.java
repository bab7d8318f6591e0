package org.carelane.cli;

import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.carelane.api.CareLaneService;
import org.carelane.api.SliceDefinition;
import org.onosproject.cli.AbstractChoicesCompleter;

import java.util.List;
import java.util.stream.Collectors;

import static org.onosproject.cli.AbstractShellCommand.get;

/** Completes slice names from the policy in force. */
@Service
public class SliceNameCompleter extends AbstractChoicesCompleter {
    @Override
    protected List<String> choices() {
        return get(CareLaneService.class).policy()
                .map(p -> p.slices().stream().map(SliceDefinition::name).collect(Collectors.toList()))
                .orElse(List.of());
    }
}
