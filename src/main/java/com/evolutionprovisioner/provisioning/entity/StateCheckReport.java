package com.evolutionprovisioner.provisioning.entity;

import javax.management.ConstructorParameters;

/**
 * What one pass of state checks found, in instances: looked at (checked), of which our record differed from
 * Evolution's connectionState and was corrected (corrected), Evolution did not know it and it was queued for
 * re-provisioning (missing), and Evolution could not be asked (failed, each logged). A class with getters rather
 * than a record so that JMX can show it.
 */
public final class StateCheckReport {

    private final long checked;
    private final long corrected;
    private final long missing;
    private final long failed;

    @ConstructorParameters({"checked", "corrected", "missing", "failed"})
    public StateCheckReport(long checked, long corrected, long missing, long failed) {
        this.checked = checked;
        this.corrected = corrected;
        this.missing = missing;
        this.failed = failed;
    }

    public long getChecked() {
        return checked;
    }

    public long getCorrected() {
        return corrected;
    }

    public long getMissing() {
        return missing;
    }

    public long getFailed() {
        return failed;
    }

    @Override
    public String toString() {
        return "checked " + checked + ", corrected " + corrected + ", missing " + missing + ", failed " + failed;
    }
}
