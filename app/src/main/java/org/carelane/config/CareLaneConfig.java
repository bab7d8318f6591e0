package org.carelane.config;

import org.carelane.api.PolicyException;
import org.carelane.api.SlicePolicy;
import org.carelane.policy.PolicyCodec;
import org.onosproject.core.ApplicationId;
import org.onosproject.net.config.Config;

/**
 * Network config block {@code apps."org.carelane.app".carelane}: the whole slice policy.
 */
public class CareLaneConfig extends Config<ApplicationId> {
    public static final String KEY = "carelane";

    /** Parses and validates the block. @throws PolicyException naming the field */
    public SlicePolicy policy() {
        return PolicyCodec.parse(node());
    }

    @Override
    public boolean isValid() {
        try {
            policy();
            return true;
        } catch (PolicyException e) {
            return false;
        }
    }
}
