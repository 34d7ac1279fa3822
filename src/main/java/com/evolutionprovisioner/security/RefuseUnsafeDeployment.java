package com.evolutionprovisioner.security;

import com.evolutionprovisioner.platform.Settings;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.DefinitionException;
import jakarta.enterprise.inject.spi.Extension;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Stops the deployment when {@link DeploymentReview} refuses the settings, with one log line per refusal naming the
 * variable. A CDI extension observing the first event of the container's start, so that it runs before any bean exists
 * (the start-up singletons, the schema migration among them, and the message-driven beans included) and before
 * MicroProfile Config validates the injection points of the missing values with errors of its own.
 */
public class RefuseUnsafeDeployment implements Extension {

    private static final Logger LOG = Logger.getLogger(RefuseUnsafeDeployment.class.getName());
    /** The words every refusal line starts with (the tests look for them). */
    public static final String REFUSED = "Deployment refused: ";

    /** An exception thrown here is a definition error: the container does not deploy the application. */
    void review(@Observes BeforeBeanDiscovery containerStart) {
        DeploymentReview.Findings findings = DeploymentReview.of(
                Settings.of(ConfigProvider.getConfig(RefuseUnsafeDeployment.class.getClassLoader())));
        findings.warnings().forEach(LOG::warning);
        findings.refusals().forEach(refusal -> LOG.severe(REFUSED + refusal));
        if (!findings.refusals().isEmpty()) {
            throw new DefinitionException(findings.refusals().size() + " unsafe setting(s): see the SEVERE line(s) above");
        }
    }
}
