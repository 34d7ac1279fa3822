package com.evolutionprovisioner.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.evolutionprovisioner.devstack.LocalMachine;
import com.evolutionprovisioner.devstack.PayaraServer;
import com.evolutionprovisioner.testsupport.Api;
import com.evolutionprovisioner.testsupport.Browser;
import com.evolutionprovisioner.testsupport.SeparateBackends;
import com.evolutionprovisioner.testsupport.TestEnvironment;
import com.evolutionprovisioner.testsupport.Users;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The admin console of a Payara Server domain set up as server-config/payara-server/README.md says, opened in
 * headless Chromium: the pages that README sends an operator to, each saved as a screenshot (and its text beside it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PayaraServerConsoleBrowserIT {

    /** The console deploys itself on first use, which takes a while on a busy machine. */
    private static final Duration CONSOLE_START = Duration.ofMinutes(4);

    private SeparateBackends backends;
    private PayaraServer server;
    private Browser browser;

    @BeforeAll
    void deployAndOpenTheConsole() throws Exception {
        TestEnvironment.Running env = TestEnvironment.get();
        backends = SeparateBackends.create(env, "payara_console");
        int httpPort = LocalMachine.freePort();
        server = PayaraServer.start(Path.of(System.getProperty("payara.server.home")), env.buildDirectory(),
                Path.of("").toAbsolutePath(), "payara-console", httpPort,
                backends.settingsFor(env, "payara-console", "http://127.0.0.1:" + httpPort));
        // One provisioned user, so that the pools and beans have something to show.
        Users users = new Users(new Api(server.baseUrl()), env);
        UUID user = users.signUpNew();
        users.awaitStatus(user, "completed");

        browser = new Browser();
        // A fresh domain's admin user has an empty password: the login page comes first, then the console deploys
        // itself on first use ("testifbackendisready") and shows its home page with the navigation tree.
        browser.open(server.adminConsoleUrl() + "/");
        browser.await(CONSOLE_START, page -> {
            List<WebElement> password = page.findElements(By.name("j_password"));
            if (!password.isEmpty() && password.get(0).isDisplayed()) {
                page.findElement(By.name("j_username")).clear();
                page.findElement(By.name("j_username")).sendKeys("admin");
                page.findElement(By.cssSelector("input[type=submit]")).click();
                return false;
            }
            return !page.findElements(By.id("treeForm")).isEmpty();
        });
        page("payara-console-home", "/common/index.jsf");
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
        if (backends != null) {
            backends.close();
        }
    }

    @Test
    void theApplicationsPageListsTheWarAndTheResourceAdapter() throws Exception {
        String text = page("payara-console-applications", "/common/applications/applications.jsf");

        assertThat(text).contains("Deployed Applications (2)", "artemis-rar", "evolution-provisioner",
                "ejb, health, metrics, openapi, web");
    }

    /** The WAR defines its data source, JMS factory and queues by annotation: none is an "application scoped resource". */
    @Test
    void theApplicationsResourcesAreNotListedAsApplicationScopedResources() throws Exception {
        String text = page("payara-console-application-resources",
                "/common/applications/resources/appScopedResources.jsf?appName=evolution-provisioner"
                        + "&listPageLink=/common/applications/applications.jsf");

        assertThat(text).contains("Application Scoped Resources", "Resources (0)");
    }

    @Test
    void theJdbcConnectionPoolsPageShowsOnlyTheDomainsOwnPools() throws Exception {
        String text = page("payara-console-jdbc-pools", "/jdbc/jdbcConnectionPools.jsf");

        assertThat(text).contains("Pools (2)", "H2Pool", "__TimerPool").doesNotContain("provisioner");
    }

    /** The broker's factory and queues are the WAR's own, through the artemis-rar adapter: no server-wide resource. */
    @Test
    void theJmsAndConnectorPagesHoldNoServerWideResourceForTheBroker() throws Exception {
        String factories = page("payara-console-jms-connection-factories", "/jms/jmsConnections.jsf");
        String destinations = page("payara-console-jms-destinations", "/jms/jmsDestinations.jsf");
        String pools = page("payara-console-connector-pools", "/jca/connectorConnectionPools.jsf");
        String adminObjects = page("payara-console-admin-objects", "/jca/adminObjectResources.jsf");

        assertThat(factories).contains("JMS Connection Factories", "Connection Factories (0)");
        assertThat(destinations).contains("JMS Destination Resources", "Destination Resources (0)");
        assertThat(pools).contains("Connector Connection Pools", "Pools (0)");
        assertThat(adminObjects).contains("Admin Object Resources", "Resources (0)");
    }

    @Test
    void theMonitoringViewsShowPoolStatisticsAndTheApplicationsTree() throws Exception {
        String resources = page("payara-console-monitoring-resources",
                "/common/monitor/serverInstMonitoringResourcesPage.jsf?instanceName=server");
        // The admin REST interface's monitoring tree, which the browser shows as HTML on the same admin port.
        String application = page("payara-rest-monitoring-application",
                "/monitoring/domain/server/applications/evolution-provisioner");
        String monitoredResources = page("payara-rest-monitoring-resources", "/monitoring/domain/server/resources");

        assertThat(resources).contains("Resource Monitoring", "JDBC Connection Pool Statistics", "NumConnUsed");
        // The application's beans: its message-driven beans, timers and the boundaries the API calls.
        assertThat(application).contains("Child Resources", "ProvisioningListener", "WebhookEventListener", "QueuePoller",
                "QueueOperations");
        // Only the domain's own pool is monitored server-wide; the WAR's annotation-defined pool is not listed.
        assertThat(monitoredResources).contains("__TimerPool").doesNotContain("provisioner");
    }

    /** Opens a console page, saves its screenshot and text under target/screenshots, and returns the text. */
    private String page(String name, String path) throws Exception {
        browser.open(server.adminConsoleUrl() + path);
        browser.await(Duration.ofSeconds(60), page -> "complete".equals(browser.script("return document.readyState")));
        String text = browser.find(By.tagName("body")).getText();
        Path screenshot = browser.fullPageScreenshot(name);
        Files.writeString(screenshot.resolveSibling(name + ".txt"), text);
        return text;
    }
}
