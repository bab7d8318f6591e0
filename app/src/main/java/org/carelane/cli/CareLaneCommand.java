package org.carelane.cli;

import org.carelane.api.CareLaneService;
import org.carelane.api.PolicyException;
import org.onosproject.cli.AbstractShellCommand;

import javax.security.auth.Subject;
import java.security.AccessController;
import java.security.Principal;
import java.util.List;

/** Base of the carelane-* commands: runs an operation and prints lines or a field error. */
abstract class CareLaneCommand extends AbstractShellCommand {

    /** The operation, given CliOperations bound to the service and the Karaf user. */
    protected abstract List<String> run(CliOperations ops);

    @Override
    protected void doExecute() {
        CliOperations ops = new CliOperations(get(CareLaneService.class), karafUser());
        try {
            run(ops).forEach(this::print);
        } catch (PolicyException e) {
            error("Error in %s: %s (nothing was changed)", e.field(), e.reason());
        }
    }

    /** The JAAS user Karaf runs the command as, or "karaf". */
    @SuppressWarnings("removal")
    static String karafUser() {
        try {
            Subject subject = Subject.getSubject(AccessController.getContext());
            if (subject != null) {
                for (Principal p : subject.getPrincipals()) {
                    if (p.getClass().getSimpleName().equals("UserPrincipal")) {
                        return p.getName();
                    }
                }
            }
        } catch (SecurityException | UnsupportedOperationException e) {
            // fall through
        }
        return "karaf";
    }
}
