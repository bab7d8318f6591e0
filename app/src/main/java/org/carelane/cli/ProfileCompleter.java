package org.carelane.cli;

import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.carelane.api.Profile;
import org.onosproject.cli.AbstractChoicesCompleter;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Completes profile names: peak, offPeak. */
@Service
public class ProfileCompleter extends AbstractChoicesCompleter {
    @Override
    protected List<String> choices() {
        return Arrays.stream(Profile.values()).map(Profile::jsonName).collect(Collectors.toList());
    }
}
