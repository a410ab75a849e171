package io.skiff.corpus;

/**
 * Per-row probabilities with which {@link CodeSetCorpus#next} changes a release. Removal and
 * inactivation together make the retirements.
 */
record ChangeRates(double insert, double remove, double inactivate, double edit) {
    /** What a monthly terminology update typically looks like. */
    static final ChangeRates MONTHLY_UPDATE = new ChangeRates(0.005, 0.001, 0.001, 0.01);
}
