package com.evolutionprovisioner.platform;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.annotation.sql.DataSourceDefinition;
import jakarta.resource.ConnectionFactoryDefinition;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * WEB-INF/jboss-web.xml redefines, for WildFly, the data source and JMS factory of {@link ServerResources}: the two
 * must say the same thing, except where WildFly needs it said differently (credentials, Payara-only properties).
 */
class WildFlyDescriptorTest {

    private static Element dataSource;
    private static Element connectionFactory;

    @BeforeAll
    static void readDescriptor() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document descriptor = factory.newDocumentBuilder().parse(Path.of("src/main/webapp/WEB-INF/jboss-web.xml").toFile());
        dataSource = (Element) descriptor.getElementsByTagNameNS("*", "data-source").item(0);
        connectionFactory = (Element) descriptor.getElementsByTagNameNS("*", "connection-factory").item(0);
    }

    @Test
    void theDataSourceMatchesTheAnnotation() {
        DataSourceDefinition annotation = ServerResources.class.getAnnotation(DataSourceDefinition.class);

        assertThat(text(dataSource, "name")).isEqualTo(annotation.name());
        assertThat(text(dataSource, "class-name")).isEqualTo(annotation.className());
        assertThat(text(dataSource, "url")).isEqualTo(annotation.url());
        assertThat(text(dataSource, "user")).isEqualTo(annotation.user());
        assertThat(text(dataSource, "password")).isEqualTo(annotation.password());
        assertThat(Integer.parseInt(text(dataSource, "min-pool-size"))).isEqualTo(annotation.minPoolSize());
        assertThat(Integer.parseInt(text(dataSource, "max-pool-size"))).isEqualTo(annotation.maxPoolSize());
        Map<String, String> driverProperties = properties(annotation.properties());
        driverProperties.keySet().removeIf(name -> name.startsWith("fish.payara."));
        assertThat(properties(dataSource)).isEqualTo(driverProperties);
    }

    @Test
    void theJmsFactoryMatchesTheAnnotationWithTheCredentialsOnTheAdapter() {
        ConnectionFactoryDefinition annotation = ServerResources.class.getAnnotation(ConnectionFactoryDefinition.class);

        assertThat(text(connectionFactory, "name")).isEqualTo(annotation.name());
        assertThat(text(connectionFactory, "interface-name")).isEqualTo(annotation.interfaceName());
        assertThat(text(connectionFactory, "resource-adapter")).isEqualTo(annotation.resourceAdapter());
        assertThat(text(connectionFactory, "transaction-support")).isEqualTo(annotation.transactionSupport().name());
        assertThat(Integer.parseInt(text(connectionFactory, "max-pool-size"))).isEqualTo(annotation.maxPoolSize());
        Map<String, String> expected = properties(annotation.properties());
        expected.put("ra.UserName", expected.remove("UserName"));
        expected.put("ra.Password", expected.remove("Password"));
        assertThat(properties(connectionFactory)).isEqualTo(expected);
    }

    private static String text(Element parent, String child) {
        NodeList found = parent.getElementsByTagNameNS("*", child);
        assertThat(found.getLength()).as(child + " in " + parent.getLocalName()).isPositive();
        return found.item(0).getTextContent().strip();
    }

    private static Map<String, String> properties(String[] annotationProperties) {
        Map<String, String> properties = new LinkedHashMap<>();
        Arrays.stream(annotationProperties).forEach(property -> {
            int equals = property.indexOf('=');
            properties.put(property.substring(0, equals), property.substring(equals + 1));
        });
        return properties;
    }

    private static Map<String, String> properties(Element definition) {
        Map<String, String> properties = new LinkedHashMap<>();
        NodeList list = definition.getElementsByTagNameNS("*", "property");
        for (int i = 0; i < list.getLength(); i++) {
            Element property = (Element) list.item(i);
            properties.put(text(property, "name"), text(property, "value"));
        }
        return properties;
    }
}
