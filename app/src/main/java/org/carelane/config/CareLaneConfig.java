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
        SlicePolicy policy = PolicyCodec.parse(node());
        for (int i = 0; i < policy.devices().size(); i++) {
            if (policy.devices().get(i).ownSubject()) {
                throw new PolicyException("devices[" + i + "].ownNetcfgSubject", "is CareLane's mark in its store; "
                        + "configure the site under devices.\"" + policy.devices().get(i).deviceId() + "\".carelane");
            }
        }
        return policy;
    }

    /**
     * Validates the block. Rather than returning false, it throws the PolicyException:
     * ONOS's config store wraps it in InvalidConfigException, whose message then names
     * the field in the reply to "onos-netcfg" or POST /onos/v1/network/configuration.
     *
     * @throws PolicyException naming the offending field
     */
    @Override
    public boolean isValid() {
        policy();
        return true;
    }
}
