package org.carelane.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carelane.api.PolicyException;
import org.carelane.testing.SampleConfig;
import org.junit.jupiter.api.Test;
import org.onosproject.TestApplicationId;
import org.onosproject.core.ApplicationId;
import org.onosproject.net.config.InvalidConfigException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CareLaneConfigTest {
    private static CareLaneConfig config(ObjectNode block) {
        CareLaneConfig cfg = new CareLaneConfig();
        ApplicationId app = new TestApplicationId("org.carelane.app");
        cfg.init(app, CareLaneConfig.KEY, block, new ObjectMapper(), c -> { });
        return cfg;
    }

    @Test
    void sampleIsValid() {
        assertTrue(config(SampleConfig.hospital()).isValid());
        assertEquals(4, config(SampleConfig.hospital()).policy().slices().size());
    }

    @Test
    void onosRejectionMessageNamesTheField() {
        ObjectNode bad = SampleConfig.hospital();
        ((ObjectNode) bad.get("slices").get(2).get("rates").get("peak")).put("minKbps", 5000);
        CareLaneConfig cfg = config(bad);
        PolicyException e = assertThrows(PolicyException.class, cfg::isValid);
        // What DistributedNetworkConfigStore.applyConfig does with an exception from isValid():
        InvalidConfigException wrapped = new InvalidConfigException("apps", "org.carelane.app", "carelane", e);
        assertTrue(wrapped.getMessage().contains("slices[2].rates.peak.minKbps"), wrapped.getMessage());
    }
}
