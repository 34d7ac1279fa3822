package com.evolutionprovisioner.testsupport;

import java.io.File;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The deployment under test is the WAR the build produced — nothing added, nothing left out. */
public final class Deployments {

    private Deployments() {
    }

    /** Named ROOT.war so that Payara Micro serves it at "/", where Evolution's webhook URL points. */
    public static WebArchive application() {
        File war = new File(System.getProperty("project.build.directory", "target"), "evolution-provisioner.war");
        return ShrinkWrap.create(WebArchive.class, "ROOT.war").merge(ShrinkWrap.createFromZipFile(WebArchive.class, war));
    }
}
