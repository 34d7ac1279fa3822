package com.evolutionprovisioner.security;

import com.evolutionprovisioner.platform.Settings;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.Extension;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Stops the deployment when {@link DeploymentReview} refuses the settings, with one log line per refusal naming the
 * variable. A CDI extension, so that it runs when the beans are validated: before any bean exists, the start-up
 * singletons (the schema migration among them) and message-driven beans included.
 */
public class RefuseUnsafeDeployment implements Extension {

    private static final Logger LOG = Logger.getLogger(RefuseUnsafeDeployment.class.getName());
    /** The words every refusal line starts with (the tests look for them). */
    public static final String REFUSED = "Deployment refused: ";

    void review(@Observes AfterDeploymentValidation deployment) {
        DeploymentReview.Findings findings = DeploymentReview.of(
                Settings.of(ConfigProvider.getConfig(RefuseUnsafeDeployment.class.getClassLoader())));
        findings.warnings().forEach(LOG::warning);
        findings.refusals().forEach(refusal -> LOG.severe(REFUSED + refusal));
        if (!findings.refusals().isEmpty()) {
            deployment.addDeploymentProblem(new IllegalStateException(
                    findings.refusals().size() + " unsafe setting(s): see the SEVERE line(s) above"));
        }
    }
}
